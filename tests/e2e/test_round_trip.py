"""Issue and present over real HTTP: issuer and verifier under uvicorn on 127.0.0.1, the wallet agent.

Also the refusals the verifier owes: a tampered presentation, a replayed one, a KB-JWT for another
audience, and a PID from an issuer that is not on the trust list.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import SystemClock
from common.config import load_chain, load_private_key
from common.errors import EudiError
from common.jose import b64url_decode, b64url_encode, parse_jws, public_jwk
from credentials.catalog.diploma import DIPLOMA_VCT
from credentials.catalog.pid import PID_VCT
from credentials.sdjwt import select
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc
from eudi.demo import make_offer, make_presentation_request
from eudi.federation import Federation, run_federation
from issuer.service import PID_SD_JWT
from openid4vc.issuance import PRE_AUTHORIZED_GRANT
from openid4vc.request_object import sign_request_object
from trust_list.pki import load_dev_pki, make_dev_pki
from verifier.policy import preset_query
from wallet.agent import PresentationProposal, WalletAgent, redirect_of
from wallet.errors import IssuerError

pytestmark = pytest.mark.e2e


@pytest.fixture
def federation(tmp_path: Path, database_url: str) -> Iterator[Federation]:
    url = None if database_url.startswith("sqlite") else database_url
    with run_federation(tmp_path / "work", database_url=url) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def receive_pid(agent: WalletAgent, federation: Federation) -> list[Any]:
    offer = make_offer(federation)
    return list(await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"]))


def result_of(request: dict[str, Any]) -> dict[str, Any]:
    return dict(httpx.get(request["result_url"], timeout=10).json())


def test_issue_then_present_over_http(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        [credential] = agent.store.credentials()
        assert credential.vct == PID_VCT
        request = make_presentation_request(federation)
        proposal = await agent.fetch_request(request["authorization_request"])
        assert proposal.verifier_name == "Demo Relying Party"
        await agent.respond(proposal, accept=True)
        await agent.fetcher.aclose()
        return result_of(request)

    result = run(scenario())
    assert result["status"] == "verified"
    [pid] = result["credentials"]["pid"]
    assert set(pid["claims"]) == {"given_name", "family_name", "birthdate"}
    assert pid["vct"] == PID_VCT
    log = [json.loads(line)["event"] for line in (tmp_path / "wallet" / "log.jsonl").read_text().splitlines()]
    assert log == ["received", "presented"]


class _Watching(httpx.AsyncBaseTransport):
    """Real HTTP; what the wallet sends to the request URI is kept. With ``resign``, the request object
    it gets back loses its ``wallet_nonce`` and is signed again with the verifier's own key: authentic,
    and what a replay of another wallet's request would look like."""

    def __init__(self, resign: Federation | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, dict[str, str]]] = []
        self.resign = resign

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/request/"):
            return await self.inner.handle_async_request(request)
        self.sent.append((request.method, dict(parse_qsl((await request.aread()).decode("ascii")))))
        answer = await self.inner.handle_async_request(request)
        if self.resign is None:
            return answer
        claims = parse_jws((await answer.aread()).decode("ascii")).claims()
        del claims["wallet_nonce"]
        key = load_private_key(self.resign.pki_dir() / "verifier.key")
        resigned = sign_request_object(
            claims, key=key, x5c=load_chain(self.resign.pki_dir() / "verifier.pem")
        )
        return httpx.Response(
            200, content=resigned, headers={"content-type": "application/oauth-authz-req+jwt"}
        )


