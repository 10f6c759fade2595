"""The issuer's HTTP surface in-process (ASGI), fixed clock: metadata, offers, token, nonce, credential."""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from common.clock import FixedClock
from common.jose import b64url_decode, encode_jws, parse_jws, public_jwk, public_key_from_jwk
from credentials.status_list import Status, check_status, verify_status_list_jwt
from issuer.app import create_app
from issuer.service import PID_SD_JWT
from issuer.settings import IssuerSettings
from issuer.store import status_entries
from openid4vc.dpop import make_dpop_proof
from openid4vc.encryption import decrypt_message, encrypt_message
from openid4vc.errors import CredentialRequestDenied
from openid4vc.issuance import PRE_AUTHORIZED_GRANT, make_jwt_proof
from trust_list.pki import make_dev_pki

NOW = 1_790_000_000
ISSUER = "https://issuer.example"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


ADMIN_TOKEN = "back-office-token-0123"


def make_client(database_url: str, clock: FixedClock, *, admin_token: str | None = None) -> TestClient:
    pki = make_dev_pki(now=datetime.fromtimestamp(NOW, UTC))
    settings = IssuerSettings(
        public_url=ISSUER,
        database_url=database_url,
        signing_key=pki.issuer_key,
        certificate_chain=(pki.issuer_cert,),
        admin_token=admin_token,
    )
    return TestClient(create_app(settings, clock=clock), base_url=ISSUER)


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> TestClient:
    return make_client(database_url, clock)


def offer(client: TestClient) -> tuple[str, str]:
    made = client.post("/offers", json={"citizen_id": "nl-0001"}).json()
    body = client.get(made["credential_offer_uri"].removeprefix(ISSUER)).json()
    return body["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"], made["tx_code"]


def token(client: TestClient, code: str, tx_code: str | None) -> Any:
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    return client.post("/token", data=form)


def issue_pid(client: TestClient) -> str:
    """An SD-JWT VC PID of a fresh offer, token and nonce, bound to a fresh key."""
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    nonce = client.post("/nonce").json()["c_nonce"]
    proof = make_jwt_proof(ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce=nonce, iat=NOW)
    body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
    [item] = client.post("/credential", json=body, headers=auth).json()["credentials"]
    return str(item["credential"])


def test_metadata(client: TestClient) -> None:
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == ISSUER
    assert metadata["nonce_endpoint"] == f"{ISSUER}/nonce"
    configuration = metadata["credential_configurations_supported"][PID_SD_JWT]
    assert configuration["format"] == "dc+sd-jwt" and configuration["vct"] == "urn:eudi:pid:1"
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == ISSUER and server["token_endpoint"] == f"{ISSUER}/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    assert "response_types_supported" not in server  # the pre-authorized grant alone (12.2.4)


