"""OpenID for Verifiable Credential Issuance 1.0: the messages of the credential, deferred
credential and notification endpoints (sections 8, 9 and 11), for issuer and wallet.

This module is also the one import the services need: it re-exports the offer
(:mod:`openid4vc.offer`), the metadata (:mod:`openid4vc.metadata`), the token and nonce endpoints
(:mod:`openid4vc.token`) and the ``jwt`` proof (:mod:`openid4vc.proof`). Parsers are strict on
shape, bounded in size, ignore unknown members as the specification requires, and fail with the
error code of the endpoint they serve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openid4vc._checks import is_int, json_object, random_value, text
from openid4vc.encryption import ResponseEncryption, parse_response_encryption
from openid4vc.errors import (
    DeferredIssuance,
    InvalidCredentialRequest,
    InvalidEncryptionParameters,
    InvalidNotificationRequest,
    InvalidProof,
    InvalidRequest,
)
from openid4vc.metadata import (
    AuthorizationServerMetadata,
    CredentialIssuerMetadata,
    authorization_server_metadata,
    credential_issuer_metadata,
    parse_authorization_server_metadata,
    parse_credential_issuer_metadata,
    parse_signed_credential_issuer_metadata,
    well_known_url,
)
from openid4vc.offer import (
    AUTHORIZATION_CODE_GRANT,
    OFFER_SCHEME,
    PRE_AUTHORIZED_GRANT,
    CredentialOffer,
    TxCode,
    offer_link,
    parse_offer_link,
)
from openid4vc.proof import PROOF_TYP, ProofResult, make_jwt_proof, verify_jwt_proof
from openid4vc.token import (
    OPENID_CREDENTIAL,
    AuthorizationDetail,
    TokenRequest,
    TokenResponse,
    nonce_response,
    parse_authorization_details,
    parse_nonce_response,
    parse_token_request,
    parse_token_response,
    token_response,
)

__all__ = [
    "AUTHORIZATION_CODE_GRANT",
    "MAX_CREDENTIALS",
    "NOTIFICATION_EVENTS",
    "OFFER_SCHEME",
    "OPENID_CREDENTIAL",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "AuthorizationDetail",
    "AuthorizationServerMetadata",
    "CredentialIssuerMetadata",
    "CredentialOffer",
    "CredentialRequest",
    "CredentialResponse",
    "NotificationRequest",
    "ProofResult",
    "TokenRequest",
    "TokenResponse",
    "TxCode",
    "authorization_server_metadata",
    "credential_issuer_metadata",
    "credential_request",
    "credential_response",
    "deferred_credential_response",
    "make_jwt_proof",
    "nonce_response",
    "offer_link",
    "parse_authorization_details",
    "parse_authorization_server_metadata",
    "parse_credential_issuer_metadata",
    "parse_credential_request",
    "parse_credential_response",
    "parse_credential_response_message",
    "parse_deferred_credential_request",
    "parse_nonce_response",
    "parse_notification_request",
    "parse_offer_link",
    "parse_signed_credential_issuer_metadata",
    "parse_token_request",
    "parse_token_response",
    "random_value",
    "token_response",
    "verify_jwt_proof",
    "well_known_url",
]

NOTIFICATION_EVENTS = ("credential_accepted", "credential_failure", "credential_deleted")
MAX_IDENTIFIER = 1024
MAX_CREDENTIALS = 100
"""Credentials one credential response may carry (a wallet refuses more; an issuer's batch is no larger)."""
MAX_PROOF_CHARS = 16 * 1024


# -- credential endpoint (section 8) ----------------------------------------------------------------


@dataclass(frozen=True)
class CredentialRequest:
    credential_configuration_id: str | None
    credential_identifier: str | None
    proofs: tuple[str, ...]
    """The ``jwt`` proofs, one per key to bind a credential to (empty when none were sent)."""
    response_encryption: ResponseEncryption | None = None
    """How the response is to be encrypted (``credential_response_encryption``); None: in the clear."""


def credential_request(
    *,
    proofs: Sequence[str],
    credential_configuration_id: str | None = None,
    credential_identifier: str | None = None,
    response_encryption: ResponseEncryption | None = None,
) -> dict[str, Any]:
    """The wallet's credential request body (section 8.2) with ``jwt`` proofs."""
    if (credential_configuration_id is None) == (credential_identifier is None):
        raise ValueError("exactly one of credential_configuration_id and credential_identifier")
    body: dict[str, Any] = (
        {"credential_identifier": credential_identifier}
        if credential_identifier is not None
        else {"credential_configuration_id": credential_configuration_id}
    )
    if proofs:
        body["proofs"] = {"jwt": list(proofs)}
    if response_encryption is not None:
        body["credential_response_encryption"] = response_encryption.to_json()
    return body


def parse_credential_request(
    value: Any, *, max_proofs: int = 1, require_proofs: bool = True
) -> CredentialRequest:
    """A credential request (section 8.2), checked as section 8.3.1.2 says.

    ``invalid_credential_request``: not an object; not exactly one of ``credential_configuration_id``
    and ``credential_identifier``; more proofs than ``max_proofs`` (the batch size). ``invalid_proof``:
    ``proofs`` missing (when ``require_proofs``; a pre-1.0 ``proof`` does not stand in for it),
    malformed, or of a type other than ``jwt``. ``invalid_encryption_parameters``:
    a ``credential_response_encryption`` that :func:`~openid4vc.encryption.parse_response_encryption`
    refuses. Parameters 1.0 does not define (the pre-1.0 ``format`` and ``proof`` among them) are
    ignored, as section 8.2 asks.
    """
    obj = json_object(value, "the credential request", error=InvalidCredentialRequest)
    configuration_id = obj.get("credential_configuration_id")
    identifier = obj.get("credential_identifier")
    if (configuration_id is None) == (identifier is None):
        raise InvalidCredentialRequest(
            "exactly one of credential_configuration_id and credential_identifier is required"
        )
    for name, item in (
        ("credential_configuration_id", configuration_id),
        ("credential_identifier", identifier),
    ):
        if item is not None:
            text(item, name, error=InvalidCredentialRequest, max_length=MAX_IDENTIFIER)
    encryption = None
    if "credential_response_encryption" in obj:
        encryption = parse_response_encryption(obj["credential_response_encryption"])
    proofs = obj.get("proofs")
    if proofs is None:
        if require_proofs:
            hint = " ('proof' is not a parameter of OpenID4VCI 1.0)" if "proof" in obj else ""
            raise InvalidProof(f"the credential request carries no proofs{hint}")
        return CredentialRequest(configuration_id, identifier, (), encryption)
    if not isinstance(proofs, dict) or len(proofs) != 1:
        raise InvalidProof("proofs must be an object with exactly one proof type")
    proof_type, jwts = next(iter(proofs.items()))
    if proof_type != "jwt":
        raise InvalidProof(f"the proof type {proof_type!r} is not supported (only jwt)")
    if not isinstance(jwts, list) or not jwts:
        raise InvalidProof("proofs.jwt must be a non-empty array")
    if len(jwts) > max_proofs:
        raise InvalidCredentialRequest(f"more than {max_proofs} proofs in one request")
    if not all(isinstance(p, str) and 0 < len(p) <= MAX_PROOF_CHARS for p in jwts):
        raise InvalidProof("each jwt proof must be a compact JWT string")
    return CredentialRequest(configuration_id, identifier, tuple(jwts), encryption)


def credential_response(credentials: Sequence[str], *, notification_id: str | None = None) -> dict[str, Any]:
    """An immediate credential response (section 8.3): one object per credential."""
    if not credentials:
        raise ValueError("an immediate credential response holds at least one credential")
    body: dict[str, Any] = {"credentials": [{"credential": credential} for credential in credentials]}
    if notification_id is not None:
        body["notification_id"] = notification_id
    return body


def deferred_credential_response(transaction_id: str, *, interval: int) -> dict[str, Any]:
    """A deferred response (HTTP 202, sections 8.3 and 9.2)."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    return {"transaction_id": transaction_id, "interval": interval}


@dataclass(frozen=True)
class CredentialResponse:
    credentials: tuple[str, ...]
    notification_id: str | None = None


def parse_credential_response_message(value: Any) -> CredentialResponse:
    """The wallet's view of a credential response; a deferred one raises :class:`DeferredIssuance`.

    Credentials must be strings (SD-JWT VC, and b64url mdoc IssuerSigned: appendix A.2 and A.3);
    the object-valued formats of the W3C profiles are refused.
    """
    obj = json_object(value, "credential response")
    if "transaction_id" in obj:
        if "credentials" in obj:
            raise InvalidRequest("a credential response carries credentials or a transaction_id, not both")
        transaction_id = text(obj["transaction_id"], "transaction_id")
        interval = obj.get("interval")
        if not is_int(interval) or interval <= 0:
            raise InvalidRequest("a deferred credential response needs a positive interval")
        raise DeferredIssuance(
            "the issuer deferred issuance; the deferred credential endpoint is not supported yet",
            transaction_id=transaction_id,
            interval=interval,
        )
    items = obj.get("credentials")
    if not isinstance(items, list) or not items or len(items) > MAX_CREDENTIALS:
        raise InvalidRequest(f"credentials must be a non-empty array of at most {MAX_CREDENTIALS}")
    found = []
    for item in items:
        credential = json_object(item, "a credentials entry").get("credential")
        if not isinstance(credential, str) or not credential:
            raise InvalidRequest("each credential must be a string (object-valued formats are not supported)")
        found.append(credential)
    notification_id = obj.get("notification_id")
    if notification_id is not None:
        text(notification_id, "notification_id")
    return CredentialResponse(tuple(found), notification_id)


def parse_credential_response(value: Any) -> tuple[str, ...]:
    """The credentials of an immediate credential response (see :func:`parse_credential_response_message`)."""
    return parse_credential_response_message(value).credentials


def parse_deferred_credential_request(value: Any) -> str:
    """The ``transaction_id`` of a deferred credential request (section 9.1)."""
    obj = json_object(value, "the deferred credential request", error=InvalidCredentialRequest)
    if "credential_response_encryption" in obj:
        raise InvalidEncryptionParameters("credential response encryption is not supported by this issuer")
    return text(obj.get("transaction_id"), "transaction_id", error=InvalidCredentialRequest)


# -- notification endpoint (section 11) -------------------------------------------------------------


@dataclass(frozen=True)
class NotificationRequest:
    notification_id: str
    event: str
    event_description: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {"notification_id": self.notification_id, "event": self.event}
        if self.event_description is not None:
            body["event_description"] = self.event_description
        return body


def parse_notification_request(value: Any) -> NotificationRequest:
    """A notification request (section 11.1); malformed ones are ``invalid_notification_request``."""
    obj = json_object(value, "the notification request", error=InvalidNotificationRequest)
    notification_id = text(obj.get("notification_id"), "notification_id", error=InvalidNotificationRequest)
    event = obj.get("event")
    if event not in NOTIFICATION_EVENTS:
        raise InvalidNotificationRequest(f"event must be one of {', '.join(NOTIFICATION_EVENTS)}")
    description = obj.get("event_description")
    if description is not None and (
        not isinstance(description, str)
        or len(description) > 1024
        or any(not (" " <= c <= "~") or c in '"\\' for c in description)
    ):
        raise InvalidNotificationRequest(
            "event_description must be printable ASCII without quote or backslash"
        )
    return NotificationRequest(notification_id, str(event), description)
