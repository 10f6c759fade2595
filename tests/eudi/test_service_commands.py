"""``eudi issuer offer`` and ``eudi verifier request`` against a running federation; failures are one line."""

from __future__ import annotations

import json
from pathlib import Path

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