def test_offer_shape(client: TestClient) -> None:
    made = client.post("/offers", json={"citizen_id": "nl-0001"}).json()
    assert made["credential_offer"].startswith("openid-credential-offer://?credential_offer_uri=")
    body = client.get(made["credential_offer_uri"].removeprefix(ISSUER)).json()
    assert body["credential_issuer"] == ISSUER
    assert body["credential_configuration_ids"] == [PID_SD_JWT]
    assert body["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]["input_mode"] == "numeric"
    assert len(made["tx_code"]) == body["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]["length"]


def test_unknown_citizen_is_refused(client: TestClient) -> None:
    answer = client.post("/offers", json={"citizen_id": "nobody"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_token_errors(client: TestClient, clock: FixedClock) -> None:
    code, tx_code = offer(client)
    assert token(client, code, None).json()["error"] == "invalid_request"
    assert token(client, code, "x" + tx_code).json()["error"] == "invalid_grant"
    assert token(client, "not-a-code", tx_code).json()["error"] == "invalid_grant"
    assert client.post("/token", data={"grant_type": "password"}).json()["error"] == "unsupported_grant_type"
    answer = token(client, code, tx_code)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert token(client, code, tx_code).json()["error"] == "invalid_grant"  # single use

    code, tx_code = offer(client)
    clock.advance(601)
    assert token(client, code, tx_code).json()["error"] == "invalid_grant"  # expired


def test_wrong_tx_codes_invalidate_the_code(client: TestClient) -> None:
    made = client.post("/offers", json={"citizen_id": "nl-0001"}).json()
    uri = made["credential_offer_uri"].removeprefix(ISSUER)
    code = client.get(uri).json()["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    for _ in range(3):
        assert token(client, code, "x").json()["error"] == "invalid_grant"
    assert token(client, code, made["tx_code"]).json()["error"] == "invalid_grant"
    assert client.get(uri).status_code == 404  # the offer is gone with its code


def test_a_right_tx_code_spends_no_attempt(client: TestClient) -> None:
    # three requests with the right tx_code that fail for another reason, then the real one
    code, tx_code = offer(client)
    beyond = json.dumps([{"type": "openid_credential", "credential_configuration_id": "not-offered"}])
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    for _ in range(3):
        refused = client.post("/token", data={**form, "authorization_details": beyond})
        assert refused.json()["error"] == "invalid_authorization_details"
    assert "access_token" in token(client, code, tx_code).json()


def test_credential_flow_and_errors(client: TestClient) -> None:
    code, tx_code = offer(client)
    access_token = token(client, code, tx_code).json()["access_token"]
    holder = ec.generate_private_key(ec.SECP256R1())
    auth = {"Authorization": f"Bearer {access_token}"}

    def request(proof: str, configuration_id: str = PID_SD_JWT) -> Any:
        body = {"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}}
        return client.post("/credential", json=body, headers=auth)

    nonce = client.post("/nonce")
    assert nonce.headers["cache-control"] == "no-store"
    c_nonce = nonce.json()["c_nonce"]

    wrong_aud = make_jwt_proof(holder, audience="https://other.example", nonce=c_nonce, iat=NOW)
    assert request(wrong_aud).json()["error"] == "invalid_proof"
    stale = make_jwt_proof(holder, audience=ISSUER, nonce="never-issued", iat=NOW)
    assert request(stale).json()["error"] == "invalid_nonce"
    # no nonce at all, from an issuer with a nonce endpoint, is a bad proof (8.3.1.2), not a stale nonce
    assert (
        request(make_jwt_proof(holder, audience=ISSUER, nonce=None, iat=NOW)).json()["error"]
        == "invalid_proof"
    )
    unknown = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)
    assert request(unknown, "no-such-configuration").json()["error"] == "unknown_credential_configuration"
    beyond = request(unknown, "eu.europa.ec.eudi.pid_mso_mdoc")  # offered by the issuer, not in this grant
    assert beyond.status_code == 403 and beyond.json()["error"] == "insufficient_scope"
    assert beyond.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'

    good = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)
    # a parameter 1.0 does not define (here the pre-1.0 format) is ignored (section 8.2)
    body = {"credential_configuration_id": PID_SD_JWT, "format": "dc+sd-jwt", "proofs": {"jwt": [good]}}
    answer = client.post("/credential", json=body, headers=auth)
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["credentials"]
    assert item["credential"].count("~") >= 2
    assert request(good).json()["error"] == "invalid_nonce"  # the nonce was used

    no_token = client.post(
        "/credential", json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [good]}}
    )
    assert no_token.status_code == 401 and no_token.json()["error"] == "invalid_token"
    # RFC 6750 section 3.1: no token, no error code in the challenge; both schemes taken are named
    assert no_token.headers["www-authenticate"] == 'Bearer, DPoP algs="ES256"'
    in_query = client.post(
        f"/credential?access_token={access_token}",
        json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [good]}},
    )
    assert in_query.status_code == 401
    assert in_query.headers["www-authenticate"] == 'Bearer, DPoP algs="ES256"'
    both = client.post(  # two methods at once is a malformed request (RFC 6750 section 3.1)
        f"/credential?access_token={access_token}",
        json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [good]}},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"


