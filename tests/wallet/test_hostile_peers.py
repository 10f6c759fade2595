"""The wallet against an issuer and a verifier that answer badly on purpose (an in-process transport
stands in for the network; the wallet's own fetcher, trust lists and store are real): it fails with
its own errors, keeps an offer whole or not at all, and logs every disclosure it may have made."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import FixedClock
from common.errors import EudiError, InvalidInput
from common.jose import parse_jws, public_key_from_jwk
from credentials.mdoc import issue_mdoc
from credentials.sdjwt_vc import issue_sd_jwt_vc
from eudi.federation import _registration
from openid4vc.encryption import (
    decrypt_message,
    encrypt_message,
    request_encryption_metadata,
    response_encryption_metadata,
)
from openid4vc.issuance import PRE_AUTHORIZED_GRANT
from openid4vc.request_object import authorization_request_link, build_request_object, sign_request_object
from trust_list.cli import write_trust_list
from trust_list.pki import make_dev_pki, pem_certificate
from wallet.agent import WalletAgent
from wallet.config import TrustedList, WalletConfig, open_wallet, write_wallet_config
from wallet.errors import IssuerError, VerifierError

NOW = 1_790_000_000
AT = datetime.fromtimestamp(NOW, UTC)
PKI = make_dev_pki(now=AT)
ISSUER = "http://127.0.0.1:9"
VERIFIER = "http://localhost:9"
CLIENT_ID = "x509_san_dns:localhost"
PID_VCT = "urn:eudi:pid:1"
PID_DOCTYPE = "eu.europa.ec.eudi.pid.1"
CONFIGURATIONS = {
    "pid": {"format": "dc+sd-jwt", "vct": PID_VCT},
    "pid_mdoc": {"format": "mso_mdoc", "doctype": PID_DOCTYPE},
}

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def wallet(tmp_path: Path) -> WalletAgent:
    write_trust_list(PKI, tmp_path / "nl.jws", now=AT)
    (tmp_path / "operator.pem").write_bytes(pem_certificate(PKI.operator_cert))
    folder = tmp_path / "wallet"
    lists = (TrustedList(str(tmp_path / "nl.jws"), tmp_path / "operator.pem", "NL"),)
    write_wallet_config(folder, WalletConfig(lists, allow_http_loopback=True))
    return open_wallet(folder, FixedClock(NOW))


def run(wallet: WalletAgent, handler: Handler, flow: Callable[[WalletAgent], Awaitable[Any]]) -> Any:
    wallet.fetcher.transport = httpx.MockTransport(handler)

    async def go() -> Any:
        try:
            return await flow(wallet)
        finally:
            await wallet.fetcher.aclose()

    return asyncio.run(go())


def sd_jwt_vc(holder_jwk: dict[str, Any]) -> str:
    claims = {"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1964-08-12"}
    return issue_sd_jwt_vc(
        claims,
        vct=PID_VCT,
        issuer=ISSUER,
        signing_key=PKI.issuer_key,
        x5c=[PKI.issuer_cert],
        holder_jwk=holder_jwk,
        iat=NOW,
    )


def issuer(credentials: Callable[[dict[str, Any], dict[str, Any]], Any], **routes: Handler) -> Handler:
    """A pre-authorized-code issuer whose credential endpoint answers ``credentials(jwk, body)``."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in routes:
            return routes[path](request)
        if path == "/.well-known/openid-credential-issuer":
            return httpx.Response(
                200,
                json={
                    "credential_issuer": ISSUER,
                    "credential_endpoint": f"{ISSUER}/credential",
                    "credential_configurations_supported": CONFIGURATIONS,
                },
            )
        if path == "/.well-known/oauth-authorization-server":
            return httpx.Response(200, json={"issuer": ISSUER, "token_endpoint": f"{ISSUER}/token"})
        if path == "/token":
            return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})
        if path == "/credential":
            body = json.loads(request.content)
            jwk = parse_jws(body["proofs"]["jwt"][0]).header["jwk"]
            return httpx.Response(200, json=credentials(jwk, body))
        return httpx.Response(404)

    return handle


