"""What the packages' ``cli.py`` modules share: one-line failures, calls to a running service, serving."""

from __future__ import annotations

import ipaddress
import sys
from typing import Any
from urllib.parse import urlsplit

import httpx

from common.errors import EudiError

__all__ = ["ServiceError", "call_service", "fail", "is_loopback_host", "serve"]


class ServiceError(EudiError):
    """A service that could not be reached or answered with an error."""


def fail(message: str) -> int:
    """Print ``error: <message>`` on stderr; the exit code of a failed command."""
    print(f"error: {message}", file=sys.stderr)
    return 1


def call_service(url: str, body: dict[str, Any], *, token: str | None, expect: int = 201) -> dict[str, Any]:
    """POST JSON to one of our services' own APIs and return its JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = httpx.post(url, json=body, headers=headers, timeout=10)
        result = answer.json() if answer.content else {}
    except httpx.HTTPError as exc:
        raise ServiceError(f"cannot reach {url}: {exc}") from exc
    except ValueError as exc:
        raise ServiceError(f"{url} answered HTTP {answer.status_code} without JSON") from exc
    if answer.status_code != expect or not isinstance(result, dict):
        detail = (
            result
            if not isinstance(result, dict)
            else f"{result.get('error')}: {result.get('error_description')}"
        )
        raise ServiceError(f"{url}: {detail}")
    return result


def serve(
    app: Any,
    *,
    public_url: str,
    host: str,
    port: int | None,
    default_port: int,
    guard: tuple[str, str | None] | None = None,
) -> int:
    """Run an ASGI app under uvicorn (uvloop and httptools when installed) until interrupted.

    ``guard``, for a service with an API of its own (back office, relying-party API), is the setting
    that holds that API's bearer token, and its value. Without a token the API is open to whoever
    reaches the service, so the service is then served on a loopback address only.
    """
    if guard is not None and guard[1] is None and not is_loopback_host(host):
        setting = guard[0]
        return fail(
            f"{host} is not a loopback address: set {setting} in the configuration first, or anyone who "
            "reaches the service can use its own API"
        )
    import uvicorn

    port = port or urlsplit(public_url).port or default_port
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    return 0


def is_loopback_host(host: str) -> bool:
    """Whether a listening address is ``localhost`` or a loopback IP address (``[::1]`` included)."""
    name = host.strip().removeprefix("[").removesuffix("]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
