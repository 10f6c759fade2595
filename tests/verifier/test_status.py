"""The verifier's status check: lists cached for their ``ttl``, never longer than a day; the form
asked for and accepted by credential format."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from common.clock import FixedClock
from common.net import Fetcher, FetchPolicy
from credentials.status_list import StatusList, status_list_jwt
from credentials.status_list_cwt import status_list_cwt
from trust_list.pki import make_dev_pki
from verifier.errors import StatusUnavailable
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


def test_an_sd_jwt_vc_takes_only_the_jwt_form_an_mdoc_either() -> None:
    accepts: list[str] = []

    def serve_cwt(request: httpx.Request) -> httpx.Response:
        accepts.append(request.headers["accept"])
        token = status_list_cwt(
            StatusList.new(16, 1),
            uri=URI,
            key=PKI.issuer_key,
            x5c=[PKI.issuer_cert],
            iat=NOW,
            exp=None,
            ttl=60,
        )
        return httpx.Response(200, content=token, headers={"content-type": "application/statuslist+cwt"})

    async def scenario() -> None:
        fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=httpx.MockTransport(serve_cwt))
        checker = StatusChecker(fetcher, FixedClock(NOW))
        try:
            await checker.check((3, URI), [PKI.pid_ca_cert], prefer_cwt=True)
            with pytest.raises(StatusUnavailable, match="statuslist\\+cwt"):
                await checker.check((3, URI), [PKI.pid_ca_cert])
        finally:
            await fetcher.aclose()

    asyncio.run(scenario())
    assert accepts == [
        "application/statuslist+cwt, application/statuslist+jwt;q=0.5",
        "application/statuslist+jwt",
    ]