def offer(*configuration_ids: str) -> str:
    grants = {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "code"}}
    body = {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": list(configuration_ids),
        "grants": grants,
    }
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(body))


def test_an_error_reply_that_is_not_an_object_is_an_issuer_error(wallet: WalletAgent) -> None:
    for body in ([], "text", 3, {"error": ["not", "a", "string"]}):
        handler = issuer(lambda jwk, _: {}, **{"/token": lambda _, b=body: httpx.Response(400, json=b)})
        with pytest.raises(IssuerError, match="HTTP 400"):
            run(wallet, handler, lambda agent: agent.receive(offer("pid")))


@pytest.mark.parametrize("code", ["", "\udcff12", "1" * 257])
def test_a_transaction_code_no_form_can_carry_is_refused_before_the_code_is_spent(
    wallet: WalletAgent, code: str
) -> None:
    asked: list[str] = []

    def token(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})

    grants = {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "code", "tx_code": {"length": 6}}}
    body = {"credential_issuer": ISSUER, "credential_configuration_ids": ["pid"], "grants": grants}
    link = "openid-credential-offer://?credential_offer=" + quote(json.dumps(body))
    handler = issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]}, **{"/token": token})
    with pytest.raises(InvalidInput, match="transaction code"):
        run(wallet, handler, lambda agent: agent.receive(link, tx_code=code))
    assert asked == [] and wallet.store.credentials() == []


ES256 = {"proof_signing_alg_values_supported": ["ES256"]}
RESPONSES_ENCRYPTED = {
    "alg_values_supported": ["ECDH-ES"],
    "enc_values_supported": ["A128GCM"],
    "encryption_required": True,
}
RSA_REQUESTS = {
    "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "RSA-OAEP-256", "kid": "r"}]},
    "enc_values_supported": ["A128GCM"],
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # encrypted responses required, but no key to encrypt the request to (section 8.2 wants both)
        ({"credential_response_encryption": RESPONSES_ENCRYPTED}, "encrypted"),
        # encrypted requests required, to a key of a kind not implemented here
        ({"credential_request_encryption": {**RSA_REQUESTS, "encryption_required": True}}, "encrypted"),
        ({"proof_types_supported": {"attestation": ES256}}, "no jwt proofs"),
        ({"proof_types_supported": {"jwt": {**ES256, "key_attestations_required": {}}}}, "key attestations"),
    ],
)
def test_what_the_wallet_cannot_do_is_said_before_the_code_is_spent(
    wallet: WalletAgent, change: dict[str, Any], reason: str
) -> None:
    """helper 39: an issuer that wants encryption (the EUDI PID issuer does) or key attestations had
    the single-use code spent, then the credential request refused."""
    asked: list[str] = []
    metadata: dict[str, Any] = {
        "credential_issuer": ISSUER,
        "credential_endpoint": f"{ISSUER}/credential",
        "credential_configurations_supported": {"pid": {**CONFIGURATIONS["pid"]}},
    }
    for name, value in change.items():
        if name == "proof_types_supported":
            metadata["credential_configurations_supported"]["pid"][name] = value
        else:
            metadata[name] = value

    def token(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})

    routes = {
        "/.well-known/openid-credential-issuer": lambda _: httpx.Response(200, json=metadata),
        "/token": token,
    }
    handler = issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]}, **routes)
    with pytest.raises(IssuerError, match=reason):
        run(wallet, handler, lambda agent: agent.receive(offer("pid")))
    assert asked == []


