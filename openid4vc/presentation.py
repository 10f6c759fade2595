"""OpenID for Verifiable Presentations 1.0: request objects, the request link, the response.

Verifier side: :func:`build_request_object` and :func:`sign_request_object` (JAR, RFC 9101, ``typ``
``oauth-authz-req+jwt``, signer in ``x5c``), :func:`authorization_request_link`, and
:func:`parse_authorization_response` for ``direct_post`` (section 8.2).

Wallet side: :func:`parse_authorization_request_link` and :func:`verify_request_object`, which
applies the client identifier prefix rules of section 5.9.3 (``x509_san_dns`` and ``x509_hash``),
the parameter rules of section 5 and refuses what it does not support (``transaction_data``,
``scope``, other response modes) with the error the specification names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, EudiError, InvalidInput
from common.jose import encode_jws, parse_json, parse_jws, x5c_certificates, x5c_header
from openid4vc.dcql import DcqlQuery, parse_dcql_query
from openid4vc.errors import (
    InvalidRequest,
    InvalidRequestObject,
    InvalidRequestUriMethod,
    InvalidTransactionData,
)
from openid4vc.issuance import check_url
from trust_list.x509 import certificate_hash

__all__ = [
    "REQUEST_OBJECT_TYP",
    "VP_SCHEME",
    "WALLET_AUDIENCE",
    "AuthorizationRequest",
    "AuthorizationRequestLink",
    "AuthorizationResponse",
    "authorization_request_link",
    "authorization_response_form",
    "build_request_object",
    "error_response_form",
    "parse_authorization_request_link",
    "parse_authorization_response",
    "sign_request_object",
    "verify_request_object",
    "x509_san_dns_client_id",
]

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
VP_SCHEME = "openid4vp://"
WALLET_AUDIENCE = "https://self-issued.me/v2"
SUPPORTED_RESPONSE_MODES = ("direct_post",)
MAX_REQUEST_OBJECT_BYTES = 256 * 1024
MAX_RESPONSE_BYTES = 512 * 1024
ValidateChain = Callable[[Sequence[x509.Certificate], str | None], x509.Certificate]


def x509_san_dns_client_id(dns_name: str) -> str:
    return f"x509_san_dns:{dns_name}"


# -- verifier: the request -------------------------------------------------------------------------


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    nonce: str,
    state: str,
    dcql_query: Mapping[str, Any],
    client_metadata: Mapping[str, Any],
    response_mode: str = "direct_post",
    iat: int,
    exp: int | None = None,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "aud": WALLET_AUDIENCE,
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": response_mode,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dict(dcql_query),
        "client_metadata": dict(client_metadata),
        "iat": iat,
    }
    if exp is not None:
        claims["exp"] = exp
    return claims


def sign_request_object(
    claims: Mapping[str, Any], *, key: ec.EllipticCurvePrivateKey, x5c: Sequence[x509.Certificate]
) -> str:
    return encode_jws({"typ": REQUEST_OBJECT_TYP, "x5c": x5c_header(x5c)}, dict(claims), key)


def authorization_request_link(
    *, client_id: str, request_uri: str, request_uri_method: str | None = None, scheme: str = VP_SCHEME
) -> str:
    params = {"client_id": client_id, "request_uri": request_uri}
    if request_uri_method is not None:
        params["request_uri_method"] = request_uri_method
    return f"{scheme}?{urlencode(params, quote_via=quote)}"


# -- wallet: the request ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequestLink:
    client_id: str
    request_uri: str
    request_uri_method: str | None = None


def parse_authorization_request_link(link: str) -> AuthorizationRequestLink:
    """An ``openid4vp://`` link by reference (section 5.10): ``client_id`` and ``request_uri``."""
    if not isinstance(link, str) or len(link) > 8192:
        raise InvalidRequest("authorization request link is missing or too long")
    params = parse_qs(urlsplit(link).query, keep_blank_values=True)
    if any(len(values) > 1 for values in params.values()):
        raise InvalidRequest("an authorization request parameter is repeated")
    single = {name: values[0] for name, values in params.items()}
    if "request" in single:
        raise InvalidRequest("requests by value are not supported: a signed request_uri is required")
    client_id, request_uri = single.get("client_id"), single.get("request_uri")
    if not client_id or not request_uri:
        raise InvalidRequest("client_id and request_uri are required")
    method = single.get("request_uri_method")
    if method is not None and method not in ("get", "post"):
        raise InvalidRequestUriMethod(f"request_uri_method {method!r} is neither get nor post")
    return AuthorizationRequestLink(client_id, check_url(request_uri, "request_uri"), method)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    client_id_prefix: str
    response_type: str
    response_mode: str
    response_uri: str
    nonce: str
    state: str | None
    dcql_query: DcqlQuery
    client_metadata: dict[str, Any]
    verifier_certificate: x509.Certificate = field(repr=False)
    claims: dict[str, Any] = field(repr=False)


def _client_identity(
    client_id: str, chain: Sequence[x509.Certificate], validate_chain: ValidateChain
) -> tuple[str, x509.Certificate]:
    prefix, separator, value = client_id.partition(":")
    if not separator or not value:
        raise InvalidRequest(
            "client_id has no client identifier prefix; pre-registered clients are not supported"
        )
    if prefix == "x509_san_dns":
        return prefix, validate_chain(chain, value)
    if prefix == "x509_hash":
        leaf = validate_chain(chain, None)
        if certificate_hash(leaf) != value:
            raise InvalidRequest("x509_hash client_id does not match the signing certificate")
        return prefix, leaf
    if prefix in ("redirect_uri", "origin"):
        raise InvalidRequest(f"the {prefix!r} client identifier prefix is not accepted for signed requests")
    raise InvalidRequest(f"client identifier prefix {prefix!r} is not supported")


