"""``eudi demo --serve --json`` driven as an outside wallet would: standard HTTP calls on the printed links.

Nothing here imports our wallet, credentials or protocol packages: proofs and key-binding JWTs are
made with PyJWT, the SD-JWT is taken apart by hand, as another implementer's wallet would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

pytestmark = pytest.mark.e2e

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("serve")
    process = subprocess.Popen(
        [sys.executable, "-m", "eudi", "demo", "--serve", "--json", "--work", str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        info = json.loads(first)
        yield info
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def receive(info: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    link = urlsplit(info["credential_offer"])
    assert link.scheme == "openid-credential-offer"
    offer_uri = parse_qs(link.query)["credential_offer_uri"][0]
    offer = httpx.get(offer_uri).json()
    issuer = offer["credential_issuer"]
    assert issuer == info["issuer_url"]
    metadata = httpx.get(f"{issuer}/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == issuer
    as_metadata = httpx.get(f"{issuer}/.well-known/oauth-authorization-server").json()
    grant = offer["grants"][PRE_AUTH]
    assert "tx_code" in grant
    token = httpx.post(
        as_metadata["token_endpoint"],
        data={
            "grant_type": PRE_AUTH,
            "pre-authorized_code": grant["pre-authorized_code"],
            "tx_code": info["tx_code"],
        },
    )
    assert token.status_code == 200, token.text
    nonce = httpx.post(metadata["nonce_endpoint"]).json()["c_nonce"]
    proof = jwt.encode(
        {"aud": issuer, "iat": int(time.time()), "nonce": nonce},
        key,
        algorithm="ES256",
        headers={"typ": "openid4vci-proof+jwt", "jwk": public_jwk(key)},
    )
    [configuration_id] = offer["credential_configuration_ids"]
    answer = httpx.post(
        metadata["credential_endpoint"],
        json={"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["credentials"]
    return str(item["credential"])


def present(info: dict[str, Any], sd_jwt: str, key: ec.EllipticCurvePrivateKey) -> httpx.Response:
    link = urlsplit(info["presentation_request"])
    assert link.scheme == "openid4vp"
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    request_jwt = httpx.get(params["request_uri"]).text
    header = jwt.get_unverified_header(request_jwt)
    assert header["typ"] == "oauth-authz-req+jwt"
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    request = jwt.decode(
        request_jwt, leaf.public_key(), algorithms=["ES256"], audience="https://self-issued.me/v2"
    )
    assert request["client_id"] == params["client_id"]
    [query] = request["dcql_query"]["credentials"]
    wanted = {claim["path"][0] for claim in query["claims"]}

    issuer_jwt, *disclosures = sd_jwt.split("~")[:-1]
    chosen = [d for d in disclosures if json.loads(unb64url(d))[1] in wanted]
    presented = "~".join([issuer_jwt, *chosen]) + "~"
    kb = jwt.encode(
        {
            "iat": int(time.time()),
            "aud": request["client_id"],
            "nonce": request["nonce"],
            "sd_hash": b64url(hashlib.sha256(presented.encode()).digest()),
        },
        key,
        algorithm="ES256",
        headers={"typ": "kb+jwt"},
    )
    return httpx.post(
        request["response_uri"],
        data={"vp_token": json.dumps({query["id"]: [presented + kb]}), "state": request["state"]},
    )


def test_outside_wallet_receives_and_presents(served: dict[str, Any]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    credential = receive(served, key)
    header = jwt.get_unverified_header(credential.split("~")[0])
    assert header["typ"] == "dc+sd-jwt" and "x5c" in header
    answer = present(served, credential, key)
    assert answer.status_code == 200, answer.text
    result = httpx.get(served["result_url"]).json()
    assert result["status"] == "verified"
    [pid] = result["credentials"]["pid"]
    assert set(pid["claims"]) == {"given_name", "family_name", "birthdate"}


def test_served_documents(served: dict[str, Any]) -> None:
    for base in (served["issuer_url"], served["verifier_url"]):
        assert httpx.get(f"{base}/openapi.json").status_code == 200
    assert Path(served["trust_list"]).is_file()
