"""The verifier's status check: lists cached for their ``ttl``, never longer than a day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from common.clock import FixedClock
from common.net import Fetcher, FetchPolicy
from credentials.status_list import StatusList, status_list_jwt
from trust_list.pki import make_dev_pki
from verifier.status import MAX_TTL, StatusChecker

NOW = 1_790_000_000
URI = "http://127.0.0.1/status-lists/1"
PKI = make_dev_pki(now=datetime.fromtimestamp(NOW, UTC))


@pytest.mark.parametrize(("ttl", "kept"), [(60, 60), (10 * 86_400, MAX_TTL)])
def test_a_list_is_kept_for_its_ttl_and_at_most_a_day(ttl: int, kept: int) -> None:
    fetched: list[int] = []
    clock = FixedClock(NOW)

    def serve(request: httpx.Request) -> httpx.Response:
        fetched.append(clock.now())
        token = status_list_jwt(
            StatusList.new(16, 1),
            uri=URI,
            key=PKI.issuer_key,
            x5c=[PKI.issuer_cert],
            iat=clock.now(),
            exp=None,
            ttl=ttl,
        )
        return httpx.Response(200, content=token, headers={"content-type": "application/statuslist+jwt"})

    async def scenario() -> None:
        fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=httpx.MockTransport(serve))
        checker = StatusChecker(fetcher, clock)
        try:
            for advance in (0, kept - 1, 1):
                clock.advance(advance)
                await checker.check((3, URI), [PKI.pid_ca_cert])
        finally:
            await fetcher.aclose()

    asyncio.run(scenario())
    assert fetched == [NOW, NOW + kept]
