"""Trust infrastructure over real HTTP: two member states' lists behind a publisher, PID providers in
both, a verifier and wallets that trust both lists and refresh them.

A verifier trusting the NL and DE lists accepts PIDs from both; once the DE PID provider is removed
from the DE list (re-signed with a higher sequence number, republished), DE PIDs are refused within
the refresh interval with a reason naming the lists. A wallet refuses a request that asks more than
the relying party registered (or warns, by policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from eudi.demo import make_offer
from eudi.federation import Federation, run_federation
from trust_list.dev_lists import dev_entities, dev_list
from trust_list.errors import NotRegistered
from trust_list.lote import PID_ISSUANCE
from trust_list.pki import load_dev_pki
from wallet.agent import WARN, WalletAgent
from wallet.errors import VerifierError

pytestmark = pytest.mark.e2e
REFRESH = 1.0


@pytest.fixture
def federation(tmp_path: Path, database_url: str) -> Iterator[Federation]:
    url = None if database_url.startswith("sqlite") else database_url
    with run_federation(
        tmp_path / "work", database_url=url, countries=("NL", "DE"), trust_list_refresh=REFRESH
    ) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def receive_pid(agent: WalletAgent, federation: Federation, country: str) -> None:
    citizen = f"{country.lower()}-0001"
    offer = make_offer(federation, citizen, issuer_url=federation.pid_issuers[country])
    await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])


async def present(agent: WalletAgent, federation: Federation, query: dict[str, Any] | None = None) -> Any:
    body: dict[str, Any] = {"preset": "pid_basic"} if query is None else {"dcql_query": query}
    request = httpx.post(f"{federation.verifier_url}/transactions", json=body, timeout=10).json()
    proposal = await agent.fetch_request(request["authorization_request"])
    with contextlib.suppress(VerifierError):  # a refusal is read from the verifier's result below
        await agent.respond(proposal, accept=True)
    return proposal, httpx.get(request["result_url"], timeout=10).json()


def test_pids_of_two_member_states_then_one_provider_removed(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> list[dict[str, Any]]:
        dutch, german = federation.wallet(tmp_path / "nl"), federation.wallet(tmp_path / "de")
        await receive_pid(dutch, federation, "NL")
        await receive_pid(german, federation, "DE")
        results = [(await present(dutch, federation))[1], (await present(german, federation))[1]]

        pki = load_dev_pki(federation.pki_dir("DE"))
        without_pid = [e for e in dev_entities(pki, "all") if e.services[0].service_type != PID_ISSUANCE]
        republished = dev_list(pki, "all", now=datetime.now(UTC), sequence_number=2, entities=without_pid)
        federation.list_path("DE").write_text(republished + "\n", encoding="utf-8")
        time.sleep(REFRESH + 1.0)  # the verifier's background refresh picks it up

        results += [(await present(german, federation))[1], (await present(dutch, federation))[1]]
        for agent in (dutch, german):
            await agent.fetcher.aclose()
        return results

    nl, de, de_after, nl_after = run(scenario())
    assert nl["status"] == "verified" and de["status"] == "verified"
    assert nl["credentials"]["pid"][0]["vouched_by"]["list"] == "Demo Trust List Operator NL (NL)"
    assert de["credentials"]["pid"][0]["vouched_by"] == {
        "entity": "Demo PID Provider DE",
        "list": "Demo Trust List Operator DE (DE)",
    }
    assert de_after["status"] == "failed" and de_after["reason"] == "untrusted_issuer"
    assert "Demo Trust List Operator DE (DE)" in de_after["error_description"]
    assert nl_after["status"] == "verified"
    sources = httpx.get(f"{federation.verifier_url}/trust-lists", timeout=10).json()["sources"]
    assert {s["label"]: s["sequence_number"] for s in sources} == {"NL": 1, "DE": 2}


def test_wallet_refuses_a_request_beyond_the_registration(federation: Federation, tmp_path: Path) -> None:
    beyond = {
        "credentials": [
            {
                "id": "pid",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["urn:eudi:pid:1"]},
                "claims": [{"path": ["given_name"]}, {"path": ["personal_administrative_number"]}],
            }
        ]
    }

    async def scenario() -> tuple[Any, Any, Any, Any]:
        strict = federation.wallet(tmp_path / "strict")
        lenient = federation.wallet(tmp_path / "lenient", registration_policy=WARN)
        for agent in (strict, lenient):
            await receive_pid(agent, federation, "NL")
        within, _ = await present(strict, federation)
        made = httpx.post(f"{federation.verifier_url}/transactions", json={"dcql_query": beyond}, timeout=10)
        with pytest.raises(NotRegistered, match="personal_administrative_number"):
            await strict.fetch_request(made.json()["authorization_request"])
        refused = httpx.get(made.json()["result_url"], timeout=10).json()
        warned, result = await present(lenient, federation, beyond)
        for agent in (strict, lenient):
            await agent.fetcher.aclose()
        return within, refused, warned, result

    within, refused, warned, result = run(scenario())
    # helper 38: the verifier is told of the refusal (section 8.5), not left waiting until it expires
    assert refused["status"] == "failed" and refused["error"] == "access_denied", refused
    assert within.excess == () and within.registration is not None
    assert within.registration.name == "Demo Relying Party" and within.registration.purpose("nl")
    assert warned.excess and all("personal_administrative_number" in item for item in warned.excess)
    assert result["status"] == "verified"  # the citizen was warned and chose to share


def test_a_query_may_name_registered_claims(federation: Federation, tmp_path: Path) -> None:
    """helper 38: a claims query on iss or vct (which OpenID4VP 1.0 section 6.1.1 suggests for picking
    an issuer) never matched, as DCQL saw the subject claims alone, in the wallet and in the verifier."""
    query = {
        "credentials": [
            {
                "id": "pid",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["urn:eudi:pid:1"]},
                "claims": [
                    {"path": ["vct"], "values": ["urn:eudi:pid:1"]},
                    {"path": ["iss"]},
                    {"path": ["family_name"]},
                ],
            }
        ]
    }

    async def scenario() -> Any:
        agent = federation.wallet(tmp_path / "wallet", registration_policy=WARN)
        await receive_pid(agent, federation, "NL")
        proposal, result = await present(agent, federation, query)
        await agent.fetcher.aclose()
        return proposal, result

    proposal, result = run(scenario())
    assert proposal.selection is not None
    assert result["status"] == "verified", result
    [credential] = result["credentials"]["pid"]
    assert credential["vct"] == "urn:eudi:pid:1" and "family_name" in credential["claims"]
