"""The issuer's token status lists (draft-ietf-oauth-status-list-21): indices, statuses, the signed lists.

Every credential gets an index drawn uniformly at random from the unused ones of the list being
filled (HAIP: unique and unpredictable), so the position of a credential reveals nothing about when it
was issued. A list is filled to half its size; the next credential opens the next list, so that a
random draw finds a free index at least every other time and issuance never stops for want of one.
The store numbers entries across the lists: entry ``n`` is index ``n % list_size`` of list
``n // list_size + 1``, served at ``/status-lists/<list>``; the back office revokes by entry number.
Each list is served as a ``statuslist+jwt`` (or, on request, a ``statuslist+cwt``) signed with the
issuer's key (``x5c``), with ``exp`` and ``ttl`` telling relying parties how long they may cache it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from common.clock import Clock
from credentials.status_list import Status, StatusList, status_list_jwt
from credentials.status_list_cwt import status_list_cwt
from issuer.settings import IssuerSettings
from issuer.store import IssuerStore
from openid4vc.errors import CredentialRequestDenied, InvalidRequest

__all__ = ["LIST_SIZE", "MAX_ENTRY", "STATUS_BY_NAME", "IssuerStatusList"]

T = TypeVar("T")
LIST_SIZE = 1 << 16
MAX_ENTRY = (1 << 31) - 1
"""The highest entry number the store holds (a 32-bit integer column): 32,768 lists of 65,536."""
BITS = 2
STATUS_BY_NAME = {"valid": Status.VALID, "revoked": Status.INVALID, "suspended": Status.SUSPENDED}


class IssuerStatusList:
    def __init__(
        self,
        settings: IssuerSettings,
        store: IssuerStore,
        clock: Clock,
        rng: Callable[[int], bytes] = os.urandom,
        *,
        list_size: int = LIST_SIZE,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.rng = rng
        self.list_size = list_size

    def uri(self, number: int) -> str:
        """Where list ``number`` (from 1) is served."""
        return f"{self.settings.public_url}/status-lists/{number}"

    def lists(self) -> int:
        """How many lists there are: 1, and every list that holds an entry or follows one that does."""
        last = self.store.last_status_entry()
        return 1 if last is None else last // self.list_size + 1

    def allocate(self, count: int) -> list[int]:
        """``count`` fresh entries (a response's batch), each at a random index of the list being
        filled: the last list, or the one after it once the last is half full. All or, on a failure,
        none. The ``status`` claim (section 6.1) of an entry is :meth:`reference`'s."""
        size = self.list_size
        first = (self.lists() - 1) * size
        if self.store.count_status_entries(first, first + size) >= size // 2:
            first += size
        if first + size - 1 > MAX_ENTRY:
            raise CredentialRequestDenied("every status list this issuer can keep is half full")
        entries: list[int] = []
        try:
            while len(entries) < count:
                entries.append(self._draw(first))
        except BaseException:
            self.store.release_status_indexes(entries)
            raise
        return entries

    def _draw(self, first: int) -> int:
        """A free entry of the list that begins at entry ``first``, drawn at random."""
        for _ in range(64):  # each draw finds a free index with a chance of one half at least
            entry = first + int.from_bytes(self.rng(4), "big") % self.list_size
            if self.store.claim_status_index(entry, now=self.clock.now()):
                return entry
        raise CredentialRequestDenied("no free status list index was found")

    def reference(self, entry: int) -> dict[str, Any]:
        """The ``status_list`` reference (``idx`` and ``uri``) to the store's entry ``entry``."""
        return {"idx": entry % self.list_size, "uri": self.uri(entry // self.list_size + 1)}

    def set_status(self, entry: int, name: str) -> None:
        if name not in STATUS_BY_NAME:
            raise InvalidRequest(f"status must be one of {sorted(STATUS_BY_NAME)}")
        if not self.store.set_status(entry, int(STATUS_BY_NAME[name])):
            raise InvalidRequest(f"no credential holds status index {entry}")

    def _current(self, number: int) -> StatusList:
        first = (number - 1) * self.list_size
        status_list = StatusList.new(self.list_size, BITS)
        for entry, status in self.store.statuses(first, first + self.list_size):
            status_list.set(entry - first, status)
        return status_list

    def token(self, number: int = 1) -> str:
        """List ``number`` as a signed ``statuslist+jwt`` (section 5.1)."""
        return self._signed(number, status_list_jwt)

    def cwt(self, number: int = 1) -> bytes:
        """The same list as a signed ``statuslist+cwt`` (section 5.2), for mdoc relying parties."""
        return self._signed(number, status_list_cwt)

    def _signed(self, number: int, sign: Callable[..., T]) -> T:
        """List ``number`` signed with the issuer's key, its ``exp`` twice its ``ttl`` ahead."""
        now = self.clock.now()
        ttl = self.settings.status_list_ttl
        return sign(
            self._current(number),
            uri=self.uri(number),
            key=self.settings.signing_key,
            x5c=self.settings.certificate_chain,
            iat=now,
            exp=now + max(ttl * 2, 60),
            ttl=ttl,
        )
