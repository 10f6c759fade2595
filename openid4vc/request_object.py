"""OpenID4VP 1.0 authorization requests: the signed request object (JAR, RFC 9101) and the link
that points to it, for the verifier (build, sign, link) and the wallet (parse, verify).

The wallet accepts only signed requests by reference whose client identifier prefix
(section 5.9.3) is ``x509_san_dns`` or ``x509_hash``; ``origin:`` (reserved for the Digital
Credentials API), ``redirect_uri:`` (which cannot be signed), pre-registered clients and other
prefixes are refused. Chain validation against the relying-party access CAs on the wallet's trust
list is the caller's ``validate_chain`` callable. With ``response_mode`` ``direct_post.jwt``, the
verifier's encryption key and ``enc`` are chosen from its ``client_metadata`` (section 8.3).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, EudiError, InvalidInput
from common.jose import (
    b64url_encode,
    encode_jws,
    has_typ,
    parse_json,
    parse_jws,
    public_key_from_jwk,
    x5c_certificates,
    x5c_header,
)
from common.jwe import ECDH_ES
from openid4vc._checks import (
    URL_SAFE,
    check_url,
    form_value,
    is_number,
    query_parameters,
)
from openid4vc.dcql import MSO_MDOC, SD_JWT_VC, DcqlQuery, parse_dcql_query
from openid4vc.errors import (
    ClientIdMismatch,
    InvalidRequest,
    InvalidRequestObject,
    InvalidRequestUri,
    InvalidRequestUriMethod,
    InvalidTransactionData,
    OpenID4VCError,
    UnsupportedClientIdPrefix,
    UnsupportedResponseType,
    UntrustedClient,
    VpFormatsNotSupported,
)

__all__ = [
    "DIRECT_POST",
    "DIRECT_POST_JWT",
    "REQUEST_OBJECT_TYP",
    "VP_SCHEME",
    "WALLET_AUDIENCE",
    "AuthorizationRequest",
    "AuthorizationRequestLink",
    "RequestUriPost",
    "ResponseEncryption",
    "ValidateChain",
    "authorization_request_link",
    "build_request_object",
    "parse_authorization_request_link",
    "parse_request_uri_form",
    "request_uri_form",
    "sign_request_object",
    "verify_request_object",
    "x509_hash",
    "x509_hash_client_id",
    "x509_san_dns_client_id",
]

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
VP_SCHEME = "openid4vp://"
WALLET_AUDIENCE = "https://self-issued.me/v2"
DIRECT_POST = "direct_post"
DIRECT_POST_JWT = "direct_post.jwt"
MAX_LINK_CHARS = 8192
MAX_REQUEST_OBJECT_BYTES = 256 * 1024
MAX_NONCE = 4096
"""Longest ``nonce``, ``state`` or ``wallet_nonce`` taken: a ``state`` may be a JWT (section 5.3)."""
DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DNS_NAME = re.compile(rf"^(?=.{{1,253}}\Z){DNS_LABEL}(?:\.{DNS_LABEL})*\Z")  # \Z: "$" admits a final "\n"

ValidateChain = Callable[[Sequence[x509.Certificate], str | None], x509.Certificate]
"""``validate_chain(x5c_chain, dns_name)``: validate the chain to a trusted anchor (and, when
``dns_name`` is given, that the leaf has it as a dNSName SAN); return the leaf, or raise."""


# -- client identifiers (section 5.9) ----------------------------------------------------------------


def x509_san_dns_client_id(dns_name: str) -> str:
    return f"x509_san_dns:{dns_name}"


def x509_hash(certificate: x509.Certificate) -> str:
    """b64url(SHA-256(DER)) of a certificate, the value of an ``x509_hash`` client identifier."""
    return b64url_encode(hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest())


def x509_hash_client_id(certificate: x509.Certificate) -> str:
    return f"x509_hash:{x509_hash(certificate)}"


# -- verifier ---------------------------------------------------------------------------------------


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    nonce: str,
    state: str,
    dcql_query: Mapping[str, Any],
    client_metadata: Mapping[str, Any],
    response_mode: str = DIRECT_POST,
    iat: int,
    exp: int | None = None,
    wallet_nonce: str | None = None,
) -> dict[str, Any]:
    """The claims of a request object (sections 5 and 8.2) with ``aud`` ``https://self-issued.me/v2``
    (section 5.8, static discovery). ``nonce`` and ``state`` must be URL-safe (section 5.2)."""
    for name, value in (("nonce", nonce), ("state", state)):
        if not URL_SAFE.match(value):
            raise ValueError(f"{name} may hold only ASCII letters, digits, '-', '.', '_' and '~'")
    claims: dict[str, Any] = {
        "aud": WALLET_AUDIENCE,
        "iat": iat,
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": response_mode,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dict(dcql_query),
        "client_metadata": dict(client_metadata),
    }
    if exp is not None:
        claims["exp"] = exp
    if wallet_nonce is not None:
        claims["wallet_nonce"] = wallet_nonce
    return claims


def sign_request_object(
    claims: Mapping[str, Any], *, key: ec.EllipticCurvePrivateKey, x5c: Sequence[x509.Certificate]
) -> str:
    """A compact JWS with ``typ`` ``oauth-authz-req+jwt`` and the signer's chain in ``x5c``."""
    return encode_jws({"typ": REQUEST_OBJECT_TYP, "x5c": x5c_header(x5c)}, dict(claims), key)