@pytest.mark.parametrize("tamper", [False, True])
def test_x509_hash_client_and_request_uri_method_post(
    tmp_path: Path, database_url: str, tamper: bool
) -> None:
    """A verifier with the client id HAIP 1.0 has verifiers use (``x509_hash``), inviting the wallet to
    post its metadata and a ``wallet_nonce`` (OpenID4VP 1.0 section 5.10), which the request object
    must echo."""
    url = None if database_url.startswith("sqlite") else database_url
    options = {"client_id_prefix": "x509_hash", "request_uri_method": "post"}

    async def scenario(federation: Federation) -> tuple[_Watching, dict[str, Any], Exception | None]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        watching = agent.fetcher.transport = _Watching(resign=federation if tamper else None)
        await agent.fetcher.aclose()  # the next request opens a client on the new transport
        request = make_presentation_request(federation)
        failure = None
        try:
            proposal = await agent.fetch_request(request["authorization_request"])
            assert proposal.request.client_id_prefix == "x509_hash"
            await agent.respond(proposal, accept=True)
        except EudiError as exc:
            failure = exc
        await agent.fetcher.aclose()
        return watching, result_of(request), failure

    with run_federation(tmp_path / "work", database_url=url, verifier_options=options) as federation:
        watching, result, failure = run(scenario(federation))
    [(method, form)] = watching.sent
    assert method == "POST" and len(b64url_decode(form["wallet_nonce"])) == 16
    assert "x509_hash" in json.loads(form["wallet_metadata"])["client_id_prefixes_supported"]
    if tamper:  # a request object without our nonce could be a replay: processing stops (5.10)
        assert failure is not None and failure.error == "invalid_request_object"  # type: ignore[attr-defined]
        assert "wallet_nonce" in str(failure)
        assert result["status"] == "pending"
    else:
        assert failure is None and result["status"] == "verified"
        assert set(result["credentials"]["pid"][0]["claims"]) == {"given_name", "family_name", "birthdate"}


