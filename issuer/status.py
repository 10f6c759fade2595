"""The issuer's token status list (draft-ietf-oauth-status-list-21): indices, statuses, the signed list.

Every credential gets an index drawn uniformly at random from the list's unused ones (HAIP: unique
and unpredictable), so the position of a credential reveals nothing about when it was issued. The
list is served as a ``statuslist+jwt`` (or, on request, a ``statuslist+cwt``) signed with the
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

__all__ = ["STATUS_BY_NAME", "IssuerStatusList"]

T = TypeVar("T")
LIST_SIZE = 1 << 16
BITS = 2
STATUS_BY_NAME = {"valid": Status.VALID, "revoked": Status.INVALID, "suspended": Status.SUSPENDED}


class IssuerStatusList:
    def __init__(
        self,
        settings: IssuerSettings,
        store: IssuerStore,
        clock: Clock,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.rng = rng

    @property
    def uri(self) -> str:
        return f"{self.settings.public_url}/status-lists/1"

    def allocate(self) -> dict[str, Any]:
        """A fresh random index; the ``status`` claim that refers to it (section 6.1)."""
        for _ in range(64):
            idx = int.from_bytes(self.rng(4), "big") % LIST_SIZE
            if self.store.claim_status_index(idx, now=self.clock.now()):
                return {"status_list": {"idx": idx, "uri": self.uri}}
        raise CredentialRequestDenied("the status list has no free index left")

    def set_status(self, idx: int, name: str) -> None:
        if name not in STATUS_BY_NAME:
            raise InvalidRequest(f"status must be one of {sorted(STATUS_BY_NAME)}")
        if not self.store.set_status(idx, int(STATUS_BY_NAME[name])):
            raise InvalidRequest(f"no credential holds status index {idx}")

    def _current(self) -> StatusList:
        status_list = StatusList.new(LIST_SIZE, BITS)
        for idx, status in self.store.statuses():
            status_list.set(idx, status)
        return status_list

    def token(self) -> str:
        """The current list as a signed ``statuslist+jwt`` (section 5.1)."""
        return self._signed(status_list_jwt)

    def cwt(self) -> bytes:
        """The same list as a signed ``statuslist+cwt`` (section 5.2), for mdoc relying parties."""
        return self._signed(status_list_cwt)

    def _signed(self, sign: Callable[..., T]) -> T:
        """The current list signed with the issuer's key, its ``exp`` twice its ``ttl`` ahead."""
        now = self.clock.now()
        ttl = self.settings.status_list_ttl
        return sign(
            self._current(),
            uri=self.uri,
            key=self.settings.signing_key,
            x5c=self.settings.certificate_chain,
            iat=now,
            exp=now + max(ttl * 2, 60),
            ttl=ttl,
        )
