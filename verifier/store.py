"""The verifier's repository: presentation transactions, each with its single-use ``state``; and the
rollback floor of each trust list it loads (the highest sequence number accepted), so that a restart
does not forget it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["Transaction", "VerifierStore"]

metadata = sa.MetaData()

transactions = sa.Table(
    "verifier_transactions",
    metadata,
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(64), nullable=False, unique=True),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("dcql_query", sa.Text, nullable=False),
    sa.Column("request_object", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

request_ids = sa.Table(
    "verifier_request_ids",
    metadata,
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("transaction_id", sa.String(64), nullable=False, unique=True),
)
"""The id in a transaction's request URI, which the wallet and whoever sees the QR code learn: a random
value of its own, so that the transaction id, with which the relying party reads the verified claims,
stays the relying party's (OpenID4VP 1.0 section 14.3.3)."""

response_keys = sa.Table(
    "verifier_response_keys",
    metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("transaction_id", sa.String(64), nullable=False, unique=True),
    sa.Column("private_key", sa.Text, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)
"""The ephemeral key each ``direct_post.jwt`` transaction's response is encrypted to (PKCS #8 PEM), by
its ``kid``; deleted when the response is claimed, and once the transaction has expired, at the next
response or new key (never handed out after its expiry)."""

same_device = sa.Table(
    "verifier_same_device",
    metadata,
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("redirect_uri", sa.String(2048), nullable=False),
    sa.Column("response_code", sa.String(64), nullable=True),
)
"""A same-device transaction's redirect URI (the relying party's page), and the SHA-256 (base64url) of
the ``response_code`` sent there with it once the response came in."""

trust_list_floors = sa.Table(
    "verifier_trust_list_floors",
    metadata,
    sa.Column("location", sa.String(2048), primary_key=True),
    sa.Column("sequence_number", sa.BigInteger, nullable=False),
)

PENDING, RESPONDED, VERIFIED, FAILED = "pending", "responded", "verified", "failed"


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    state: str
    nonce: str
    dcql_query: dict[str, Any]
    request_object: str
    status: str
    result: dict[str, Any] | None
    created_at: int
    expires_at: int


def _transaction(row: Any) -> Transaction:
    return Transaction(
        transaction_id=row.transaction_id,
        state=row.state,
        nonce=row.nonce,
        dcql_query=json.loads(row.dcql_query),
        request_object=row.request_object,
        status=row.status,
        result=None if row.result is None else json.loads(row.result),
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


class VerifierStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def add(self, transaction: Transaction, *, request_id: str) -> None:
        """Keep a new transaction, its request object served under ``request_id``."""
        with self.engine.begin() as db:
            db.execute(
                request_ids.insert().values(request_id=request_id, transaction_id=transaction.transaction_id)
            )
            db.execute(
                transactions.insert().values(
                    transaction_id=transaction.transaction_id,
                    state=transaction.state,
                    nonce=transaction.nonce,
                    dcql_query=json.dumps(transaction.dcql_query),
                    request_object=transaction.request_object,
                    status=transaction.status,
                    result=None,
                    created_at=transaction.created_at,
                    expires_at=transaction.expires_at,
                )
            )

    def add_response_key(
        self, transaction_id: str, key_id: str, private_key: str, *, expires_at: int, now: int
    ) -> None:
        """Keep a transaction's response decryption key; keys of expired transactions go first."""
        with self.engine.begin() as db:
            db.execute(response_keys.delete().where(response_keys.c.expires_at <= now))
            db.execute(
                response_keys.insert().values(
                    key_id=key_id,
                    transaction_id=transaction_id,
                    private_key=private_key,
                    expires_at=expires_at,
                )
            )

    def response_key(self, key_id: str, *, now: int) -> tuple[str, str] | None:
        """``(transaction_id, private key PEM)`` for ``kid`` ``key_id``, unless unknown or expired."""
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(response_keys.c.transaction_id, response_keys.c.private_key).where(
                    response_keys.c.key_id == key_id, response_keys.c.expires_at > now
                )
            ).first()
        return None if row is None else (row.transaction_id, row.private_key)

    def add_redirect(self, transaction_id: str, redirect_uri: str) -> None:
        with self.engine.begin() as db:
            db.execute(same_device.insert().values(transaction_id=transaction_id, redirect_uri=redirect_uri))

    def redirect(self, transaction_id: str) -> tuple[str, str | None] | None:
        """``(redirect_uri, response code digest or None)`` of a same-device transaction; None for others."""
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(same_device.c.redirect_uri, same_device.c.response_code).where(
                    same_device.c.transaction_id == transaction_id
                )
            ).first()
        return None if row is None else (row.redirect_uri, row.response_code)

    def set_response_code(self, transaction_id: str, digest: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                same_device.update()
                .where(same_device.c.transaction_id == transaction_id)
                .values(response_code=digest)
            )

    def by_state(self, state: str) -> Transaction | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(transactions).where(transactions.c.state == state)).first()
        return None if row is None else _transaction(row)

    def by_request_id(self, request_id: str) -> Transaction | None:
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(transactions)
                .join(request_ids, request_ids.c.transaction_id == transactions.c.transaction_id)
                .where(request_ids.c.request_id == request_id)
            ).first()
        return None if row is None else _transaction(row)

    def get(self, transaction_id: str) -> Transaction | None:
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(transactions).where(transactions.c.transaction_id == transaction_id)
            ).first()
        return None if row is None else _transaction(row)

    def claim_response(self, state: str, *, now: int) -> Transaction | None:
        """Take the transaction of ``state`` for its one response; None when unknown, used or expired."""
        with self.engine.begin() as db:
            db.execute(response_keys.delete().where(response_keys.c.expires_at <= now))
            claimed = db.execute(
                transactions.update()
                .where(
                    transactions.c.state == state,
                    transactions.c.status == PENDING,
                    transactions.c.expires_at > now,
                )
                .values(status=RESPONDED)
            )
            if claimed.rowcount != 1:
                return None
            row = db.execute(sa.select(transactions).where(transactions.c.state == state)).one()
            # its one response is in: the key it was encrypted to has served
            db.execute(response_keys.delete().where(response_keys.c.transaction_id == row.transaction_id))
        return _transaction(row)

    def finish(self, transaction_id: str, *, status: str, result: dict[str, Any]) -> None:
        with self.engine.begin() as db:
            db.execute(
                transactions.update()
                .where(transactions.c.transaction_id == transaction_id, transactions.c.status == RESPONDED)
                .values(status=status, result=json.dumps(result))
            )

    # -- trust-list rollback floors (trust_list.loader.SequenceFloors) ------------------------------

    def floor(self, location: str) -> int | None:
        with self.engine.connect() as db:
            value = db.execute(
                sa.select(trust_list_floors.c.sequence_number).where(trust_list_floors.c.location == location)
            ).scalar()
        return None if value is None else int(value)

    def raise_floor(self, location: str, sequence_number: int) -> None:
        """Only ever upwards; two workers raising at once leave the higher number."""
        with self.engine.begin() as db:
            raised = db.execute(
                trust_list_floors.update()
                .where(
                    trust_list_floors.c.location == location,
                    trust_list_floors.c.sequence_number < sequence_number,
                )
                .values(sequence_number=sequence_number)
            )
            if raised.rowcount:
                return
            known = db.execute(
                sa.select(trust_list_floors.c.location).where(trust_list_floors.c.location == location)
            ).first()
        if known is None:
            try:
                with self.engine.begin() as db:
                    db.execute(
                        trust_list_floors.insert().values(location=location, sequence_number=sequence_number)
                    )
            except sa.exc.IntegrityError:  # another worker inserted it first: raise that one instead
                self.raise_floor(location, sequence_number)
