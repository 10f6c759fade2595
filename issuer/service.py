"""What the issuer does, between the HTTP routes and the libraries (OpenID4VCI 1.0).

Routes parse HTTP and call one method here; this module consults the store and the register,
enforces single use and expiry, and composes the credential with ``credentials``.
"""

from __future__ import annotations

import hmac
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import Clock
from common.db import secret_digest
from common.errors import CryptoError, InvalidInput
from common.jose import Algorithm, b64url_encode, jwk_thumbprint, public_jwk, public_key_from_jwk
from credentials.mdoc import issue_mdoc
from credentials.sdjwt_vc import issue_sd_jwt_vc
from issuer.attestations import SD_JWT, Offering, offerings
from issuer.register import Register
from issuer.settings import IssuerSettings
from issuer.status import IssuerStatusList
from issuer.store import AccessGrant, IssuerStore
from openid4vc.dpop import DPOP_ALGORITHMS, DpopProof, InvalidDpopProof, verify_dpop_proof
from openid4vc.encryption import decrypt_message, request_encryption_metadata, response_encryption_metadata
from openid4vc.errors import (
    CredentialRequestDenied,
    InsufficientScope,
    InvalidCredentialRequest,
    InvalidGrant,
    InvalidNonce,
    InvalidProof,
    InvalidRequest,
    InvalidToken,
    OpenID4VCError,
    UnknownCredentialConfiguration,
    UnknownCredentialIdentifier,
)
from openid4vc.issuance import (
    AuthorizationDetail,
    CredentialOffer,
    CredentialRequest,
    TokenRequest,
    TxCode,
    authorization_server_metadata,
    credential_issuer_metadata,
    credential_response,
    nonce_response,
    offer_link,
    token_response,
    verify_jwt_proof,
)

__all__ = ["PID_SD_JWT", "IssuerService", "MadeOffer", "issuance_time"]

PID_SD_JWT = "eu.europa.ec.eudi.pid_dc_sd_jwt"


@dataclass(frozen=True)
class MadeOffer:
    offer_id: str
    offer: dict[str, Any]
    credential_offer_uri: str
    link: str
    tx_code: str | None
    expires_at: int


