from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from typing import Any

import httpx
import pytest

from common.net import Fetcher, FetchError, FetchPolicy, Response


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x",  # plain http to a public host
        "file:///etc/passwd",
        "https://127.0.0.1/x",  # loopback not allowed by default
        "https://10.0.0.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://user:pw@example.com/",
        "https://localhost/x",
        "https://100.64.0.1/x",  # shared address space (RFC 6598), carrier-grade NAT
        "https://[fec0::1]/x",  # deprecated site-local
        "https://192.0.2.7/x",  # documentation
        "https://[::ffff:127.0.0.1]/x",  # IPv4-mapped loopback
        "https://0.0.0.0/x",
        "https://[fd00::1]/x",  # unique local
        "https://[64:ff9b::a9fe:a9fe]/x",  # NAT64 of 169.254.169.254
        "https://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
        "https://[64:ff9b:1::a00:1]/x",  # local-use NAT64 prefix (RFC 8215)
        "https://[::10.0.0.1]/x",  # IPv4-compatible
        "https://[2002:a00:1::]/x",  # 6to4 of 10.0.0.1
        "https://240.0.0.1/x",  # reserved
    ],
)
def test_refused_before_connecting(url: str) -> None:
    with pytest.raises(FetchError):
        asyncio.run(Fetcher().check_url(url))


def test_loopback_http_only_when_allowed() -> None:
    asyncio.run(Fetcher(FetchPolicy(allow_loopback=True)).check_url("http://127.0.0.1:8000/x"))
    with pytest.raises(FetchError):
        asyncio.run(Fetcher(FetchPolicy(allow_loopback=True)).check_url("http://10.1.2.3/x"))


async def _fetch(handler: httpx.MockTransport, url: str, **policy: object) -> object:
    fetcher = Fetcher(FetchPolicy(allow_loopback=True, **policy), transport=handler)  # type: ignore[arg-type]
    try:
        return await fetcher.get(url)
    finally:
        await fetcher.aclose()


def test_redirects_are_not_followed() -> None:
    import asyncio

    transport = httpx.MockTransport(lambda r: httpx.Response(302, headers={"location": "http://10.0.0.1/"}))
    with pytest.raises(FetchError, match="redirect"):
        asyncio.run(_fetch(transport, "http://127.0.0.1/x"))


def _hops(routes: dict[str, tuple[int, str]]) -> tuple[httpx.MockTransport, list[str]]:
    """A server answering each path with (status, Location); other paths get 200 "end"."""
    visited: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        visited.append(f"{request.headers['host']}{request.url.path}")
        status, location = routes.get(request.url.path, (200, ""))
        return httpx.Response(status, headers={"location": location} if location else {}, content=b"end")

    return httpx.MockTransport(serve), visited


async def _follow(transport: httpx.MockTransport, url: str, hops: int) -> Response:
    fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=transport)
    try:
        return await fetcher.get(url, max_redirects=hops)
    finally:
        await fetcher.aclose()


def test_redirects_are_followed_when_asked_as_far_as_asked() -> None:
    import asyncio

    routes = {"/a": (302, "/b"), "/b": (308, "http://localhost:8080/c"), "/c": (301, "http://127.0.0.1/d")}
    transport, visited = _hops(routes)
    answer = asyncio.run(_follow(transport, "http://127.0.0.1/a", 3))
    assert answer.status_code == 200 and answer.content == b"end"
    assert visited == ["127.0.0.1/a", "127.0.0.1/b", "localhost:8080/c", "127.0.0.1/d"]
    transport, visited = _hops(routes)
    with pytest.raises(FetchError, match="redirect"):
        asyncio.run(_follow(transport, "http://127.0.0.1/a", 2))
    assert len(visited) == 3


