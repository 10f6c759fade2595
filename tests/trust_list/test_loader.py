"""The trust-list loader against the publisher under uvicorn on 127.0.0.1, and against files."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from common.clock import FixedClock
from common.net import Fetcher, FetchPolicy
from eudi.federation import serve_app
from trust_list.cli import skeleton_entities
from trust_list.errors import InvalidTrustList, RollbackError, StaleTrustList, UntrustedSigner
from trust_list.loader import FileFloors, TrustListLoader, TrustListSource, TrustListUnavailable
from trust_list.lote import (
    LOTE_TYPE_PID_PROVIDERS,
    PID_ISSUANCE,
    STATUS_WITHDRAWN,
    WRPAC_ISSUANCE,
    TrustedEntity,
    TrustedService,
)
from trust_list.pki import DevPki
from trust_list.service import create_app
from trust_list.x509 import subject_organization

from .conftest import NOW, issue, signed_list

T = TypeVar("T")
DAY = 24 * 3600


class Recording(httpx.AsyncBaseTransport):
    """The real transport, remembering each request's ``If-None-Match`` and each answer's status."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[tuple[str | None, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.exchanges.append((request.headers.get("if-none-match"), response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class Publisher:
    """A folder of lists served by the trust-list service; each test publishes under its own name."""

    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url

    def publish(self, name: str, jws: str) -> str:
        (self.folder / name).write_text(jws + "\n", encoding="ascii")
        return f"{self.base_url}/lists/{name}"


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    folder = tmp_path_factory.mktemp("published")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = serve_app(create_app(folder, FixedClock(int(NOW.timestamp()))), sock)
    try:
        yield Publisher(folder, f"http://127.0.0.1:{server.port}")
    finally:
        server.stop()
        sock.close()


@pytest.fixture()
def name() -> str:
    return f"{uuid.uuid4().hex}.jws"


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock(int(NOW.timestamp()))


def source(location: str | Path, pki: DevPki, **options: Any) -> TrustListSource:
    return TrustListSource(location, (pki.operator_cert,), label=options.pop("label", "NL"), **options)


def run_with(scenario: Callable[[Fetcher, Recording], Awaitable[T]], policy: FetchPolicy | None = None) -> T:
    async def main() -> T:
        transport = Recording()
        fetcher = Fetcher(policy or FetchPolicy(allow_loopback=True), transport=transport)
        try:
            return await scenario(fetcher, transport)
        finally:
            await fetcher.aclose()

    return asyncio.run(main())


def test_a_good_list_loads(publisher: Publisher, name: str, pki: DevPki, clock: FixedClock) -> None:
    url = publisher.publish(name, signed_list(pki, sequence=3))

    async def scenario(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock, refresh_interval=60)
        assert loader.lists() == []
        await loader.refresh()
        return loader

    loader = run_with(scenario)
    [trust_list] = loader.lists()
    assert trust_list.sequence_number == 3 and trust_list.territory == "NL"
    assert trust_list.anchors(PID_ISSUANCE) == [pki.pid_ca_cert]
    [status] = loader.status()
    assert (status.label, status.location, status.in_force, status.sequence_number) == ("NL", url, True, 3)
    assert status.next_update == NOW + timedelta(days=30)
    assert status.last_success == status.last_attempt == NOW
    assert status.error is None and status.reason is None
    assert status.to_json()["error"] is None


def pid_list(pki: DevPki, **options: Any) -> str:
    """A list of the PID-providers type (TS 119 602 annex D) with the PID provider only."""
    pid = TrustedService("PID issuance", PID_ISSUANCE, (pki.pid_ca_cert,))
    return signed_list(
        pki, entities=[TrustedEntity("PID provider", (pid,))], lote_type=LOTE_TYPE_PID_PROVIDERS, **options
    )