@pytest.mark.parametrize("served_at", ["literal", "stripped"])
def test_an_issuer_identifier_ending_in_a_slash(wallet: WalletAgent, served_at: str) -> None:
    """helper 39: OpenID4VCI 1.0 section 12.2.2 inserts the well-known suffix and drops nothing, where
    the wallet had dropped the final '/' as RFC 8414 does; an issuer serving it the RFC 8414 way is
    still found."""
    tenant = f"{ISSUER}/tenant/"
    where = {"literal": "/.well-known/openid-credential-issuer/tenant/"}.get(
        served_at, "/.well-known/openid-credential-issuer/tenant"
    )
    fetched: list[str] = []
    plain = issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]})

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        fetched.append(path)
        if path == where:
            return httpx.Response(
                200,
                json={
                    "credential_issuer": tenant,
                    "credential_endpoint": f"{ISSUER}/credential",
                    "credential_configurations_supported": CONFIGURATIONS,
                },
            )
        if path == "/.well-known/oauth-authorization-server/tenant":  # RFC 8414 section 3.1
            return httpx.Response(200, json={"issuer": tenant, "token_endpoint": f"{ISSUER}/token"})
        return plain(request) if not path.startswith("/.well-known/") else httpx.Response(404)

    body = {
        "credential_issuer": tenant,
        "credential_configuration_ids": ["pid"],
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "code"}},
    }
    link = "openid-credential-offer://?credential_offer=" + quote(json.dumps(body))
    [received] = run(wallet, handler, lambda agent: agent.receive(link))
    assert received.vct == PID_VCT
    assert fetched[0] == "/.well-known/openid-credential-issuer/tenant/"


def test_metadata_is_asked_for_as_json(wallet: WalletAgent) -> None:
    # OpenID4VCI 1.0 section 12.2.2: an issuer may serve signed metadata (application/jwt) unless asked
    accepts: dict[str, str | None] = {}
    plain = issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]})

    def handler(request: httpx.Request) -> httpx.Response:
        accepts[request.url.path] = request.headers.get("accept")
        return plain(request)

    run(wallet, handler, lambda agent: agent.receive(offer("pid")))
    assert accepts["/.well-known/openid-credential-issuer"] == "application/json"
    assert accepts["/.well-known/oauth-authorization-server"] == "application/json"


@pytest.mark.parametrize("status", [201, 204, 206, 299])
def test_credentials_come_with_200_only(wallet: WalletAgent, status: int) -> None:
    """helper 43: OpenID4VCI 1.0 section 8.3 answers credentials with 200 (a deferral with 202); a
    credential under any other status had been taken."""

    def credential(request: httpx.Request) -> httpx.Response:
        jwk = parse_jws(json.loads(request.content)["proofs"]["jwt"][0]).header["jwk"]
        return httpx.Response(status, json={"credentials": [{"credential": sd_jwt_vc(jwk)}]})

    with pytest.raises(IssuerError, match=f"HTTP {status}"):
        run(
            wallet,
            issuer(lambda jwk, _: {}, **{"/credential": credential}),
            lambda a: a.receive(offer("pid")),
        )
    assert wallet.store.credentials() == []


def test_one_credential_per_key_proof(wallet: WalletAgent) -> None:
    handler = issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}] * 2})
    with pytest.raises(IssuerError, match="2 credentials for one key proof"):
        run(wallet, handler, lambda agent: agent.receive(offer("pid")))
    assert wallet.store.credentials() == [] and wallet.store.log() == []


def test_an_offer_is_kept_whole_or_not_at_all(wallet: WalletAgent) -> None:
    def credentials(jwk: dict[str, Any], body: dict[str, Any]) -> Any:
        if body["credential_configuration_id"] == "pid":
            return {"credentials": [{"credential": sd_jwt_vc(jwk)}]}
        return {"credentials": [{"credential": "AAAA"}]}  # the mdoc is garbage

    with pytest.raises(EudiError):
        run(wallet, issuer(credentials), lambda agent: agent.receive(offer("pid", "pid_mdoc")))
    assert wallet.store.credentials() == [] and wallet.store.log() == []
    kept = run(
        wallet,
        issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]}),
        lambda agent: agent.receive(offer("pid")),
    )
    assert [c.vct for c in kept] == [PID_VCT] and len(wallet.store.credentials()) == 1


