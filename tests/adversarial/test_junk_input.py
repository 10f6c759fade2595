"""Every endpoint of the issuer and the verifier answers junk with a typed 4xx JSON error, never a 500,
on SQLite and on PostgreSQL (which cannot hold a NUL character in text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from common.clock import FixedClock
from common.jose import b64url_encode
from issuer.app import create_app as create_issuer
from issuer.settings import IssuerSettings
from tests.conftest import _postgres_database
from trust_list.cli import write_trust_list
from trust_list.loader import TrustListSource
from trust_list.pki import make_dev_pki
from verifier.app import create_app as create_verifier
from verifier.settings import VerifierSettings

NOW = 1_790_000_000
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
JUNK: list[tuple[str, bytes]] = [
    (FORM, b""),
    (FORM, b"\xff\xfe\x00garbage"),
    (FORM, b"a=1&a=2"),
    (FORM, b"vp_token=" + b"[" * 20_000),
    (FORM, b"x" * 700_000),
    (JSON, b""),
    (JSON, b"[]"),
    (JSON, b"{" * 20_000),
    (JSON, b'{"a": 1, "a": 2}'),
    (JSON, b'"just a string"'),
    ("text/plain", b"hello"),
    ("application/octet-stream", bytes(range(256))),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The issuer's and the verifier's database, both of one kind."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("databases")
        yield f"sqlite:///{folder / 'issuer.sqlite'}", f"sqlite:///{folder / 'verifier.sqlite'}"
    else:
        for issuer_url in _postgres_database():
            for verifier_url in _postgres_database():
                yield issuer_url, verifier_url


@pytest.fixture(scope="module")
def clients(
    databases: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[TestClient, TestClient]:
    folder: Path = tmp_path_factory.mktemp("junk")
    at = datetime.fromtimestamp(NOW, UTC)
    pki = make_dev_pki(now=at, rp_dns_name="verifier.example")
    write_trust_list(pki, folder / "list.jws", now=at)
    issuer = IssuerSettings(
        public_url="https://issuer.example",
        database_url=databases[0],
        signing_key=pki.issuer_key,
        certificate_chain=(pki.issuer_cert,),
    )
    verifier = VerifierSettings(
        public_url="https://verifier.example",
        database_url=databases[1],
        signing_key=pki.verifier_key,
        certificate_chain=(pki.verifier_cert,),
        trust_lists=(TrustListSource(folder / "list.jws", (pki.operator_cert,)),),
    )
    clock = FixedClock(NOW)
    return (
        TestClient(create_issuer(issuer, clock=clock), raise_server_exceptions=False),
        TestClient(create_verifier(verifier, clock=clock), raise_server_exceptions=False),
    )


ISSUER_POSTS = ["/token", "/nonce", "/credential", "/offers", "/status"]
VERIFIER_POSTS = ["/transactions", "/response"]


@pytest.mark.parametrize(("content_type", "body"), JUNK, ids=range(len(JUNK)))
def test_junk_never_crashes(clients: tuple[TestClient, TestClient], content_type: str, body: bytes) -> None:
    issuer, verifier = clients
    for client, paths in ((issuer, ISSUER_POSTS), (verifier, VERIFIER_POSTS)):
        for path in paths:
            headers = {"content-type": content_type, "authorization": "Bearer junk"}
            answer = client.post(path, content=body, headers=headers)
            assert answer.status_code < 500, (path, answer.status_code, answer.text[:200])
            if answer.status_code >= 400:
                assert "error" in answer.json(), (path, answer.text[:200])


@pytest.mark.parametrize(
    "path",
    ["/credential-offer/%00", "/credential-offer/" + "a" * 5000, "/status-lists/2"],
)
def test_issuer_gets(clients: tuple[TestClient, TestClient], path: str) -> None:
    answer = clients[0].get(path)
    assert 400 <= answer.status_code < 500 and "error" in answer.json()


@pytest.mark.parametrize(
    "path", ["/request/%00", "/request/" + "a" * 5000, "/transactions/none", "/transactions/a%00b"]
)
def test_verifier_gets(clients: tuple[TestClient, TestClient], path: str) -> None:
    answer = clients[1].get(path)
    assert 400 <= answer.status_code < 500 and "error" in answer.json()


def test_nul_characters_reach_no_query(clients: tuple[TestClient, TestClient]) -> None:
    """Found by fuzzing: a NUL in an identifier of the URL or in the kid of an encrypted response
    made PostgreSQL fail (a 500); SQLite would have looked it up."""
    verifier = clients[1]
    answer = verifier.post("/request/a%00b", data={"wallet_nonce": "n"})
    assert 400 <= answer.status_code < 500 and "error" in answer.json()
    header = b64url_encode(json.dumps({"alg": "ECDH-ES", "enc": "A128GCM", "kid": "\u0000"}).encode())
    answer = verifier.post("/response", data={"response": f"{header}..AAAA.AAAA.AAAA"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", answer.text
