"""A verifier with HAIP 1.0's requests and responses, over real HTTP: client id ``x509_hash``, the
request URI posted to, and the response encrypted (``direct_post.jwt``, OpenID4VP 1.0 section 8.3.1)
to a key of the transaction's own, whose thumbprint the mdoc handover carries (appendix B.2.6.1).

Also what such a verifier refuses: a presentation in the clear, a response to a key it does not
hold, and a DeviceResponse signed over the handover without the thumbprint.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.config import load_chain, load_private_key
from common.errors import EudiError
from common.jose import b64url_decode, b64url_encode, canonical_json, parse_jws, public_jwk
from common.jwe import encrypt
from credentials.catalog.pid import PID_DOCTYPE, PID_VCT
from credentials.mdoc import device_response, openid4vp_session_transcript, select_elements
from eudi.demo import make_offer, make_presentation_request
from eudi.federation import Federation, run_federation
from openid4vc.presentation import ResponseEncryption, sign_request_object
from wallet.agent import PresentationProposal, WalletAgent

pytestmark = pytest.mark.e2e

HAIP = {"client_id_prefix": "x509_hash", "request_uri_method": "post", "response_mode": "direct_post.jwt"}
PID = ["eu.europa.ec.eudi.pid_dc_sd_jwt", "eu.europa.ec.eudi.pid_mso_mdoc"]


@pytest.fixture
def federation(tmp_path: Path, database_url: str) -> Iterator[Federation]:
    url = None if database_url.startswith("sqlite") else database_url
    with run_federation(tmp_path / "work", database_url=url, verifier_options=HAIP) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def result_of(request: dict[str, Any]) -> dict[str, Any]:
    return dict(httpx.get(request["result_url"], timeout=10).json())


async def wallet_with_pid(federation: Federation, folder: Path) -> WalletAgent:
    agent = federation.wallet(folder)
    offer = make_offer(federation, "nl-0001", PID)
    await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])
    return agent


async def proposal(agent: WalletAgent, federation: Federation, preset: str) -> tuple[dict[str, Any], Any]:
    request = make_presentation_request(federation, preset)
    return request, await agent.fetch_request(request["authorization_request"])


def test_both_formats_are_presented_encrypted(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[Any]]:
        agent = await wallet_with_pid(federation, tmp_path / "wallet")
        results, proposals = [], []
        for preset in ("pid_basic", "pid_mdoc_basic"):
            request, proposed = await proposal(agent, federation, preset)
            await agent.respond(proposed, accept=True)
            results.append(result_of(request))
            proposals.append(proposed)
        request, proposed = await proposal(agent, federation, "pid_basic")
        await agent.respond(proposed, accept=False)  # a refusal goes encrypted too
        results.append(result_of(request))
        await agent.fetcher.aclose()
        return results, proposals

    (sd_jwt, mdoc, declined), proposals = run(scenario())
    for proposed in proposals:
        assert proposed.request.response_mode == "direct_post.jwt"
        assert proposed.request.client_id.startswith("x509_hash:")
        jwk, enc = proposed.request.response_encryption
        assert enc == "A256GCM" and jwk["alg"] == "ECDH-ES" and jwk["use"] == "enc"
    assert proposals[0].request.response_encryption != proposals[1].request.response_encryption  # per request
    assert sd_jwt["status"] == "verified", sd_jwt
    assert sd_jwt["credentials"]["pid"][0]["vct"] == PID_VCT
    assert mdoc["status"] == "verified", mdoc  # the device signed over the handover with the thumbprint
    assert set(mdoc["credentials"]["pid"][0]["claims"][PID_DOCTYPE]) == {
        "given_name",
        "family_name",
        "birth_date",
    }
    assert declined["status"] == "failed" and declined["error"] == "access_denied"


def _device_response(agent: WalletAgent, proposed: PresentationProposal, thumbprint: bytes | None) -> str:
    [credential] = [c for c in agent.store.credentials() if c.doctype == PID_DOCTYPE]
    transcript = openid4vp_session_transcript(
        client_id=proposed.request.client_id,
        nonce=proposed.request.nonce,
        jwk_thumbprint=thumbprint,
        response_uri=proposed.request.response_uri,
    )
    selected = select_elements(b64url_decode(credential.raw), {PID_DOCTYPE: {"given_name", "family_name"}})
    return b64url_encode(
        device_response(
            [(selected, agent.store.holder_key(credential.key_id), PID_DOCTYPE)],
            session_transcript=transcript,
        )
    )


def _encrypted(parameters: dict[str, Any], encryption: ResponseEncryption) -> dict[str, str]:
    return {"response": encrypt(canonical_json(parameters), encryption.jwk, enc=encryption.enc)}


def test_what_an_encrypting_verifier_refuses(federation: Federation, tmp_path: Path) -> None:
    async def scenario() -> tuple[list[httpx.Response], dict[str, Any]]:
        agent = await wallet_with_pid(federation, tmp_path / "wallet")
        request, proposed = await proposal(agent, federation, "pid_mdoc_basic")
        await agent.fetcher.aclose()
        encryption = proposed.request.response_encryption
        state = proposed.request.state
        unbound = _device_response(agent, proposed, thumbprint=None)
        other_request, other = await proposal(agent, federation, "pid_mdoc_basic")
        await agent.fetcher.aclose()
        stranger = ResponseEncryption(
            {**encryption.jwk, **public_jwk(ec.generate_private_key(ec.SECP256R1()))}, "A128GCM"
        )
        answers = [
            # in the clear, though the request asked for encryption: refused, the transaction stays open
            httpx.post(
                proposed.request.response_uri,
                data={"vp_token": json.dumps({"pid": [unbound]}), "state": state},
            ),
            # encrypted to a key with the transaction's kid that is not its key: does not decrypt
            httpx.post(
                proposed.request.response_uri,
                data=_encrypted({"vp_token": {"pid": [unbound]}, "state": state}, stranger),
            ),
            # to a kid no transaction holds
            httpx.post(
                proposed.request.response_uri,
                data=_encrypted(
                    {"vp_token": {"pid": [unbound]}, "state": state},
                    ResponseEncryption({**encryption.jwk, "kid": "nobody"}, "A128GCM"),
                ),
            ),
            # to this transaction's key, with the state of another one: the key names the transaction
            httpx.post(
                proposed.request.response_uri,
                data=_encrypted({"vp_token": {"pid": [unbound]}, "state": other.request.state}, encryption),
            ),
        ]
        pending = result_of(request), result_of(other_request)
        # a DeviceResponse signed over the handover without the thumbprint: the device signature fails
        answers.append(
            httpx.post(
                proposed.request.response_uri,
                data=_encrypted({"vp_token": {"pid": [unbound]}, "state": state}, encryption),
            )
        )
        return answers, {"pending": pending, "after": result_of(request)}

    answers, results = run(scenario())
    assert [answer.status_code for answer in answers] == [400, 400, 400, 400, 400]
    assert "encrypted" in answers[0].json()["error_description"]
    assert "does not decrypt" in answers[1].json()["error_description"]
    assert "kid" in answers[2].json()["error_description"]
    assert "state" in answers[3].json()["error_description"]
    assert [result["status"] for result in results["pending"]] == ["pending", "pending"]
    assert results["after"]["status"] == "failed" and results["after"]["reason"] == "invalid_device_signature"


def _signing_keys_only(claims: dict[str, Any]) -> None:
    for key in claims["client_metadata"]["jwks"]["keys"]:
        key["use"] = "sig"


def _redirect_uri(claims: dict[str, Any]) -> None:
    claims["redirect_uri"] = "https://verifier.example/cb"  # not with a direct_post mode (8.2)


@pytest.mark.parametrize(
    ("change", "message", "encrypted"),
    [
        (_signing_keys_only, "no P-256 ECDH-ES key", False),
        (_redirect_uri, "redirect_uri", True),
    ],
)
def test_a_wanting_request_is_answered_encrypted_when_it_can_be(
    federation: Federation, tmp_path: Path, change: Any, message: str, encrypted: bool
) -> None:
    """An authentic request found wanting is answered with an error (section 8.5): encrypted when the
    request offers a usable key, in the clear when it offers none (keys only for signing are passed
    over, section 8.3), as section 8.3.1 allows a wallet that cannot encrypt."""

    class _Rewriting(httpx.AsyncBaseTransport):
        """Real HTTP; the request object is changed and signed again with the verifier's own key
        (authentic, and wanting), and what the wallet posts to the response URI is kept."""

        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()
            self.key = load_private_key(federation.pki_dir() / "verifier.key")
            self.chain = load_chain(federation.pki_dir() / "verifier.pem")
            self.posted: list[set[str]] = []

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/response":
                self.posted.append(set(dict(parse_qsl((await request.aread()).decode("ascii")))))
            answer = await self.inner.handle_async_request(request)
            if not request.url.path.startswith("/request/"):
                return answer
            claims = parse_jws((await answer.aread()).decode("ascii")).claims()
            change(claims)
            resigned = sign_request_object(claims, key=self.key, x5c=self.chain)
            return httpx.Response(
                200, content=resigned, headers={"content-type": "application/oauth-authz-req+jwt"}
            )

    async def scenario() -> tuple[str, list[set[str]], dict[str, Any]]:
        agent = await wallet_with_pid(federation, tmp_path / "wallet")
        rewriting = agent.fetcher.transport = _Rewriting()
        await agent.fetcher.aclose()
        request = make_presentation_request(federation, "pid_basic")
        with pytest.raises(EudiError) as caught:
            await agent.fetch_request(request["authorization_request"])
        await agent.fetcher.aclose()
        return str(caught.value), rewriting.posted, result_of(request)

    error, posted, result = run(scenario())
    assert message in error
    assert posted == [{"response"}] if encrypted else posted == [{"error", "error_description", "state"}]
    assert result["status"] == "failed" and result["error"] == "invalid_request"
    assert message in result["error_description"]