def test_dpop_bound_access_tokens(client: TestClient) -> None:
    """RFC 9449: a token asked for with a DPoP proof is bound to its key; the credential endpoint then
    wants the DPoP scheme and a fresh proof by that key, for this request and this token."""
    assert client.get("/.well-known/oauth-authorization-server").json()[
        "dpop_signing_alg_values_supported"
    ] == ["ES256"]
    dpop_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    jtis = iter(range(1000))

    def dpop(url: str, *, key: ec.EllipticCurvePrivateKey = dpop_key, **extra: Any) -> str:
        return make_dpop_proof(key, method="POST", url=ISSUER + url, iat=NOW, jti=f"j{next(jtis)}", **extra)

    code, tx_code = offer(client)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    bad = client.post("/token", data=form, headers={"DPoP": dpop("/nonce")})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_dpop_proof"  # htu of another endpoint
    replayed_proof = dpop("/token")
    answer = client.post("/token", data=form, headers={"DPoP": replayed_proof})
    assert answer.status_code == 200 and answer.json()["token_type"] == "DPoP"
    access_token = answer.json()["access_token"]
    code, tx_code = offer(client)
    form_2 = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    replay = client.post("/token", data=form_2, headers={"DPoP": replayed_proof})
    assert replay.status_code == 400 and "used before" in replay.json()["error_description"]
    assert "www-authenticate" not in replay.headers  # the token endpoint answers 400, no challenge

    holder = ec.generate_private_key(ec.SECP256R1())

    def credential(headers: dict[str, str]) -> Any:
        c_nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)
        body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
        return client.post("/credential", json=body, headers=headers)

    refusals = [
        ({"Authorization": f"Bearer {access_token}"}, "invalid_token"),  # a bound token as a bearer one
        ({"Authorization": f"DPoP {access_token}"}, "invalid_dpop_proof"),  # no proof
        (
            {"Authorization": f"DPoP {access_token}", "DPoP": dpop("/credential")},
            "invalid_dpop_proof",
        ),  # no ath
        (
            {"Authorization": f"DPoP {access_token}", "DPoP": dpop("/credential", access_token="other")},
            "invalid_dpop_proof",
        ),
        (
            {
                "Authorization": f"DPoP {access_token}",
                "DPoP": dpop("/credential", key=other_key, access_token=access_token),
            },
            "invalid_dpop_proof",  # by another key than the token's
        ),
    ]
    for headers, error in refusals:
        refused = credential(headers)
        assert refused.status_code == 401 and refused.json()["error"] == error, refused.text
        # the challenge names the scheme of the token (RFC 9449 section 7.1), whatever was sent
        assert refused.headers["www-authenticate"] == f'DPoP algs="ES256", error="{error}"'
    unknown = credential(
        {"Authorization": "DPoP no-such-token", "DPoP": dpop("/credential", access_token="x")}
    )
    assert unknown.status_code == 401 and unknown.headers["www-authenticate"].startswith("DPoP")
    beyond = {"Authorization": f"DPoP {access_token}", "DPoP": dpop("/credential", access_token=access_token)}
    c_nonce = client.post("/nonce").json()["c_nonce"]
    wider = {
        "credential_configuration_id": "eu.europa.ec.eudi.pid_mso_mdoc",  # the issuer's, not this token's
        "proofs": {"jwt": [make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)]},
    }
    scope = client.post("/credential", json=wider, headers=beyond)
    assert scope.status_code == 403 and scope.headers["www-authenticate"].startswith("DPoP")
    good = {"Authorization": f"DPoP {access_token}", "DPoP": dpop("/credential", access_token=access_token)}
    answer = credential(good)
    assert answer.status_code == 200, answer.text
    again = credential(good)  # the same proof a second time: a replay
    assert again.status_code == 401 and "used before" in again.json()["error_description"]
    used_up = credential(
        {"Authorization": f"DPoP {access_token}", "DPoP": dpop("/credential", access_token=access_token)}
    )  # a fresh proof, but the token's one request for this configuration is spent
    assert used_up.status_code == 401 and used_up.json()["error"] == "invalid_token"
    assert used_up.headers["www-authenticate"] == 'DPoP algs="ES256", error="invalid_token"'

    # a bearer token is not taken with the DPoP scheme; two DPoP headers are refused
    code, tx_code = offer(client)
    bearer = token(client, code, tx_code).json()
    assert bearer["token_type"] == "Bearer"
    assert credential({"Authorization": f"DPoP {bearer['access_token']}"}).json()["error"] == "invalid_token"
    code, tx_code = offer(client)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    two = client.post("/token", data=form, headers=[("DPoP", dpop("/token")), ("DPoP", dpop("/token"))])
    assert two.status_code == 400 and two.json()["error"] == "invalid_dpop_proof"


def test_batch_issuance(client: TestClient) -> None:
    """OpenID4VCI 1.0 section 8.2: up to batch_size proofs, one credential each, all bound to their
    own keys; the proofs share the c_nonce they were made for, which is spent once."""
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["batch_credential_issuance"] == {"batch_size": 10}
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    c_nonce = client.post("/nonce").json()["c_nonce"]
    holders = [ec.generate_private_key(ec.SECP256R1()) for _ in range(11)]
    proofs = [make_jwt_proof(key, audience=ISSUER, nonce=c_nonce, iat=NOW) for key in holders]
    too_many = client.post(
        "/credential",
        json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": proofs}},
        headers=auth,
    )
    assert too_many.status_code == 400 and too_many.json()["error"] == "invalid_credential_request"
    batch = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": proofs[:3]}}
    answer = client.post("/credential", json=batch, headers=auth)
    assert answer.status_code == 200, answer.text
    issued = [item["credential"] for item in answer.json()["credentials"]]
    bound = [
        json.loads(b64url_decode(credential.split("~")[0].split(".")[1]))["cnf"]["jwk"]
        for credential in issued
    ]
    assert bound == [public_jwk(key) for key in holders[:3]]
    statuses = {
        json.dumps(json.loads(b64url_decode(c.split("~")[0].split(".")[1]))["status"]) for c in issued
    }
    assert len(statuses) == 3  # a status list entry each
    # RFC 9901 section 10.1: the copies are not linked by their times: iat is the start of the day,
    # or the signer's certificate's notBefore when later (a verifier may hold iat against it)
    payloads = [json.loads(b64url_decode(c.split("~")[0].split(".")[1])) for c in issued]
    header = json.loads(b64url_decode(issued[0].split(".")[0]))
    signer = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    day_start = NOW - NOW % 86400
    expected = max(day_start, math.ceil(signer.not_valid_before_utc.timestamp()))
    assert {(p["iat"], p["exp"]) for p in payloads} == {(expected, expected + 365 * 86400)}
    assert expected < NOW
    again = client.post("/credential", json=batch, headers=auth)
    assert again.json()["error"] == "invalid_nonce"  # the shared c_nonce is spent


