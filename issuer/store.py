"""The issuer's repository: offers, pre-authorized codes, access tokens, nonces, issued credentials.

Bearer secrets (pre-authorized codes, transaction codes, access tokens) are stored as SHA-256
digests only. Single use is enforced by conditional updates whose row count decides the winner, so
it holds with several workers on PostgreSQL as on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from common.db import secret_digest
from openid4vc.token import MAX_CLIENT_ID

__all__ = ["AccessGrant", "IssuerStore", "OfferRecord"]

metadata = sa.MetaData()

offers = sa.Table(
    "issuer_offers",
    metadata,
    sa.Column("offer_id", sa.String(64), primary_key=True),
    sa.Column("code_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("tx_code_digest", sa.String(64), nullable=True),
    sa.Column("citizen_id", sa.String(64), nullable=False),
    sa.Column("configuration_ids", sa.Text, nullable=False),
    sa.Column("offer_json", sa.Text, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("redeemed", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
)

access_tokens = sa.Table(
    "issuer_access_tokens",
    metadata,
    sa.Column("token_digest", sa.String(64), primary_key=True),
    sa.Column("citizen_id", sa.String(64), nullable=False),
    sa.Column("configuration_ids", sa.Text, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

token_bindings = sa.Table(
    "issuer_token_bindings",
    metadata,
    sa.Column("token_digest", sa.String(64), primary_key=True),
    sa.Column("jkt", sa.String(64), nullable=False),
)
"""The DPoP key (RFC 7638 thumbprint, base64url) an access token is bound to (RFC 9449 section 6)."""

token_requests = sa.Table(
    "issuer_token_requests",
    metadata,
    sa.Column("token_digest", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(MAX_CLIENT_ID), nullable=True),
    sa.Column("identifiers", sa.Boolean, nullable=False),
)
"""How an access token was asked for: the ``client_id`` of the token request (None: anonymous access),
which a key proof's ``iss`` must then be or lack (OpenID4VCI 1.0 appendix F.1), and whether the token
response named ``credential_identifiers``, which credential requests must then use (section 8.2)."""

dpop_proofs = sa.Table(
    "issuer_dpop_proofs",
    metadata,
    sa.Column("proof_digest", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)
"""DPoP proofs seen (key thumbprint and ``jti``), kept as long as their ``iat`` window lets them be
replayed (RFC 9449 section 11.1)."""

nonces = sa.Table(
    "issuer_nonces",
    metadata,
    sa.Column("nonce_digest", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

issued = sa.Table(
    "issuer_issued_credentials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("configuration_id", sa.String(200), nullable=False),
    sa.Column("citizen_id", sa.String(64), nullable=False),
    sa.Column("holder_thumbprint", sa.String(64), nullable=False),
    sa.Column("status_index", sa.Integer, nullable=True),
    sa.Column("issued_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=True),
)


token_uses = sa.Table(
    "issuer_token_uses",
    metadata,
    sa.Column("token_digest", sa.String(64), primary_key=True),
    sa.Column("configuration_id", sa.String(200), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)
"""The credential configurations an access token was used for: each once (a batch of copies at most),
so that one offer cannot take the status list's indexes by the thousand."""

status_entries = sa.Table(
    "issuer_status_entries",
    metadata,
    sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.SmallInteger, nullable=False, default=0),
    sa.Column("assigned_at", sa.BigInteger, nullable=False),
)


@dataclass(frozen=True)
class OfferRecord:
    offer_id: str
    citizen_id: str
    configuration_ids: tuple[str, ...]
    tx_code_digest: str | None
    expires_at: int
    redeemed: bool
    failed_attempts: int


@dataclass(frozen=True)
class AccessGrant:
    citizen_id: str
    configuration_ids: tuple[str, ...]
    expires_at: int
    token_digest: str
    """What the store keeps of the token (:func:`~common.db.secret_digest`)."""
    jkt: str | None = None
    """The DPoP key the token is bound to; None for a bearer token."""
    client_id: str | None = None
    """The token request's ``client_id``; None for anonymous access."""
    anonymous: bool = False
    """Whether the token was asked for without a ``client_id`` (False when not known)."""
    identifiers: bool | None = None
    """Whether the token response named ``credential_identifiers`` (None when not known)."""