def test_shared_values_in_an_mdoc_are_refused_before_anything_is_kept(wallet: WalletAgent) -> None:
    from cbor2 import CBORTag

    from common.jose import b64url_encode

    laughs = [CBORTag(28, ["x"])] + [CBORTag(28, [CBORTag(29, i), CBORTag(29, i)]) for i in range(40)]

    def credentials(jwk: dict[str, Any], _body: dict[str, Any]) -> Any:
        issued = issue_mdoc(
            PID_DOCTYPE,
            {PID_DOCTYPE: {"given_name": laughs, "family_name": "Mustermann"}},
            signing_key=PKI.issuer_key,
            x5chain=[PKI.issuer_cert],
            device_key=public_key_from_jwk(jwk),
            signed=AT - timedelta(minutes=5),
            valid_from=AT - timedelta(minutes=5),
            valid_until=AT + timedelta(days=30),
        )
        return {"credentials": [{"credential": b64url_encode(issued)}]}

    with pytest.raises(EudiError):
        run(wallet, issuer(credentials), lambda agent: agent.receive(offer("pid_mdoc")))
    assert wallet.store.credentials() == [] and not any((wallet.store.directory / "keys").glob("*"))


# -- presentation -------------------------------------------------------------------------------

QUERY = {
    "credentials": [
        {
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [PID_VCT]},
            "claims": [{"path": ["given_name"]}],
        }
    ]
}


def verifier(answer: Handler, posts: list[dict[str, str]], metadata: dict[str, Any] | None = None) -> Handler:
    claims = build_request_object(
        client_id=CLIENT_ID,
        response_uri=f"{VERIFIER}/response",
        nonce="nonce-0123456789abcdef",
        state="state-1",
        dcql_query=QUERY,
        client_metadata=metadata or {},
        iat=NOW,
    )
    claims["verifier_info"] = [{"format": "registration_cert", "data": _registration(PKI, "NL", AT)}]
    request_object = sign_request_object(claims, key=PKI.verifier_key, x5c=[PKI.verifier_cert])

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/request":
            return httpx.Response(200, text=request_object)
        if request.url.path == "/response":
            posts.append(dict(parse_qsl(request.content.decode())))
            return answer(request)
        return httpx.Response(404)

    return handle


def present(
    wallet: WalletAgent, answer: Handler, *, accept: bool = True, metadata: dict[str, Any] | None = None
) -> tuple[Any, list[dict[str, str]]]:
    run(
        wallet,
        issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]}),
        lambda agent: agent.receive(offer("pid")),
    )
    posts: list[dict[str, str]] = []
    link = authorization_request_link(client_id=CLIENT_ID, request_uri=f"{VERIFIER}/request")

    async def flow(agent: WalletAgent) -> Any:
        proposal = await agent.fetch_request(link)
        return await agent.respond(proposal, accept=accept)

    try:
        return run(wallet, verifier(answer, posts, metadata), flow), posts
    except EudiError as exc:
        return exc, posts


@pytest.mark.parametrize(
    ("formats", "error"),
    [
        ({"mso_mdoc": {}}, "vp_formats_not_supported"),  # the query asks dc+sd-jwt only
        ({"dc+sd-jwt": {"kb-jwt_alg_values": ["ES384"]}}, "vp_formats_not_supported"),  # no KB-JWT of ours
        # the held credential's issuer signed with ES256, which this verifier does not take: said as
        # access_denied, since the code must not tell what the wallet holds (helper 41)
        ({"dc+sd-jwt": {"sd-jwt_alg_values": ["ES384"]}}, "access_denied"),
        ({"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"]}}, None),
    ],
)
def test_formats_the_wallet_cannot_present_are_said_so(
    wallet: WalletAgent, formats: Any, error: str | None
) -> None:
    """helper 38: where the wallet can present none of the formats asked, the refusal said
    access_denied; section 8.5 has vp_formats_not_supported for it. It is judged on the request
    alone: an answer that depended on the credentials held would tell a verifier what they are."""
    _, posts = present(
        wallet, lambda _: httpx.Response(200, json={}), metadata={"vp_formats_supported": formats}
    )
    assert len(posts) == 1
    assert posts[0].get("error") == error, posts