def test_a_batch_is_one_credential_per_key_all_or_nothing(client: TestClient) -> None:
    """Sections 8 and 13.4: no duplicates for one key, whether a proof is repeated or another is made
    by the same key; a nonce is spent only when every proof is good; a batch that cannot be issued
    whole leaves no credential on record and no status entry taken."""
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    service = client.app.state.service  # type: ignore[attr-defined]

    def post(proofs: list[str]) -> Any:
        return client.post(
            "/credential",
            json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": proofs}},
            headers=auth,
        )

    c_nonce = client.post("/nonce").json()["c_nonce"]
    holder = ec.generate_private_key(ec.SECP256R1())
    proof = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)
    for proofs in (
        [proof, proof],
        [proof, make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW + 1)],
    ):
        refused = post(proofs)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_proof"
        assert "its own key" in refused.json()["error_description"]
    # a batch with an unknown nonce beside a good one spends neither
    stranger = make_jwt_proof(
        ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce="never", iat=NOW
    )
    assert post([proof, stranger]).json()["error"] == "invalid_nonce"
    # the largest batch, its nonce still good after the refusals: all ten or none
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(10)]
    ten = [make_jwt_proof(key, audience=ISSUER, nonce=c_nonce, iat=NOW) for key in keys]
    issued_before, taken_before = service.store.issued_count(), len(_taken(service))
    real_draw, calls = service.status._draw, []

    def failing_draw(first: int) -> Any:
        calls.append(1)
        if len(calls) == 3:  # two entries of the batch taken, then none found
            raise CredentialRequestDenied("no free status list index was found")
        return real_draw(first)

    service.status._draw = failing_draw
    failed = post(ten)
    assert failed.status_code == 400 and failed.json()["error"] == "credential_request_denied"
    assert service.store.issued_count() == issued_before and len(_taken(service)) == taken_before
    service.status._draw = real_draw
    c_nonce = client.post("/nonce").json()["c_nonce"]
    ten = [make_jwt_proof(key, audience=ISSUER, nonce=c_nonce, iat=NOW) for key in keys]
    answer = post(ten)
    assert answer.status_code == 200 and len(answer.json()["credentials"]) == 10
    assert service.store.issued_count() == issued_before + 10 and len(_taken(service)) == taken_before + 10


def _taken(service: Any) -> list[Any]:
    with service.store.engine.connect() as db:
        return list(db.execute(sa.select(status_entries.c.idx)))


def test_authorization_details_name_credential_identifiers(client: TestClient) -> None:
    """OpenID4VCI 1.0 section 6.2: asked with authorization_details, the token response names the
    credential identifiers, which the credential request then uses (section 8.2)."""
    code, tx_code = offer(client)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    detail = {"type": "openid_credential", "credential_configuration_id": "no-such-configuration"}
    refused = client.post("/token", data={**form, "authorization_details": json.dumps([detail])})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_authorization_details"
    detail["credential_configuration_id"] = PID_SD_JWT  # the code was not spent by the refusal
    answer = client.post("/token", data={**form, "authorization_details": json.dumps([detail])}).json()
    assert answer["authorization_details"] == [{**detail, "credential_identifiers": [PID_SD_JWT]}]

    holder = ec.generate_private_key(ec.SECP256R1())
    auth = {"Authorization": f"Bearer {answer['access_token']}"}

    def request(**which: str) -> Any:
        c_nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)
        return client.post("/credential", json={**which, "proofs": {"jwt": [proof]}}, headers=auth)

    unknown = request(credential_identifier="another")
    assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_credential_identifier"
    # section 8.2 (helper 39): with identifiers named, credential_configuration_id MUST NOT be used
    by_configuration = request(credential_configuration_id=PID_SD_JWT)
    assert by_configuration.status_code == 400
    assert by_configuration.json()["error"] == "invalid_credential_request"
    assert request(credential_identifier=PID_SD_JWT).status_code == 200
    # and without them, credential_identifier MUST NOT be
    code, tx_code = offer(client)
    plain = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    c_nonce = client.post("/nonce").json()["c_nonce"]
    body = {
        "credential_identifier": PID_SD_JWT,
        "proofs": {"jwt": [make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW)]},
    }
    by_identifier = client.post("/credential", json=body, headers=plain)
    assert by_identifier.status_code == 400 and by_identifier.json()["error"] == "invalid_credential_request"