class _NonceLapses(httpx.AsyncBaseTransport):
    """Real HTTP, but the first ``lapses`` credential requests are answered ``invalid_nonce``, as an
    issuer does when the c_nonce expired or was spent in between; nonce requests are counted."""

    def __init__(self, lapses: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lapses = lapses
        self.nonce_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/nonce":
            self.nonce_requests += 1
        elif request.url.path == "/credential" and self.lapses:
            self.lapses -= 1
            body = {"error": "invalid_nonce", "error_description": "c_nonce expired"}
            return httpx.Response(400, json=body, headers={"Cache-Control": "no-store"})
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("lapses", [1, 2])
def test_after_invalid_nonce_the_wallet_tries_once_more(
    federation: Federation, tmp_path: Path, lapses: int
) -> None:
    async def scenario() -> tuple[_NonceLapses, list[Any] | Exception]:
        agent = federation.wallet(tmp_path / "wallet")
        lapsing = agent.fetcher.transport = _NonceLapses(lapses)
        try:
            outcome: list[Any] | Exception = await receive_pid(agent, federation)
        except IssuerError as exc:
            outcome = exc
        await agent.fetcher.aclose()
        return lapsing, outcome

    lapsing, outcome = run(scenario())
    assert lapsing.nonce_requests == 2  # a fresh c_nonce for the second try, and no third try
    if lapses == 1:
        assert isinstance(outcome, list) and len(outcome) == 1
    else:
        assert isinstance(outcome, IssuerError) and "invalid_nonce" in str(outcome)


class _DpopWatching(httpx.AsyncBaseTransport):
    """Real HTTP; the token and credential requests' DPoP proofs and schemes are kept. With
    ``nonce``, a token or credential request without that server's DPoP-Nonce is refused for want
    of it (RFC 9449 sections 8 and 9; the two servers' nonces differ); with ``at_nonce_endpoint``,
    the nonce endpoint hands out the credential issuer's beforehand (OpenID4VCI 1.0 section 7.2)."""

    def __init__(self, nonce: str | None = None, *, at_nonce_endpoint: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.nonces = {} if nonce is None else {"/token": nonce, "/credential": nonce + "-rs"}
        self.at_nonce_endpoint = at_nonce_endpoint
        self.seen: list[tuple[str, str, dict[str, Any]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/nonce" and self.at_nonce_endpoint and self.nonces:
            answer = await self.inner.handle_async_request(request)
            body = await answer.aread()
            headers = {**answer.headers, "DPoP-Nonce": self.nonces["/credential"]}
            return httpx.Response(answer.status_code, content=body, headers=headers)
        if request.url.path in ("/token", "/credential"):
            proof = request.headers.get("dpop")
            claims = json.loads(b64url_decode(proof.split(".")[1])) if proof else {}
            scheme = request.headers.get("authorization", "").partition(" ")[0]
            self.seen.append((request.url.path, scheme, claims))
            wanted = self.nonces.get(request.url.path)
            if wanted is not None and claims.get("nonce") != wanted:
                headers = {"DPoP-Nonce": wanted, "Cache-Control": "no-store"}
                if request.url.path == "/token":
                    return httpx.Response(400, json={"error": "use_dpop_nonce"}, headers=headers)
                challenge = 'DPoP error="use_dpop_nonce", error_description="nonce"'
                return httpx.Response(401, headers={**headers, "WWW-Authenticate": challenge})
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(("nonce", "at_nonce_endpoint"), [(None, False), ("n-1", False), ("n-1", True)])
def test_access_tokens_are_dpop_bound(
    federation: Federation, tmp_path: Path, nonce: str | None, at_nonce_endpoint: bool
) -> None:
    """RFC 9449 with an authorization server that lists ES256 for DPoP: the token request carries a
    proof, the credential request the DPoP scheme and a proof with ath; each server's DPoP-Nonce is
    put in the next proof to that server (sections 8 and 9)."""

    async def scenario() -> _DpopWatching:
        agent = federation.wallet(tmp_path / "wallet")
        watching = agent.fetcher.transport = _DpopWatching(nonce, at_nonce_endpoint=at_nonce_endpoint)
        await receive_pid(agent, federation)
        await agent.fetcher.aclose()
        return watching

    seen = run(scenario()).seen
    paths = [path for path, _, _ in seen]
    expected = ["/token", "/credential"]
    if nonce is not None:
        expected = ["/token", "/token", "/credential"] + ([] if at_nonce_endpoint else ["/credential"])
    assert paths == expected
    token_proof, credential_proof = seen[paths.index("/credential") - 1][2], seen[-1][2]
    assert token_proof["htm"] == "POST" and token_proof["htu"].endswith("/token") and "ath" not in token_proof
    assert seen[-1][1] == "DPoP" and credential_proof["htu"].endswith("/credential")
    assert "ath" in credential_proof and token_proof["jti"] != credential_proof["jti"]
    if nonce is not None:
        assert "nonce" not in seen[0][2] and token_proof["nonce"] == nonce
        assert credential_proof["nonce"] == nonce + "-rs"  # the resource server's own, never the other's
        if not at_nonce_endpoint:
            assert "nonce" not in seen[2][2]


def receive_through(transport: httpx.AsyncBaseTransport, federation: Federation, tmp_path: Path) -> list[Any]:
    """A PID received by a fresh wallet whose requests go through ``transport``."""

    async def scenario() -> list[Any]:
        agent = federation.wallet(tmp_path / "wallet")
        agent.fetcher.transport = transport
        received = await receive_pid(agent, federation)
        await agent.fetcher.aclose()
        return received

    return list(run(scenario()))


class _AskingDetails(httpx.AsyncBaseTransport):
    """Real HTTP, but the token request also asks ``authorization_details`` for what was offered; the
    credential requests are kept to be looked at (in the clear: the metadata loses its encryption)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.credential_requests: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            form = dict(parse_qsl((await request.aread()).decode("ascii")))
            details = [{"type": "openid_credential", "credential_configuration_id": PID_SD_JWT}]
            form["authorization_details"] = json.dumps(details)
            request = httpx.Request("POST", request.url, data=form)
        elif request.url.path == "/credential":
            self.credential_requests.append(json.loads(await request.aread()))
        answer = await self.inner.handle_async_request(request)
        if request.url.path == "/.well-known/openid-credential-issuer":
            metadata = json.loads(await answer.aread())
            del metadata["credential_request_encryption"], metadata["credential_response_encryption"]
            return httpx.Response(200, json=metadata)
        return answer


def test_wallet_asks_by_the_credential_identifiers_a_token_response_names(
    federation: Federation, tmp_path: Path
) -> None:
    """OpenID4VCI 1.0 sections 6.2 and 8.2: identifiers in the token response are what to ask for."""
    transport = _AskingDetails()
    [credential] = receive_through(transport, federation, tmp_path)
    assert credential.attestation_type == PID_VCT
    [asked] = transport.credential_requests
    assert asked["credential_identifier"] == PID_SD_JWT and "credential_configuration_id" not in asked


class _OfferNaming(httpx.AsyncBaseTransport):
    """Real HTTP, but the credential offer names ``server`` as its authorization server."""

    def __init__(self, server: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if not request.url.path.startswith("/credential-offer/"):
            return answer
        offer = json.loads(await answer.aread())
        offer["grants"][PRE_AUTHORIZED_GRANT]["authorization_server"] = self.server
        return httpx.Response(200, json=offer)


def test_an_offer_may_only_name_an_authorization_server_the_issuer_lists(
    federation: Federation, tmp_path: Path
) -> None:
    """OpenID4VCI 1.0 section 4.1.1: the hint must be one of the metadata's authorization_servers
    (this issuer lists none: it is its own)."""

    async def scenario() -> str:
        agent = federation.wallet(tmp_path / "wallet")
        agent.fetcher.transport = _OfferNaming("https://as.elsewhere.example")
        with pytest.raises(IssuerError) as caught:
            await receive_pid(agent, federation)
        await agent.fetcher.aclose()
        return str(caught.value)

    assert "authorization server" in run(scenario())


class _OnlyES384Proofs(httpx.AsyncBaseTransport):
    """Real HTTP, but the issuer metadata takes only ES384 jwt proofs."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if request.url.path != "/.well-known/openid-credential-issuer":
            return answer
        metadata = json.loads(await answer.aread())
        for configuration in metadata["credential_configurations_supported"].values():
            configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] = ["ES384"]
        return httpx.Response(200, json=metadata)


def test_what_cannot_be_received_is_said_before_the_code_is_spent(
    federation: Federation, tmp_path: Path
) -> None:
    """OpenID4VCI 1.0 appendix F.1: a proof's alg must be one the issuer names; this wallet signs
    ES256, so it stops before the token request, and the offer can still be redeemed."""
    offer = make_offer(federation)

    async def scenario() -> tuple[str, list[Any]]:
        picky = federation.wallet(tmp_path / "picky")
        picky.fetcher.transport = _OnlyES384Proofs()
        with pytest.raises(IssuerError) as caught:
            await picky.receive(offer["credential_offer"], tx_code=offer["tx_code"])
        await picky.fetcher.aclose()
        other = federation.wallet(tmp_path / "other")
        received = list(await other.receive(offer["credential_offer"], tx_code=offer["tx_code"]))
        await other.fetcher.aclose()
        return str(caught.value), received

    message, received = run(scenario())
    assert "ES256" in message and len(received) == 1


def test_offer_code_is_single_use_and_tx_code_required(federation: Federation, tmp_path: Path) -> None:
    offer = make_offer(federation)

    async def scenario() -> None:
        agent = federation.wallet(tmp_path / "wallet")
        with pytest.raises(IssuerError, match="transaction code"):
            await agent.receive(offer["credential_offer"])
        with pytest.raises(IssuerError, match="invalid_grant"):
            await agent.receive(
                offer["credential_offer"], tx_code="000000" if offer["tx_code"] != "000000" else "1"
            )
        await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])
        with pytest.raises(IssuerError):
            await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])
        await agent.fetcher.aclose()

    run(scenario())


