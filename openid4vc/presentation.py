"""OpenID for Verifiable Presentations 1.0: the authorization response, and the one import the
services need (it re-exports the request side from :mod:`openid4vc.request_object`).

Verifier: :func:`build_request_object`, :func:`sign_request_object`,
:func:`authorization_request_link`, :func:`parse_request_uri_form`,
:func:`parse_authorization_response` (``direct_post``, section 8.2; for ``direct_post.jwt`` it hands
back the encrypted ``response``) and :func:`parse_decrypted_response` (its plaintext, section 8.3).
Wallet: :func:`parse_authorization_request_link`, :func:`verify_request_object`,
:func:`authorization_response_form`, :func:`error_response_form` (each encrypted to a
:class:`ResponseEncryption` when the request asks ``direct_post.jwt``) and
:func:`parse_response_uri_answer`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common import jwe
from common.errors import InvalidInput
from common.jose import canonical_json, parse_json
from openid4vc._checks import URL_SAFE, check_url, form_value, json_object, random_value
from openid4vc._dcql_query import ID_PATTERN
from openid4vc.errors import InvalidRequest, description_text
from openid4vc.request_object import (
    DIRECT_POST,
    DIRECT_POST_JWT,
    REQUEST_OBJECT_TYP,
    VP_SCHEME,
    WALLET_AUDIENCE,
    AuthorizationRequest,
    AuthorizationRequestLink,
    RequestUriPost,
    ResponseEncryption,
    ValidateChain,
    authorization_request_link,
    build_request_object,
    parse_authorization_request_link,
    parse_request_uri_form,
    request_uri_form,
    response_encryption,
    sign_request_object,
    verify_request_object,
    x509_hash,
    x509_hash_client_id,
    x509_san_dns_client_id,
)

__all__ = [
    "DIRECT_POST",
    "DIRECT_POST_JWT",
    "REQUEST_OBJECT_TYP",
    "VP_SCHEME",
    "WALLET_AUDIENCE",
    "AuthorizationRequest",
    "AuthorizationRequestLink",
    "AuthorizationResponse",
    "RequestUriPost",
    "ResponseEncryption",
    "ValidateChain",
    "authorization_request_link",
    "authorization_response_form",
    "build_request_object",
    "check_url",
    "error_response_form",
    "parse_authorization_request_link",
    "parse_authorization_response",
    "parse_decrypted_response",
    "parse_request_uri_form",
    "parse_response_uri_answer",
    "random_value",
    "request_uri_form",
    "response_encryption",
    "sign_request_object",
    "verify_request_object",
    "x509_hash",
    "x509_hash_client_id",
    "x509_san_dns_client_id",
]

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_PRESENTATIONS = 20
ERROR_CODE_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def authorization_response_form(
    *,
    vp_token: Mapping[str, Sequence[str]],
    state: str | None,
    encryption: ResponseEncryption | None = None,
) -> dict[str, str]:
    """The ``direct_post`` form (section 8.2): ``vp_token`` as a JSON object of credential query id
    to presentations (section 8.1), and ``state`` when the request had one; with ``encryption``, the
    ``direct_post.jwt`` form, whose one ``response`` is those parameters encrypted (section 8.3.1)."""
    if not vp_token or not all(vp_token.values()):
        raise ValueError("vp_token needs at least one presentation per credential query id it names")
    token = {k: list(v) for k, v in vp_token.items()}
    if encryption is not None:
        return _encrypted({"vp_token": token, "state": state}, encryption)
    form = {"vp_token": json.dumps(token, separators=(",", ":"))}
    if state is not None:
        form["state"] = state
    return form


def error_response_form(
    error: str, description: str, state: str | None, encryption: ResponseEncryption | None = None
) -> dict[str, str]:
    """An authorization error response for ``direct_post`` (sections 8.2 and 8.5), encrypted for
    ``direct_post.jwt`` with ``encryption`` (without, as section 8.3.1 allows a wallet that cannot)."""
    form = {"error": error, "error_description": description_text(description)}
    if state is not None:
        form["state"] = state
    return form if encryption is None else _encrypted(dict(form), encryption)


def _encrypted(parameters: dict[str, Any], encryption: ResponseEncryption) -> dict[str, str]:
    present = {name: value for name, value in parameters.items() if value is not None}
    return {"response": jwe.encrypt(canonical_json(present), encryption.jwk, enc=encryption.enc)}


@dataclass(frozen=True)
class AuthorizationResponse:
    """A ``direct_post`` body: a vp_token, or the wallet's error (``error`` set, vp_token empty); or,
    for ``direct_post.jwt``, only the encrypted ``response`` (its parameters are inside)."""

    vp_token: dict[str, list[str]]
    state: str | None
    error: str | None = None
    error_description: str | None = None
    response: str | None = None


def _error_text(value: str, what: str) -> str:
    if len(value) > 1024 or not set(value) <= ERROR_CODE_CHARS:
        raise InvalidRequest(f"{what} holds characters RFC 6749 does not allow")
    return value


def parse_authorization_response(form: Mapping[str, str]) -> AuthorizationResponse:
    """The verifier's view of a ``direct_post`` body; unknown parameters are ignored (section 8.1).

    Refused with ``invalid_request``: both ``vp_token`` and ``error``, neither (nor a ``response``),
    a ``response`` beside either, a ``state`` that is not URL-safe, or a ``vp_token`` that is not a
    JSON object of credential query ids to non-empty arrays of presentation strings (objects, used
    by W3C formats, are refused). A ``response`` (``direct_post.jwt``) is handed back as it is.
    """
    encrypted = form_value(form, "response")
    if encrypted is not None:
        if form_value(form, "vp_token") is not None or form_value(form, "error") is not None:
            raise InvalidRequest("an encrypted response carries its parameters inside, not beside it")
        return AuthorizationResponse({}, None, response=encrypted)
    raw = form_value(form, "vp_token")
    token = None
    if raw:
        try:
            token = parse_json(raw, max_bytes=MAX_RESPONSE_BYTES, max_depth=4)
        except InvalidInput as exc:
            raise InvalidRequest(f"vp_token is not JSON: {exc}") from exc
    return _response(
        form_value(form, "state"),
        form_value(form, "error"),
        form_value(form, "error_description"),
        raw,
        token,
    )


def parse_decrypted_response(plaintext: bytes) -> AuthorizationResponse:
    """The parameters of a decrypted ``direct_post.jwt`` response (section 8.3): a JSON object with
    ``vp_token`` (an object, not a string of JSON) or ``error``, and ``state``; checked as the form."""
    try:
        parameters = parse_json(plaintext, max_bytes=MAX_RESPONSE_BYTES, max_depth=5)
    except InvalidInput as exc:
        raise InvalidRequest(f"the decrypted response is not JSON: {exc}") from exc
    if not isinstance(parameters, dict):
        raise InvalidRequest("the decrypted response is not a JSON object")
    texts = {}
    for name in ("state", "error", "error_description"):
        value = parameters.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"{name} must be a string")
        texts[name] = value
    token = parameters.get("vp_token")
    return _response(texts["state"], texts["error"], texts["error_description"], token, token)


def _response(
    state: str | None, error: str | None, description: str | None, raw: object, token: object
) -> AuthorizationResponse:
    if state is not None and (len(state) > 512 or not URL_SAFE.match(state)):
        raise InvalidRequest("state must be a URL-safe ASCII string")
    if error is not None:
        if raw is not None:
            raise InvalidRequest("a response carries vp_token or error, not both")
        return AuthorizationResponse(
            {},
            state,
            _error_text(error, "error"),
            None if description is None else _error_text(description, "error_description"),
        )
    if not raw:
        raise InvalidRequest("vp_token is missing")
    if not isinstance(token, dict) or not token or len(token) > 50:
        raise InvalidRequest("vp_token must be a non-empty JSON object")
    for query_id, presentations in token.items():
        if not ID_PATTERN.match(query_id):
            raise InvalidRequest("a vp_token key is not a credential query id")
        if not isinstance(presentations, list) or not presentations or len(presentations) > MAX_PRESENTATIONS:
            raise InvalidRequest(f"vp_token[{query_id!r}] must be a non-empty array")
        if not all(isinstance(p, str) and p for p in presentations):
            raise InvalidRequest(f"vp_token[{query_id!r}] must hold presentation strings")
    return AuthorizationResponse(token, state)


def parse_response_uri_answer(value: Any) -> str | None:
    """The ``redirect_uri`` the response URI may answer with (section 8.2), where the wallet must
    send the user agent next; None when there is none. Other members are ignored. A web page is
    followed: ``https`` (``http`` on a loopback host), without user information; so is an app's own
    link, under a private-use scheme named by reverse domain (``com.example.rp:``, RFC 8252 section
    7.1). ``javascript:``, ``data:``, ``file:`` and other schemes are refused. It may carry a fragment
    (a ``response_code``, say)."""
    redirect = json_object(value, "the response URI answer").get("redirect_uri")
    if redirect is None:
        return None
    if not isinstance(redirect, str) or not redirect or len(redirect) > 4096 or not redirect.isascii():
        raise InvalidRequest("redirect_uri must be an absolute URI")
    if any(c <= " " or c == "\x7f" for c in redirect):
        raise InvalidRequest("redirect_uri must be an absolute URI")
    scheme = redirect.partition(":")[0].lower()
    if _PRIVATE_USE_SCHEME.fullmatch(scheme) and redirect[len(scheme) + 1 :]:
        return redirect
    check_url(redirect.partition("#")[0], "redirect_uri")
    return redirect


_PRIVATE_USE_SCHEME = re.compile(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+")
"""A scheme of at least two dot-separated labels, as a reverse domain name is (RFC 3986 section 3.1
allows '+' too, which no domain holds)."""
