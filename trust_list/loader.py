"""The trust-list loader of wallets and verifiers: fetch, verify, keep the last good list, refresh.

Each :class:`TrustListSource` is an ``https`` URL (``http`` to loopback when the fetcher's policy
allows it) or a local file, with the scheme operator certificates pinned for it. A refresh fetches
every source through :class:`common.net.Fetcher` (bounded, SSRF-aware, no redirects; ``If-None-Match``
with the ETag of the list in force, a ``304`` meaning "unchanged"), verifies the bytes with
:func:`trust_list.lote.verify_lote` against the list already in force (so an older sequence number
is a rollback), and replaces the list in force only when all of that succeeds.

On any failure the last good list stays in force until its ``NextUpdate`` passes (DESIGN section 5,
TS 119 602 clause 6.3.x ``NextUpdate``: a relying party may not use a list past it); after that the
source has no list in force until a good one arrives. :meth:`TrustListLoader.lists` is synchronous
and checks freshness against the injected clock at every call, so a list never outlives its
``NextUpdate`` even between refreshes. The failure of each source is kept (a typed
:class:`~trust_list.errors.TrustError`, its ``reason`` and a description that names the list) for
:meth:`TrustListLoader.status`.

The list in force is the floor against rollback while the process lives; with ``floors`` (a
:class:`SequenceFloors`, such as :class:`FileFloors`) the highest sequence number accepted per source
also outlives a restart, so that an older list replayed to a fresh process is refused too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509

from common.clock import Clock
from common.errors import EudiError, InvalidInput
from common.files import write_atomic
from common.jose import parse_json
from common.net import Fetcher, Response
from trust_list.errors import InvalidTrustList, RollbackError, TrustError
from trust_list.lote import MAX_LIST_BYTES, TrustList, verify_lote

__all__ = [
    "ACCEPT",
    "FileFloors",
    "SequenceFloors",
    "SourceStatus",
    "TrustListLoader",
    "TrustListSource",
    "TrustListUnavailable",
    "read_bounded",
]

ACCEPT = "application/jose, application/jwt;q=0.9, */*;q=0.1"
"""What the loader asks for: the compact JWS media type (RFC 7515 section 9.2.1) first."""

log = logging.getLogger("eudi.trust_list")


class SequenceFloors(Protocol):
    """The highest sequence number accepted per trust-list location, kept across restarts."""

    def floor(self, location: str) -> int | None: ...

    def raise_floor(self, location: str, sequence_number: int) -> None: ...


class FileFloors:
    """:class:`SequenceFloors` in one small JSON file (``{location: sequence number}``), replaced
    atomically on every change."""

    MAX_BYTES = 256 * 1024

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, int]:
        if not self.path.exists():
            return {}
        try:
            floors = parse_json(
                read_bounded(self.path, self.MAX_BYTES), max_bytes=self.MAX_BYTES, max_depth=2
            )
        except (InvalidInput, TrustListUnavailable) as exc:
            raise TrustListUnavailable(f"the rollback floors in {self.path} are unreadable: {exc}") from exc
        if not isinstance(floors, dict) or not all(
            type(value) is int and value >= 0 for value in floors.values()
        ):
            raise TrustListUnavailable(f"the rollback floors in {self.path} are malformed")
        return floors

    def floor(self, location: str) -> int | None:
        return self._read().get(location)

    def raise_floor(self, location: str, sequence_number: int) -> None:
        floors = self._read()
        if floors.get(location, -1) < sequence_number:
            floors[location] = sequence_number
            write_atomic(self.path, json.dumps(floors, indent=1, sort_keys=True).encode("utf-8"))


class TrustListUnavailable(TrustError):
    """A trust list that could not be obtained: unreachable, refused URL, HTTP error, missing or
    oversized file. The last good list (if any) stays in force until its next update."""


@dataclass(frozen=True)
class TrustListSource:
    """Where one list comes from and who may sign it.

    ``location`` is an ``https://`` (or loopback ``http://``) URL, or a local file path;
    ``operators`` are the pinned scheme-operator certificates (or CAs issuing them); ``lote_type``,
    when given, is the ``LoTEType`` the list must declare; ``label`` (e.g. ``DE``) names the list in
    reasons and status.
    """

    location: str | Path
    operators: tuple[x509.Certificate, ...]
    label: str = ""
    lote_type: str | None = None

    def __post_init__(self) -> None:
        if not self.operators:
            raise ValueError("a trust-list source needs at least one pinned operator certificate")
        if isinstance(self.location, str) and "://" in self.location and not self.is_url:
            raise ValueError(f"unsupported trust-list location {self.location!r} (https URL or file)")

    @property
    def is_url(self) -> bool:
        return isinstance(self.location, str) and self.location.startswith(("https://", "http://"))

    @property
    def name(self) -> str:
        return self.label or str(self.location)


@dataclass(frozen=True)
class SourceStatus:
    """What :meth:`TrustListLoader.status` reports for one source, as of the call."""

    label: str
    location: str
    in_force: bool
    sequence_number: int | None
    """Of the list in force (``None`` when the source has none now)."""
    next_update: datetime | None
    last_success: datetime | None
    """When a list was last obtained and verified (a ``304`` re-verifies the held bytes)."""
    last_attempt: datetime | None
    error: TrustError | None
    """The failure of the last refresh, ``None`` after a success."""

    @property
    def reason(self) -> str | None:
        """The failure's stable code (``stale_trust_list``, ``rollback_error``, ...)."""
        return None if self.error is None else self.error.reason

    @property
    def error_description(self) -> str | None:
        return None if self.error is None else f"trust list {self.label}: {self.error}"

    def to_json(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "label": self.label,
            "location": self.location,
            "in_force": self.in_force,
            "sequence_number": self.sequence_number,
            "next_update": moment(self.next_update),
            "last_success": moment(self.last_success),
            "last_attempt": moment(self.last_attempt),
            "error": self.reason,
            "error_description": self.error_description,
        }


