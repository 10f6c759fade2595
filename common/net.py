"""The one bounded, SSRF-aware HTTP client of the project.

Every fetch of a URL that came from outside (an offer, a ``credential_offer_uri``, issuer metadata,
a ``request_uri``, a ``response_uri``, a status list) goes through :class:`Fetcher`:

- only ``https`` URLs, except ``http`` to a loopback host when the policy allows it (demo and tests);
- the host's addresses are resolved first and refused when any is loopback or otherwise not
  globally reachable (RFC 6890), unless that class is allowed by the policy;
- the connection goes to an address that was checked, not to a second lookup of the name (DNS
  rebinding), and no connection is kept for another request;
- redirects are followed only where the caller asks (a status list, draft -21 section 8.2), at most
  that many, each ``Location`` checked as the first URL was and none visited twice (RFC 9110 section
  15.4); elsewhere never (OpenID4VP section 5.10 forbids it for ``request_uri``, and a redirect must
  not smuggle a fetch past the address check);
- time (each read, and the whole exchange) and response size are bounded; the body is read in
  chunks and abandoned past the limit. The only content coding taken is one layer of gzip, inflated
  here a chunk at a time and never past the limit (httpx would inflate each read whole, and stacked
  codings in turn: a few kilobytes could grow to gigabytes before any limit was looked at).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from common.errors import EudiError
from common.jose import parse_json

__all__ = ["FetchError", "FetchPolicy", "Fetcher", "Response"]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
FOLLOWED = frozenset({301, 302, 303, 307, 308})
"""Redirects with a ``Location`` to follow (300 and 305 are not; 304 is an answer)."""


class FetchError(EudiError):
    """A URL that may not be fetched, or a fetch that failed or answered out of bounds."""

    error = "invalid_request"


_RequestBody = tuple[Mapping[str, str] | None, Any, bytes | None]
"""A request's form, JSON or bytes (at most one of them)."""


@dataclass(frozen=True)
class FetchPolicy:
    allow_loopback: bool = False
    allow_private: bool = False
    max_bytes: int = 1024 * 1024
    timeout: float = 10.0


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self, *, max_depth: int = 32) -> Any:
        return parse_json(self.content, max_bytes=len(self.content) + 1, max_depth=max_depth)


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback_host(host: str) -> bool:
    literal = _ip_literal(host)
    return host.lower() in LOOPBACK_NAMES or (literal is not None and literal.is_loopback)


_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: local-use translation prefix
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: well-known prefix, the IPv4 address last


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Not globally reachable (RFC 6890 and its registry): private, shared (100.64/10), link-local,
    reserved, documentation and the like; multicast; the deprecated IPv6 site-local range
    (fec0::/10), which ``is_global`` still counts as global; and an IPv6 address that carries an IPv4
    one (mapped, compatible, 6to4, Teredo, NAT64) judged by the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local or address in _NAT64_LOCAL:
            return True
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return embedded.is_loopback or _not_public(embedded)
    return not address.is_global or address.is_multicast or address.is_reserved


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    packed = address.packed
    if address in _NAT64 or (packed[:12] == bytes(12) and int(address) > 1):  # NAT64; IPv4-compatible
        return ipaddress.IPv4Address(packed[12:])
    return None


class _Body:
    """A response body as it arrives, inflated when gzip-coded, bounded by ``limit`` bytes both as
    received and as inflated."""

    def __init__(self, url: str, coding: str, limit: int) -> None:
        coding = coding.strip().lower()
        if coding not in ("", "identity", "gzip", "x-gzip"):  # stacked codings included
            raise FetchError(f"{url} answered in the content coding {coding[:40]!r}, which is not taken")
        self.url, self.limit, self.received = url, limit, 0
        self.inflate = zlib.decompressobj(wbits=31) if coding in ("gzip", "x-gzip") else None
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.inflate is not None and chunk:
            try:
                chunk = self.inflate.decompress(chunk, self.limit + 1 - len(self.data))
            except zlib.error as exc:
                raise FetchError(f"{self.url} answered a corrupt gzip body") from exc
        self.data.extend(chunk)
        if self.received > self.limit or len(self.data) > self.limit:
            raise FetchError(f"{self.url} answered more than {self.limit} bytes")
        if self.inflate is not None and self.inflate.unconsumed_tail:  # output held back at the bound
            raise FetchError(f"{self.url} answered more than {self.limit} bytes")
        if self.inflate is not None and self.inflate.unused_data:
            # bytes after the gzip member: another member, which other clients would join, or junk
            raise FetchError(f"{self.url} answered data after its gzip body")

    def finish(self) -> bytes:
        if self.inflate is not None and not self.inflate.eof and self.received:
            raise FetchError(f"{self.url} answered a truncated gzip body")
        return bytes(self.data)