def test_an_odd_but_accepting_reply_is_logged_as_presented(wallet: WalletAgent) -> None:
    result, posts = present(wallet, lambda _: httpx.Response(200, text="<html>thanks</html>"))
    assert result == {} and len(posts) == 1 and "vp_token" in posts[0]
    assert [entry["event"] for entry in wallet.store.log()] == ["received", "presented"]


@pytest.mark.parametrize(
    "answer",
    [
        lambda _: httpx.Response(302, headers={"location": "https://elsewhere.example/"}),
        lambda _: httpx.Response(200, content=b"x" * (2 << 20)),
    ],
)
def test_a_reply_that_fails_after_the_post_is_logged_as_unconfirmed(
    wallet: WalletAgent, answer: Handler
) -> None:
    result, posts = present(wallet, answer)
    assert isinstance(result, VerifierError) and len(posts) == 1
    last = wallet.store.log()[-1]
    assert last["event"] == "presentation_unconfirmed" and last["shared"][0]["claims"] == [["given_name"]]


@pytest.mark.parametrize(
    "answer",
    [
        lambda _: httpx.Response(302, headers={"location": "https://elsewhere.example/"}),
        lambda _: httpx.Response(200, content=b"x" * (2 << 20)),
    ],
)
def test_a_refusal_whose_answer_fails_is_logged(wallet: WalletAgent, answer: Handler) -> None:
    """Found by fuzzing: the citizen's refusal reached the verifier, its answer failed, and the log had
    no record of the exchange."""
    result, posts = present(wallet, answer, accept=False)
    assert isinstance(result, EudiError) and posts[0]["error"] == "access_denied"
    assert [entry["event"] for entry in wallet.store.log()] == ["received", "declined"]


@pytest.mark.parametrize("location", ["https://xn--zz.com/", "https://xn--ls8h.la/", "https:x"])
def test_a_redirect_to_a_location_no_url_can_hold_is_a_typed_error(
    wallet: WalletAgent, location: str
) -> None:
    """Found by fuzzing: httpx reads the Location of a redirect it does not follow, and an IDNA label it
    refuses (or no host at all) escaped as its own exception."""
    with pytest.raises(EudiError, match="failed"):
        run(
            wallet,
            lambda _: httpx.Response(302, headers={"location": location}),
            lambda a: a.receive(offer("pid")),
        )


@pytest.mark.parametrize("body", [[], {"error": "x", "error_description": "line\u2028break\u0085here"}])
def test_a_refusal_is_logged_and_the_log_stays_readable(wallet: WalletAgent, body: Any) -> None:
    result, _ = present(wallet, lambda _: httpx.Response(400, json=body))
    assert isinstance(result, VerifierError)
    log = wallet.store.log()
    assert [entry["event"] for entry in log] == ["received", "presentation_refused"]
    if isinstance(body, dict):
        assert log[-1]["reason"] == body["error_description"]


def test_a_record_too_large_to_read_back_is_not_written(wallet: WalletAgent) -> None:
    from wallet.store import MAX_FILE_BYTES, StoredCredential

    huge = StoredCredential(
        credential_id="c1",
        format="dc+sd-jwt",
        raw="x" * MAX_FILE_BYTES,
        vct=PID_VCT,
        issuer=ISSUER,
        issuer_name=None,
        key_id="k1",
        received_at=NOW,
        claims={},
    )
    with pytest.raises(InvalidInput, match="larger than"):
        wallet.store.add_credential(huge, ec.generate_private_key(ec.SECP256R1()))
    assert wallet.store.credentials() == [] and not (wallet.store.directory / "keys" / "k1.pem").exists()


