"""OpenID for Verifiable Credential Issuance 1.0: offers, metadata, token, nonce, credential messages.

Parsers are strict on shape and bounded in size; they return frozen dataclasses. The ``jwt`` proof
type lives in :mod:`openid4vc.proof`.

URLs: identifiers must be ``https``; ``http`` is let through only for loopback hosts, and whether a
loopback host may be contacted at all is the fetcher's policy (``common.net``), not the parser's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from common.errors import InvalidInput
from common.jose import parse_json
from openid4vc.errors import (
    InvalidCredentialRequest,
    InvalidEncryptionParameters,
    InvalidProof,
    InvalidRequest,
    UnsupportedGrantType,
)
from openid4vc.proof import PROOF_TYP, ProofResult, make_jwt_proof, verify_jwt_proof

__all__ = [
    "OFFER_SCHEME",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "AuthorizationServerMetadata",
    "CredentialIssuerMetadata",
    "CredentialOffer",
    "CredentialRequest",
    "ProofResult",
    "TokenRequest",
    "TokenResponse",
    "TxCode",
    "credential_issuer_metadata",
    "credential_response",
    "make_jwt_proof",
    "nonce_response",
    "offer_link",
    "parse_authorization_server_metadata",
    "parse_credential_issuer_metadata",
    "parse_credential_request",
    "parse_credential_response",
    "parse_nonce_response",
    "parse_offer_link",
    "parse_token_request",
    "parse_token_response",
    "token_response",
    "verify_jwt_proof",
    "well_known_url",
]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
OFFER_SCHEME = "openid-credential-offer://"
MAX_MESSAGE_BYTES = 64 * 1024
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def check_url(value: Any, what: str) -> str:
    """An absolute ``https`` URL (``http`` only on loopback) without fragment."""
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{what} must be a URL string")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise InvalidRequest(f"{what} is not a URL") from exc
    if parts.fragment or not parts.hostname:
        raise InvalidRequest(f"{what} must be an absolute URL without fragment")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise InvalidRequest(f"{what} must use https")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRequest(f"{what} must be a JSON object")
    return value


def _string(value: Any, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{what} must be a non-empty string")
    return value


# -- credential offer (section 4.1) ------------------------------------------------------------------


@dataclass(frozen=True)
class TxCode:
    input_mode: str | None = None
    """``numeric`` (the default when absent) or ``text``."""
    length: int | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.input_mode is not None:
            result["input_mode"] = self.input_mode
        if self.length is not None:
            result["length"] = self.length
        if self.description is not None:
            result["description"] = self.description
        return result

    @classmethod
    def from_json(cls, value: Any) -> TxCode:
        obj = _object(value, "tx_code")
        mode = obj.get("input_mode")
        if mode not in (None, "numeric", "text"):
            raise InvalidRequest("tx_code input_mode must be numeric or text")
        length = obj.get("length")
        if length is not None and (not isinstance(length, int) or isinstance(length, bool) or length < 1):
            raise InvalidRequest("tx_code length must be a positive integer")
        description = obj.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 300):
            raise InvalidRequest("tx_code description must be a string of at most 300 characters")
        return cls(mode, length, description)


@dataclass(frozen=True)
class CredentialOffer:
    credential_issuer: str
    credential_configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None = None
    tx_code: TxCode | None = None
    issuer_state: str | None = None
    authorization_server: str | None = None

    def to_json(self) -> dict[str, Any]:
        grants: dict[str, Any] = {}
        if self.pre_authorized_code is not None:
            pre: dict[str, Any] = {"pre-authorized_code": self.pre_authorized_code}
            if self.tx_code is not None:
                pre["tx_code"] = self.tx_code.to_json()
            if self.authorization_server is not None:
                pre["authorization_server"] = self.authorization_server
            grants[PRE_AUTHORIZED_GRANT] = pre
        if self.issuer_state is not None:
            grants[AUTHORIZATION_CODE_GRANT] = {"issuer_state": self.issuer_state}
        result: dict[str, Any] = {
            "credential_issuer": self.credential_issuer,
            "credential_configuration_ids": list(self.credential_configuration_ids),
        }
        if grants:
            result["grants"] = grants
        return result

    @classmethod
    def from_json(cls, value: Any) -> CredentialOffer:
        obj = _object(value, "credential offer")
        issuer = check_url(obj.get("credential_issuer"), "credential_issuer")
        ids = obj.get("credential_configuration_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise InvalidRequest("credential_configuration_ids must be a non-empty array of strings")
        if len(set(ids)) != len(ids):
            raise InvalidRequest("credential_configuration_ids must be unique")
        grants = _object(obj.get("grants", {}), "grants")
        code = tx_code = issuer_state = server = None
        if PRE_AUTHORIZED_GRANT in grants:
            pre = _object(grants[PRE_AUTHORIZED_GRANT], "pre-authorized_code grant")
            code = _string(pre.get("pre-authorized_code"), "pre-authorized_code")
            tx_code = TxCode.from_json(pre["tx_code"]) if "tx_code" in pre else None
            if "authorization_server" in pre:
                server = check_url(pre["authorization_server"], "authorization_server")
        if AUTHORIZATION_CODE_GRANT in grants:
            auth = _object(grants[AUTHORIZATION_CODE_GRANT], "authorization_code grant")
            issuer_state = _string(auth.get("issuer_state"), "issuer_state", optional=True)
        return cls(issuer, tuple(ids), code, tx_code, issuer_state, server)


def offer_link(
    *,
    credential_offer_uri: str | None = None,
    offer: CredentialOffer | None = None,
    scheme: str = OFFER_SCHEME,
) -> str:
    """``openid-credential-offer://?credential_offer_uri=...`` (or by value): exactly one of the two."""
    if (credential_offer_uri is None) == (offer is None):
        raise InvalidRequest("an offer link carries exactly one of credential_offer and credential_offer_uri")
    if credential_offer_uri is not None:
        query = urlencode({"credential_offer_uri": credential_offer_uri}, quote_via=quote)
    else:
        assert offer is not None
        body = json.dumps(offer.to_json(), separators=(",", ":"))
        query = urlencode({"credential_offer": body}, quote_via=quote)
    return f"{scheme}?{query}"


