"""The token and nonce endpoints of OpenID4VCI 1.0 (sections 6 and 7), with the
``openid_credential`` authorization details they carry (section 5.1.1, RFC 9396)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.errors import InvalidInput
from common.jose import parse_json
from openid4vc._checks import form_value, is_int, json_object, text, text_list
from openid4vc.errors import InvalidRequest, UnsupportedGrantType
from openid4vc.offer import PRE_AUTHORIZED_GRANT

__all__ = [
    "OPENID_CREDENTIAL",
    "AuthorizationDetail",
    "TokenRequest",
    "TokenResponse",
    "nonce_response",
    "parse_authorization_details",
    "parse_nonce_response",
    "parse_token_request",
    "parse_token_response",
    "token_response",
]

OPENID_CREDENTIAL = "openid_credential"
MAX_CODE = 1024
MAX_DETAILS_BYTES = 16 * 1024
MAX_CLIENT_ID = 256
"""Longest ``client_id`` taken in a token request (what an issuer keeps of it, to check key proofs)."""
MAX_TX_CODE = 256

# -- authorization_details (section 5.1.1, RFC 9396) ------------------------------------------------


@dataclass(frozen=True)
class AuthorizationDetail:
    """One ``openid_credential`` authorization detail; ``credential_identifiers`` only in a token
    response (section 6.2), where it is required."""

    credential_configuration_id: str
    locations: tuple[str, ...] = ()
    credential_identifiers: tuple[str, ...] = ()
    claims: tuple[dict[str, Any], ...] | None = None
    """Claims description objects (appendix B.1): ``path`` and optional ``mandatory``, as sent."""

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "type": OPENID_CREDENTIAL,
            "credential_configuration_id": self.credential_configuration_id,
        }
        if self.locations:
            result["locations"] = list(self.locations)
        if self.claims is not None:
            result["claims"] = [dict(claim) for claim in self.claims]
        if self.credential_identifiers:
            result["credential_identifiers"] = list(self.credential_identifiers)
        return result


def _claims_descriptions(value: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list) or not value or len(value) > 100:
        raise InvalidRequest("claims must be a non-empty array of claims description objects")
    for claim in value:
        path = json_object(claim, "a claims description").get("path")
        if (
            not isinstance(path, list)
            or not path
            or not all(p is None or isinstance(p, str) or (is_int(p) and p >= 0) for p in path)
        ):
            raise InvalidRequest("a claims description needs a claims path pointer")
        if not isinstance(claim.get("mandatory", False), bool):
            raise InvalidRequest("mandatory must be a boolean")
    return tuple(value)


def parse_authorization_details(
    value: Any, *, token_response: bool = False
) -> tuple[AuthorizationDetail, ...]:
    """A non-empty array of authorization details. In a request, a type other than
    ``openid_credential`` is refused (RFC 9396 section 5); in a token response it is ignored."""
    if not isinstance(value, list) or not value or len(value) > 50:
        raise InvalidRequest(
            "authorization_details must be a non-empty array", error="invalid_authorization_details"
        )
    details = []
    for entry in value:
        obj = json_object(entry, "an authorization_details entry")
        if obj.get("type") != OPENID_CREDENTIAL:
            if token_response:
                continue
            raise InvalidRequest(
                "only authorization_details of type openid_credential are supported",
                error="invalid_authorization_details",
            )
        locations = text_list(obj["locations"], "locations") if "locations" in obj else ()
        identifiers: tuple[str, ...] = ()
        if token_response:
            identifiers = text_list(obj.get("credential_identifiers"), "credential_identifiers", unique=True)
        details.append(
            AuthorizationDetail(
                text(obj.get("credential_configuration_id"), "credential_configuration_id"),
                locations,
                identifiers,
                None if obj.get("claims") is None else _claims_descriptions(obj["claims"]),
            )
        )
    return tuple(details)


# -- token endpoint (section 6) ---------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    pre_authorized_code: str | None
    tx_code: str | None
    authorization_details: tuple[AuthorizationDetail, ...] | None = None
    client_id: str | None = None


def parse_token_request(
    form: Mapping[str, str], *, grant_types: Sequence[str] = (PRE_AUTHORIZED_GRANT,)
) -> TokenRequest:
    """A token request (section 6.1) for one of ``grant_types``; unknown parameters are ignored.

    Whether ``tx_code`` is needed, and right, is the authorization server's check (section 6.3:
    ``invalid_request`` when missing or unexpected, ``invalid_grant`` when wrong).
    """
    grant_type = form_value(form, "grant_type")
    if not grant_type:
        raise InvalidRequest("grant_type is missing")
    if grant_type not in grant_types:
        raise UnsupportedGrantType(f"the grant type {grant_type!r} is not supported here")
    code = form_value(form, "pre-authorized_code")
    tx_code = form_value(form, "tx_code")
    if grant_type == PRE_AUTHORIZED_GRANT:
        if not code:
            raise InvalidRequest("pre-authorized_code is missing")
        if len(code) > MAX_CODE:
            raise InvalidRequest("pre-authorized_code is too long")
        if tx_code is not None and not 0 < len(tx_code) <= MAX_TX_CODE:
            raise InvalidRequest(f"tx_code must be a non-empty string of at most {MAX_TX_CODE} characters")
    elif tx_code is not None:
        raise InvalidRequest("tx_code belongs to the pre-authorized code grant only")
    details = None
    raw = form_value(form, "authorization_details")
    if raw is not None:
        try:
            details = parse_authorization_details(parse_json(raw, max_bytes=MAX_DETAILS_BYTES, max_depth=8))
        except InvalidInput as exc:
            raise InvalidRequest(f"authorization_details is not JSON: {exc}") from exc
    client_id = form_value(form, "client_id")
    if client_id is not None and len(client_id) > MAX_CLIENT_ID:
        raise InvalidRequest(f"client_id is longer than {MAX_CLIENT_ID} characters")
    return TokenRequest(grant_type, code, tx_code, details, client_id or None)


def token_response(
    access_token: str,
    *,
    expires_in: int,
    token_type: str = "Bearer",
    authorization_details: Sequence[AuthorizationDetail] | None = None,
) -> dict[str, Any]:
    """A successful token response (section 6.2); each authorization detail must name the
    ``credential_identifiers`` the token is good for."""
    body: dict[str, Any] = {"access_token": access_token, "token_type": token_type, "expires_in": expires_in}
    if authorization_details is not None:
        if not authorization_details or not all(d.credential_identifiers for d in authorization_details):
            raise ValueError("authorization_details in a token response need credential_identifiers")
        body["authorization_details"] = [detail.to_json() for detail in authorization_details]
    return body


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    token_type: str
    expires_in: int | None
    authorization_details: tuple[AuthorizationDetail, ...] = ()


def parse_token_response(value: Any) -> TokenResponse:
    """The wallet's view of a token response: ``Bearer`` or ``DPoP`` tokens (case-insensitive)."""
    obj = json_object(value, "token response")
    token = text(obj.get("access_token"), "access_token", max_length=8192)
    if not all(" " <= character <= "~" for character in token):  # RFC 6749 appendix A.12: 1*VSCHAR
        raise InvalidRequest("access_token holds a character outside the visible ASCII ones")
    token_type = text(obj.get("token_type"), "token_type")
    if token_type.lower() not in ("bearer", "dpop"):
        raise InvalidRequest(f"token_type {token_type!r} is not supported")
    expires = obj.get("expires_in")
    if expires is not None and (not is_int(expires) or expires <= 0):
        raise InvalidRequest("expires_in must be a positive integer")
    details: tuple[AuthorizationDetail, ...] = ()
    if "authorization_details" in obj:
        details = parse_authorization_details(obj["authorization_details"], token_response=True)
    return TokenResponse(token, token_type, expires, details)


# -- nonce endpoint (section 7) ---------------------------------------------------------------------


def nonce_response(c_nonce: str) -> dict[str, Any]:
    """The nonce response body (section 7.2); serve it with ``Cache-Control: no-store``."""
    return {"c_nonce": c_nonce}


def parse_nonce_response(value: Any) -> str:
    return text(json_object(value, "nonce response").get("c_nonce"), "c_nonce", max_length=1024)
