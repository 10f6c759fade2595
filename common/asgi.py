"""HTTP glue shared by the services: one error handler, bounded form and JSON bodies, bearer tokens.

Every deliberate error becomes OAuth-style JSON (``{"error", "error_description"}``) with the
error's status code; anything unexpected becomes a 500 ``server_error`` whose detail goes to the
log, never to the client.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from common.errors import EudiError, InvalidInput
from common.jose import parse_json

__all__ = [
    "MAX_BODY_BYTES",
    "access_token",
    "bearer_token",
    "install_error_handlers",
    "read_form",
    "read_json",
    "read_json_or",
    "require_bearer",
]

MAX_BODY_BYTES = 512 * 1024
NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger("eudi.http")


_CHALLENGED = ("invalid_token", "insufficient_scope", "invalid_dpop_proof", "use_dpop_nonce")
"""Errors a resource server answers with a ``WWW-Authenticate`` challenge."""


class Unauthorized(EudiError):
    error = "invalid_token"
    status_code = 401
    schemes: tuple[str, ...] = ()
    """Set when the request carried no access token by a method taken here: its challenge then names
    these schemes (lower case) and, as RFC 6750 section 3.1 asks, no error code."""


def _unauthenticated(description: str, schemes: tuple[str, ...]) -> Unauthorized:
    refused = Unauthorized(description)
    refused.schemes = schemes
    return refused


_CHALLENGES = {"bearer": "Bearer", "dpop": 'DPoP algs="ES256"'}


def install_error_handlers(app: FastAPI) -> None:
    async def deliberate(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, EudiError)
        headers = dict(NO_STORE)
        if isinstance(exc, Unauthorized) and exc.schemes:
            headers["WWW-Authenticate"] = ", ".join(_CHALLENGES[scheme] for scheme in exc.schemes)
        elif exc.error in _CHALLENGED and exc.status_code in (401, 403):  # RFC 6750 3, RFC 9449 7.1
            algs = ' algs="ES256",' if exc.auth_scheme == "DPoP" else ""
            headers["WWW-Authenticate"] = f'{exc.auth_scheme}{algs} error="{exc.error}"'
        return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=headers)

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "request does not match the API"},
            status_code=400,
            headers=NO_STORE,
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = "not_found" if exc.status_code == 404 else "invalid_request"
        headers = exc.headers
        if exc.status_code == 405:  # Allow (RFC 9110 section 15.5.6): every route of the path counts
            headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
        return JSONResponse(
            {"error": code, "error_description": str(exc.detail)},
            status_code=exc.status_code,
            headers=headers,
        )

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "server_error", "error_description": "internal error"}, status_code=500)

    app.add_exception_handler(EudiError, deliberate)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def _allowed_methods(request: Request) -> str:
    """The methods of every route whose path matches the request's (Starlette's 405 names only those
    of the first, so a HEAD route registered beside a GET one would hide the GET)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InvalidInput(f"request body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise InvalidInput(f"request body larger than {limit} bytes")
    return bytes(body)


def _media_type(request: Request) -> str:
    """The request's media type, without parameters; type and subtype compare case-insensitively
    (RFC 9110 section 8.3.1)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_form(request: Request, *, limit: int = MAX_BODY_BYTES) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; a repeated parameter is refused."""
    if _media_type(request) != "application/x-www-form-urlencoded":
        raise InvalidInput("expected application/x-www-form-urlencoded")
    try:
        # percent-encoded bytes that are not UTF-8 are refused too, not replaced by U+FFFD (an echoed
        # wallet_nonce, a stored client_id would then differ from what was sent)
        pairs = parse_qsl(
            (await _body(request, limit)).decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            errors="strict",
        )
    except UnicodeDecodeError as exc:
        raise InvalidInput("form is not UTF-8") from exc
    form = dict(pairs)
    if len(form) != len(pairs):
        raise InvalidInput("a form parameter is repeated")
    return form


async def read_json(request: Request, *, limit: int = MAX_BODY_BYTES) -> Any:
    if _media_type(request) != "application/json":
        raise InvalidInput("expected application/json")
    return parse_json(await _body(request, limit), max_bytes=limit)


async def read_json_or(request: Request, other: str, *, limit: int = MAX_BODY_BYTES) -> tuple[Any, bool]:
    """A JSON body, parsed, with False; or a body of the media type ``other`` (a compact JWT, say), as
    ASCII text, with True."""
    if _media_type(request) != other:
        return await read_json(request, limit=limit), False
    try:
        return (await _body(request, limit)).decode("ascii").strip(), True
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"a {other} body is ASCII") from exc


_SCHEMES = {"bearer": "Bearer", "dpop": "DPoP"}


def access_token(request: Request, schemes: tuple[str, ...] = ("bearer", "dpop")) -> tuple[str, str]:
    """The scheme (lower case: one of ``schemes``) and the access token of the one ``Authorization``
    header (RFC 6750 section 2.1, RFC 9449 section 7.1); never from the query.

    A request with no token by a method taken here is challenged with no error code (RFC 6750 section
    3.1); one with two ``Authorization`` headers is a malformed request (``invalid_request``, 400)."""
    headers = request.headers.getlist("authorization")
    if "access_token" in request.query_params:
        if headers:  # two methods at once: a malformed request (RFC 6750 section 3.1)
            raise InvalidInput("an access token in the query string beside an Authorization header")
        raise _unauthenticated("access tokens are not accepted in the query string", schemes)
    if len(headers) > 1:
        raise InvalidInput("more than one Authorization header")
    scheme, _, token = (headers[0] if headers else "").partition(" ")
    if scheme.lower() not in schemes or not token.strip():
        expected = " or ".join(_SCHEMES[name] for name in schemes)
        raise _unauthenticated(f"missing access token (Authorization: {expected})", schemes)
    return scheme.lower(), token.strip()


def bearer_token(request: Request) -> str:
    """The access token of an ``Authorization: Bearer`` header (RFC 6750 section 2.1 only)."""
    return access_token(request, ("bearer",))[1]


def require_bearer(request: Request, secret: str | None, what: str) -> None:
    """When ``secret`` is set, the request must carry it as its bearer token (RFC 6750 section 2.1),
    compared in constant time; ``what`` names the API in the error."""
    if secret is None:
        return
    # bytes: compare_digest refuses str with characters beyond ASCII, which a header may hold
    if not hmac.compare_digest(bearer_token(request).encode(), secret.encode()):
        raise Unauthorized(f"{what} needs its bearer token")