@dataclass
class Fetcher:
    """Async fetches under a :class:`FetchPolicy`; the transport is the test seam."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    transport: httpx.AsyncBaseTransport | None = None
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    async def check_url(self, url: str) -> list[str] | None:
        """Refuse a URL the policy does not allow, before any connection is made; for a host name,
        return its addresses, each checked, which the fetch connects to in turn. The name is looked
        up off the event loop, so that the fetch's deadline bounds a slow resolver too."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
            # the name as it goes on the wire (IDNA 2008 A-labels, as in Host and TLS), not as the
            # socket module would encode a Unicode name itself (IDNA 2003: faß.de would be fass.de)
            host = httpx.URL(url).raw_host.decode("ascii") if parts.hostname else ""
        except (ValueError, httpx.InvalidURL, UnicodeError) as exc:
            raise FetchError(f"not a URL: {url[:80]!r}") from exc
        if not host:
            raise FetchError("URL has no host")
        loopback = _is_loopback_host(host)
        if parts.scheme == "http" and not (loopback and self.policy.allow_loopback):
            raise FetchError(f"refusing plain http to {host}: https is required")
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"refusing URL scheme {parts.scheme!r}")
        if parts.username or parts.password:
            raise FetchError("refusing URL with credentials")
        addresses = await self._addresses(host)
        for address in addresses:
            if address.is_loopback:
                if not self.policy.allow_loopback:
                    raise FetchError(f"refusing {host}: resolves to a loopback address")
            elif _not_public(address) and not self.policy.allow_private:
                raise FetchError(f"refusing {host}: resolves to a non-public address")
        return None if _ip_literal(host) is not None else [str(address) for address in addresses]

    @staticmethod
    async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        literal = _ip_literal(host)
        if literal is not None:
            return [literal]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:  # UnicodeError: a label IDNA refuses (empty, over 63)
            raise FetchError(f"cannot resolve {host}") from exc
        return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self.transport,
                follow_redirects=False,
                timeout=self.policy.timeout,
                trust_env=False,
                headers={"Accept-Encoding": "gzip"},  # what _Body inflates; nothing else is taken
                # connections are made to checked addresses, and a pool keyed by address could hand a
                # TLS connection checked for one host name to a request for another: none is kept
                limits=httpx.Limits(max_keepalive_connections=0),
            )
        return self._client

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        max_bytes: int | None = None,
        max_redirects: int = 0,
    ) -> Response:
        """One request, or with ``max_redirects`` (GET only) up to that many redirects followed; its
        body a form (``data``), JSON (``json``) or bytes (``content``, of the ``headers``' type)."""
        if max_redirects and method != "GET":
            raise ValueError("redirects are followed for GET only")
        try:
            # the client's timeout bounds each read; this bounds the whole fetch, redirects included,
            # which a server sending a byte now and then would otherwise hold open
            async with asyncio.timeout(self.policy.timeout):
                visited = {url}
                while True:
                    follow = len(visited) <= max_redirects  # else a redirect is refused as one
                    payload = (data, json, content)
                    answer = await self._request(method, url, headers, payload, max_bytes, follow=follow)
                    if answer.status_code not in FOLLOWED:
                        return answer
                    try:
                        url = urljoin(url, answer.headers["location"])
                    except ValueError as exc:  # a bracketed host that is no IPv6 address, and the like
                        raise FetchError(f"{url} redirected to a malformed URL") from exc
                    if url in visited:
                        raise FetchError("redirected in a loop")
                    visited.add(url)
        except TimeoutError as exc:
            raise FetchError(f"fetching {url} took longer than {self.policy.timeout} s") from exc

    async def _request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        payload: _RequestBody,
        max_bytes: int | None,
        *,
        follow: bool,
    ) -> Response:
        pinned = await self.check_url(url)
        if pinned is None:
            return await self._exchange(method, url, url, headers, payload, {}, max_bytes, follow)
        # connect to the addresses just checked, in turn, not to what a second lookup of the name
        # might give (DNS rebinding); the name still goes in Host and in TLS (SNI and the
        # certificate check)
        parts = httpx.URL(url)
        named = {**(headers or {}), "Host": parts.netloc.decode("ascii")}
        extensions = {"sni_hostname": parts.raw_host.decode("ascii")}
        for address in pinned[:-1]:
            target = parts.copy_with(host=address)
            try:
                return await self._exchange(
                    method, url, target, named, payload, extensions, max_bytes, follow
                )
            except FetchError as exc:
                if not isinstance(exc.__cause__, httpx.ConnectError):
                    raise
        target = parts.copy_with(host=pinned[-1])
        return await self._exchange(method, url, target, named, payload, extensions, max_bytes, follow)

    async def _exchange(
        self,
        method: str,
        url: str,
        target: str | httpx.URL,
        headers: Mapping[str, str] | None,
        payload: _RequestBody,
        extensions: dict[str, Any],
        max_bytes: int | None,
        follow: bool,
    ) -> Response:
        limit = max_bytes or self.policy.max_bytes
        data, json, content = payload
        try:
            async with self.client.stream(
                method, target, headers=headers, data=data, json=json, content=content, extensions=extensions
            ) as answer:
                if 300 <= answer.status_code < 400 and answer.status_code != 304:  # 304 has no Location
                    if follow and answer.status_code in FOLLOWED and answer.headers.get("location"):
                        return Response(answer.status_code, dict(answer.headers), b"")  # body unread
                    raise FetchError(f"{url} answered a redirect ({answer.status_code}); not followed")
                declared = answer.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url} answered more than {limit} bytes")
                if answer.is_stream_consumed:  # a body a test transport gave whole, read (and decoded)
                    body = _Body(url, "", limit)
                    body.add(answer.content)
                else:
                    body = _Body(url, answer.headers.get("content-encoding", ""), limit)
                    async for chunk in answer.aiter_raw():
                        body.add(chunk)
                return Response(answer.status_code, dict(answer.headers), body.finish())
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
            # InvalidURL and UnicodeError (IDNA): httpx reads the Location of any redirect, followed or
            # not, and refuses one it cannot parse
            raise FetchError(f"fetching {url} failed: {type(exc).__name__}") from exc

    async def get(self, url: str, **kwargs: Any) -> Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