def test_a_presentation_cancelled_after_the_post_is_logged_as_unconfirmed(wallet: WalletAgent) -> None:
    run(
        wallet,
        issuer(lambda jwk, _: {"credentials": [{"credential": sd_jwt_vc(jwk)}]}),
        lambda agent: agent.receive(offer("pid")),
    )
    posts: list[dict[str, str]] = []
    plain = verifier(lambda _: httpx.Response(200, json={}), posts)
    received = asyncio.Event()

    async def stalling(request: httpx.Request) -> httpx.Response:
        answer = plain(request)
        if request.url.path == "/response":
            received.set()
            await asyncio.sleep(30)  # holds the answer until the citizen gives up
        return answer

    link = authorization_request_link(client_id=CLIENT_ID, request_uri=f"{VERIFIER}/request")

    async def flow(agent: WalletAgent) -> None:
        proposal = await agent.fetch_request(link)
        presenting = asyncio.create_task(agent.respond(proposal, accept=True))
        await asyncio.wait_for(received.wait(), 10)
        presenting.cancel()  # Ctrl-C in the terminal wallet
        with pytest.raises(asyncio.CancelledError):
            await presenting

    run(wallet, stalling, flow)
    assert len(posts) == 1
    last = wallet.store.log()[-1]
    assert last["event"] == "presentation_unconfirmed" and last["reason"] == "CancelledError"


@pytest.mark.parametrize(("answer_encrypted", "status"), [(True, 200), (False, 200), (False, 201)])
def test_credential_requests_and_responses_are_encrypted_where_the_issuer_offers_it(
    wallet: WalletAgent, answer_encrypted: bool, status: int
) -> None:
    """OpenID4VCI 1.0 section 10: the request is encrypted to the issuer's published key, and names a
    fresh key of the wallet's for the response; a response in the clear is then refused (section 10:
    an unencrypted message where one was required SHOULD be rejected)."""
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    metadata = {
        "credential_issuer": ISSUER,
        "credential_endpoint": f"{ISSUER}/credential",
        "credential_configurations_supported": CONFIGURATIONS,
        "credential_request_encryption": request_encryption_metadata(issuer_key, "issuer-key"),
        "credential_response_encryption": response_encryption_metadata(),
    }
    seen: list[dict[str, Any]] = []

    def credential(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/jwt"
        body = decrypt_message(request.content.decode(), issuer_key, kid="issuer-key")
        seen.append(body)
        jwk = parse_jws(body["proofs"]["jwt"][0]).header["jwk"]
        answer = {"credentials": [{"credential": sd_jwt_vc(jwk)}]}
        if not answer_encrypted:  # in the clear, whatever the status (helper 41: 201 had been taken)
            return httpx.Response(status, json=answer)
        asked = body["credential_response_encryption"]
        sealed = encrypt_message(answer, asked["jwk"], asked["enc"])
        return httpx.Response(200, content=sealed, headers={"content-type": "application/jwt"})

    routes = {
        "/.well-known/openid-credential-issuer": lambda _: httpx.Response(200, json=metadata),
        "/credential": credential,
    }
    handler = issuer(lambda jwk, _: {}, **routes)
    if answer_encrypted:
        [received] = run(wallet, handler, lambda agent: agent.receive(offer("pid")))
        assert received.vct == PID_VCT
    else:  # 201 is no answer of section 8.3 at all (helper 43)
        with pytest.raises(IssuerError, match="in the clear" if status == 200 else "HTTP 201"):
            run(wallet, handler, lambda agent: agent.receive(offer("pid")))
    assert (wallet.store.credentials() != []) is answer_encrypted
    [body] = seen
    asked = body["credential_response_encryption"]
    assert asked["enc"] == "A256GCM" and asked["jwk"]["alg"] == "ECDH-ES" and "d" not in asked["jwk"]
