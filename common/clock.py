"""The only wall clock in the project.

Libraries never read the time themselves: they take ``now`` (seconds since the epoch) from the
caller. Services and the wallet hold a :class:`Clock` and pass its readings down; tests pin it with
:class:`FixedClock`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> int:
        """Seconds since the epoch."""
        ...

    def datetime(self) -> datetime: ...


class SystemClock:
    def now(self) -> int:
        return int(time.time())

    def datetime(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, replays)."""

    def __init__(self, now: int) -> None:
        self._now = now

    def now(self) -> int:
        return self._now

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self._now, UTC)

    def advance(self, seconds: int) -> None:
        self._now += seconds