@pytest.mark.parametrize(
    ("routes", "refusal"),
    [
        ({"/a": (302, "/b"), "/b": (307, "/a")}, "loop"),
        ({"/a": (302, "http://10.0.0.1/b")}, "https is required"),  # each hop checked as the first
        ({"/a": (302, "https://169.254.169.254/latest")}, "non-public"),
        ({"/a": (302, "")}, "redirect"),  # no Location
        ({"/a": (300, "/b")}, "redirect"),  # multiple choices: not followed
        ({"/a": (302, "//[x")}, "malformed"),  # a Location that is no URL
        ({"/a": (302, "https://a]b/")}, "malformed"),
    ],
)
def test_a_followed_redirect_is_checked_like_the_first_url(
    routes: dict[str, tuple[int, str]], refusal: str
) -> None:
    import asyncio

    transport, _ = _hops(routes)
    with pytest.raises(FetchError, match=refusal):
        asyncio.run(_follow(transport, "http://127.0.0.1/a", 5))


def test_only_a_get_follows_redirects() -> None:
    import asyncio

    async def post() -> None:
        await Fetcher(FetchPolicy(allow_loopback=True)).post("http://127.0.0.1/a", max_redirects=1)

    with pytest.raises(ValueError, match="GET"):
        asyncio.run(post())


def test_not_modified_is_an_answer_not_a_redirect() -> None:
    import asyncio

    transport = httpx.MockTransport(lambda r: httpx.Response(304, headers={"etag": '"a"'}))
    answer = asyncio.run(_fetch(transport, "http://127.0.0.1/x"))
    assert isinstance(answer, Response) and answer.status_code == 304 and answer.content == b""


def test_oversized_body_is_abandoned() -> None:
    import asyncio

    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(FetchError, match="more than"):
        asyncio.run(_fetch(transport, "http://127.0.0.1/x", max_bytes=1000))


def test_a_slow_drip_is_cut_at_the_deadline() -> None:
    """A server that keeps each read within the per-read timeout but never finishes."""
    import asyncio
    import time

    class Drip(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            while True:
                await asyncio.sleep(0.05)
                yield b"x"

    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=Drip()))
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than"):
        asyncio.run(_fetch(transport, "http://127.0.0.1/x", timeout=0.5))
    assert time.monotonic() - started < 3


def _resolving(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> list[str]:
    """socket.getaddrinfo replaced: each lookup gives the next of ``answers`` (IPv4 or IPv6 addresses);
    the names looked up are returned, as they are asked for."""
    import socket

    looked_up: list[str] = []
    pending = iter(answers)

    def lookup(host: str, *_: object, **__: object) -> list[tuple[object, ...]]:
        looked_up.append(host)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, 0, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
            for a in next(pending)
        ]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return looked_up


def test_the_connection_goes_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name is looked up once, when it is checked; the request goes to that
    address, with the name in Host and in TLS (SNI and the certificate check)."""
    import asyncio

    looked_up = _resolving(monkeypatch, ["93.184.216.34"], ["127.0.0.1"])  # a second lookup: loopback
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok")

    answer = asyncio.run(_fetch(httpx.MockTransport(handler), "https://rebind.example:8443/status?x=1"))
    assert isinstance(answer, Response) and answer.content == b"ok"
    assert looked_up == ["rebind.example"]
    [request] = seen
    assert str(request.url) == "https://93.184.216.34:8443/status?x=1"
    assert request.headers["host"] == "rebind.example:8443"
    assert request.extensions["sni_hostname"] == "rebind.example"


def test_a_name_with_any_non_public_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving(monkeypatch, ["93.184.216.34", "10.0.0.8"])
    with pytest.raises(FetchError, match="non-public"):
        asyncio.run(Fetcher().check_url("https://mixed.example/"))


def test_each_checked_address_is_tried_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with an IPv6 and an IPv4 address, and a server on the second only (``localhost`` on
    many hosts): the fetch falls back as a plain connection would, to checked addresses only."""
    import asyncio

    _resolving(monkeypatch, ["2606:4700::1111", "93.184.216.34"])
    tried: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        tried.append(request.url.host)
        if request.url.host == "2606:4700::1111":
            raise httpx.ConnectError("unreachable", request=request)
        return httpx.Response(200, content=b"ok")

    answer = asyncio.run(_fetch(httpx.MockTransport(handler), "https://two.example/x"))
    assert isinstance(answer, Response) and answer.content == b"ok"
    assert tried == ["2606:4700::1111", "93.184.216.34"]