def parse_offer_link(link: str) -> str | CredentialOffer:
    """The ``credential_offer_uri`` of a link by reference, or the offer of a link by value."""
    if not isinstance(link, str) or len(link) > MAX_MESSAGE_BYTES:
        raise InvalidRequest("credential offer link is missing or too long")
    parts = urlsplit(link)
    params = parse_qs(parts.query, keep_blank_values=True)
    if any(len(values) > 1 for values in params.values()):
        raise InvalidRequest("a credential offer parameter is repeated")
    by_value, by_reference = params.get("credential_offer"), params.get("credential_offer_uri")
    if (by_value is None) == (by_reference is None):
        raise InvalidRequest("exactly one of credential_offer and credential_offer_uri is required")
    if by_reference is not None:
        return check_url(by_reference[0], "credential_offer_uri")
    assert by_value is not None
    try:
        return CredentialOffer.from_json(parse_json(by_value[0], max_bytes=MAX_MESSAGE_BYTES))
    except InvalidInput as exc:
        raise InvalidRequest(f"credential_offer is not JSON: {exc}") from exc


# -- metadata (section 12.2, RFC 8414) ---------------------------------------------------------------


def well_known_url(identifier: str, suffix: str) -> str:
    """Insert ``/.well-known/<suffix>`` between host and path (section 12.2.2, RFC 8414 section 3.1)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/{suffix}{path}"


def credential_issuer_metadata(
    *,
    credential_issuer: str,
    credential_endpoint: str,
    nonce_endpoint: str,
    configurations: Mapping[str, Mapping[str, Any]],
    display: Sequence[Mapping[str, Any]] = (),
    authorization_servers: Sequence[str] = (),
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "credential_issuer": credential_issuer,
        "credential_endpoint": credential_endpoint,
        "nonce_endpoint": nonce_endpoint,
        "credential_configurations_supported": {k: dict(v) for k, v in configurations.items()},
    }
    if authorization_servers:
        metadata["authorization_servers"] = list(authorization_servers)
    if display:
        metadata["display"] = [dict(d) for d in display]
    return metadata


@dataclass(frozen=True)
class CredentialIssuerMetadata:
    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str | None
    authorization_servers: tuple[str, ...]
    configurations: dict[str, dict[str, Any]] = field(repr=False)


def parse_credential_issuer_metadata(value: Any, *, expected_issuer: str) -> CredentialIssuerMetadata:
    obj = _object(value, "credential issuer metadata")
    if obj.get("credential_issuer") != expected_issuer:
        raise InvalidRequest("credential_issuer in the metadata is not the issuer that was asked")
    configurations = _object(
        obj.get("credential_configurations_supported"), "credential_configurations_supported"
    )
    servers = obj.get("authorization_servers", [])
    if not isinstance(servers, list):
        raise InvalidRequest("authorization_servers must be an array")
    nonce = obj.get("nonce_endpoint")
    return CredentialIssuerMetadata(
        credential_issuer=expected_issuer,
        credential_endpoint=check_url(obj.get("credential_endpoint"), "credential_endpoint"),
        nonce_endpoint=None if nonce is None else check_url(nonce, "nonce_endpoint"),
        authorization_servers=tuple(check_url(s, "authorization_servers") for s in servers),
        configurations={k: _object(v, k) for k, v in configurations.items()},
    )


@dataclass(frozen=True)
class AuthorizationServerMetadata:
    issuer: str
    token_endpoint: str
    pre_authorized_grant_anonymous_access_supported: bool


def parse_authorization_server_metadata(value: Any, *, expected_issuer: str) -> AuthorizationServerMetadata:
    obj = _object(value, "authorization server metadata")
    if obj.get("issuer") != expected_issuer:
        raise InvalidRequest("issuer in the authorization server metadata is not the server that was asked")
    return AuthorizationServerMetadata(
        issuer=expected_issuer,
        token_endpoint=check_url(obj.get("token_endpoint"), "token_endpoint"),
        pre_authorized_grant_anonymous_access_supported=obj.get(
            "pre-authorized_grant_anonymous_access_supported"
        )
        is True,
    )


# -- token and nonce (sections 6 and 7) ---------------------------------------------------------------


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    pre_authorized_code: str | None
    tx_code: str | None


def parse_token_request(form: Mapping[str, str]) -> TokenRequest:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise InvalidRequest("grant_type is missing")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise UnsupportedGrantType(f"grant type {grant_type!r} is not supported here")
    code = form.get("pre-authorized_code")
    if not code:
        raise InvalidRequest("pre-authorized_code is missing")
    tx_code = form.get("tx_code")
    return TokenRequest(grant_type, code, tx_code)


def token_response(access_token: str, *, expires_in: int, token_type: str = "Bearer") -> dict[str, Any]:
    return {"access_token": access_token, "token_type": token_type, "expires_in": expires_in}


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    token_type: str
    expires_in: int | None


def parse_token_response(value: Any) -> TokenResponse:
    obj = _object(value, "token response")
    token = _string(obj.get("access_token"), "access_token")
    token_type = _string(obj.get("token_type"), "token_type")
    assert token is not None and token_type is not None
    if token_type.lower() not in ("bearer", "dpop"):
        raise InvalidRequest(f"token_type {token_type!r} is not supported")
    expires = obj.get("expires_in")
    return TokenResponse(token, token_type, expires if isinstance(expires, int) else None)


def nonce_response(c_nonce: str) -> dict[str, Any]:
    return {"c_nonce": c_nonce}


def parse_nonce_response(value: Any) -> str:
    nonce = _string(_object(value, "nonce response").get("c_nonce"), "c_nonce")
    assert nonce is not None
    return nonce


# -- credential request and response (section 8) -----------------------------------------------------


@dataclass(frozen=True)
class CredentialRequest:
    credential_configuration_id: str | None
    credential_identifier: str | None
    proofs: tuple[str, ...]


def parse_credential_request(value: Any, *, max_proofs: int = 1) -> CredentialRequest:
    if not isinstance(value, dict):
        raise InvalidCredentialRequest("the credential request must be a JSON object")
    configuration_id = value.get("credential_configuration_id")
    identifier = value.get("credential_identifier")
    if (configuration_id is None) == (identifier is None):
        raise InvalidCredentialRequest(
            "exactly one of credential_configuration_id and credential_identifier is required"
        )
    for name, item in (
        ("credential_configuration_id", configuration_id),
        ("credential_identifier", identifier),
    ):
        if item is not None and (not isinstance(item, str) or not item):
            raise InvalidCredentialRequest(f"{name} must be a non-empty string")
    if "proof" in value:
        raise InvalidCredentialRequest(
            "the single 'proof' parameter is not part of OpenID4VCI 1.0; use 'proofs'"
        )
    if "credential_response_encryption" in value:
        raise InvalidEncryptionParameters("credential response encryption is not supported by this issuer")
    proofs = value.get("proofs")
    if not isinstance(proofs, dict) or len(proofs) != 1:
        raise InvalidProof("proofs must be an object with exactly one proof type")
    jwts = proofs.get("jwt")
    if jwts is None:
        raise InvalidProof(f"proof type {next(iter(proofs))!r} is not supported (only jwt)")
    if not isinstance(jwts, list) or not jwts or not all(isinstance(p, str) for p in jwts):
        raise InvalidProof("proofs.jwt must be a non-empty array of strings")
    if len(jwts) > max_proofs:
        raise InvalidCredentialRequest(f"more than {max_proofs} proofs in one request")
    return CredentialRequest(configuration_id, identifier, tuple(jwts))


def credential_response(credentials: Sequence[str], *, notification_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"credentials": [{"credential": credential} for credential in credentials]}
    if notification_id is not None:
        body["notification_id"] = notification_id
    return body


def parse_credential_response(value: Any) -> tuple[str, ...]:
    obj = _object(value, "credential response")
    if "transaction_id" in obj:
        raise InvalidRequest("deferred issuance is not supported by this wallet yet")
    items = obj.get("credentials")
    if not isinstance(items, list) or not items:
        raise InvalidRequest("credentials must be a non-empty array")
    found = []
    for item in items:
        credential = _object(item, "credentials entry").get("credential")
        if not isinstance(credential, str) or not credential:
            raise InvalidRequest("credential must be a string")
        found.append(credential)
    return tuple(found)