async def _proposal(
    agent: WalletAgent, federation: Federation
) -> tuple[dict[str, Any], PresentationProposal]:
    request = make_presentation_request(federation)
    return request, await agent.fetch_request(request["authorization_request"])


def _present(
    agent: WalletAgent,
    proposal: PresentationProposal,
    *,
    audience: str | None = None,
    nonce: str | None = None,
) -> str:
    [credential] = agent.store.credentials()
    paths = proposal.disclosed_paths()["pid"]
    return present_sd_jwt_vc(
        credential.raw,
        paths,
        holder_key=agent.store.holder_key(credential.key_id),
        audience=audience or proposal.request.client_id,
        nonce=nonce or proposal.request.nonce,
        iat=SystemClock().now(),
    )


def _post(proposal: PresentationProposal, presentation: str, state: str | None = None) -> httpx.Response:
    form = {"vp_token": json.dumps({"pid": [presentation]}), "state": state or proposal.request.state or ""}
    return httpx.post(proposal.request.response_uri, data=form, timeout=10)


def test_same_device_result_needs_the_response_code(federation: Federation, tmp_path: Path) -> None:
    """OpenID4VP 1.0 section 8.2: the response endpoint sends the wallet to the relying party's page with
    a fresh response_code, and only that code reads the verified claims (section 13.3)."""
    page = "http://127.0.0.1:9/done?session=1"

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        made = httpx.post(
            f"{federation.verifier_url}/transactions",
            json={"preset": "pid_basic", "redirect_uri": page},
            timeout=10,
        ).json()
        proposal = await agent.fetch_request(made["authorization_request"])
        answer = await agent.respond(proposal, accept=True)
        await agent.fetcher.aclose()
        return made, answer

    made, answer = run(scenario())
    redirect = redirect_of(answer)
    assert redirect is not None and redirect.startswith(page + "#response_code=")
    code = redirect.partition("#response_code=")[2]
    assert len(b64url_decode(code)) == 16  # 128 bits
    for wrong in ({}, {"response_code": "A" * 22}):
        refused = httpx.get(made["result_url"], params=wrong, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"] == "access_denied"
        assert "claims" not in refused.text
    result = httpx.get(made["result_url"], params={"response_code": code}, timeout=10).json()
    assert result["status"] == "verified" and set(result["credentials"]["pid"][0]["claims"]) == {
        "given_name",
        "family_name",
        "birthdate",
    }
    for bad in ("javascript:alert(1)", "https://rp.example/done#x", 7):
        answer = httpx.post(
            f"{federation.verifier_url}/transactions", json={"preset": "pid_basic", "redirect_uri": bad}
        )
        assert answer.status_code == 400


def test_trusted_authorities_narrow_what_the_wallet_offers(federation: Federation, tmp_path: Path) -> None:
    """DCQL ``trusted_authorities`` of type ``aki`` (OpenID4VP 1.0 section 6.1.1): the key identifier
    of the PID provider's CA (the AuthorityKeyIdentifier of the issuer certificate in ``x5c``)."""
    [issuer] = load_chain(federation.pki_dir() / "issuer.pem")
    aki = issuer.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki is not None

    async def scenario() -> list[Any]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        selections = []
        for values in ([b64url_encode(aki)], ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]):
            query = preset_query("pid_basic")
            query["credentials"][0]["trusted_authorities"] = [{"type": "aki", "values": values}]
            made = httpx.post(
                f"{federation.verifier_url}/transactions", json={"dcql_query": query}, timeout=10
            )
            proposal = await agent.fetch_request(made.json()["authorization_request"])
            selections.append(proposal.selection)
        await agent.fetcher.aclose()
        return selections

    trusted, other = run(scenario())
    assert trusted is not None and list(trusted) == ["pid"]
    assert other is None  # the only PID comes from an authority the verifier did not name