class IssuerService:
    def __init__(
        self,
        settings: IssuerSettings,
        store: IssuerStore,
        register: Register,
        clock: Clock,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.settings = settings
        self.store = store
        self.register = register
        self.clock = clock
        self.rng = rng
        self.status = IssuerStatusList(settings, store, clock, rng)
        self.offerings = offerings(settings.attestations)
        self.encryption_key = settings.encryption_key or ec.generate_private_key(ec.SECP256R1())
        self.encryption_kid = b64url_encode(jwk_thumbprint(public_jwk(self.encryption_key)))

    def _secret(self, size: int = 32) -> str:
        return b64url_encode(self.rng(size))

    # -- metadata ---------------------------------------------------------------------------------

    def configurations(self) -> dict[str, dict[str, Any]]:
        return {cid: offering.metadata() for cid, offering in self.offerings.items()}

    def credential_issuer_metadata(self) -> dict[str, Any]:
        url = self.settings.public_url
        return credential_issuer_metadata(
            credential_issuer=url,
            credential_endpoint=f"{url}/credential",
            nonce_endpoint=f"{url}/nonce",
            configurations=self.configurations(),
            display=[{"name": f"{self.settings.display_name} {self.settings.country}", "locale": "en"}],
            batch_size=self.settings.batch_size if self.settings.batch_size > 1 else None,
            request_encryption=request_encryption_metadata(self.encryption_key, self.encryption_kid),
            response_encryption=response_encryption_metadata(),
        )

    def jwt_vc_issuer_metadata(self) -> dict[str, Any]:
        """JWT VC Issuer Metadata (SD-JWT VC draft -24 section 5): the key behind this issuer's ``iss``,
        an HTTPS URI, for a verifier that resolves keys that way rather than by the ``x5c`` chain."""
        jwk = public_jwk(self.settings.signing_key)
        kid = b64url_encode(jwk_thumbprint(jwk))
        return {
            "issuer": self.settings.public_url,
            "jwks": {
                "keys": [
                    {
                        **jwk,
                        "kid": kid,
                        "use": "sig",
                        "alg": Algorithm.for_key(self.settings.signing_key).jose,
                    }
                ]
            },
        }

    def decrypt_request(self, token: str) -> dict[str, Any]:
        """A credential request encrypted to this issuer's key (OpenID4VCI 1.0 section 10); an
        ``InvalidInput`` when it is not one."""
        try:
            return decrypt_message(token, self.encryption_key, kid=self.encryption_kid)
        except CryptoError as exc:
            raise InvalidInput(f"the encrypted request does not decrypt: {exc}") from exc

    def authorization_server_metadata(self) -> dict[str, Any]:
        url = self.settings.public_url
        # no response_types_supported: a server of the pre-authorized code grant alone may leave
        # it out (OpenID4VCI 1.0 section 12.2.4), and an empty array is neither form
        return authorization_server_metadata(
            issuer=url,
            token_endpoint=f"{url}/token",
            token_endpoint_auth_methods_supported=["none"],
            dpop_signing_alg_values_supported=list(DPOP_ALGORITHMS),
        )

    # -- offer ------------------------------------------------------------------------------------

    def make_offer(
        self,
        citizen_id: str,
        configuration_ids: tuple[str, ...] | None = None,
        *,
        with_tx_code: bool = True,
    ) -> MadeOffer:
        if self.register.get(citizen_id) is None:
            raise InvalidRequest(f"no citizen {citizen_id!r} in the register")
        if configuration_ids is None:
            configuration_ids = (next(iter(self.offerings)),)
        unknown = [cid for cid in configuration_ids if cid not in self.offerings]
        if unknown or not configuration_ids:
            raise UnknownCredentialConfiguration(f"unknown credential configuration {unknown}")
        now = self.clock.now()
        code = self._secret()
        tx_code = None
        tx_code_spec = None
        if with_tx_code:
            length = self.settings.tx_code_length
            tx_code = str(int.from_bytes(self.rng(8), "big") % 10**length).zfill(length)
            tx_code_spec = TxCode(
                input_mode="numeric", length=length, description="Enter the code shown by the issuer"
            )
        offer = CredentialOffer(
            credential_issuer=self.settings.public_url,
            credential_configuration_ids=configuration_ids,
            pre_authorized_code=code,
            tx_code=tx_code_spec,
        ).to_json()
        offer_id = self._secret(16)
        expires_at = now + self.settings.offer_ttl
        self.store.add_offer(
            offer_id=offer_id,
            pre_authorized_code=code,
            tx_code=tx_code,
            citizen_id=citizen_id,
            configuration_ids=configuration_ids,
            offer=offer,
            expires_at=expires_at,
        )
        uri = f"{self.settings.public_url}/credential-offer/{offer_id}"
        return MadeOffer(offer_id, offer, uri, offer_link(credential_offer_uri=uri), tx_code, expires_at)

    def offer(self, offer_id: str) -> dict[str, Any] | None:
        return self.store.offer_json(offer_id, now=self.clock.now())

    # -- token ------------------------------------------------------------------------------------

    def dpop(
        self, proofs: Sequence[str], *, url: str, access_token: str | None = None, status_code: int = 400
    ) -> DpopProof | None:
        """The request's DPoP proof (RFC 9449), checked for ``POST`` ``url`` (and ``access_token``) and
        seen only once; None without one. More than one is refused. ``status_code`` is 400 at the token
        endpoint, 401 where the proof goes with an access token (section 7.1)."""
        if not proofs:
            return None
        now = self.clock.now()
        try:
            if len(proofs) > 1:
                raise InvalidDpopProof("one DPoP header per request")
            proof = verify_dpop_proof(
                proofs[0], method="POST", url=url, now=now, access_token=access_token, max_age=DPOP_MAX_AGE
            )
            # a proof could be replayed while its iat is in the window: its jti is kept that long
            if not self.store.use_dpop_proof(
                proof.jkt, proof.jti, expires_at=int(proof.iat) + DPOP_MAX_AGE + 1, now=now
            ):
                raise InvalidDpopProof("this DPoP proof was used before (jti)")
        except InvalidDpopProof as exc:
            if status_code == 401:
                raise _dpop_error(exc) from None
            raise
        return proof

    def token(self, request: TokenRequest, *, jkt: str | None = None) -> dict[str, Any]:
        """Token endpoint, pre-authorized code grant (OpenID4VCI 1.0 section 6); with ``jkt``, the
        token is bound to that DPoP key (``token_type`` ``DPoP``, RFC 9449 section 5).

        With ``authorization_details`` the token covers the configurations they name (each one the
        offer holds, else ``invalid_authorization_details``), and the response names, per
        configuration, its ``credential_identifiers`` (section 6.2): one dataset each here, so the
        identifier is the configuration id.
        """
        now = self.clock.now()
        code = request.pre_authorized_code or ""
        record = self.store.find_offer_by_code(code)
        if record is None or record.redeemed or record.expires_at <= now:
            raise InvalidGrant("the pre-authorized code is unknown, used or expired")
        if record.tx_code_digest is None:
            if request.tx_code is not None:
                raise InvalidRequest("tx_code sent but the offer asked for none")
        else:
            if request.tx_code is None:
                raise InvalidRequest("tx_code is required for this pre-authorized code")
            if not self.store.reserve_tx_code_attempt(
                record.offer_id, max_attempts=self.settings.max_tx_code_attempts, now=now
            ):
                raise InvalidGrant("the pre-authorized code is used, expired or out of tx_code attempts")
            if not hmac.compare_digest(secret_digest(request.tx_code), record.tx_code_digest):
                self.store.burn_if_spent(record.offer_id, max_attempts=self.settings.max_tx_code_attempts)
                raise InvalidGrant("wrong tx_code")
            self.store.release_tx_code_attempt(record.offer_id)
        granted, details = tuple(record.configuration_ids), None
        if request.authorization_details is not None:
            asked = tuple(dict.fromkeys(d.credential_configuration_id for d in request.authorization_details))
            beyond = [cid for cid in asked if cid not in record.configuration_ids]
            if beyond:
                raise InvalidRequest(
                    f"authorization_details name configurations the offer does not hold: {beyond}",
                    error="invalid_authorization_details",
                )
            granted = asked
            details = [AuthorizationDetail(cid, credential_identifiers=(cid,)) for cid in asked]
        access_token = self._secret()
        # the code is spent in the transaction that keeps the token: a failure to keep it spends nothing
        if not self.store.add_access_token(
            access_token,
            citizen_id=record.citizen_id,
            configuration_ids=granted,
            expires_at=now + self.settings.token_ttl,
            jkt=jkt,
            client_id=request.client_id,
            identifiers=details is not None,
            redeeming=record.offer_id,
            now=now,
        ):
            raise InvalidGrant("the pre-authorized code is unknown, used or expired")
        return token_response(
            access_token,
            expires_in=self.settings.token_ttl,
            token_type="Bearer" if jkt is None else "DPoP",
            authorization_details=details,
        )

    def nonce(self) -> dict[str, Any]:
        c_nonce = self._secret()
        now = self.clock.now()
        self.store.add_nonce(c_nonce, expires_at=now + self.settings.nonce_ttl, now=now)
        return nonce_response(c_nonce)

    # -- credential -------------------------------------------------------------------------------

    def access_grant(self, scheme: str, access_token: str, proofs: Sequence[str], *, url: str) -> AccessGrant:
        """What an access token grants; ``invalid_token`` when it is unknown or expired. Judged before
        the request body (RFC 6750: a request without a valid token learns nothing more). A token
        bound to a DPoP key comes with the ``DPoP`` scheme and a proof by that key for this request
        (RFC 9449 section 7.1), a bearer token with the ``Bearer`` scheme."""
        grant = self.store.access_grant(access_token, now=self.clock.now())
        if grant is None:
            refused = InvalidToken("the access token is unknown or expired")
            raise _dpop_error(refused) if scheme == "dpop" else refused  # challenged in its scheme
        if grant.jkt is None:
            if scheme != "bearer":
                raise InvalidToken("this access token is a bearer token: send it with the Bearer scheme")
            return grant
        if scheme != "dpop":
            raise _dpop_error(InvalidToken("this access token is bound to a DPoP key: use the DPoP scheme"))
        proof = self.dpop(proofs, url=url, access_token=access_token, status_code=401)
        if proof is None:
            raise _dpop_error(InvalidDpopProof("a DPoP-bound access token needs its DPoP proof"))
        if proof.jkt != grant.jkt:
            raise _dpop_error(InvalidDpopProof("the DPoP proof is not by the key the token is bound to"))
        return grant

    def credential(self, grant: AccessGrant, request: CredentialRequest) -> dict[str, Any]:
        """Credential endpoint (OpenID4VCI 1.0 section 8): one credential per proof key."""
        now = self.clock.now()
        # section 8.2: credential_identifier when the token response named identifiers, and only then
        if grant.identifiers is not None and grant.identifiers != (request.credential_identifier is not None):
            by = "credential_identifier" if grant.identifiers else "credential_configuration_id"
            raise InvalidCredentialRequest(f"with this access token, credentials are asked for by {by}")
        if request.credential_identifier is not None:
            # the identifiers this issuer names in token responses are configuration ids
            if request.credential_identifier not in grant.configuration_ids:
                raise UnknownCredentialIdentifier("the access token names no such credential identifier")
            configuration_id = request.credential_identifier
        else:
            configuration_id = request.credential_configuration_id or ""
        offering = self.offerings.get(configuration_id)
        if offering is None:
            raise UnknownCredentialConfiguration(f"unknown credential configuration {configuration_id!r}")
        if configuration_id not in grant.configuration_ids:
            raise InsufficientScope("the access token does not cover this credential configuration")
        citizen = self.register.get(grant.citizen_id)
        if citizen is None:
            raise CredentialRequestDenied("the citizen of this grant left the register")

        keys, nonces = [], []
        for proof in request.proofs:
            result = verify_jwt_proof(
                proof,
                audience=self.settings.public_url,
                now=now,
                max_age=self.settings.proof_max_age,
                require_nonce=True,  # this issuer has a nonce endpoint: missing is invalid_proof
                client_id=grant.client_id,  # iss is the token request's client_id, or absent (F.1)
                anonymous=grant.anonymous,
            )
            keys.append(result.jwk)
            nonces.append(result.nonce or "")
        # a credential per key, each key once: a proof repeated in a batch, or another by the same key,
        # would have duplicates issued to one key (sections 8 and 13.4)
        thumbprints = [b64url_encode(jwk_thumbprint(jwk)) for jwk in keys]
        if len(set(thumbprints)) != len(thumbprints):
            raise InvalidProof("each proof of a request must be by its own key")

        # the refusals that spend nothing come first (the register's); then the status entries are
        # taken, the nonces spent and the token's one request for this configuration claimed, in that
        # order, and what was taken is given back when a later step fails: a refused request spends
        # its nonce only when the token was used up already
        today = datetime.fromtimestamp(now, UTC).date()
        issued_at = issuance_time(now, self.settings.certificate_chain[0])
        expires_at = issued_at + self.settings.credential_validity_days * 86400
        document_expiry = offering.expiry(citizen, today=today)
        if document_expiry is not None:
            expires_at = min(expires_at, _epoch(document_expiry))
        if expires_at <= now:
            raise CredentialRequestDenied("the document in the register has expired")
        content: Mapping[str, Any] = (
            offering.sd_jwt_claims(citizen, today=today)
            if offering.format == SD_JWT
            else offering.mdoc_namespaces(citizen, today=today)
        )
        entries: list[int] = []  # of the status lists
        claimed = False
        try:
            entries = self.status.allocate(len(keys))
            # the proofs of a batch may share the c_nonce they were made for: each spent once, all or none
            if not self.store.consume_nonces(nonces, now=now):
                raise InvalidNonce("the proof's nonce is unknown, used or expired")
            claimed = self.store.claim_token_use(grant, configuration_id, now=now)
            if not claimed:  # the issuer no longer accepts the token for it (section 8.3.1.1, RFC 6750)
                raise InvalidToken(f"this access token was used for {configuration_id!r} already")
            credentials = [
                self._sign(
                    offering,
                    content,
                    jwk,
                    {"status_list": self.status.reference(entry)},
                    now=now,
                    issued_at=issued_at,
                    expires_at=expires_at,
                )
                for jwk, entry in zip(keys, entries, strict=True)
            ]
            self.store.record_issued(
                configuration_id=configuration_id,
                citizen_id=citizen.citizen_id,
                holder_thumbprints=thumbprints,
                issued_at=now,
                expires_at=expires_at,
                status_indexes=entries,
            )
        except BaseException:
            # nothing of this response is issued: the token's use and the status entries are given back
            try:
                if claimed:
                    self.store.release_token_use(grant, configuration_id)
            finally:
                self.store.release_status_indexes(entries)
            raise
        return credential_response(credentials)

    def _sign(
        self,
        offering: Offering,
        content: Mapping[str, Any],
        jwk: dict[str, Any],
        status: dict[str, Any],
        *,
        now: int,
        issued_at: int,
        expires_at: int,
    ) -> str:
        """A credential of ``offering`` with ``content`` (SD-JWT VC claims, or mdoc data elements by
        namespace) for the holder key ``jwk``, with its ``status`` reference. An SD-JWT VC says it
        was issued at ``issued_at``; an MSO, whose ``signed`` is the time of signing (ISO/IEC
        18013-5 section 9.1.2.4), at ``now``."""
        if offering.format == SD_JWT:
            return issue_sd_jwt_vc(
                content,
                vct=str(offering.attestation.vct),
                issuer=self.settings.public_url,
                signing_key=self.settings.signing_key,
                x5c=self.settings.certificate_chain,
                holder_jwk=jwk,
                iat=issued_at,
                exp=expires_at,
                status=status,
                rng=self.rng,
            )
        signed = datetime.fromtimestamp(now, UTC)
        return b64url_encode(
            issue_mdoc(
                str(offering.attestation.doctype),
                content,
                signing_key=self.settings.signing_key,
                x5chain=self.settings.certificate_chain,
                device_key=public_key_from_jwk(jwk),
                signed=signed,
                valid_from=signed,
                valid_until=datetime.fromtimestamp(expires_at, UTC),
                status=status,
                rng=self.rng,
            )
        )


def issuance_time(now: int, signer: x509.Certificate) -> int:
    """The ``iat`` of an SD-JWT VC issued at ``now``: the start of the day (UTC), so that neither the
    copies of a batch nor a credential and the moment it was issued are linked by their times (RFC 9901
    section 10.1: rounded or randomized); not before the ``signer``'s certificate, which a verifier may
    hold the time of issuance against. Expiry is counted from it."""
    certified = math.ceil(signer.not_valid_before_utc.timestamp())
    return min(now, max(now - now % 86400, certified))


DPOP_MAX_AGE = 300
"""Seconds a DPoP proof's ``iat`` may lie in the past (and its ``jti`` is remembered for)."""


def _dpop_error(exc: OpenID4VCError) -> OpenID4VCError:
    """A refusal of a request with a DPoP-bound token: 401 with ``WWW-Authenticate: DPoP`` (RFC 9449
    section 7.1)."""
    exc.status_code = 401
    exc.auth_scheme = "DPoP"
    return exc


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
