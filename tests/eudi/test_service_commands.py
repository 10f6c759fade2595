"""``eudi issuer offer``, ``eudi verifier request`` and ``eudi wallet`` against a running federation;
failures are one line."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from eudi.__main__ import main
from eudi.federation import run_federation

pytestmark = pytest.mark.e2e


def test_offer_and_request_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with run_federation(tmp_path / "work") as federation:
        assert (
            main(["issuer", "offer", "--issuer", federation.issuer_url, "--citizen", "nl-0003", "--json"])
            == 0
        )
        offer = json.loads(capsys.readouterr().out)
        assert offer["credential_offer"].startswith("openid-credential-offer://") and offer["tx_code"]
        assert (
            main(["verifier", "request", "--verifier", federation.verifier_url, "--preset", "pid_address"])
            == 0
        )
        printed = capsys.readouterr().out
        assert "openid4vp://?client_id=x509_san_dns%3Alocalhost" in printed and "result: " in printed
        assert main(["issuer", "offer", "--issuer", federation.issuer_url, "--citizen", "nobody"]) == 1
        error = capsys.readouterr().err
        assert error.startswith("error: ") and "invalid_request" in error and error.count("\n") == 1


def test_unreachable_service_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verifier", "request", "--verifier", "http://127.0.0.1:9"]) == 1
    assert capsys.readouterr().err.startswith("error: cannot reach")


def test_wallet_commands_receive_present_and_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``eudi wallet`` as a citizen runs it: init against the federation's list, receive an offer,
    present to a relying party on the same device (the CLI says where the browser goes next)."""
    folder = str(tmp_path / "wallet")
    with run_federation(tmp_path / "work") as federation:
        country = federation.countries[0]
        list_url, operator = federation.list_url(country), str(federation.operator(country))
        init = ["wallet", "--wallet", folder, "init", "--trust-list", list_url, "--operator", operator]
        assert main([*init, "--allow-http-loopback"]) == 0
        capsys.readouterr()
        assert (
            main(["issuer", "offer", "--issuer", federation.issuer_url, "--citizen", "nl-0004", "--json"])
            == 0
        )
        offer = json.loads(capsys.readouterr().out)
        receive = [
            "wallet",
            "--wallet",
            folder,
            "receive",
            offer["credential_offer"],
            "--tx-code",
            offer["tx_code"],
        ]
        assert main(receive) == 0
        assert "received urn:eudi:pid:1" in capsys.readouterr().out
        assert main(["wallet", "--wallet", folder, "list", "--json"]) == 0
        [held] = json.loads(capsys.readouterr().out)
        assert held["type"] == "urn:eudi:pid:1"

        page = "http://127.0.0.1:9/welcome"
        made = httpx.post(
            f"{federation.verifier_url}/transactions", json={"preset": "pid_basic", "redirect_uri": page}
        ).json()
        assert main(["wallet", "--wallet", folder, "present", made["authorization_request"], "--accept"]) == 0
        printed = capsys.readouterr()
        assert printed.out.startswith(
            "presented\ncontinue in your browser or app: " + page + "#response_code="
        )
        assert "asks for" in printed.err
        code = printed.out.strip().rpartition("#response_code=")[2]
        result = httpx.get(made["result_url"], params={"response_code": code}).json()
        assert result["status"] == "verified"
        [pid] = result["credentials"]["pid"]
        assert set(pid["claims"]) == {"given_name", "family_name", "birthdate"}
    assert main(["wallet", "--wallet", folder, "log"]) == 0
    events = [json.loads(line)["event"] for line in capsys.readouterr().out.splitlines()]
    assert events == ["received", "presented"]
