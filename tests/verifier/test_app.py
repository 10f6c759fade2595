"""The verifier's HTTP surface in-process (ASGI), fixed clock: RP API, request object, response endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from common.clock import FixedClock
from common.jose import parse_jws, x5c_certificates
from openid4vc.presentation import (
    ResponseEncryption,
    error_response_form,
    parse_authorization_request_link,
    request_uri_form,
    x509_hash,
)
from trust_list.cli import write_trust_list
from trust_list.loader import TrustListSource
from trust_list.pki import make_dev_pki
from verifier.app import create_app
from verifier.settings import VerifierSettings
from verifier.store import response_keys

NOW = 1_790_000_000
BASE = "https://verifier.example"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


API_TOKEN = "relying-party-token-0123"


def make_client(
    database_url: str, clock: FixedClock, folder: Path, *, api_token: str | None = None, **options: str
) -> TestClient:
    pki = make_dev_pki(now=datetime.fromtimestamp(NOW, UTC), rp_dns_name="verifier.example")
    write_trust_list(pki, folder / "list.jws", now=datetime.fromtimestamp(NOW, UTC))
    settings = VerifierSettings(
        public_url=BASE,
        database_url=database_url,
        signing_key=pki.verifier_key,
        certificate_chain=(pki.verifier_cert,),
        trust_lists=(TrustListSource(folder / "list.jws", (pki.operator_cert,), label="NL"),),
        api_token=api_token,
        **options,
    )
    return TestClient(create_app(settings, clock=clock), base_url=BASE)


@pytest.fixture
def client(database_url: str, clock: FixedClock, tmp_path: Path) -> TestClient:
    return make_client(database_url, clock, tmp_path)


def test_transaction_request_object_and_result(client: TestClient) -> None:
    made = client.post("/transactions", json={"preset": "pid_basic"})
    assert made.status_code == 201
    body = made.json()
    assert body["authorization_request"].startswith("openid4vp://?client_id=x509_san_dns%3Averifier.example&")
    request = client.get(body["request_uri"].removeprefix(BASE))
    assert request.headers["content-type"] == "application/oauth-authz-req+jwt"
    again = client.get(body["request_uri"].removeprefix(BASE))
    assert again.text == request.text  # a second fetch of the same request_uri still works
    jws = parse_jws(request.text)
    claims = jws.claims()
    assert jws.header["typ"] == "oauth-authz-req+jwt" and "x5c" in jws.header
    assert claims["client_id"] == "x509_san_dns:verifier.example"
    assert claims["response_uri"] == f"{BASE}/response" and claims["response_mode"] == "direct_post"
    assert len(claims["nonce"]) >= 22 and claims["aud"] == "https://self-issued.me/v2"
    mdoc = claims["client_metadata"]["vp_formats_supported"]["mso_mdoc"]
    assert mdoc == {"issuerauth_alg_values": [-7, -9], "deviceauth_alg_values": [-7, -9]}
    assert client.get(body["result_url"].removeprefix(BASE)).json()["status"] == "pending"
    # helper 38: what the QR code shows (the request URI and object) does not give away the transaction
    # id, with which the verified claims are read (OpenID4VP 1.0 section 14.3.3)
    seen = body["authorization_request"] + body["request_uri"] + request.text + json.dumps(claims)
    assert body["transaction_id"] not in seen
    assert client.get(f"/request/{body['transaction_id']}").status_code == 404


def test_request_uri_method_post_and_x509_hash(database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    client = make_client(
        database_url, clock, tmp_path, client_id_prefix="x509_hash", request_uri_method="post"
    )
    body = client.post("/transactions", json={"preset": "pid_basic"}).json()
    link = parse_authorization_request_link(body["authorization_request"])
    assert link.request_uri_method == "post" and link.client_id == body["client_id"]
    params = parse_qs(urlsplit(body["authorization_request"]).query)
    assert "dc+sd-jwt" in json.loads(params["client_metadata"][0])["vp_formats_supported"]  # 5.1: SHOULD
    path = body["request_uri"].removeprefix(BASE)
    stored = parse_jws(client.get(path).text)
    certificate = x5c_certificates(stored.header)[0]
    assert stored.claims()["client_id"] == f"x509_hash:{x509_hash(certificate)}" == body["client_id"]

    form = request_uri_form(
        wallet_metadata={"vp_formats_supported": {"dc+sd-jwt": {}}}, wallet_nonce="w-n0nce"
    )
    posted = client.post(path, data=form, headers={"Accept": "application/oauth-authz-req+jwt"})
    assert posted.status_code == 200 and posted.headers["content-type"] == "application/oauth-authz-req+jwt"
    jws = parse_jws(posted.text)
    jws.verify(certificate.public_key())  # type: ignore[arg-type]
    assert jws.claims() == {
        **stored.claims(),
        "wallet_nonce": "w-n0nce",
    }  # signed again, nothing else changed
    # without a wallet_nonce, the request object as made; malformed metadata, an unknown id: refused
    empty = client.post(path, content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert empty.text == client.get(path).text
    refused = client.post(path, data={"wallet_metadata": "[1]", "wallet_nonce": "x"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    assert client.post(path, data={"wallet_nonce": ""}).json()["error"] == "invalid_request"
    echoed = client.post(path, data={"wallet_nonce": "qPmxiNFCR3QTm19POc8u+w=="})  # any string (5.10)
    assert parse_jws(echoed.text).claims()["wallet_nonce"] == "qPmxiNFCR3QTm19POc8u+w=="
    assert client.post("/request/unknown", data=form).status_code == 404


def test_direct_post_jwt_transaction_keys(database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    client = make_client(database_url, clock, tmp_path, response_mode="direct_post.jwt")
    keys = []
    for _ in range(2):
        body = client.post("/transactions", json={"preset": "pid_basic"}).json()
        claims = parse_jws(client.get(body["request_uri"].removeprefix(BASE)).text).claims()
        assert claims["response_mode"] == "direct_post.jwt"
        metadata = claims["client_metadata"]
        assert metadata["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]  # HAIP: both
        [jwk] = metadata["jwks"]["keys"]
        assert jwk["use"] == "enc" and jwk["alg"] == "ECDH-ES" and jwk["crv"] == "P-256" and "d" not in jwk
        keys.append(jwk)
    assert keys[0]["kid"] != keys[1]["kid"] and keys[0]["x"] != keys[1]["x"]  # a key per transaction

    encryption = ResponseEncryption(keys[1], "A128GCM")
    declined = error_response_form("access_denied", "no", claims["state"], encryption)
    assert set(declined) == {"response"}
    assert client.post("/response", data=declined).status_code == 200
    assert client.get(body["result_url"].removeprefix(BASE)).json()["error"] == "access_denied"
    again = client.post("/response", data=declined)  # the key went with the transaction's one response
    assert again.status_code == 400 and "kid" in again.json()["error_description"]
    for junk in ("not.a.jwe", "e30....", "!!"):
        assert client.post("/response", data={"response": junk}).json()["error"] == "invalid_request"

    # the request object, not the key, says the response must come encrypted: with the key gone (a
    # worker whose clock runs ahead purged it), a presentation in the clear is still refused
    third = client.post("/transactions", json={"preset": "pid_basic"}).json()
    state = parse_jws(client.get(third["request_uri"].removeprefix(BASE)).text).claims()["state"]
    store = client.app.state.service.store  # type: ignore[attr-defined]
    with store.engine.begin() as db:
        db.execute(response_keys.delete())
    clear = client.post("/response", data={"vp_token": '{"pid": ["x~"]}', "state": state})
    assert clear.status_code == 400 and "encrypted" in clear.json()["error_description"]
    assert client.get(third["result_url"].removeprefix(BASE)).json()["status"] == "pending"


@pytest.mark.parametrize(
    ("setting", "value"),
    [("client_id_prefix", "x509_san_uri"), ("request_uri_method", "POST"), ("response_mode", "fragment")],
)
def test_verifier_options_are_checked(setting: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=setting):
        make_client("sqlite://", FixedClock(NOW), tmp_path, **{setting: value})


def test_same_device_decline_is_redirected_and_readable(client: TestClient) -> None:
    body = client.post(
        "/transactions", json={"preset": "pid_basic", "redirect_uri": "https://rp.example/done"}
    )
    made = body.json()
    state = parse_jws(client.get(made["request_uri"].removeprefix(BASE)).text).claims()["state"]
    answer = client.post("/response", data={"error": "access_denied", "state": state}).json()
    assert answer["redirect_uri"].startswith("https://rp.example/done#response_code=")
    # a failure reveals no claims: it is read without the code
    assert client.get(made["result_url"].removeprefix(BASE)).json()["status"] == "failed"
    plain = client.post("/transactions", json={"preset": "pid_basic"}).json()
    state = parse_jws(client.get(plain["request_uri"].removeprefix(BASE)).text).claims()["state"]
    assert client.post("/response", data={"error": "access_denied", "state": state}).json() == {}


def test_declined_response_is_recorded(client: TestClient) -> None:
    body = client.post("/transactions", json={"preset": "pid_basic"}).json()
    state = parse_jws(client.get(body["request_uri"].removeprefix(BASE)).text).claims()["state"]
    answer = client.post("/response", data={"error": "access_denied", "state": state})
    assert answer.status_code == 200
    result = client.get(body["result_url"].removeprefix(BASE)).json()
    assert result["status"] == "failed" and result["error"] == "access_denied"


def test_transaction_expires(client: TestClient, clock: FixedClock) -> None:
    body = client.post("/transactions", json={"preset": "pid_basic"}).json()
    clock.advance(601)
    assert client.get(body["request_uri"].removeprefix(BASE)).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"preset": "nope"},
        {"preset": "pid_basic", "dcql_query": {}},
        {"dcql_query": {"credentials": []}},
        {  # a format this verifier cannot check is refused before any citizen is asked
            "dcql_query": {
                "credentials": [
                    {"id": "x", "format": "jwt_vc_json", "meta": {"type_values": [["VerifiableCredential"]]}}
                ]
            }
        },
    ],
)
def test_bad_transactions(client: TestClient, payload: dict[str, object]) -> None:
    answer = client.post("/transactions", json=payload)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_response_endpoint_refusals(client: TestClient) -> None:
    assert (
        client.post("/response", data={"vp_token": '{"pid": ["x~"]}', "state": "unknown"}).status_code == 400
    )
    assert client.post("/response", data={"vp_token": "{"}).json()["error"] == "invalid_request"
    assert client.post("/response", json={"vp_token": {}}).json()["error"] == "invalid_request"
    assert client.get("/transactions/none").status_code == 404


def test_openapi_document(client: TestClient) -> None:
    assert "/transactions" in client.get("/openapi.json").json()["paths"]


def test_the_relying_party_api_needs_the_api_token(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    guarded = make_client(database_url, clock, tmp_path, api_token=API_TOKEN)
    for headers in ({}, {"Authorization": "Bearer not-the-token-0123"}, {"Authorization": b"Bearer t\xe9"}):
        answer = guarded.post("/transactions", json={"preset": "pid_basic"}, headers=headers)
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_token", answer.text
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    made = guarded.post("/transactions", json={"preset": "pid_basic"}, headers=auth)
    assert made.status_code == 201
    result = made.json()["result_url"].removeprefix(BASE)
    assert guarded.get(result).status_code == 401
    assert guarded.get(result, headers=auth).json()["status"] == "pending"
    assert guarded.get("/trust-lists").status_code == 401  # it names the sources, file paths included
    assert guarded.get("/trust-lists", headers=auth).json()["sources"][0]["label"] == "NL"
    # what the wallet fetches stays open
    assert guarded.get(made.json()["request_uri"].removeprefix(BASE)).status_code == 200


def test_a_lone_surrogate_in_a_query_is_a_400(client: TestClient) -> None:
    query = {"credentials": [{"id": "x", "format": "dc+sd-jwt", "meta": {"vct_values": ["\ud800"]}}]}
    body = json.dumps({"dcql_query": query})  # ensure_ascii: the surrogate travels as \ud800
    answer = client.post("/transactions", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", answer.text


def test_several_presentations_for_a_query_without_multiple_are_refused_before_any_is_checked(
    client: TestClient,
) -> None:
    """Found by fuzzing: each of up to 20 presentations was checked, its status list fetched, before
    their number was weighed against the query (OpenID4VP 1.0 section 8.1: one, without multiple)."""
    body = client.post("/transactions", json={"preset": "pid_basic"}).json()
    state = parse_jws(client.get(body["request_uri"].removeprefix(BASE)).text).claims()["state"]
    answer = client.post("/response", data={"vp_token": json.dumps({"pid": ["x~", "y~"]}), "state": state})
    assert answer.status_code == 400
    result = client.get(body["result_url"].removeprefix(BASE)).json()
    assert result["status"] == "failed" and "2 presentations for 'pid'" in result["error_description"]


def test_a_defect_while_checking_a_response_fails_the_transaction(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by fuzzing: an exception that was not ours left the transaction claimed for good, and the
    relying party waiting on it."""
    from verifier.service import VerifierService

    async def broken(*args: object) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr(VerifierService, "_verify", broken)
    body = client.post("/transactions", json={"preset": "pid_basic"}).json()
    state = parse_jws(client.get(body["request_uri"].removeprefix(BASE)).text).claims()["state"]
    crashing = TestClient(client.app, base_url=BASE, raise_server_exceptions=False)
    answer = crashing.post("/response", data={"vp_token": json.dumps({"pid": ["x~"]}), "state": state})
    assert answer.status_code == 500
    result = client.get(body["result_url"].removeprefix(BASE)).json()
    assert result["status"] == "failed" and result["error"] == "server_error"
