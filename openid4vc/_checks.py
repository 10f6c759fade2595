"""Shape checks shared by the parsers: URLs, JSON members, query strings, random values.

Each check takes the error class to raise, so a parser reports the code its endpoint defines.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard
from urllib.parse import parse_qsl, unquote, urlsplit

from common.jose import b64url_encode
from openid4vc.errors import InvalidRequest, OpenID4VCError

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URL = 2048
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+\Z")  # \Z, not $: "$" also matches before a final "\n"

Rng = Callable[[int], bytes]
Error = type[OpenID4VCError]


def check_url(value: Any, what: str, *, error: Error = InvalidRequest, identifier: bool = False) -> str:
    """An absolute ``https`` URL (``http`` only for a loopback host), ASCII, no userinfo, no fragment.

    ``identifier`` also refuses a query: issuer identifiers (OpenID4VCI 1.0 section 12.2.1, RFC 8414
    section 2) are scheme, host, optional port and optional path only. Whether a loopback host may
    be contacted at all is the fetcher's policy (``common.net``), not the parser's.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        raise error(f"{what} must be a URL of at most {MAX_URL} characters")
    if not value.isascii() or any(c <= " " or c == "\x7f" for c in value):
        raise error(f"{what} contains characters a URL cannot hold")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError as exc:
        raise error(f"{what} is not a URL") from exc
    if not parts.hostname or "#" in value or parts.username is not None or parts.password is not None:
        raise error(f"{what} must be an absolute URL without user information or fragment")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        raise error(f"{what} must use https")
    if identifier and "?" in value:
        raise error(f"{what} is an identifier and must not carry a query")
    if identifier and any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        # a client removes them (RFC 3986 section 5.2.4): the well-known document would be looked for
        # outside /.well-known, anywhere on the host (RFC 8615)
        raise error(f"{what} is an identifier and must not hold '.' or '..' path segments")
    return value


def json_object(value: Any, what: str, *, error: Error = InvalidRequest) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise error(f"{what} must be a JSON object")
    return value


def text(value: Any, what: str, *, error: Error = InvalidRequest, max_length: int = 4096) -> str:
    """A non-empty string of bounded length."""
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise error(f"{what} must be a non-empty string of at most {max_length} characters")
    return value


def optional_text(
    value: Any, what: str, *, error: Error = InvalidRequest, max_length: int = 4096
) -> str | None:
    return None if value is None else text(value, what, error=error, max_length=max_length)


def text_list(
    value: Any, what: str, *, error: Error = InvalidRequest, unique: bool = False, max_items: int = 100
) -> tuple[str, ...]:
    """A non-empty JSON array of non-empty strings."""
    if not isinstance(value, list) or not value or len(value) > max_items:
        raise error(f"{what} must be a non-empty array of at most {max_items} strings")
    items = tuple(text(item, f"an entry of {what}", error=error) for item in value)
    if unique and len(set(items)) != len(items):
        raise error(f"{what} must not repeat an entry")
    return items


def is_int(value: object) -> TypeGuard[int]:
    """A JSON integer (``bool`` is an ``int`` in Python, never in JSON)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """A finite JSON number (RFC 7519 NumericDate may carry a fraction)."""
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))


def query_parameters(
    query: str, what: str, *, error: Error = InvalidRequest, max_fields: int = 20
) -> dict[str, str]:
    """The parameters of a URL query or form body; a repeated parameter is refused (RFC 6749 3.1)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=max_fields)
    except ValueError as exc:  # UnicodeDecodeError included
        raise error(f"{what} is not a well-formed query: {exc}") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        raise error(f"a parameter of {what} is repeated")
    return params


def form_value(form: Mapping[str, Any], name: str, *, error: Error = InvalidRequest) -> str | None:
    """A form field as a string, or None when absent; anything else (lists, bytes) is refused."""
    value = form.get(name)
    if value is not None and not isinstance(value, str):
        raise error(f"{name} must be a single string value")
    return value


def random_value(rng: Rng = os.urandom, *, nbytes: int = 32) -> str:
    """A base64url random value (URL-safe, at least 128 bits by default 256) for nonces and states."""
    if nbytes < 16:
        raise ValueError("a random value needs at least 128 bits")
    return b64url_encode(rng(nbytes))