def authorization_request_link(
    *,
    client_id: str,
    request_uri: str,
    request_uri_method: str | None = None,
    client_metadata: Mapping[str, Any] | None = None,
    scheme: str = VP_SCHEME,
) -> str:
    """``openid4vp://?client_id=...&request_uri=...`` (a request by reference, RFC 9101 section 5.2),
    with ``client_metadata`` when given: what a verifier inviting ``request_uri_method=post`` should
    tell the wallet before it posts its own metadata (OpenID4VP 1.0 section 5.1)."""
    if request_uri_method not in (None, "get", "post"):
        raise ValueError("request_uri_method is get or post")
    params = {"client_id": client_id, "request_uri": request_uri}
    if request_uri_method is not None:
        params["request_uri_method"] = request_uri_method
    if client_metadata is not None:
        params["client_metadata"] = json.dumps(dict(client_metadata), separators=(",", ":"))
    separator = "&" if "?" in scheme else "?"
    return f"{scheme}{separator}{urlencode(params, quote_via=quote)}"


@dataclass(frozen=True)
class RequestUriPost:
    """The wallet's POST to the request URI (section 5.10)."""

    wallet_metadata: dict[str, Any] | None
    wallet_nonce: str | None


def request_uri_form(
    *, wallet_metadata: Mapping[str, Any] | None = None, wallet_nonce: str | None = None
) -> dict[str, str]:
    """The form body of the wallet's POST to the request URI (section 5.10)."""
    form = {}
    if wallet_metadata is not None:
        form["wallet_metadata"] = json.dumps(dict(wallet_metadata), separators=(",", ":"))
    if wallet_nonce is not None:
        form["wallet_nonce"] = wallet_nonce
    return form


def parse_request_uri_form(form: Mapping[str, str]) -> RequestUriPost:
    """The verifier's view of that POST; unknown parameters are ignored."""
    metadata = None
    raw = form_value(form, "wallet_metadata")
    if raw is not None:
        try:
            metadata = parse_json(raw, max_bytes=64 * 1024, max_depth=8)
        except InvalidInput as exc:
            raise InvalidRequest(f"wallet_metadata is not JSON: {exc}") from exc
        if not isinstance(metadata, dict):
            raise InvalidRequest("wallet_metadata must be a JSON object")
    nonce = form_value(form, "wallet_nonce")  # a string, of any characters (section 5.10)
    if nonce is not None and not 0 < len(nonce) <= MAX_NONCE:
        raise InvalidRequest(f"wallet_nonce must be a non-empty string of at most {MAX_NONCE} characters")
    return RequestUriPost(metadata, nonce)


# -- wallet -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequestLink:
    client_id: str
    request_uri: str
    request_uri_method: str | None = None