def tampered(jws: str) -> str:
    header, payload, signature = jws.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def unpinned(pki: DevPki) -> str:
    """Signed by a certificate with the operator's name that nobody pinned."""
    impostor = issue("Impostor", organization=subject_organization(pki.operator_cert))
    return pid_list(pki, sequence=5, key=impostor.key, chain=[impostor.cert])


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda pki: tampered(pid_list(pki, sequence=5)), InvalidTrustList, "signature does not verify"),
        (unpinned, UntrustedSigner, "pinned scheme operator"),
        (
            lambda pki: pid_list(pki, sequence=5, issued_days=-31),
            StaleTrustList,
            "next update (2026-09-20T12:00:00Z) has passed",
        ),
        (lambda pki: pid_list(pki, sequence=1), RollbackError, "sequence 1 is older than 2"),
        (lambda pki: "<html>moved</html>", InvalidTrustList, "not a signed trust list"),
        (
            lambda pki: signed_list(
                pki,
                sequence=5,
                entities=[],
                lote_type="http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList",
            ),
            InvalidTrustList,
            "is not http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList",
        ),
    ],
    ids=["bad-signature", "unpinned-signer", "past-next-update", "lower-sequence", "not-a-jws", "wrong-type"],
)
def test_a_refused_list_leaves_the_last_good_one_in_force(
    publisher: Publisher,
    name: str,
    pki: DevPki,
    clock: FixedClock,
    make: Callable[[DevPki], str],
    error: type[Exception],
    words: str,
) -> None:
    url = publisher.publish(name, pid_list(pki, sequence=2))

    async def scenario(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader(
            [source(url, pki, label="NL PID", lote_type=LOTE_TYPE_PID_PROVIDERS)], fetcher, clock
        )
        await loader.refresh()
        clock.advance(60)
        publisher.publish(name, make(pki))
        await loader.refresh()
        return loader

    loader = run_with(scenario)
    [trust_list] = loader.lists()
    assert trust_list.sequence_number == 2
    [status] = loader.status()
    assert status.in_force and status.sequence_number == 2
    assert isinstance(status.error, error)
    assert status.last_success == NOW and status.last_attempt == NOW + timedelta(seconds=60)
    assert status.error_description is not None and status.error_description.startswith("trust list NL PID: ")
    assert words in status.error_description
    assert status.to_json()["error"] == status.reason == status.error.reason


def test_a_withdrawn_service_is_no_anchor(
    publisher: Publisher, name: str, pki: DevPki, clock: FixedClock
) -> None:
    entities = [
        TrustedEntity(
            "PID provider",
            (TrustedService("PID", PID_ISSUANCE, (pki.pid_ca_cert,), status=STATUS_WITHDRAWN),),
        ),
        TrustedEntity("RP CA", (TrustedService("Access", WRPAC_ISSUANCE, (pki.rp_ca_cert,)),)),
    ]
    url = publisher.publish(name, signed_list(pki, entities=entities))

    async def scenario(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock)
        await loader.refresh()
        return loader

    [trust_list] = run_with(scenario).lists()
    assert trust_list.anchors(PID_ISSUANCE) == []
    assert trust_list.anchors(WRPAC_ISSUANCE) == [pki.rp_ca_cert]


def test_the_last_good_list_ends_at_its_next_update(
    publisher: Publisher, name: str, pki: DevPki, clock: FixedClock
) -> None:
    url = publisher.publish(name, signed_list(pki, sequence=4, validity=timedelta(hours=1)))

    async def scenario(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock)
        await loader.refresh()
        clock.advance(3600)  # NextUpdate itself: still in force
        assert [t.sequence_number for t in loader.lists()] == [4]
        clock.advance(1)  # no refresh needed: lists() reads the clock
        assert loader.lists() == []
        assert loader.status()[0].in_force is False and loader.status()[0].sequence_number is None
        await loader.refresh()  # the publisher has nothing newer
        assert loader.lists() == []
        # Past NextUpdate the loader asks unconditionally, so the refusal says why.
        assert transport.exchanges[-1] == (None, 200)
        assert isinstance(loader.status()[0].error, StaleTrustList)

        # A new list of a lower sequence number is still a rollback after the old one expired.
        publisher.publish(name, signed_list(pki, sequence=3, issued_days=1))
        await loader.refresh()
        assert loader.lists() == [] and isinstance(loader.status()[0].error, RollbackError)

        publisher.publish(name, signed_list(pki, sequence=5, issued_days=1))
        await loader.refresh()
        return loader

    loader = run_with(scenario)
    assert [t.sequence_number for t in loader.lists()] == [5]
    assert loader.status()[0].error is None


def test_a_republished_list_replaces_the_old_one_and_304_keeps_it(
    publisher: Publisher, name: str, pki: DevPki, clock: FixedClock
) -> None:
    url = publisher.publish(name, signed_list(pki, sequence=1))

    async def scenario(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock)
        await loader.refresh()
        clock.advance(300)
        await loader.refresh()
        [(_, first), (condition, second)] = transport.exchanges
        assert (first, second) == (200, 304) and condition is not None and condition.startswith('"')
        assert loader.status()[0].last_success == NOW + timedelta(seconds=300)

        # The DE-style change: an entity leaves the list, re-signed with a higher sequence number.
        without_pid = [e for e in skeleton_entities(pki) if e.services[0].service_type != PID_ISSUANCE]
        publisher.publish(name, signed_list(pki, sequence=2, entities=without_pid))
        await loader.refresh()
        # Changed: the conditional request is answered 200 with the new list, in one exchange.
        assert transport.exchanges[-1] == (condition, 200) and len(transport.exchanges) == 3
        return loader

    loader = run_with(scenario)
    [trust_list] = loader.lists()
    assert trust_list.sequence_number == 2 and trust_list.anchors(PID_ISSUANCE) == []


def test_background_refresh_picks_up_a_change(
    publisher: Publisher, name: str, pki: DevPki, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    url = publisher.publish(name, signed_list(pki, sequence=1))

    class Flaky(TrustListLoader):
        calls = 0

        async def refresh(self) -> None:
            Flaky.calls += 1
            if Flaky.calls == 2:
                raise RuntimeError("boom")
            await super().refresh()

    async def scenario(fetcher: Fetcher, transport: Recording) -> list[int]:
        loader = Flaky([source(url, pki)], fetcher, clock, refresh_interval=0.02)
        await loader.start()  # the first refresh happens before start returns
        assert [t.sequence_number for t in loader.lists()] == [1]
        publisher.publish(name, signed_list(pki, sequence=2))
        seen = []
        for _ in range(200):
            await asyncio.sleep(0.01)
            seen = [t.sequence_number for t in loader.lists()]
            if seen == [2]:
                break
        assert loader.running and Flaky.calls >= 3
        await loader.stop()
        assert not loader.running
        await loader.stop()  # stopping twice is harmless
        return seen

    with caplog.at_level(logging.ERROR, logger="eudi.trust_list"):
        assert run_with(scenario) == [2]
    assert "trust-list refresh failed" in caplog.text


def test_oversize_and_refused_urls(publisher: Publisher, name: str, pki: DevPki, clock: FixedClock) -> None:
    url = publisher.publish(name, signed_list(pki))

    async def oversize(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock, max_bytes=500)
        await loader.refresh()
        return loader

    loader = run_with(oversize)
    assert loader.lists() == []
    error = loader.status()[0].error
    assert isinstance(error, TrustListUnavailable) and "more than 500 bytes" in str(error)

    async def plain(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(url, pki)], fetcher, clock)
        await loader.refresh()
        return loader

    loader = run_with(plain, FetchPolicy())  # loopback http not allowed
    assert loader.lists() == []
    assert loader.status()[0].reason == "trust_list_unavailable"
    assert "https is required" in (loader.status()[0].error_description or "")

    missing = url.replace(name, "missing.jws")

    async def not_found(fetcher: Fetcher, transport: Recording) -> TrustListLoader:
        loader = TrustListLoader([source(missing, pki)], fetcher, clock)
        await loader.refresh()
        return loader

    assert "answered HTTP 404" in str(run_with(not_found).status()[0].error)


def test_file_sources_load_synchronously(tmp_path: Path, pki: DevPki, clock: FixedClock) -> None:
    path = tmp_path / "nl.jws"
    path.write_text(signed_list(pki, sequence=1) + "\n", encoding="ascii")
    other = tmp_path / "be.jws"
    loader = TrustListLoader(
        [source(path, pki), source(str(other), pki, label="BE")], Fetcher(), clock, max_bytes=20_000
    )
    loader.refresh_files()
    assert [t.sequence_number for t in loader.lists()] == [1]
    nl, be = loader.status()
    assert nl.in_force and nl.label == "NL"
    assert not be.in_force and isinstance(be.error, TrustListUnavailable) and "cannot read" in str(be.error)

    other.write_text(signed_list(pki, sequence=9), encoding="ascii")
    path.write_text(signed_list(pki, sequence=2), encoding="ascii")
    asyncio.run(loader.refresh())  # files are refreshed by the async refresh too
    assert sorted(t.sequence_number for t in loader.lists()) == [2, 9]

    path.write_bytes(b"x" * 20_001)
    loader.refresh_files()
    assert [t.sequence_number for t in loader.lists()] == [2, 9]
    assert "larger than 20000 bytes" in str(loader.status()[0].error)


def test_sources_are_checked_when_made(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="pinned operator"):
        TrustListSource("https://example.org/nl.jws", ())
    with pytest.raises(ValueError, match="unsupported"):
        TrustListSource("ftp://example.org/nl.jws", (pki.operator_cert,))
    assert TrustListSource("https://example.org/nl.jws", (pki.operator_cert,)).name == (
        "https://example.org/nl.jws"
    )
    with pytest.raises(ValueError, match="refresh_interval"):
        TrustListLoader([], Fetcher(), FixedClock(0), refresh_interval=0)


def test_the_rollback_floor_outlives_a_restart(tmp_path: Path, pki: DevPki, clock: FixedClock) -> None:
    """A list older than one accepted before the process restarted is a rollback too: the floor is
    kept in ``floors``; without them a fresh process would take the replayed list."""
    path, floors = tmp_path / "nl.jws", FileFloors(tmp_path / "state" / "floors.json")
    path.write_text(signed_list(pki, sequence=5), encoding="ascii")
    first = TrustListLoader([source(path, pki)], Fetcher(), clock, floors=floors)
    first.refresh_files()
    assert [t.sequence_number for t in first.lists()] == [5]
    assert floors.floor(str(path)) == 5

    path.write_text(signed_list(pki, sequence=4), encoding="ascii")  # replayed to a fresh process
    restarted = TrustListLoader([source(path, pki)], Fetcher(), clock, floors=floors)
    restarted.refresh_files()
    assert restarted.lists() == [] and isinstance(restarted.status()[0].error, RollbackError)
    forgetful = TrustListLoader([source(path, pki)], Fetcher(), clock)
    forgetful.refresh_files()
    assert [t.sequence_number for t in forgetful.lists()] == [4]

    path.write_text(signed_list(pki, sequence=6), encoding="ascii")
    restarted.refresh_files()
    assert [t.sequence_number for t in restarted.lists()] == [6] and floors.floor(str(path)) == 6
    (tmp_path / "state" / "floors.json").write_text('{"x": "five"}', encoding="utf-8")
    restarted.refresh_files()  # unreadable floors: nothing new is believed, the list in force stays
    assert isinstance(restarted.status()[0].error, TrustListUnavailable)
    assert [t.sequence_number for t in restarted.lists()] == [6]