def verify_request_object(
    jws: str, *, link: AuthorizationRequestLink, validate_chain: ValidateChain, now: int
) -> AuthorizationRequest:
    """Check a signed request object against its link and the rules of OpenID4VP 1.0 section 5."""
    try:
        parsed = parse_jws(jws, max_bytes=MAX_REQUEST_OBJECT_BYTES)
    except InvalidInput as exc:
        raise InvalidRequestObject(f"the request object is not a signed JWT: {exc}") from exc
    if parsed.header.get("typ") != REQUEST_OBJECT_TYP:
        raise InvalidRequestObject(f"the request object typ must be {REQUEST_OBJECT_TYP!r}")
    try:
        chain = x5c_certificates(parsed.header)
        claims = parsed.claims()
    except InvalidInput as exc:
        raise InvalidRequestObject(f"the request object is malformed: {exc}") from exc
    client_id = claims.get("client_id")
    if client_id != link.client_id:
        raise InvalidRequest("client_id of the request object differs from the one in the link")
    try:
        prefix, leaf = _client_identity(link.client_id, chain, validate_chain)
    except EudiError as exc:
        if isinstance(exc, InvalidRequest):
            raise
        raise InvalidRequest(f"the verifier's certificate is not trusted: {exc}") from exc
    key = leaf.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InvalidRequestObject("the verifier certificate does not hold an EC key")
    try:
        parsed.verify(key)
    except CryptoError as exc:
        raise InvalidRequestObject(f"the request object signature does not verify: {exc}") from exc
    if "exp" in claims and (not isinstance(claims["exp"], int) or claims["exp"] <= now):
        raise InvalidRequestObject("the request object has expired")
    if "transaction_data" in claims:
        raise InvalidTransactionData("transaction_data is not supported by this wallet")
    if claims.get("response_type") != "vp_token":
        raise InvalidRequest("response_type must be vp_token")
    mode = claims.get("response_mode")
    if mode not in SUPPORTED_RESPONSE_MODES:
        raise InvalidRequest(f"response_mode {mode!r} is not supported")
    if "redirect_uri" in claims:
        raise InvalidRequest("redirect_uri must not be present with response_mode direct_post")
    response_uri = check_url(claims.get("response_uri"), "response_uri")
    if prefix == "x509_san_dns" and urlsplit(response_uri).hostname != link.client_id.partition(":")[2]:
        raise InvalidRequest("the response_uri host is not the DNS name of the client identifier")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise InvalidRequest("nonce is missing")
    if ("dcql_query" in claims) == ("scope" in claims):
        raise InvalidRequest("exactly one of dcql_query and scope is required")
    if "scope" in claims:
        raise InvalidRequest("scope-based requests are not supported: send a dcql_query")
    state = claims.get("state")
    if state is not None and not isinstance(state, str):
        raise InvalidRequest("state must be a string")
    metadata = claims.get("client_metadata", {})
    if not isinstance(metadata, dict):
        raise InvalidRequest("client_metadata must be an object")
    return AuthorizationRequest(
        client_id=link.client_id,
        client_id_prefix=prefix,
        response_type="vp_token",
        response_mode=str(mode),
        response_uri=response_uri,
        nonce=nonce,
        state=state,
        dcql_query=parse_dcql_query(claims["dcql_query"]),
        client_metadata=metadata,
        verifier_certificate=leaf,
        claims=claims,
    )


# -- the response ----------------------------------------------------------------------------------


def authorization_response_form(
    *, vp_token: Mapping[str, Sequence[str]], state: str | None
) -> dict[str, str]:
    form = {"vp_token": json.dumps({k: list(v) for k, v in vp_token.items()}, separators=(",", ":"))}
    if state is not None:
        form["state"] = state
    return form


def error_response_form(error: str, description: str, state: str | None) -> dict[str, str]:
    form = {"error": error, "error_description": description}
    if state is not None:
        form["state"] = state
    return form


@dataclass(frozen=True)
class AuthorizationResponse:
    vp_token: dict[str, list[str]]
    state: str | None
    error: str | None = None
    error_description: str | None = None


def parse_authorization_response(form: Mapping[str, str]) -> AuthorizationResponse:
    """A ``direct_post`` body: ``vp_token`` (JSON object of query id to presentations) and ``state``."""
    state = form.get("state")
    if "redirect_uri" in form:
        raise InvalidRequest("redirect_uri must not be sent to the response endpoint")
    if "error" in form:
        return AuthorizationResponse({}, state, form["error"], form.get("error_description"))
    raw = form.get("vp_token")
    if not raw:
        raise InvalidRequest("vp_token is missing")
    try:
        token = parse_json(raw, max_bytes=MAX_RESPONSE_BYTES, max_depth=4)
    except InvalidInput as exc:
        raise InvalidRequest(f"vp_token is not JSON: {exc}") from exc
    if not isinstance(token, dict) or not token:
        raise InvalidRequest("vp_token must be a non-empty JSON object")
    for query_id, presentations in token.items():
        if not isinstance(presentations, list) or not presentations:
            raise InvalidRequest(f"vp_token[{query_id!r}] must be a non-empty array")
        if not all(isinstance(p, str) and p for p in presentations):
            raise InvalidRequest(f"vp_token[{query_id!r}] must hold presentation strings")
    return AuthorizationResponse(token, state)