def parse_authorization_request_link(link: str) -> AuthorizationRequestLink:
    """An ``openid4vp://`` (or ``haip-vp://``, or https) link to a signed request by reference.

    ``client_id`` and ``request_uri`` are required; ``request_uri_method`` is ``get`` or ``post``
    (case-sensitive, else ``invalid_request_uri_method``); a request by value (``request``) or by
    plain parameters is refused. Other parameters are ignored: only the request object counts.
    """
    if not isinstance(link, str) or not link or len(link) > MAX_LINK_CHARS:
        raise InvalidRequest("the authorization request link is missing or too long")
    try:
        query = urlsplit(link).query
    except ValueError as exc:
        raise InvalidRequest("the authorization request link is not a URL") from exc
    params = query_parameters(query, "the authorization request link")
    if "request" in params:
        raise InvalidRequest("requests by value are not supported: send a signed request_uri")
    client_id, request_uri = params.get("client_id"), params.get("request_uri")
    if not request_uri:
        raise InvalidRequest("request_uri is required: only signed requests by reference are accepted")
    if not client_id:
        raise InvalidRequest("client_id is required")
    method = params.get("request_uri_method")
    if method is not None and method not in ("get", "post"):
        raise InvalidRequestUriMethod(f"request_uri_method {method!r} is neither get nor post")
    return AuthorizationRequestLink(
        client_id, check_url(request_uri, "request_uri", error=InvalidRequestUri), method
    )


@dataclass(frozen=True)
class AuthorizationRequest:
    """A verified request object; ``claims`` holds it whole (unknown parameters included)."""

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
    certificate_chain: tuple[x509.Certificate, ...] = field(default=(), repr=False)
    response_encryption: ResponseEncryption | None = None
    """For ``direct_post.jwt``: the verifier key and ``enc`` to encrypt the response with."""


class ResponseEncryption(NamedTuple):
    """The public JWK a ``direct_post.jwt`` response is encrypted to, and the ``enc`` to use."""

    jwk: dict[str, Any]
    enc: str


RESPONSE_ENCS = ("A256GCM", "A128GCM")
"""The ``enc`` values the wallet encrypts with, in its order of preference (HAIP 1.0 has both)."""


def response_encryption(client_metadata: Mapping[str, Any]) -> ResponseEncryption:
    """The key and ``enc`` for an encrypted response (section 8.3): the first JWK of
    ``client_metadata.jwks`` that is for encryption (``use`` absent or ``enc``), names ``alg``
    ECDH-ES, has its ``kid`` (section 5.1) and holds a P-256 public key (others are passed over);
    ``enc`` the most preferred of ``encrypted_response_enc_values_supported`` (by default A128GCM).
    ``invalid_request`` when there is no such key or ``enc``."""
    jwks = client_metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise InvalidRequest("direct_post.jwt needs client_metadata.jwks to encrypt the response to")
    encs = client_metadata.get("encrypted_response_enc_values_supported", ["A128GCM"])
    if not isinstance(encs, list) or not encs or not all(isinstance(enc, str) for enc in encs):
        raise InvalidRequest("encrypted_response_enc_values_supported must be a non-empty array of strings")
    enc = next((enc for enc in RESPONSE_ENCS if enc in encs), None)
    if enc is None:
        raise InvalidRequest(f"none of the response encryptions {encs} is supported; use A128GCM or A256GCM")
    for jwk in keys:
        if not isinstance(jwk, dict) or jwk.get("use", "enc") != "enc" or jwk.get("alg") != ECDH_ES:
            continue
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
            continue
        if not isinstance(jwk.get("kid"), str):  # each key of the set MUST have one (section 5.1)
            continue
        try:
            public_key_from_jwk(jwk)
        except EudiError:
            continue
        return ResponseEncryption(dict(jwk), enc)
    raise InvalidRequest("client_metadata.jwks holds no P-256 ECDH-ES key for encryption")


def _authenticate(
    client_id: str, chain: Sequence[x509.Certificate], validate_chain: ValidateChain
) -> tuple[str, x509.Certificate]:
    """Apply the client identifier prefix (section 5.9.3); returns the prefix and the trusted leaf."""
    prefix, colon, value = client_id.partition(":")
    if not colon:
        raise UnsupportedClientIdPrefix("client_id has no prefix; pre-registered clients are not supported")
    if prefix in ("origin", "redirect_uri"):
        raise UnsupportedClientIdPrefix(f"the {prefix!r} client identifier prefix is not accepted here")
    if prefix not in ("x509_san_dns", "x509_hash"):
        raise UnsupportedClientIdPrefix(f"the client identifier prefix {prefix!r} is not supported")
    if prefix == "x509_san_dns" and not DNS_NAME.match(value):
        raise InvalidRequest("an x509_san_dns client_id must carry a DNS name")
    if prefix == "x509_hash" and x509_hash(chain[0]) != value:
        raise UntrustedClient("the x509_hash client_id is not the hash of the signing certificate")
    try:
        leaf = validate_chain(chain, value if prefix == "x509_san_dns" else None)
    except EudiError as exc:
        raise UntrustedClient(f"the verifier's certificate is not trusted: {exc}") from exc
    return prefix, leaf