@dataclass(frozen=True)
class _State:
    """One source's state, replaced whole so that a reader never sees half an update."""

    last_good: TrustList | None = None
    """The newest verified list, kept past its NextUpdate as the floor against rollback."""
    jws: str | None = None
    etag: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    error: TrustError | None = None


def _in_force(trust_list: TrustList | None, now: datetime) -> TrustList | None:
    """``verify_lote`` refuses a list when ``now > NextUpdate``; the same instant ends it here."""
    return trust_list if trust_list is not None and now <= trust_list.next_update else None


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """A local file of at most ``max_bytes`` (one byte more is read to tell), or
    :class:`TrustListUnavailable`."""
    try:
        with path.open("rb") as handle:
            content = handle.read(max_bytes + 1)
    except OSError as exc:
        raise TrustListUnavailable(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(content) > max_bytes:
        raise TrustListUnavailable(f"{path} is larger than {max_bytes} bytes")
    return content


def _text(content: bytes) -> str:
    try:
        return content.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise InvalidTrustList("not a signed trust list: the content is not a compact JWS") from exc


def _as_trust_error(exc: Exception, source: TrustListSource) -> TrustError:
    if isinstance(exc, TrustError):
        return exc
    if isinstance(exc, EudiError):  # FetchError: refused URL, HTTP failure, oversized answer
        return TrustListUnavailable(str(exc))
    log.error("trust list %s: unexpected error while loading", source.name, exc_info=exc)
    return TrustListUnavailable(f"unexpected error ({type(exc).__name__})")


@dataclass
class TrustListLoader:
    """The lists in force from several sources, refreshed now (:meth:`refresh`) or in the background
    (:meth:`start` / :meth:`stop`) every ``refresh_interval`` seconds.

    The fetcher and the clock are injected; the loader never closes the fetcher it was given.
    """

    sources: Sequence[TrustListSource]
    fetcher: Fetcher
    clock: Clock
    refresh_interval: float = 300.0
    max_bytes: int = MAX_LIST_BYTES
    floors: SequenceFloors | None = None
    """Where the rollback floor of each source outlives the process; None keeps it in memory only."""
    _states: list[_State] = field(default_factory=list, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.sources = tuple(self.sources)
        if self.refresh_interval <= 0:
            raise ValueError("refresh_interval must be positive")
        self._states = [_State() for _ in self.sources]

    # -- reading ----------------------------------------------------------------------------------

    def lists(self) -> list[TrustList]:
        """The lists in force now, one per source at most; never one past its ``NextUpdate``."""
        now = self.clock.datetime()
        found = (_in_force(state.last_good, now) for state in self._states)
        return [trust_list for trust_list in found if trust_list is not None]

    def status(self) -> list[SourceStatus]:
        """Per source: the list in force (if any), the last success and the last failure."""
        now = self.clock.datetime()
        result = []
        for source, state in zip(self.sources, self._states, strict=True):
            current = _in_force(state.last_good, now)
            result.append(
                SourceStatus(
                    label=source.name,
                    location=str(source.location),
                    in_force=current is not None,
                    sequence_number=None if current is None else current.sequence_number,
                    next_update=None if current is None else current.next_update,
                    last_success=state.last_success,
                    last_attempt=state.last_attempt,
                    error=state.error,
                )
            )
        return result

    # -- refreshing -------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch and verify every source once (URLs concurrently); failures are recorded, never raised."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await asyncio.gather(
                *(self._refresh_url(index) for index, source in enumerate(self.sources) if source.is_url)
            )
            self.refresh_files()

    def refresh_files(self) -> None:
        """Read and verify the file sources only, synchronously (files are small and read with a
        bound): what a caller without an event loop, such as a command-line wallet, runs before
        :meth:`lists`."""
        for index, source in enumerate(self.sources):
            if source.is_url:
                continue
            try:
                jws = _text(read_bounded(Path(source.location), self.max_bytes))
            except Exception as exc:  # recorded per source, never raised
                self._fail(index, _as_trust_error(exc, source))
                continue
            self._accept(index, jws, None)

    async def _refresh_url(self, index: int) -> None:
        source, state = self.sources[index], self._states[index]
        headers = {"Accept": ACCEPT}
        # Ask "unchanged?" only while the held list is in force: past its NextUpdate a 304 would
        # leave nothing to use, and a full answer gives the exact reason.
        held = state.jws if _in_force(state.last_good, self.clock.datetime()) is not None else None
        if held is not None and state.etag is not None:
            headers["If-None-Match"] = state.etag
        try:
            answer = await self._get(str(source.location), headers)
            if answer.status_code == 304 and held is not None and "If-None-Match" in headers:
                jws, etag = held, state.etag  # unchanged: the held bytes, verified again below
            elif answer.status_code == 200:
                jws, etag = _text(answer.content), answer.headers.get("etag")
            else:
                raise TrustListUnavailable(f"{source.location} answered HTTP {answer.status_code}")
        except Exception as exc:  # recorded per source, never raised
            self._fail(index, _as_trust_error(exc, source))
            return
        self._accept(index, jws, etag)

    async def _get(self, url: str, headers: dict[str, str]) -> Response:
        """``Fetcher.get``: its URL check, no redirects, the size bound; a ``304`` is an answer."""
        return await self.fetcher.get(url, headers=headers, max_bytes=self.max_bytes)

    def _accept(self, index: int, jws: str, etag: str | None) -> None:
        """Verify ``jws`` against the list in force; it becomes the list in force only if it passes."""
        source, state = self.sources[index], self._states[index]
        now = self.clock.datetime()
        location = str(source.location)
        try:
            trust_list = verify_lote(
                jws, pinned=source.operators, now=now, previous=state.last_good, lote_type=source.lote_type
            )
            floor = None if self.floors is None else self.floors.floor(location)
            if floor is not None and trust_list.sequence_number < floor:
                raise RollbackError(
                    f"trust list sequence {trust_list.sequence_number} is older than {floor}, "
                    "accepted before a restart"
                )
        except Exception as exc:  # recorded per source, never raised
            self._fail(index, _as_trust_error(exc, source))
            return
        if self.floors is not None and (floor is None or trust_list.sequence_number > floor):
            try:
                self.floors.raise_floor(location, trust_list.sequence_number)
            except (OSError, EudiError) as exc:  # the list is good; only its floor stays in memory
                log.warning("trust list %s: rollback floor not kept: %s", source.name, exc)
        if state.last_good is None or trust_list.sequence_number != state.last_good.sequence_number:
            log.info(
                "trust list %s: sequence %d in force until %s",
                source.name,
                trust_list.sequence_number,
                trust_list.next_update.isoformat(),
            )
        self._states[index] = _State(
            last_good=trust_list, jws=jws, etag=etag, last_success=now, last_attempt=now, error=None
        )

    def _fail(self, index: int, error: TrustError) -> None:
        source, state = self.sources[index], self._states[index]
        now = self.clock.datetime()
        held = _in_force(state.last_good, now)
        log.warning(
            "trust list %s refused (%s): %s; %s",
            source.name,
            error.reason,
            error,
            "no list in force"
            if held is None
            else f"sequence {held.sequence_number} stays in force until {held.next_update.isoformat()}",
        )
        self._states[index] = replace(state, last_attempt=now, error=error)

    # -- background -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Refresh once now, then every ``refresh_interval`` seconds in a background task."""
        if self._task is not None:
            return
        await self._refresh_logged()
        self._task = asyncio.create_task(self._run(), name="trust-list-refresh")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_interval)
            await self._refresh_logged()

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
        except Exception:  # the background task outlives any one refresh (cancellation still ends it)
            log.exception("trust-list refresh failed")
