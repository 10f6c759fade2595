"""Every attestation type in both formats over real HTTP: two issuers and the verifier under uvicorn.

The PID provider issues the PID as SD-JWT VC and as mdoc; the attestation provider issues the
diploma, the proof of age and the driving licence. The wallet presents mdocs over OpenID4VP with the
handover SessionTranscript; the verifier checks issuer, chain, digests, validity, the device
signature and the MSO status (from the CWT form of the status list), and refuses an mdoc whose
device signature covers another transaction, a PID signed by the attestation provider, and a revoked
mdoc once its list's ttl has run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.jose import b64url_decode, b64url_encode
from credentials.catalog.pid import PID_DOCTYPE
from credentials.mdoc import device_response, issue_mdoc, openid4vp_session_transcript, select_elements
from eudi.demo import make_offer, make_presentation_request
from eudi.federation import Federation, run_federation
from trust_list.pki import load_dev_pki
from wallet.agent import PresentationProposal, WalletAgent
from wallet.errors import VerifierError

pytestmark = pytest.mark.e2e
TTL = 1
PID_CONFIGURATIONS = ["eu.europa.ec.eudi.pid_dc_sd_jwt", "eu.europa.ec.eudi.pid_mso_mdoc"]
EAA_CONFIGURATIONS = [
    "eu.europa.ec.eudi.diploma_dc_sd_jwt",
    "eu.europa.ec.eudi.diploma_mso_mdoc",
    "eu.europa.ec.av_dc_sd_jwt",
    "eu.europa.ec.av_mso_mdoc",
    "org.iso.18013.5.1.mDL_mso_mdoc",
]


@pytest.fixture
def federation(tmp_path: Path, database_url: str) -> Iterator[Federation]:
    url = None if database_url.startswith("sqlite") else database_url
    with run_federation(tmp_path / "work", database_url=url, status_list_ttl=TTL) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def receive_everything(agent: WalletAgent, federation: Federation, citizen: str = "nl-0001") -> None:
    for issuer_url, configurations in (
        (federation.issuer_url, PID_CONFIGURATIONS),
        (federation.eaa_issuer_url, EAA_CONFIGURATIONS),
    ):
        offer = make_offer(federation, citizen, configurations, issuer_url=issuer_url)
        await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])


async def present(agent: WalletAgent, federation: Federation, preset: str) -> dict[str, Any]:
    request = make_presentation_request(federation, preset)
    proposal = await agent.fetch_request(request["authorization_request"])
    with contextlib.suppress(VerifierError):  # a refusal is read from the verifier's result below
        await agent.respond(proposal, accept=True)
    return dict(httpx.get(request["result_url"], timeout=10).json())


def test_metadata_offers_both_formats(federation: Federation) -> None:
    pid = httpx.get(f"{federation.issuer_url}/.well-known/openid-credential-issuer").json()
    eaa = httpx.get(f"{federation.eaa_issuer_url}/.well-known/openid-credential-issuer").json()
    assert sorted(pid["credential_configurations_supported"]) == sorted(PID_CONFIGURATIONS)
    assert sorted(eaa["credential_configurations_supported"]) == sorted(EAA_CONFIGURATIONS)
    mdoc = pid["credential_configurations_supported"]["eu.europa.ec.eudi.pid_mso_mdoc"]
    assert mdoc["format"] == "mso_mdoc" and mdoc["doctype"] == PID_DOCTYPE
    assert mdoc["cryptographic_binding_methods_supported"] == ["cose_key"]
    assert mdoc["credential_signing_alg_values_supported"] == [-7]
    labels = {d["locale"]: d["name"] for d in mdoc["credential_metadata"]["display"]}
    assert labels == {"en": "Person Identification Data", "nl": "Persoonsidentificatiegegevens"}


def test_every_type_in_each_format_is_received_and_presented(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[list[Any], dict[str, dict[str, Any]]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_everything(agent, federation)
        held = [(c.format, c.attestation_type) for c in agent.store.credentials()]
        results = {
            preset: await present(agent, federation, preset)
            for preset in ("pid_mdoc_basic", "pid_basic", "age_over_18", "diploma", "driving_licence")
        }
        await agent.fetcher.aclose()
        return held, results

    held, results = run(scenario())
    assert sorted(held) == sorted(
        [
            ("dc+sd-jwt", "urn:eudi:pid:1"),
            ("mso_mdoc", "eu.europa.ec.eudi.pid.1"),
            ("dc+sd-jwt", "urn:eudi:diploma:1"),
            ("mso_mdoc", "eu.europa.ec.eudi.diploma.1"),
            ("dc+sd-jwt", "urn:eudi:av:1"),
            ("mso_mdoc", "eu.europa.ec.av.1"),
            ("mso_mdoc", "org.iso.18013.5.1.mDL"),
        ]
    )
    assert all(result["status"] == "verified" for result in results.values()), results
    [pid] = results["pid_mdoc_basic"]["credentials"]["pid"]
    assert pid["format"] == "mso_mdoc" and pid["doctype"] == PID_DOCTYPE
    assert set(pid["claims"][PID_DOCTYPE]) == {"given_name", "family_name", "birth_date"}
    assert pid["vouched_by"]["entity"] == "Demo PID Provider NL"
    assert pid["issuer"] == "CN=Demo PID Issuer NL,O=Demo PID Provider NL,C=NL"  # the x5chain leaf
    [age] = results["age_over_18"]["credentials"]["age"]
    assert age["claims"] == {"eu.europa.ec.av.1": {"age_over_18": True}}
    assert age["vouched_by"]["entity"] == "Demo Diploma Registry NL"
    [diploma] = results["diploma"]["credentials"]["diploma"]
    assert diploma["format"] == "dc+sd-jwt" and isinstance(diploma["claims"]["eqf_level"], int)
    # SD-JWT VC section 3.5: with x5c, the Issuer is the subject of the leaf, not an iss beside it
    assert diploma["issuer"] == "CN=Demo Diploma Issuer NL,O=Demo Diploma Registry NL,C=NL"
    [licence] = results["driving_licence"]["credentials"]["mdl"]
    privileges = licence["claims"]["org.iso.18013.5.1"]["driving_privileges"]
    assert privileges and all("vehicle_category_code" in p for p in privileges)
    log = [json.loads(line) for line in (tmp_path / "wallet" / "log.jsonl").read_text().splitlines()]
    assert [entry["event"] for entry in log].count("presented") == 5
    assert "Visser" not in json.dumps(log) and "given_name" in json.dumps(log)  # paths, never values


def _proposal_for(agent: WalletAgent, federation: Federation, preset: str) -> Any:
    request = make_presentation_request(federation, preset)

    async def fetch() -> PresentationProposal:
        return await agent.fetch_request(request["authorization_request"])

    return request, fetch()


def _post(proposal: PresentationProposal, query_id: str, presentation: str) -> httpx.Response:
    form = {"vp_token": json.dumps({query_id: [presentation]}), "state": proposal.request.state or ""}
    return httpx.post(proposal.request.response_uri, data=form, timeout=10)


def _device_response(agent: WalletAgent, proposal: PresentationProposal, *, nonce: str, raw: bytes) -> str:
    [credential] = [c for c in agent.store.credentials() if c.doctype == PID_DOCTYPE]
    transcript = openid4vp_session_transcript(
        client_id=proposal.request.client_id,
        nonce=nonce,
        jwk_thumbprint=None,
        response_uri=proposal.request.response_uri,
    )
    selected = select_elements(raw, {PID_DOCTYPE: {"given_name", "family_name", "birth_date"}})
    return b64url_encode(
        device_response(
            [(selected, agent.store.holder_key(credential.key_id), PID_DOCTYPE)],
            session_transcript=transcript,
        )
    )


def test_device_signature_over_another_transaction_is_refused(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[httpx.Response, dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_everything(agent, federation)
        request, pending = _proposal_for(agent, federation, "pid_mdoc_basic")
        proposal = await pending
        [credential] = [c for c in agent.store.credentials() if c.doctype == PID_DOCTYPE]
        presentation = _device_response(
            agent, proposal, nonce="another-nonce", raw=b64url_decode(credential.raw)
        )
        answer = _post(proposal, "pid", presentation)
        await agent.fetcher.aclose()
        return answer, dict(httpx.get(request["result_url"], timeout=10).json())

    answer, result = run(scenario())
    assert answer.status_code == 400
    assert result["status"] == "failed" and result["reason"] == "invalid_device_signature"


def test_pid_mdoc_signed_by_the_attestation_provider_is_refused(
    federation: Federation, tmp_path: Path
) -> None:
    pki = load_dev_pki(federation.pki_dir())

    async def scenario() -> dict[str, Any]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_everything(agent, federation)
        [credential] = [c for c in agent.store.credentials() if c.doctype == PID_DOCTYPE]
        holder = agent.store.holder_key(credential.key_id)
        now = datetime.now(UTC)
        forged = issue_mdoc(
            PID_DOCTYPE,
            {PID_DOCTYPE: {"given_name": "Mallory", "family_name": "Rogue", "birth_date": now.date()}},
            signing_key=pki.eaa_issuer_key,
            x5chain=[pki.eaa_issuer_cert],
            device_key=holder.public_key(),
            signed=now,
            valid_from=now,
            valid_until=now + timedelta(days=30),
        )
        request, pending = _proposal_for(agent, federation, "pid_mdoc_basic")
        proposal = await pending
        _post(proposal, "pid", _device_response(agent, proposal, nonce=proposal.request.nonce, raw=forged))
        await agent.fetcher.aclose()
        return dict(httpx.get(request["result_url"], timeout=10).json())

    result = run(scenario())
    assert result["status"] == "failed" and result["reason"] == "untrusted_issuer"
    assert "no PID provider" in result["error_description"]


def test_revoked_mdoc_is_refused_within_the_ttl(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> list[dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        offer = make_offer(federation, "nl-0003", ["eu.europa.ec.eudi.pid_mso_mdoc"])
        await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])
        results = [await present(agent, federation, "pid_mdoc_basic")]
        [issued] = httpx.get(f"{federation.issuer_url}/issued/nl-0003").json()["issued"]
        assert issued["configuration_id"] == "eu.europa.ec.eudi.pid_mso_mdoc"
        answer = httpx.post(
            f"{federation.issuer_url}/status", json={"index": issued["status_index"], "status": "revoked"}
        )
        assert answer.status_code == 204
        time.sleep(TTL + 0.2)
        results.append(await present(agent, federation, "pid_mdoc_basic"))
        await agent.fetcher.aclose()
        return results

    before, after = run(scenario())
    assert before["status"] == "verified"
    assert after["status"] == "failed" and after["reason"] == "credential_revoked"


def test_status_list_is_served_in_both_forms(federation: Federation) -> None:
    url = f"{federation.issuer_url}/status-lists/1"
    jwt_form = httpx.get(url, headers={"Accept": "application/statuslist+jwt"})
    cwt_form = httpx.get(url, headers={"Accept": "application/statuslist+cwt"})
    preferred = httpx.get(
        url, headers={"Accept": "application/statuslist+jwt;q=0.4, application/statuslist+cwt"}
    )
    assert jwt_form.headers["content-type"] == "application/statuslist+jwt"
    assert cwt_form.headers["content-type"] == "application/statuslist+cwt"
    assert preferred.headers["content-type"] == "application/statuslist+cwt"
    assert {answer.headers["vary"] for answer in (jwt_form, cwt_form, preferred)} == {
        "Accept, Accept-Encoding"
    }
    assert jwt_form.headers["content-encoding"] == "gzip"  # httpx takes gzip, and reads it back
    assert cwt_form.content[:1] == b"\xd2"  # COSE_Sign1 tag 18