def test_tampered_presentation_is_refused(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[httpx.Response, dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        request, proposal = await _proposal(agent, federation)
        issuer_jwt, *rest = _present(agent, proposal).split("~")
        head, payload, signature = issuer_jwt.split(".")
        claims = json.loads(b64url_decode(payload))
        claims["exp"] = claims["exp"] + 10 * 365 * 86400  # a longer life, signature untouched
        flipped = b64url_encode(json.dumps(claims).encode())
        answer = _post(proposal, "~".join([f"{head}.{flipped}.{signature}", *rest]))
        await agent.fetcher.aclose()
        return answer, result_of(request)

    answer, result = run(scenario())
    assert answer.status_code == 400 and answer.json()["reason"] == "invalid_signature"
    assert result["status"] == "failed" and result["reason"] == "invalid_signature"


def test_replayed_presentation_is_refused(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response, dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        _first_request, first = await _proposal(agent, federation)
        captured = _present(agent, first)
        assert _post(first, captured).status_code == 200
        again = _post(first, captured)  # the same response a second time
        second_request, second = await _proposal(agent, federation)
        replayed = _post(second, captured, state=second.request.state)  # the old nonce, a new transaction
        await agent.fetcher.aclose()
        return again, replayed, result_of(second_request)

    again, replayed, result = run(scenario())
    assert again.status_code == 400 and "state" in again.json()["error_description"]
    assert replayed.status_code == 400
    assert result["status"] == "failed" and result["reason"] == "invalid_key_binding"
    assert "nonce" in result["error_description"].lower()


def test_key_binding_for_another_audience_is_refused(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        request, proposal = await _proposal(agent, federation)
        _post(proposal, _present(agent, proposal, audience="x509_san_dns:evil.example"))
        await agent.fetcher.aclose()
        return result_of(request)

    result = run(scenario())
    assert result["status"] == "failed" and result["reason"] == "invalid_key_binding"
    assert "aud" in result["error_description"].lower()


def test_holder_binding_only_where_the_query_requires_it(federation: Federation, tmp_path: Path) -> None:
    """OpenID4VP 1.0 section 6.1: with ``require_cryptographic_holder_binding: false`` an SD-JWT VC
    without a KB-JWT is enough; by default it is not."""
    unbound_query = preset_query("pid_basic")
    unbound_query["credentials"][0]["require_cryptographic_holder_binding"] = False

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        [credential] = agent.store.credentials()
        outcomes = []
        for query in (unbound_query, preset_query("pid_basic")):
            answer = httpx.post(
                f"{federation.verifier_url}/transactions", json={"dcql_query": query}, timeout=10
            )
            request = answer.json()
            proposal = await agent.fetch_request(request["authorization_request"])
            plain = select(credential.raw, proposal.disclosed_paths()["pid"]).serialize()
            _post(proposal, plain)
            outcomes.append(result_of(request))
        # a KB-JWT that comes all the same is checked in full
        request = httpx.post(
            f"{federation.verifier_url}/transactions", json={"dcql_query": unbound_query}, timeout=10
        ).json()
        proposal = await agent.fetch_request(request["authorization_request"])
        _post(proposal, _present(agent, proposal, nonce="another-transaction"))
        await agent.fetcher.aclose()
        return outcomes[0], outcomes[1], result_of(request)

    unbound, required, stray = run(scenario())
    assert unbound["status"] == "verified"
    assert set(unbound["credentials"]["pid"][0]["claims"]) == {"given_name", "family_name", "birthdate"}
    assert required["status"] == "failed" and required["reason"] == "key_binding_required"
    assert stray["status"] == "failed" and stray["reason"] == "invalid_key_binding"


def test_a_failing_presentation_is_discarded_and_the_rest_judged(
    federation: Federation, tmp_path: Path
) -> None:
    """OpenID4VP 1.0 section 8.6: a presentation that fails is discarded; the response stands when
    what remains answers the query (here a required PID and an optional second one)."""
    pid = preset_query("pid_basic")["credentials"][0]
    query = {
        "credentials": [pid, {**pid, "id": "extra"}],
        "credential_sets": [{"options": [["pid"]]}, {"options": [["extra"]], "required": False}],
    }

    async def scenario() -> list[dict[str, Any]]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        outcomes = []
        for good_pid in (True, False):
            request = httpx.post(
                f"{federation.verifier_url}/transactions", json={"dcql_query": query}, timeout=10
            ).json()
            proposal = await agent.fetch_request(request["authorization_request"])
            good = _present(agent, proposal)
            bad = _present(agent, proposal, audience="x509_san_dns:evil.example")
            vp_token = {"pid": [good if good_pid else bad], "extra": [bad if good_pid else good]}
            form = {"vp_token": json.dumps(vp_token), "state": proposal.request.state or ""}
            httpx.post(proposal.request.response_uri, data=form, timeout=10)
            outcomes.append(result_of(request))
        await agent.fetcher.aclose()
        return outcomes

    kept, refused = run(scenario())
    assert kept["status"] == "verified" and list(kept["credentials"]) == ["pid"]
    assert refused["status"] == "failed" and refused["reason"] == "invalid_key_binding"


class _Rewriting(httpx.AsyncBaseTransport):
    """Real HTTP, but the request object the wallet fetches is re-signed, with the verifier's own key
    and certificate, around claims ``change`` alters: authentic, and wanting."""

    def __init__(self, federation: Federation, change: Callable[[dict[str, Any]], None]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.key = load_private_key(federation.pki_dir() / "verifier.key")
        self.chain = load_chain(federation.pki_dir() / "verifier.pem")
        self.change = change

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if not request.url.path.startswith("/request/"):
            return answer
        claims = parse_jws((await answer.aread()).decode("ascii")).claims()
        self.change(claims)
        resigned = sign_request_object(claims, key=self.key, x5c=self.chain)
        return httpx.Response(
            200, content=resigned, headers={"content-type": "application/oauth-authz-req+jwt"}
        )


def test_wallet_tells_the_verifier_what_is_wrong_with_an_authentic_request(
    federation: Federation, tmp_path: Path
) -> None:
    """OpenID4VP 1.0 section 8.2: redirect_uri with direct_post is an invalid_request the wallet must
    send back to the response_uri (section 8.5), as it does any fault of an authenticated request."""

    async def scenario() -> tuple[dict[str, Any], str]:
        agent = federation.wallet(tmp_path / "wallet")
        await receive_pid(agent, federation)
        agent.fetcher.transport = _Rewriting(
            federation, lambda claims: claims.update(redirect_uri="https://verifier.example/cb")
        )
        await agent.fetcher.aclose()  # the next request opens a client on the new transport
        request = make_presentation_request(federation)
        with pytest.raises(EudiError) as caught:
            await agent.fetch_request(request["authorization_request"])
        await agent.fetcher.aclose()
        return result_of(request), caught.value.error

    result, error = run(scenario())
    assert error == "invalid_request"
    assert result["status"] == "failed" and result["error"] == "invalid_request"
    assert "redirect_uri" in result["error_description"]


async def _present_reissued(
    federation: Federation,
    tmp_path: Path,
    *,
    signing_key: ec.EllipticCurvePrivateKey,
    x5c: list[x509.Certificate],
    vct: str = PID_VCT,
    aka_vcts: Sequence[str] = (),
) -> dict[str, Any]:
    """The result of presenting, for the PID query, the wallet's PID claims issued again by
    ``signing_key`` under ``x5c`` as ``vct`` (bound to the wallet's key)."""
    agent = federation.wallet(tmp_path / "wallet")
    await receive_pid(agent, federation)
    [genuine] = agent.store.credentials()
    holder_key = agent.store.holder_key(genuine.key_id)
    credential = issue_sd_jwt_vc(
        dict(genuine.claims),
        vct=vct,
        issuer=genuine.issuer,
        signing_key=signing_key,
        x5c=x5c,
        holder_jwk=public_jwk(holder_key),
        iat=SystemClock().now(),
        exp=SystemClock().now() + 3600,
        aka_vcts=aka_vcts,
    )
    request, proposal = await _proposal(agent, federation)
    presentation = present_sd_jwt_vc(
        credential,
        proposal.disclosed_paths()["pid"],
        holder_key=holder_key,
        audience=proposal.request.client_id,
        nonce=proposal.request.nonce,
        iat=SystemClock().now(),
    )
    _post(proposal, presentation)
    await agent.fetcher.aclose()
    return result_of(request)


@pytest.mark.parametrize(
    ("signer", "vct", "verified"),
    [
        ("pid", "urn:eudi:pid:nl:1", True),  # a domestic PID type that is also the EU PID type
        ("eaa", DIPLOMA_VCT, False),  # a diploma registry's credential saying it is a PID is none
    ],
)
def test_a_credential_answers_for_its_aka_vcts_where_its_issuer_may_issue_them(
    federation: Federation, tmp_path: Path, signer: str, vct: str, verified: bool
) -> None:
    """SD-JWT VC section 3.2.2.1.1: a credential may be treated as any of its types, and only as those
    the trust lists allow its issuer (the verifier vouches for the issuer by the vct)."""
    pki = load_dev_pki(federation.pki_dir())
    key, cert = (
        (pki.issuer_key, pki.issuer_cert) if signer == "pid" else (pki.eaa_issuer_key, pki.eaa_issuer_cert)
    )

    result = run(
        _present_reissued(federation, tmp_path, signing_key=key, x5c=[cert], vct=vct, aka_vcts=[PID_VCT])
    )
    if verified:
        assert result["status"] == "verified", result
        assert result["credentials"]["pid"][0]["vct"] == "urn:eudi:pid:nl:1"
    else:
        assert result["status"] == "failed", result
        assert "pid" not in result.get("credentials", {})


def test_pid_from_an_issuer_not_on_the_trust_list_is_refused(federation: Federation, tmp_path: Path) -> None:
    rogue = make_dev_pki(now=datetime.now(UTC))
    result = run(
        _present_reissued(federation, tmp_path, signing_key=rogue.issuer_key, x5c=[rogue.issuer_cert])
    )
    assert result["status"] == "failed" and result["reason"] == "untrusted_issuer"
    assert "not issued by a trusted CA" in result["error_description"]


def test_wallet_refuses_request_signed_by_an_rp_not_on_the_trust_list(
    federation: Federation, tmp_path: Path
) -> None:
    """A wallet trusting another federation's list refuses this verifier's access certificate."""
    other = tmp_path / "other"
    with run_federation(other) as foreign:
        agent = foreign.wallet(tmp_path / "wallet")
        request = make_presentation_request(federation)

        async def scenario() -> None:
            with pytest.raises(EudiError, match=r"(?i)trusted|issued by|chain"):
                await agent.fetch_request(request["authorization_request"])
            await agent.fetcher.aclose()

        run(scenario())


def test_verifier_refuses_unsigned_holder_key_type(federation: Federation) -> None:
    """A holder key on another curve in the proof is refused by the issuer's allow-list (ES256 only)."""
    key = ec.generate_private_key(ec.SECP384R1())
    from openid4vc.issuance import make_jwt_proof

    offer = make_offer(federation)
    token = httpx.post(
        f"{federation.issuer_url}/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": httpx.get(httpx.URL(offer["credential_offer_uri"])).json()["grants"][
                "urn:ietf:params:oauth:grant-type:pre-authorized_code"
            ]["pre-authorized_code"],
            "tx_code": offer["tx_code"],
        },
    ).json()["access_token"]
    nonce = httpx.post(f"{federation.issuer_url}/nonce").json()["c_nonce"]
    proof = make_jwt_proof(key, audience=federation.issuer_url, nonce=nonce, iat=SystemClock().now())
    answer = httpx.post(
        f"{federation.issuer_url}/credential",
        json={"credential_configuration_id": "eu.europa.ec.eudi.pid_dc_sd_jwt", "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_proof"


class _Recording(httpx.AsyncBaseTransport):
    """Real HTTP; the media types of the credential requests and responses are kept."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.credential_exchanges: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if request.url.path == "/credential":
            self.credential_exchanges.append(
                (request.headers["content-type"], answer.headers["content-type"])
            )
        return answer


def test_credential_requests_and_responses_travel_encrypted(federation: Federation, tmp_path: Path) -> None:
    """OpenID4VCI 1.0 section 10, between our wallet and our issuer, which offers both."""
    transport = _Recording()
    [credential] = receive_through(transport, federation, tmp_path)
    assert credential.attestation_type == PID_VCT
    assert transport.credential_exchanges == [("application/jwt", "application/jwt")]
