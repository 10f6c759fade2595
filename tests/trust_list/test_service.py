"""The trust-list publisher over HTTP (in process), and ``eudi trust-list serve|show``."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from common.clock import FixedClock, SystemClock
from eudi.federation import serve_app
from trust_list.cli import add_commands, skeleton_entities
from trust_list.lote import (
    LOTE_TYPE_PID_PROVIDERS,
    PID_ISSUANCE,
    TrustedEntity,
    TrustedService,
    build_lote,
    sign_lote,
)
from trust_list.pki import DevPki, make_dev_pki
from trust_list.service import JWS_MEDIA_TYPE, create_app
from trust_list.x509 import subject_organization

from .conftest import NOW, signed_list

CLOCK_START = int(NOW.timestamp())


def pid_only(pki: DevPki) -> list[TrustedEntity]:
    return [TrustedEntity("PID provider", (TrustedService("PID", PID_ISSUANCE, (pki.pid_ca_cert,)),), "NL")]


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock(CLOCK_START)


@pytest.fixture()
def folder(tmp_path: Path, pki: DevPki) -> Path:
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "nl.jws").write_text(signed_list(pki) + "\n", encoding="ascii")
    return folder


@pytest.fixture()
def client(folder: Path, clock: FixedClock) -> TestClient:
    return TestClient(create_app(folder, clock))


def etag_of(content: bytes) -> str:
    return '"' + base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode() + '"'


def test_a_list_is_served_as_jose_with_caching_headers(client: TestClient, folder: Path) -> None:
    answer = client.get("/lists/nl.jws")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == JWS_MEDIA_TYPE == "application/jose"
    assert answer.content == (folder / "nl.jws").read_bytes()
    assert answer.headers["etag"] == etag_of(answer.content)
    assert answer.headers["last-modified"] == "Mon, 21 Sep 2026 12:00:00 GMT"
    # NextUpdate is 30 days away: the cache lifetime is capped at an hour.
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["x-content-type-options"] == "nosniff"

    head = client.head("/lists/nl.jws")
    assert head.status_code == 200 and head.headers["etag"] == answer.headers["etag"]


def test_max_age_runs_down_to_next_update(client: TestClient, clock: FixedClock) -> None:
    clock.advance(int(timedelta(days=30).total_seconds()) - 600)
    assert client.get("/lists/nl.jws").headers["cache-control"] == "public, max-age=600"
    clock.advance(3600)
    assert client.get("/lists/nl.jws").headers["cache-control"] == "public, max-age=0"


def test_if_none_match_answers_304(client: TestClient) -> None:
    etag = client.get("/lists/nl.jws").headers["etag"]
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = client.get("/lists/nl.jws", headers={"If-None-Match": condition})
        assert answer.status_code == 304, condition
        assert answer.content == b""
        assert answer.headers["etag"] == etag
        assert answer.headers["cache-control"] == "public, max-age=3600"
    assert client.get("/lists/nl.jws", headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_rewritten_file_is_republished_at_once(client: TestClient, folder: Path, pki: DevPki) -> None:
    first = client.get("/lists/nl.jws")
    # Same length, same second: only the content tells the two apart.
    (folder / "nl.jws").write_text(signed_list(pki, sequence=2) + "\n", encoding="ascii")
    second = client.get("/lists/nl.jws", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.content == (folder / "nl.jws").read_bytes()
    assert second.headers["etag"] != first.headers["etag"]

    replacement = folder / "new.tmp"
    replacement.write_text(signed_list(pki, sequence=3, issued_days=1), encoding="ascii")
    replacement.replace(folder / "nl.jws")
    third = client.get("/lists/nl.jws")
    assert third.content == (folder / "nl.jws").read_bytes()
    assert third.headers["last-modified"] == "Tue, 22 Sep 2026 12:00:00 GMT"


@pytest.mark.parametrize(
    "path",
    [
        "/lists/missing.jws",
        "/lists/.hidden.jws",
        "/lists/nl.json",
        "/lists/..%2Fsecret.jws",
        "/lists/%2E%2E%2Fsecret.jws",
        "/lists/nl.jws%00",
        "/lists/nl.jws%0A",
        "/lists/" + "a" * 120 + ".jws",
    ],
)
def test_unknown_and_unsafe_names_are_not_found(client: TestClient, folder: Path, path: str) -> None:
    (folder.parent / "secret.jws").write_text("outside", encoding="ascii")
    (folder / ".hidden.jws").write_text("hidden", encoding="ascii")
    (folder / "nl.json").write_text("{}", encoding="ascii")
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_a_link_out_of_the_folder_is_not_served(client: TestClient, folder: Path) -> None:
    (folder.parent / "secret.txt").write_text("outside", encoding="ascii")
    (folder / "link.jws").symlink_to(folder.parent / "secret.txt")
    assert client.get("/lists/link.jws").status_code == 404
    assert [entry["name"] for entry in client.get("/lists").json()["lists"]] == ["nl.jws"]


def test_index_lists_what_each_payload_says(client: TestClient, folder: Path, pki: DevPki) -> None:
    (folder / "nl-pid.jws").write_text(
        signed_list(pki, sequence=7, entities=pid_only(pki), lote_type=LOTE_TYPE_PID_PROVIDERS),
        encoding="ascii",
    )
    (folder / "broken.jws").write_text("not a list", encoding="ascii")
    answer = client.get("/lists")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"
    entries = {entry["name"]: entry for entry in answer.json()["lists"]}
    assert sorted(entries) == ["broken.jws", "nl-pid.jws", "nl.jws"]
    assert entries["nl-pid.jws"] == {
        "name": "nl-pid.jws",
        "path": "/lists/nl-pid.jws",
        "lote_type": LOTE_TYPE_PID_PROVIDERS,
        "sequence_number": 7,
        "operator": "Demo Trust List Operator NL",
        "territory": "NL",
        "issued": "2026-09-21T12:00:00+00:00",
        "next_update": "2026-10-21T12:00:00+00:00",
        "etag": etag_of((folder / "nl-pid.jws").read_bytes()),
    }
    assert entries["broken.jws"]["sequence_number"] is None
    # Nothing to take a lifetime from: caches must revalidate.
    assert client.get("/lists/broken.jws").headers["cache-control"] == "no-cache"


def test_index_verifies_against_pinned_operators(folder: Path, clock: FixedClock, pki: DevPki) -> None:
    other = signed_list(pki).split(".")
    (folder / "tampered.jws").write_text(f"{other[0]}.{other[1]}.{other[2][::-1]}", encoding="ascii")
    client = TestClient(create_app(folder, clock, pinned=[pki.operator_cert]))
    entries = {entry["name"]: entry for entry in client.get("/lists").json()["lists"]}
    assert entries["nl.jws"]["verified"] is True
    assert entries["tampered.jws"]["verified"] is False
    assert entries["tampered.jws"]["error"] == "invalid_trust_list"
    clock.advance(int(timedelta(days=31).total_seconds()))
    entries = {entry["name"]: entry for entry in client.get("/lists").json()["lists"]}
    assert entries["nl.jws"]["error"] == "stale_trust_list"


def test_openapi_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/lists", "/lists/{name}"} <= set(document["paths"])


# -- eudi trust-list serve | show ------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="eudi")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(*argv: str) -> int:
    args = parse(*argv)
    return int(args.func(args))


def test_serve_is_registered() -> None:
    args = parse("trust-list", "serve", "--folder", "lists", "--port", "9000")
    assert (args.folder, args.host, args.port) == ("lists", "127.0.0.1", 9000)
    assert run("trust-list", "serve", "--folder", "/nonexistent/lists") == 1


@pytest.fixture(scope="module")
def live_pki() -> DevPki:
    """The command reads the wall clock, so its list and PKI are made for now."""
    return make_dev_pki(now=SystemClock().datetime())


@pytest.fixture()
def live(tmp_path: Path, live_pki: DevPki) -> Iterator[tuple[Path, str, Path]]:
    """A folder with ``nl.jws`` valid now, that folder served on 127.0.0.1, and the operator PEM."""
    folder = tmp_path / "live"
    folder.mkdir()
    now = SystemClock().datetime()
    document = build_lote(
        operator_name=subject_organization(live_pki.operator_cert) or "",
        country="NL",
        sequence_number=4,
        issued=now,
        next_update=now + timedelta(days=30),
        entities=skeleton_entities(live_pki),
    )
    jws = sign_lote(document, key=live_pki.operator_key, chain=[live_pki.operator_cert])
    (folder / "nl.jws").write_text(jws + "\n", encoding="ascii")
    operator = tmp_path / "operator.pem"
    operator.write_bytes(live_pki.operator_cert.public_bytes(serialization.Encoding.PEM))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = serve_app(create_app(folder), sock)
    try:
        yield folder, f"http://127.0.0.1:{server.port}/lists/nl.jws", operator
    finally:
        server.stop()
        sock.close()


def test_show_reads_a_file_or_fetches_a_url(
    live: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, url, operator = live
    assert run("trust-list", "show", str(folder / "nl.jws"), "--operator", str(operator)) == 0
    out = capsys.readouterr().out
    assert "operator:    Demo Trust List Operator NL" in out
    assert "territory:   NL" in out and "sequence:    4" in out
    assert f"  PID issuance: {PID_ISSUANCE} [in force]" in out

    argv = ("trust-list", "show", url, "--operator", str(operator), "--json", "--allow-http-loopback")
    assert run(*argv) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["territory"] == "NL" and shown["sequence_number"] == 4
    assert shown["entities"][0]["services"][0]["type"] == PID_ISSUANCE


def test_show_refusals_are_one_line(
    live: tuple[Path, str, Path], pki: DevPki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, url, operator = live
    assert run("trust-list", "show", url, "--operator", str(operator)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: trust list http://127.0.0.1:") and "https is required" in err
    assert err.rstrip().endswith("(trust_list_unavailable)") and err.count("\n") == 1

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(pki.operator_cert.public_bytes(serialization.Encoding.PEM))
    assert run("trust-list", "show", str(folder / "nl.jws"), "--operator", str(stranger)) == 1
    assert "(untrusted_signer)" in capsys.readouterr().err

    assert run("trust-list", "show", str(folder / "none.jws"), "--operator", str(operator)) == 1
    assert "cannot read" in capsys.readouterr().err


def test_dates_at_the_edge_of_the_range_are_read_as_absent(client: TestClient, folder: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from common.jose import encode_jws

    information = {
        "ListIssueDateTime": "0001-01-01T00:00:00+01:00",
        "NextUpdate": "9999-12-31T23:59:59-12:00",
    }
    payload = json.dumps({"LoTE": {"ListAndSchemeInformation": information}}).encode()
    edge = encode_jws({"typ": "JOSE"}, payload, ec.generate_private_key(ec.SECP256R1()))
    (folder / "edge.jws").write_text(edge, encoding="ascii")
    answer = client.get("/lists/edge.jws")
    assert answer.status_code == 200 and answer.text == edge
    assert "last-modified" not in answer.headers and answer.headers["cache-control"] == "no-cache"


def test_a_wrong_method_names_get_and_head(client: TestClient) -> None:
    answer = client.delete("/lists/nl.jws")
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD"
