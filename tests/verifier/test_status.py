"""The verifier's status check: lists cached for their ``ttl``, never longer than a day; the form
asked for and accepted by credential format."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.clock import FixedClock
from common.net import Fetcher, FetchPolicy
from credentials.status_list import StatusList, status_list_jwt
from credentials.status_list_cwt import status_list_cwt
from trust_list.pki import _leaf, make_dev_pki
from verifier.errors import StatusUnavailable
from verifier.status import MAX_TTL, RETRY_AFTER, StatusChecker

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


def _jwt_list(key: ec.EllipticCurvePrivateKey, chain: list[x509.Certificate], uri: str = URI) -> bytes:
    return status_list_jwt(StatusList.new(16, 1), uri=uri, key=key, x5c=chain, iat=NOW, exp=None, ttl=600)


def _check(serve: Callable[[httpx.Request], httpx.Response], *checks: Sequence[x509.Certificate]) -> None:
    """Run a status check of index 3 at URI for each anchor set in turn, with one checker."""

    async def scenario() -> None:
        fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=httpx.MockTransport(serve))
        checker = StatusChecker(fetcher, FixedClock(NOW))
        try:
            for anchors in checks:
                await checker.check((3, URI), anchors)
        finally:
            await fetcher.aclose()

    asyncio.run(scenario())


def test_a_list_is_followed_through_redirects_and_taken_from_any_2xx() -> None:
    # draft -21 section 8.2: 2xx with the token; 3xx which clients SHOULD follow
    visited: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        visited.append(request.url.path)
        if request.url.path == "/status-lists/1":
            return httpx.Response(302, headers={"location": "/cdn/list-1"})
        content = _jwt_list(PKI.issuer_key, [PKI.issuer_cert])
        return httpx.Response(203, content=content, headers={"content-type": "application/statuslist+jwt"})

    _check(serve, [PKI.pid_ca_cert])
    assert visited == ["/status-lists/1", "/cdn/list-1"]


def test_a_redirect_loop_leaves_the_status_unknown() -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            307, headers={"location": "/a" if request.url.path != "/a" else "/status-lists/1"}
        )

    with pytest.raises(StatusUnavailable, match="loop"):
        _check(serve, [PKI.pid_ca_cert])


def test_a_list_verified_for_one_issuer_is_not_taken_for_another() -> None:
    # the cache is per set of anchors: a list signed under the PID CA does not vouch for the status of
    # a credential whose issuer only the EAA CA vouched for, even while it is cached
    fetched: list[int] = []

    def serve(request: httpx.Request) -> httpx.Response:
        fetched.append(1)
        content = _jwt_list(PKI.issuer_key, [PKI.issuer_cert])
        return httpx.Response(200, content=content, headers={"content-type": "application/statuslist+jwt"})

    _check(serve, [PKI.pid_ca_cert], [PKI.pid_ca_cert])
    assert len(fetched) == 1
    with pytest.raises(StatusUnavailable, match="trusted CA"):
        _check(serve, [PKI.pid_ca_cert], [PKI.eaa_ca_cert])


@pytest.mark.parametrize("curve", [ec.SECP384R1(), ec.SECP521R1()])
def test_a_list_may_be_signed_with_es384_or_es512(curve: ec.EllipticCurve) -> None:
    key = ec.generate_private_key(curve)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Status issuer")])
    signer = _leaf(name, key, PKI.pid_ca_cert.subject, PKI.pid_ca_key, datetime.fromtimestamp(NOW, UTC))

    def serve(request: httpx.Request) -> httpx.Response:
        content = _jwt_list(key, [signer])
        return httpx.Response(200, content=content, headers={"content-type": "application/statuslist+jwt"})

    _check(serve, [PKI.pid_ca_cert])


def test_stale_lists_leave_the_cache() -> None:
    clock = FixedClock(NOW)

    def serve(request: httpx.Request) -> httpx.Response:
        content = status_list_jwt(
            StatusList.new(16, 1),
            uri=str(request.url),
            key=PKI.issuer_key,
            x5c=[PKI.issuer_cert],
            iat=clock.now(),
            exp=None,
            ttl=60,
        )
        return httpx.Response(200, content=content, headers={"content-type": "application/statuslist+jwt"})

    async def scenario() -> StatusChecker:
        fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=httpx.MockTransport(serve))
        checker = StatusChecker(fetcher, clock)
        try:
            for n in range(3):
                await checker.check((3, f"{URI}{n}"), [PKI.pid_ca_cert])
            clock.advance(61)
            await checker.check((3, f"{URI}9"), [PKI.pid_ca_cert])
        finally:
            await fetcher.aclose()
        return checker

    assert [key[0] for key in asyncio.run(scenario())._cache] == [f"{URI}9"]


def test_a_list_that_failed_is_not_asked_for_again_for_ten_seconds() -> None:
    """Found by fuzzing: twenty presentations naming one list that does not answer waited for it twenty
    times in one response."""
    asked: list[int] = []
    clock = FixedClock(NOW)

    def serve(request: httpx.Request) -> httpx.Response:
        asked.append(clock.now())
        return httpx.Response(503)

    async def scenario() -> None:
        fetcher = Fetcher(FetchPolicy(allow_loopback=True), transport=httpx.MockTransport(serve))
        checker = StatusChecker(fetcher, clock)
        try:
            for advance in (0, 0, RETRY_AFTER - 1, 1):
                clock.advance(advance)
                with pytest.raises(StatusUnavailable):
                    await checker.check((3, URI), [PKI.pid_ca_cert])
        finally:
            await fetcher.aclose()

    asyncio.run(scenario())
    assert asked == [NOW, NOW + RETRY_AFTER]