def test_a_name_is_looked_up_as_it_goes_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """IDNA 2008, as in Host and TLS: faß.de is xn--fa-hia.de, not fass.de (IDNA 2003)."""
    looked_up = _resolving(monkeypatch, ["93.184.216.34"])
    assert asyncio.run(Fetcher().check_url("https://faß.de/x")) == ["93.184.216.34"]
    assert looked_up == ["xn--fa-hia.de"]


def test_the_deadline_bounds_a_slow_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup runs off the event loop: the fetch gives up at its deadline, and the loop is free
    meanwhile (a redirect chain would otherwise stack one blocking lookup per hop)."""
    import socket
    import time

    def slow(*_: object, **__: object) -> list[tuple[object, ...]]:
        time.sleep(1.5)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    ticks: list[float] = []

    async def scenario() -> float:
        async def tick() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.05)

        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        fetcher = Fetcher(FetchPolicy(timeout=0.3))
        try:
            with pytest.raises(FetchError, match="longer than"):
                await fetcher.get("https://slow.example/x")
            return time.monotonic() - started
        finally:
            ticker.cancel()
            await fetcher.aclose()

    assert asyncio.run(scenario()) < 1.0
    assert len(ticks) >= 4  # the loop ran while the name was being looked up


def _streamed(body: bytes, coding: str | None, *, step: int = 4096) -> httpx.MockTransport:
    """A server sending ``body`` in chunks, as a network answer arrives, with ``Content-Encoding``."""

    async def chunks() -> Any:
        for start in range(0, len(body), step):
            yield body[start : start + step]

    def serve(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "gzip"
        headers = {"content-encoding": coding} if coding else {}
        return httpx.Response(200, headers=headers, content=chunks())

    return httpx.MockTransport(serve)


def _gzip_of_zeros(mebibytes: int) -> bytes:
    deflate = zlib.compressobj(wbits=31)
    return b"".join([deflate.compress(bytes(1 << 20)) for _ in range(mebibytes)] + [deflate.flush()])


def test_a_gzip_body_is_inflated() -> None:
    text = b"status list " * 1000
    answer = asyncio.run(_fetch(_streamed(gzip.compress(text), "gzip"), "http://127.0.0.1/x"))
    assert isinstance(answer, Response) and answer.content == text


def test_a_gzip_bomb_is_cut_at_the_limit_without_inflating_it() -> None:
    bomb = _gzip_of_zeros(256)  # 256 MiB of zeros in about 256 KB
    assert len(bomb) < 300_000
    started = time.monotonic()
    with pytest.raises(FetchError, match="more than 1000000 bytes"):
        asyncio.run(_fetch(_streamed(bomb, "gzip"), "http://127.0.0.1/x", max_bytes=1_000_000))
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("body", "coding", "refusal"),
    [
        (gzip.compress(gzip.compress(b"x")), "gzip, gzip", "not taken"),  # stacked codings
        (b"x", "br", "not taken"),
        (b"x", "deflate", "not taken"),
        (b"not gzip at all", "gzip", "corrupt"),
        (gzip.compress(b"x" * 1000)[:-12], "gzip", "truncated"),
        # helper 43: a second member (which other clients join) or junk after the first was dropped
        (gzip.compress(b"{}") + gzip.compress(b"[]"), "gzip", "after its gzip body"),
        (gzip.compress(b"{}") + b"junk", "gzip", "after its gzip body"),
    ],
)
def test_other_and_broken_codings_are_refused(body: bytes, coding: str, refusal: str) -> None:
    with pytest.raises(FetchError, match=refusal):
        asyncio.run(_fetch(_streamed(body, coding), "http://127.0.0.1/x"))


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..example"])
def test_a_name_idna_refuses_is_a_fetch_error(host: str) -> None:
    """Found by fuzzing: a label over 63 characters, or an empty one, made the name lookup raise
    UnicodeError, which the verifier's status check took for a defect (a 500)."""
    with pytest.raises(FetchError, match="cannot resolve"):
        asyncio.run(Fetcher().check_url(f"https://{host}/status/1"))