def _times(claims: Mapping[str, Any], now: int, max_future: int) -> None:
    for name in ("exp", "iat", "nbf"):
        if name in claims and not is_number(claims[name]):
            raise InvalidRequestObject(f"{name} must be a number")
    if "exp" in claims and claims["exp"] <= now:
        raise InvalidRequestObject("the request object has expired")
    for name in ("iat", "nbf"):
        if name in claims and claims[name] > now + max_future:
            raise InvalidRequestObject(f"the request object {name} is in the future")


def _client_metadata(value: Any, supported_formats: Collection[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest("client_metadata must be a JSON object")
    formats = value.get("vp_formats_supported")
    if formats is not None:
        if not isinstance(formats, dict):
            raise InvalidRequest("vp_formats_supported must be an object")
        if not set(formats) & set(supported_formats):
            raise VpFormatsNotSupported(f"none of the formats {sorted(formats)} is supported by this wallet")
    return value


def verify_request_object(
    jws: str,
    *,
    link: AuthorizationRequestLink,
    validate_chain: ValidateChain,
    now: int,
    wallet_nonce: str | None = None,
    response_modes: Collection[str] = (DIRECT_POST, DIRECT_POST_JWT),
    supported_formats: Collection[str] = (SD_JWT_VC, MSO_MDOC),
    max_future: int = 60,
) -> AuthorizationRequest:
    """Check a signed request object against its link and the rules of OpenID4VP 1.0 section 5.

    ``invalid_request_object``: not a JWS, ``typ`` not ``oauth-authz-req+jwt``, no ``x5c``, a bad
    signature, ``aud`` other than ``https://self-issued.me/v2``, expired, ``iat``/``nbf`` in the
    future, or no echo of the ``wallet_nonce`` the wallet posted. ``invalid_request`` (with a
    specific class): ``client_id`` differing from the link's, an unsupported prefix, an untrusted
    chain or ``x509_hash``, ``response_mode`` not in ``response_modes``, ``redirect_uri`` present,
    ``response_uri`` missing or (``x509_san_dns``) on another host, ``nonce`` or ``state`` missing
    or not URL-safe, not exactly one of ``dcql_query`` and ``scope`` (``scope`` is not supported),
    a bad DCQL query. ``unsupported_response_type`` unless ``vp_token``; ``invalid_transaction_data``
    for any ``transaction_data``; ``vp_formats_not_supported`` when ``vp_formats_supported`` names
    none of ``supported_formats``. ``iss`` is ignored, as are unknown parameters.
    """
    try:
        parsed = parse_jws(jws, max_bytes=MAX_REQUEST_OBJECT_BYTES)
        if not has_typ(parsed.header, REQUEST_OBJECT_TYP):
            raise InvalidRequestObject(f"the request object typ must be {REQUEST_OBJECT_TYP!r}")
        claims = parsed.claims(max_depth=16)
        chain = x5c_certificates(parsed.header)
    except InvalidInput as exc:
        raise InvalidRequestObject(f"the request object is malformed: {exc}") from exc
    if not isinstance(claims.get("client_id"), str) or claims["client_id"] != link.client_id:
        raise ClientIdMismatch("client_id of the request object differs from the one in the link")
    prefix, leaf = _authenticate(link.client_id, chain, validate_chain)
    key = leaf.public_key()
    try:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise CryptoError("the verifier certificate does not hold an EC key")
        parsed.verify(key)
    except CryptoError as exc:
        raise InvalidRequestObject(f"the request object signature does not verify: {exc}") from exc
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if audience is not None and (not isinstance(audiences, list) or WALLET_AUDIENCE not in audiences):
        raise InvalidRequestObject(f"the request object aud must be {WALLET_AUDIENCE}")
    _times(claims, now, max_future)
    if wallet_nonce is not None and claims.get("wallet_nonce") != wallet_nonce:
        raise InvalidRequestObject("the request object does not echo our wallet_nonce")
    # authenticated from here on: what is wrong can be told to the verifier (section 8.5)
    try:
        return _request(claims, link, prefix, leaf, chain, response_modes, supported_formats)
    except OpenID4VCError as exc:
        exc.report_to = _report_target(claims, link, prefix)
        if exc.report_to is not None and claims.get("response_mode") == DIRECT_POST_JWT:
            metadata = claims.get("client_metadata")
            with contextlib.suppress(OpenID4VCError):  # no usable key: the error goes in the clear
                exc.report_encryption = response_encryption(metadata if isinstance(metadata, dict) else {})
        raise


def _report_target(
    claims: Mapping[str, Any], link: AuthorizationRequestLink, prefix: str
) -> tuple[str, str | None] | None:
    """The ``response_uri`` and ``state`` an error may be posted to (``direct_post``, or unencrypted
    for ``direct_post.jwt`` as section 8.3.1 allows), when they are themselves sound; else None."""
    if claims.get("response_mode") not in (DIRECT_POST, DIRECT_POST_JWT):
        return None
    try:
        return _response_uri(claims, link, prefix), _state(claims)
    except OpenID4VCError:
        return None


def _response_uri(claims: Mapping[str, Any], link: AuthorizationRequestLink, prefix: str) -> str:
    response_uri = check_url(claims.get("response_uri"), "response_uri")
    if (
        prefix == "x509_san_dns"
        and urlsplit(response_uri).hostname != link.client_id.partition(":")[2].lower()
    ):
        raise InvalidRequest("the response_uri host is not the DNS name of the client identifier")
    return response_uri


def _state(claims: Mapping[str, Any]) -> str | None:
    state = claims.get("state")
    if state is not None and (
        not isinstance(state, str) or len(state) > MAX_NONCE or not URL_SAFE.match(state)
    ):
        raise InvalidRequest("state must be a URL-safe ASCII string")
    return state


def _request(
    claims: dict[str, Any],
    link: AuthorizationRequestLink,
    prefix: str,
    leaf: x509.Certificate,
    chain: Sequence[x509.Certificate],
    response_modes: Collection[str],
    supported_formats: Collection[str],
) -> AuthorizationRequest:
    """The authorization request parameters of an authenticated request object (section 5)."""
    if "transaction_data" in claims:
        raise InvalidTransactionData("transaction_data is not supported by this wallet")
    response_type = claims.get("response_type")
    if not isinstance(response_type, str):
        raise InvalidRequest("response_type is missing")
    if response_type != "vp_token":
        raise UnsupportedResponseType(f"response_type {response_type!r} is not supported; use vp_token")
    mode = claims.get("response_mode")
    if not isinstance(mode, str):
        raise InvalidRequest("response_mode is missing")
    if mode not in response_modes:
        raise InvalidRequest(f"response_mode {mode!r} is not supported")
    if "redirect_uri" in claims:
        raise InvalidRequest(f"redirect_uri must not be present with response_mode {mode}")
    response_uri = _response_uri(claims, link, prefix)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or len(nonce) > MAX_NONCE or not URL_SAFE.match(nonce):
        raise InvalidRequest("nonce is missing or holds characters other than URL-safe ASCII")
    state = _state(claims)
    if ("dcql_query" in claims) == ("scope" in claims):
        raise InvalidRequest("exactly one of dcql_query and scope is required")
    if "scope" in claims:
        raise InvalidRequest("scope-based requests are not supported: send a dcql_query")
    client_metadata = _client_metadata(claims.get("client_metadata"), supported_formats)
    return AuthorizationRequest(
        client_id=link.client_id,
        client_id_prefix=prefix,
        response_type=response_type,
        response_mode=mode,
        response_uri=response_uri,
        nonce=nonce,
        state=state,
        dcql_query=parse_dcql_query(claims["dcql_query"]),
        client_metadata=client_metadata,
        verifier_certificate=leaf,
        claims=claims,
        certificate_chain=tuple(chain),
        response_encryption=response_encryption(client_metadata) if mode == DIRECT_POST_JWT else None,
    )
