"""Revocation over real HTTP: the issuer flips its token status list, the verifier sees it within the ttl.

A revoked and a suspended credential are refused once the verifier's cached copy of the list has
expired (ttl 1 s here); an index beyond the list is refused; the verifier fails closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.clock import SystemClock
from common.config import load_chain, load_private_key
from common.jose import public_jwk
from credentials.catalog.pid import PID_VCT
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc
from eudi.demo import make_offer, make_presentation_request
from eudi.federation import Federation, run_federation
from wallet.agent import WalletAgent
from wallet.errors import VerifierError

pytestmark = pytest.mark.e2e
TTL = 1


@pytest.fixture
def federation(tmp_path: Path, database_url: str) -> Iterator[Federation]:
    url = None if database_url.startswith("sqlite") else database_url
    with run_federation(tmp_path / "work", database_url=url, status_list_ttl=TTL) as running:
        yield running


async def receive(agent: WalletAgent, federation: Federation, citizen: str) -> None:
    offer = make_offer(federation, citizen)
    await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])


async def present(agent: WalletAgent, federation: Federation) -> dict[str, Any]:
    request = make_presentation_request(federation)
    proposal = await agent.fetch_request(request["authorization_request"])
    with contextlib.suppress(VerifierError):  # a refusal is read from the verifier's result below
        await agent.respond(proposal, accept=True)
    return dict(httpx.get(request["result_url"], timeout=10).json())


def set_status(federation: Federation, citizen: str, status: str) -> int:
    [issued] = httpx.get(f"{federation.issuer_url}/issued/{citizen}").json()["issued"]
    answer = httpx.post(
        f"{federation.issuer_url}/status", json={"index": issued["status_index"], "status": status}
    )
    assert answer.status_code == 204
    return int(issued["status_index"])


def test_revoked_and_suspended_credentials_are_refused_within_the_ttl(
    federation: Federation, tmp_path: Path
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        alice, bob = federation.wallet(tmp_path / "alice"), federation.wallet(tmp_path / "bob")
        await receive(alice, federation, "nl-0001")
        await receive(bob, federation, "nl-0002")
        results = [await present(alice, federation)]
        set_status(federation, "nl-0001", "revoked")
        set_status(federation, "nl-0002", "suspended")
        time.sleep(TTL + 0.2)  # the verifier's cached list expires
        results += [await present(alice, federation), await present(bob, federation)]
        set_status(federation, "nl-0002", "valid")
        time.sleep(TTL + 0.2)
        results.append(await present(bob, federation))
        for agent in (alice, bob):
            await agent.fetcher.aclose()
        return results

    before, revoked, suspended, reinstated = asyncio.run(scenario())
    assert before["status"] == "verified"
    assert revoked["status"] == "failed" and revoked["reason"] == "credential_revoked"
    assert suspended["status"] == "failed" and suspended["reason"] == "credential_suspended"
    assert reinstated["status"] == "verified"


def test_status_list_is_served_as_a_signed_jwt(federation: Federation) -> None:
    answer = httpx.get(f"{federation.issuer_url}/status-lists/1")
    assert answer.headers["content-type"].startswith("application/statuslist+jwt")
    assert answer.text.count(".") == 2


def test_out_of_range_index_is_refused(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        agent = federation.wallet(tmp_path / "w")
        await receive(agent, federation, "nl-0001")
        [genuine] = agent.store.credentials()
        holder = agent.store.holder_key(genuine.key_id)
        now = SystemClock().now()
        forged = issue_sd_jwt_vc(  # signed by the genuine issuer key, pointing past the end of its list
            dict(genuine.claims),
            vct=PID_VCT,
            issuer=genuine.issuer,
            signing_key=load_private_key(federation.pki_dir() / "issuer.key"),
            x5c=load_chain(federation.pki_dir() / "issuer.pem"),
            holder_jwk=public_jwk(holder),
            iat=now,
            exp=now + 3600,
            status={"status_list": {"idx": 1 << 24, "uri": f"{federation.issuer_url}/status-lists/1"}},
        )
        request = make_presentation_request(federation)
        proposal = await agent.fetch_request(request["authorization_request"])
        presentation = present_sd_jwt_vc(
            forged,
            proposal.disclosed_paths()["pid"],
            holder_key=holder,
            audience=proposal.request.client_id,
            nonce=proposal.request.nonce,
            iat=now,
        )
        httpx.post(
            proposal.request.response_uri,
            data={"vp_token": f'{{"pid": ["{presentation}"]}}', "state": proposal.request.state or ""},
        )
        await agent.fetcher.aclose()
        return dict(httpx.get(request["result_url"]).json())

    result = asyncio.run(scenario())
    assert result["status"] == "failed" and result["reason"] == "status_unavailable"
    assert "16777216" in result["error_description"]  # the index the verifier found outside the list