def test_a_proof_iss_is_the_token_requests_client_id_or_absent(client: TestClient) -> None:
    """OpenID4VCI 1.0 appendix F.1 (helper 39): iss is the client_id of the token request, and is
    omitted when the token came from anonymous pre-authorized access."""
    holder = ec.generate_private_key(ec.SECP256R1())

    def credential(access_token: str, iss: str | None) -> Any:
        c_nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(holder, audience=ISSUER, nonce=c_nonce, iat=NOW, client_id=iss)
        body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
        return client.post("/credential", json=body, headers={"Authorization": f"Bearer {access_token}"})

    code, tx_code = offer(client)
    anonymous = token(client, code, tx_code).json()["access_token"]
    refused = credential(anonymous, "some-client")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_proof"
    c_nonce = client.post("/nonce").json()["c_nonce"]
    claims = {"aud": ISSUER, "iat": NOW, "nonce": c_nonce, "iss": None}  # null: neither omitted nor a client
    proof = encode_jws(
        {"typ": "openid4vci-proof+jwt", "jwk": public_jwk(holder)}, json.dumps(claims).encode(), holder
    )
    body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
    null_iss = client.post("/credential", json=body, headers={"Authorization": f"Bearer {anonymous}"})
    assert null_iss.status_code == 400 and null_iss.json()["error"] == "invalid_proof"
    assert credential(anonymous, None).status_code == 200
    code, tx_code = offer(client)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    # helper 41: a client_id longer than the store keeps had spent the code, then failed (PostgreSQL)
    too_long = client.post("/token", data={**form, "client_id": "w" * 257})
    assert too_long.status_code == 400 and too_long.json()["error"] == "invalid_request"
    # helper 42: a NUL is refused by the store, after the code was spent; now in the same transaction
    with_nul = client.post("/token", data={**form, "client_id": "wallet\x00"})
    assert with_nul.status_code == 400 and with_nul.json()["error"] == "invalid_request"
    not_utf8 = client.post(  # percent-encoded bytes that are no UTF-8: refused, not replaced
        "/token",
        content=f"grant_type={quote(PRE_AUTHORIZED_GRANT)}&pre-authorized_code={code}&tx_code={tx_code}&client_id=%ED%A0%80",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code == 400 and not_utf8.json()["error"] == "invalid_request"
    named = client.post("/token", data={**form, "client_id": "wallet-a"}).json()["access_token"]
    other = credential(named, "wallet-b")
    assert other.status_code == 400 and other.json()["error"] == "invalid_proof"
    assert credential(named, "wallet-a").status_code == 200


def test_bad_bodies_get_oauth_errors(client: TestClient) -> None:
    assert (
        client.post(
            "/token", content=b"\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"}
        ).json()["error"]
        == "invalid_request"
    )
    assert (
        client.post(
            "/token", content=b"a" * 600_000, headers={"content-type": "application/x-www-form-urlencoded"}
        ).status_code
        == 400
    )
    assert (
        client.post("/offers", content=b"[" * 5000, headers={"content-type": "application/json"}).json()[
            "error"
        ]
        == "invalid_request"
    )


def test_a_malformed_credential_request_is_an_invalid_credential_request(client: TestClient) -> None:
    # OpenID4VCI 1.0 section 8.3.1.2: a malformed request is invalid_credential_request, not invalid_request
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    bodies = [
        (b"{", "application/json"),
        (b'{"credential_configuration_id": "a", "credential_configuration_id": "b"}', "application/json"),
        (b'{"credential_configuration_id": "a"}', "text/plain"),
        (b"[]", "application/json"),
    ]
    for content, media_type in bodies:
        answer = client.post("/credential", content=content, headers={**auth, "content-type": media_type})
        assert answer.status_code == 400, content
        assert answer.json()["error"] == "invalid_credential_request", (content, answer.text)