class _NotAll(Exception):
    """Not every nonce of a request was good: none is spent."""


def _redeem(db: sa.Connection, offer_id: str, now: int) -> bool:
    result = db.execute(
        offers.update()
        .where(offers.c.offer_id == offer_id, offers.c.redeemed.is_(False), offers.c.expires_at > now)
        .values(redeemed=True)
    )
    return result.rowcount == 1


class IssuerStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def add_offer(
        self,
        *,
        offer_id: str,
        pre_authorized_code: str,
        tx_code: str | None,
        citizen_id: str,
        configuration_ids: Sequence[str],
        offer: dict[str, Any],
        expires_at: int,
    ) -> None:
        with self.engine.begin() as db:
            db.execute(
                offers.insert().values(
                    offer_id=offer_id,
                    code_digest=secret_digest(pre_authorized_code),
                    tx_code_digest=secret_digest(tx_code) if tx_code is not None else None,
                    citizen_id=citizen_id,
                    configuration_ids=json.dumps(list(configuration_ids)),
                    offer_json=json.dumps(offer),
                    expires_at=expires_at,
                    redeemed=False,
                    failed_attempts=0,
                )
            )

    def offer_json(self, offer_id: str, *, now: int) -> dict[str, Any] | None:
        """The offer behind a ``credential_offer_uri``, while its code is still usable."""
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(offers.c.offer_json).where(
                    offers.c.offer_id == offer_id,
                    offers.c.expires_at > now,
                    offers.c.redeemed.is_(False),
                )
            ).first()
        return None if row is None else dict(json.loads(row.offer_json))

    def find_offer_by_code(self, pre_authorized_code: str) -> OfferRecord | None:
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(offers).where(offers.c.code_digest == secret_digest(pre_authorized_code))
            ).first()
        if row is None:
            return None
        return OfferRecord(
            offer_id=row.offer_id,
            citizen_id=row.citizen_id,
            configuration_ids=tuple(json.loads(row.configuration_ids)),
            tx_code_digest=row.tx_code_digest,
            expires_at=row.expires_at,
            redeemed=bool(row.redeemed),
            failed_attempts=row.failed_attempts,
        )

    def reserve_tx_code_attempt(self, offer_id: str, *, max_attempts: int, now: int) -> bool:
        """Take one of the ``max_attempts`` comparisons of a ``tx_code`` with this offer's, before it is
        made; False when none is left (or the code is used or expired). Reserved in one conditional
        UPDATE, so that parallel guesses cannot each read a count below the limit and all be compared.
        ``failed_attempts`` counts wrong guesses and those still being compared: a match gives its
        reservation back (:meth:`release_tx_code_attempt`), a miss keeps it (:meth:`burn_if_spent`)."""
        with self.engine.begin() as db:
            result = db.execute(
                offers.update()
                .where(
                    offers.c.offer_id == offer_id,
                    offers.c.redeemed.is_(False),
                    offers.c.expires_at > now,
                    offers.c.failed_attempts < max_attempts,
                )
                .values(failed_attempts=offers.c.failed_attempts + 1)
            )
        return result.rowcount == 1

    def release_tx_code_attempt(self, offer_id: str) -> None:
        """Give back the reservation of a comparison that matched."""
        with self.engine.begin() as db:
            db.execute(
                offers.update()
                .where(offers.c.offer_id == offer_id, offers.c.failed_attempts > 0)
                .values(failed_attempts=offers.c.failed_attempts - 1)
            )

    def burn_if_spent(self, offer_id: str, *, max_attempts: int) -> None:
        """After a wrong guess: at ``max_attempts`` wrong guesses the code is used up, the offer gone."""
        with self.engine.begin() as db:
            db.execute(
                offers.update()
                .where(offers.c.offer_id == offer_id, offers.c.failed_attempts >= max_attempts)
                .values(redeemed=True)
            )

    def redeem_offer(self, offer_id: str, *, now: int) -> bool:
        """Mark the pre-authorized code used; False when another request already did, or it expired."""
        with self.engine.begin() as db:
            return _redeem(db, offer_id, now)

    def add_access_token(
        self,
        token: str,
        *,
        citizen_id: str,
        configuration_ids: Sequence[str],
        expires_at: int,
        jkt: str | None = None,
        client_id: str | None = None,
        identifiers: bool = False,
        redeeming: str | None = None,
        now: int = 0,
    ) -> bool:
        """Keep an access token (its digest), bound to the DPoP key ``jkt`` when given, with how it
        was asked for (see :data:`token_requests`). With ``redeeming``, in the same transaction as
        the redemption of that offer's code: the token is kept only if the code was redeemed (else
        False), and the code is redeemed only if the token was kept (a failure keeps it usable)."""
        with self.engine.begin() as db:
            if redeeming is not None and not _redeem(db, redeeming, now):
                return False
            db.execute(
                token_requests.insert().values(
                    token_digest=secret_digest(token), client_id=client_id, identifiers=identifiers
                )
            )
            db.execute(
                access_tokens.insert().values(
                    token_digest=secret_digest(token),
                    citizen_id=citizen_id,
                    configuration_ids=json.dumps(list(configuration_ids)),
                    expires_at=expires_at,
                )
            )
            if jkt is not None:
                db.execute(token_bindings.insert().values(token_digest=secret_digest(token), jkt=jkt))
        return True

    def access_grant(self, token: str, *, now: int) -> AccessGrant | None:
        digest = secret_digest(token)
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(
                    access_tokens,
                    token_bindings.c.jkt,
                    token_requests.c.client_id,
                    token_requests.c.identifiers,
                    token_requests.c.token_digest.label("asked"),
                )
                .outerjoin(token_bindings, token_bindings.c.token_digest == access_tokens.c.token_digest)
                .outerjoin(token_requests, token_requests.c.token_digest == access_tokens.c.token_digest)
                .where(access_tokens.c.token_digest == digest, access_tokens.c.expires_at > now)
            ).first()
        if row is None:
            return None
        configuration_ids = tuple(json.loads(row.configuration_ids))
        known = row.asked is not None  # a token kept before this table was: how it was asked is unknown
        return AccessGrant(
            row.citizen_id,
            configuration_ids,
            row.expires_at,
            digest,
            row.jkt,
            client_id=row.client_id,
            anonymous=known and row.client_id is None,
            identifiers=bool(row.identifiers) if known else None,
        )

    def claim_token_use(self, grant: AccessGrant, configuration_id: str, *, now: int) -> bool:
        """Take the one credential request ``grant``'s token allows for ``configuration_id``; False
        when it was taken."""
        try:
            with self.engine.begin() as db:
                db.execute(token_uses.delete().where(token_uses.c.expires_at <= now))
                db.execute(
                    token_uses.insert().values(
                        token_digest=grant.token_digest,
                        configuration_id=configuration_id,
                        expires_at=grant.expires_at,
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True

    def release_token_use(self, grant: AccessGrant, configuration_id: str) -> None:
        """Give back a request taken for a credential that was not issued after all."""
        with self.engine.begin() as db:
            db.execute(
                token_uses.delete().where(
                    token_uses.c.token_digest == grant.token_digest,
                    token_uses.c.configuration_id == configuration_id,
                )
            )

    def use_dpop_proof(self, jkt: str, jti: str, *, expires_at: int, now: int) -> bool:
        """True the first time a DPoP proof (its key and ``jti``) is seen; seen ones that could no
        longer be replayed go at the same time."""
        with self.engine.begin() as db:
            db.execute(dpop_proofs.delete().where(dpop_proofs.c.expires_at <= now))
        try:
            with self.engine.begin() as db:
                db.execute(
                    dpop_proofs.insert().values(
                        proof_digest=secret_digest(f"{jkt} {jti}"), expires_at=expires_at
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True

    def add_nonce(self, nonce: str, *, expires_at: int, now: int) -> None:
        """Keep a nonce given out; expired ones go at the same time (the nonce endpoint is open to
        anyone, so they are not left for a later ``consume_nonce`` to clear)."""
        with self.engine.begin() as db:
            db.execute(nonces.delete().where(nonces.c.expires_at <= now))
            db.execute(nonces.insert().values(nonce_digest=secret_digest(nonce), expires_at=expires_at))

    def nonce_count(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(nonces)).scalar_one())

    def consume_nonce(self, nonce: str, *, now: int) -> bool:
        """True exactly once for a nonce this issuer gave out and that has not expired."""
        return self.consume_nonces([nonce], now=now)

    def record_issued(
        self,
        *,
        configuration_id: str,
        citizen_id: str,
        holder_thumbprints: Sequence[str],
        issued_at: int,
        expires_at: int | None,
        status_indexes: Sequence[int | None],
    ) -> None:
        """The credentials of one response, one per holder key: all kept, or (on an error) none."""
        with self.engine.begin() as db:
            for thumbprint, index in zip(holder_thumbprints, status_indexes, strict=True):
                db.execute(
                    issued.insert().values(
                        configuration_id=configuration_id,
                        citizen_id=citizen_id,
                        holder_thumbprint=thumbprint,
                        status_index=index,
                        issued_at=issued_at,
                        expires_at=expires_at,
                    )
                )

    def claim_status_index(self, idx: int, *, now: int) -> bool:
        """Reserve entry ``idx`` of the status lists for a new credential; False when it is taken."""
        try:
            with self.engine.begin() as db:
                db.execute(status_entries.insert().values(idx=idx, status=0, assigned_at=now))
        except sa.exc.IntegrityError:
            return False
        return True

    def last_status_entry(self) -> int | None:
        """The highest entry taken, None when there is none."""
        with self.engine.connect() as db:
            value = db.execute(sa.select(sa.func.max(status_entries.c.idx))).scalar_one()
        return None if value is None else int(value)

    def count_status_entries(self, start: int, stop: int) -> int:
        """How many entries from ``start`` to ``stop`` (excluded) are taken."""
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count()).where(
                        status_entries.c.idx >= start, status_entries.c.idx < stop
                    )
                ).scalar_one()
            )

    def release_status_indexes(self, indexes: Sequence[int]) -> None:
        """Give back indexes claimed for credentials that were not issued after all."""
        with self.engine.begin() as db:
            db.execute(status_entries.delete().where(status_entries.c.idx.in_(list(indexes))))

    def consume_nonces(self, given: Sequence[str], *, now: int) -> bool:
        """Spend every one of the nonces ``given`` (this issuer's, not expired) or, when one is not,
        none of them; True when all were good."""
        digests = {secret_digest(nonce) for nonce in given}
        try:
            with self.engine.begin() as db:
                spent = db.execute(
                    nonces.delete().where(nonces.c.nonce_digest.in_(digests), nonces.c.expires_at > now)
                )
                if spent.rowcount != len(digests):
                    raise _NotAll  # rolls the deletions back
                db.execute(nonces.delete().where(nonces.c.expires_at <= now))
        except _NotAll:
            return False
        return True

    def set_status(self, idx: int, status: int) -> bool:
        """Set the status of an issued credential's entry; False when no credential holds ``idx``."""
        with self.engine.begin() as db:
            result = db.execute(
                status_entries.update().where(status_entries.c.idx == idx).values(status=status)
            )
        return result.rowcount == 1

    def statuses(self, start: int, stop: int) -> list[tuple[int, int]]:
        """Every entry from ``start`` to ``stop`` (excluded) whose status is not VALID (0)."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(status_entries.c.idx, status_entries.c.status).where(
                    status_entries.c.idx >= start, status_entries.c.idx < stop, status_entries.c.status != 0
                )
            ).all()
        return [(row.idx, row.status) for row in rows]

    def issued_to(self, citizen_id: str) -> list[dict[str, Any]]:
        """What was issued to a citizen: configuration, status index, times (no credential content)."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(
                    issued.c.configuration_id, issued.c.status_index, issued.c.issued_at, issued.c.expires_at
                )
                .where(issued.c.citizen_id == citizen_id)
                .order_by(issued.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def issued_count(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(issued)).scalar_one())