def test_the_access_token_is_judged_before_the_body(client: TestClient) -> None:
    # RFC 6750 section 3.1: without a valid token the answer is invalid_token, whatever the body
    answer = client.post(
        "/credential",
        content=b"{not json",
        headers={"content-type": "application/json", "Authorization": "Bearer not-a-token"},
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_status_list_forms_and_no_history(client: TestClient) -> None:
    jwt_form = client.get("/status-lists/1", headers={"Accept-Encoding": "identity"})
    assert jwt_form.headers["content-type"] == "application/statuslist+jwt"
    assert jwt_form.headers["vary"] == "Accept, Accept-Encoding"
    assert "content-encoding" not in jwt_form.headers and jwt_form.text.count(".") == 2
    # section 8.2: the JWT form with a content coding when the client takes one
    for accept_encoding in ("gzip", "br;q=1, GZIP;q=0.5", "x-gzip", "*", ["br", "gzip"]):
        coded = client.get(
            "/status-lists/1",
            headers=[("Accept-Encoding", v) for v in accept_encoding]
            if isinstance(accept_encoding, list)
            else {"Accept-Encoding": accept_encoding},
        )
        assert coded.headers["content-encoding"] == "gzip"
        assert coded.text.rsplit(".", 1)[0] == jwt_form.text.rsplit(".", 1)[0]  # signed afresh
    refused = client.get("/status-lists/1", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    cwt_form = client.get("/status-lists/1", headers={"Accept": "application/statuslist+cwt"})
    assert cwt_form.headers["content-type"] == "application/statuslist+cwt"
    # draft -21 section 8.4: a server without historical resolution answers 501
    assert client.get("/status-lists/1?time=1790000000").status_code == 501
    # section 8.1: readable from any web page (CORS)
    for answer in (
        jwt_form,
        cwt_form,
        client.get("/status-lists/1", headers={"Origin": "https://rp.example"}),
    ):
        assert answer.headers["access-control-allow-origin"] == "*"


def test_media_types_compare_case_insensitively(client: TestClient) -> None:
    # RFC 9110 section 8.3.1: "Application/X-WWW-Form-URLencoded" is the form media type
    body = "grant_type=password"
    answer = client.post(
        "/token", content=body, headers={"content-type": "Application/X-WWW-Form-URLencoded"}
    )
    assert answer.json()["error"] == "unsupported_grant_type"  # read as a form, then judged
    offers = client.post(
        "/offers", content=b'{"citizen_id": "nl-0001"}', headers={"content-type": "APPLICATION/JSON"}
    )
    assert offers.status_code == 201


def test_the_back_office_needs_the_admin_token(database_url: str, clock: FixedClock) -> None:
    guarded = make_client(database_url, clock, admin_token=ADMIN_TOKEN)
    calls = [
        ("POST", "/offers", {"citizen_id": "nl-0001"}),
        ("POST", "/status", {"index": 0, "status": "revoked"}),
        ("GET", "/issued/nl-0001", None),
        ("GET", "/citizens", None),
    ]
    refused = [
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
        # a header byte beyond ASCII reaches the comparison as a str that compare_digest refuses
        {"Authorization": b"Bearer caf\xe9"},
    ]
    for method, path, body in calls:
        for headers in refused:
            answer = guarded.request(method, path, json=body, headers=headers)
            assert answer.status_code == 401, (path, headers, answer.text)
            assert answer.json()["error"] == "invalid_token"
            # RFC 6750 section 3.1: no error code where no bearer token came, one where a wrong one did
            sent = headers.get("Authorization", "")
            sent = sent.decode("latin-1") if isinstance(sent, bytes) else sent
            challenge = 'Bearer error="invalid_token"' if sent.lower().startswith("bearer ") else "Bearer"
            assert answer.headers["www-authenticate"] == challenge, headers
    in_query = guarded.get("/issued/nl-0001", params={"access_token": ADMIN_TOKEN})
    assert in_query.status_code == 401 and in_query.headers["www-authenticate"] == "Bearer"
    auth = {"Authorization": f"bearer {ADMIN_TOKEN}"}  # the scheme is case-insensitive (RFC 9110 11.1)
    assert guarded.post("/offers", json={"citizen_id": "nl-0001"}, headers=auth).status_code == 201
    status = guarded.post("/status", json={"index": 0, "status": "revoked"}, headers=auth)
    assert status.status_code == 400 and "index" in status.json()["error_description"]  # none issued yet
    assert guarded.get("/citizens", headers=auth).json()["citizens"][0] == "nl-0001"
    # the wallet-facing endpoints stay open
    assert guarded.get("/.well-known/openid-credential-issuer").status_code == 200
    assert guarded.post("/nonce").status_code == 200


def test_http_details_found_by_a_review(client: TestClient) -> None:
    # a status index beyond the list (and beyond 64 bits) is a 400, not a database overflow
    for index in (-1, 1 << 16, 1 << 63, -(1 << 63) - 1, 10**30):
        answer = client.post("/status", json={"index": index, "status": "revoked"})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", index
    # 405 names the allowed methods (RFC 9110 section 15.5.6)
    wrong_method = client.put("/token")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    for path in ("/.well-known/openid-credential-issuer", "/status-lists/1", "/credential-offer/x"):
        assert client.delete(path).headers["allow"] == "GET, HEAD", path
    # the documents wallets and relying parties fetch answer HEAD as GET does, without a body
    for path in ("/.well-known/openid-credential-issuer", "/.well-known/oauth-authorization-server"):
        head, get = client.head(path), client.get(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    head = client.head("/status-lists/1")
    assert head.status_code == 200 and head.headers["content-type"] == "application/statuslist+jwt"
    # one Authorization header only: with two, which one counted would depend on the server
    code, tx_code = offer(client)
    answer = token(client, code, tx_code).json()
    two = [("Authorization", f"Bearer {answer['access_token']}"), ("Authorization", "Bearer other")]
    refused = client.post("/credential", json={}, headers=two)
    # RFC 6750 section 3.1: a request that repeats a parameter is malformed
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"


def test_a_lone_surrogate_in_a_proof_nonce_is_a_400(client: TestClient) -> None:

    code, tx_code = offer(client)
    access_token = token(client, code, tx_code).json()["access_token"]
    holder = ec.generate_private_key(ec.SECP256R1())
    from common.jose import public_jwk

    payload = f'{{"aud":"{ISSUER}","iat":{NOW},"nonce":"\\ud800"}}'.encode()
    proof = encode_jws({"typ": "openid4vci-proof+jwt", "jwk": public_jwk(holder)}, payload, holder)
    answer = client.post(
        "/credential",
        json={"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_proof", answer.text


def test_a_refusal_after_the_proofs_spends_neither_the_nonce_nor_the_token(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by fuzzing: a request refused for want of a status entry (or for the register's document)
    had spent its nonce first. Each refusal now comes before the nonce is spent, or gives back what it
    took: the same request, once the list has room, is issued."""
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    proof = make_jwt_proof(
        ec.generate_private_key(ec.SECP256R1()),
        audience=ISSUER,
        nonce=client.post("/nonce").json()["c_nonce"],
        iat=NOW,
    )
    body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
    service = client.app.state.service  # type: ignore[attr-defined]

    def full(_count: int) -> list[int]:
        raise CredentialRequestDenied("the status list has no free index left")

    monkeypatch.setattr(service.status, "allocate", full)
    assert client.post("/credential", json=body, headers=auth).json()["error"] == "credential_request_denied"
    monkeypatch.undo()
    assert client.post("/credential", json=body, headers=auth).status_code == 200
    assert client.post("/credential", json=body, headers=auth).json()["error"] == "invalid_nonce"


def test_a_half_full_status_list_opens_the_next(client: TestClient) -> None:
    """A full list had stopped issuance (and a random draw in a nearly full one failed by chance): a
    list is filled to half its size, then the next one is opened, served at its own URL and revocable
    through the back office as the first."""
    service = client.app.state.service  # type: ignore[attr-defined]
    service.status.list_size = 8  # half full after 4 credentials
    assert client.get("/status-lists/2").status_code == 404  # no second list yet

    def issue_one() -> dict[str, Any]:
        payload = issue_pid(client).split("~")[0].split(".")[1]
        return dict(json.loads(b64url_decode(payload))["status"]["status_list"])

    references = [issue_one() for _ in range(9)]
    uris = [reference["uri"] for reference in references]
    assert uris == [f"{ISSUER}/status-lists/{n}" for n in (1, 1, 1, 1, 2, 2, 2, 2, 3)]
    for number in (1, 2):  # four distinct indexes in each list
        assert len({r["idx"] for r in references if r["uri"].endswith(f"/{number}")}) == 4
    issued = client.get("/issued/nl-0001").json()["issued"]
    assert [row["status_list"] for row in issued] == references
    revoked = issued[5]  # in the second list
    answer = client.post("/status", json={"index": revoked["status_index"], "status": "revoked"})
    assert answer.status_code == 204

    def read(number: int) -> Any:
        text = client.get(f"/status-lists/{number}", headers={"Accept-Encoding": "identity"}).text
        return verify_status_list_jwt(
            text, uri=f"{ISSUER}/status-lists/{number}", now=NOW, resolve_key=lambda _: signer
        )

    signer = service.settings.signing_key.public_key()
    second, first = read(2), read(1)
    assert [check_status(second, idx) for idx in range(8)] == [
        Status.INVALID if idx == references[5]["idx"] else Status.VALID for idx in range(8)
    ]
    assert all(check_status(first, idx) == Status.VALID for idx in range(8))
    assert read(3).sub == f"{ISSUER}/status-lists/3"
    cwt = client.get("/status-lists/2", headers={"Accept": "application/statuslist+cwt"})
    assert cwt.headers["content-type"] == "application/statuslist+cwt"
    for number in ("4", "02", "0", "-1", "1.0", "%201", "99999999999999999999"):
        missing = client.get(f"/status-lists/{number}")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found", number


def test_an_access_token_takes_one_request_per_configuration(client: TestClient) -> None:
    """Found by fuzzing: one token, reused for its ten minutes, took 65,000 status entries (a batch of
    ten copies a request). Each configuration it covers is now issued once, a batch at most."""
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}

    def request() -> Any:
        nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce=nonce, iat=NOW)
        body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
        return client.post("/credential", json=body, headers=auth)

    assert request().status_code == 200
    again = request()  # RFC 6750 (OpenID4VCI 1.0 section 8.3.1.1): the issuer no longer accepts the token
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"
    assert again.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_request_that_fails_to_be_recorded_gives_its_token_use_back(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper 36: a database failure while recording the issued credentials had kept the token's one
    request for the configuration, and the wallet could not try again."""
    code, tx_code = offer(client)
    auth = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
    store = client.app.state.service.store  # type: ignore[attr-defined]

    def request() -> Any:
        nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce=nonce, iat=NOW)
        body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
        return client.post("/credential", json=body, headers=auth)

    def failing(**_: Any) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("the disk is full"))

    monkeypatch.setattr(store, "record_issued", failing)
    crashing = TestClient(client.app, base_url=client.base_url, raise_server_exceptions=False)
    nonce = client.post("/nonce").json()["c_nonce"]
    proof = make_jwt_proof(ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce=nonce, iat=NOW)
    body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}}
    assert crashing.post("/credential", json=body, headers=auth).status_code == 500
    monkeypatch.undo()
    assert request().status_code == 200
    assert len(_taken(client.app.state.service)) == 1  # type: ignore[attr-defined]  # the failed one's went back


def test_jwt_vc_issuer_metadata_names_the_signing_key(client: TestClient) -> None:
    """SD-JWT VC draft -24 section 5 (helper 40): the iss of our SD-JWT VCs is an HTTPS URI, whose
    metadata gives the key that signs them; issuer is identical to that iss."""
    metadata = client.get("/.well-known/jwt-vc-issuer").json()
    assert metadata["issuer"] == ISSUER and "jwks_uri" not in metadata
    [jwk] = metadata["jwks"]["keys"]
    issuer_jwt = parse_jws(issue_pid(client).split("~")[0])
    assert issuer_jwt.claims()["iss"] == metadata["issuer"]
    issuer_jwt.verify(public_key_from_jwk({k: jwk[k] for k in ("kty", "crv", "x", "y")}))
    assert client.head("/.well-known/jwt-vc-issuer").status_code == 200
    assert client.get("/.well-known/jwt-vc-issuer").headers["access-control-allow-origin"] == "*"


def test_encrypted_credential_requests_and_responses(client: TestClient) -> None:
    """OpenID4VCI 1.0 section 10: a request encrypted to the key the metadata publishes, asking for its
    response encrypted to a key of the wallet's; a response is encrypted only where an encrypted request
    asks for it (section 8.2: a key in a request in the clear could be anybody's)."""
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    [issuer_key] = metadata["credential_request_encryption"]["jwks"]["keys"]
    assert issuer_key["alg"] == "ECDH-ES" and issuer_key["use"] == "enc" and issuer_key["kid"]
    assert metadata["credential_request_encryption"]["encryption_required"] is False
    assert metadata["credential_response_encryption"] == {
        "alg_values_supported": ["ECDH-ES"],
        "enc_values_supported": ["A128GCM", "A256GCM"],
        "encryption_required": False,
    }
    wallet_key = ec.generate_private_key(ec.SECP256R1())
    answer_to = {"jwk": {**public_jwk(wallet_key), "alg": "ECDH-ES"}, "enc": "A128GCM"}

    def post(body: dict[str, Any], *, encrypt: bool) -> Any:
        code, tx_code = offer(client)
        headers = {"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"}
        nonce = client.post("/nonce").json()["c_nonce"]
        proof = make_jwt_proof(ec.generate_private_key(ec.SECP256R1()), audience=ISSUER, nonce=nonce, iat=NOW)
        body = {"credential_configuration_id": PID_SD_JWT, "proofs": {"jwt": [proof]}, **body}
        if not encrypt:
            return client.post("/credential", json=body, headers=headers)
        sealed = encrypt_message(body, issuer_key, "A256GCM")
        return client.post(
            "/credential", content=sealed, headers={**headers, "content-type": "application/jwt"}
        )

    both = post({"credential_response_encryption": answer_to}, encrypt=True)
    assert both.status_code == 200 and both.headers["content-type"] == "application/jwt", both.text
    assert both.headers["cache-control"] == "no-store"
    [item] = decrypt_message(both.text, wallet_key, kid=None, encs=("A128GCM",))["credentials"]
    assert item["credential"].count("~") >= 2
    request_only = post({}, encrypt=True)
    assert request_only.status_code == 200 and request_only.headers["content-type"] == "application/json"
    # a JWE sent as a JSON string is not an encrypted request: encryption is the media type's (section 10)
    code, tx_code = offer(client)
    json_string = client.post(
        "/credential",
        json=encrypt_message({"credential_configuration_id": PID_SD_JWT}, issuer_key, "A128GCM"),
        headers={"Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}"},
    )
    assert json_string.status_code == 400 and json_string.json()["error"] == "invalid_credential_request"
    in_the_clear = post({"credential_response_encryption": answer_to}, encrypt=False)
    assert in_the_clear.status_code == 400 and in_the_clear.json()["error"] == "invalid_encryption_parameters"
    without_alg = {**answer_to, "jwk": public_jwk(wallet_key)}  # section 10: alg MUST be present
    for_signing = {**answer_to, "jwk": {**answer_to["jwk"], "use": "sig"}}  # RFC 7517 4.2 (helper 42)
    for unusable in (without_alg, for_signing):
        refused = post({"credential_response_encryption": unusable}, encrypt=True)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_encryption_parameters"
    for sealed in (
        encrypt_message(
            {"credential_configuration_id": PID_SD_JWT},
            {**JWK_ELSEWHERE, "kid": issuer_key["kid"]},
            "A128GCM",
        ),
        encrypt_message(
            {"credential_configuration_id": PID_SD_JWT}, {**issuer_key, "kid": "another"}, "A128GCM"
        ),
        "not.a.jwe",
        "\u00e9",
    ):
        code, tx_code = offer(client)
        headers = {
            "Authorization": f"Bearer {token(client, code, tx_code).json()['access_token']}",
            "content-type": "application/jwt",
        }
        garbled = client.post("/credential", content=sealed.encode(), headers=headers)
        assert garbled.status_code == 400 and garbled.json()["error"] == "invalid_credential_request", sealed


JWK_ELSEWHERE = {**public_jwk(ec.generate_private_key(ec.SECP256R1())), "alg": "ECDH-ES"}
