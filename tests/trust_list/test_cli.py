from __future__ import annotations

import argparse
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from trust_list.cli import add_commands, write_trust_list
from trust_list.lote import (
    LOTE_TYPE_PID_PROVIDERS,
    PID_ISSUANCE,
    PUB_EAA_ISSUANCE,
    WALLET_SOLUTION_ISSUANCE,
    WRPAC_ISSUANCE,
    WRPRC_ISSUANCE,
    verify_lote,
)
from trust_list.pki import FILES, DevPki, load_dev_pki

from .conftest import NOW


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="eudi")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_pki_init_build_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = tmp_path / "pki"
    assert run("pki", "init", str(pki), "--rp-dns-name", "rp.example", "--country", "BE") == 0
    assert sorted(path.name for path in pki.iterdir()) == sorted(FILES.values())
    assert stat.S_IMODE((pki / "issuer.key").stat().st_mode) == 0o600
    assert (
        load_dev_pki(pki).verifier_cert.subject.rfc4514_string()
        == "CN=rp.example,2.5.4.97=NTRBE-90000001,O=Demo Relying Party,C=BE"
    )

    capsys.readouterr()
    assert run("pki", "init", str(pki)) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert run("pki", "init", str(pki), "--force", "--rp-dns-name", "rp.example", "--country", "BE") == 0

    out = tmp_path / "list.jws"
    assert run("trust-list", "build", "--pki", str(pki), "--out", str(out), "--sequence", "3") == 0
    assert "sequence 3" in capsys.readouterr().out

    assert run("trust-list", "verify", str(out), "--operator", str(pki / "operator.pem"), "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sequence_number"] == 3 and summary["operator"] == "Demo Trust List Operator BE"
    assert [s["type"] for e in summary["entities"] for s in e["services"]] == [
        PID_ISSUANCE,
        PUB_EAA_ISSUANCE,
        WALLET_SOLUTION_ISSUANCE,
        WRPAC_ISSUANCE,
        WRPRC_ISSUANCE,
    ]

    assert run("trust-list", "verify", str(out), "--operator", str(pki / "operator.pem")) == 0
    assert capsys.readouterr().out.startswith("valid: Demo Trust List Operator BE, sequence 3")


def test_verify_failures_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = tmp_path / "pki"
    assert run("pki", "init", str(pki)) == 0
    out = tmp_path / "list.jws"
    assert run("trust-list", "build", "--pki", str(pki), "--out", str(out)) == 0
    capsys.readouterr()
    for operator in (pki / "issuer.pem", tmp_path / "missing.pem"):
        assert run("trust-list", "verify", str(out), "--operator", str(operator)) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1
    out.write_text(out.read_text()[:-20])
    assert run("trust-list", "verify", str(out), "--operator", str(pki / "operator.pem")) == 1
    assert run("trust-list", "build", "--pki", str(tmp_path / "nothing"), "--out", str(out)) == 1


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (("pki", "init"), ("trust-list", "build"), ("trust-list", "verify")):
        with pytest.raises(SystemExit) as exit_:
            run(*argv, "--help")
        assert exit_.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_write_trust_list(pki: DevPki, tmp_path: Path) -> None:
    path = tmp_path / "list.jws"
    written = write_trust_list(pki, path, now=NOW, sequence_number=2, validity=timedelta(days=7))
    assert written.next_update == NOW + timedelta(days=7)
    again = verify_lote(path.read_text().strip(), pinned=[pki.operator_cert], now=NOW)
    assert again == written and again.anchors(PID_ISSUANCE) == [pki.pid_ca_cert]


def test_pki_per_country_and_typed_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "pki"
    assert run("pki", "init", str(root), "--countries", "NL,de") == 0
    assert sorted(p.name for p in root.iterdir()) == ["de", "nl"]
    de = load_dev_pki(root / "de")
    assert de.pid_ca_cert.subject.rfc4514_string() == "CN=Demo PID Provider CA DE,O=Demo PID Provider DE,C=DE"
    assert de.registrar_cert.issuer == de.registrar_ca_cert.subject
    assert run("pki", "init", str(root), "--countries", "NL") == 1  # already there
    assert run("pki", "init", str(tmp_path / "x"), "--countries", "NLD") == 1

    out = tmp_path / "de-pid.jws"
    assert run("trust-list", "build", "--pki", str(root / "de"), "--out", str(out), "--type", "pid") == 0
    listed = verify_lote(
        out.read_text().strip(), pinned=[de.operator_cert], now=de.operator_cert.not_valid_before_utc
    )
    assert listed.lote_type == LOTE_TYPE_PID_PROVIDERS and listed.territory == "DE"
    assert [s.service_type for e in listed.entities for s in e.services] == [PID_ISSUANCE]

    unsigned = tmp_path / "de-pid.json"
    assert (
        run(
            "trust-list",
            "build",
            "--pki",
            str(root / "de"),
            "--out",
            str(unsigned),
            "--type",
            "pid",
            "--unsigned",
        )
        == 0
    )
    assert (
        json.loads(unsigned.read_text())["LoTE"]["ListAndSchemeInformation"]["LoTEType"]
        == LOTE_TYPE_PID_PROVIDERS
    )
    signed = tmp_path / "signed.jws"
    key, cert = str(root / "de" / "operator.key"), str(root / "de" / "operator.pem")
    assert run("trust-list", "sign", str(unsigned), "--key", key, "--cert", cert, "--out", str(signed)) == 0
    assert run("trust-list", "verify", str(signed), "--operator", cert) == 0
    wrong = str(root / "nl" / "operator.pem")  # NL's operator cannot sign DE's list
    capsys.readouterr()
    assert (
        run(
            "trust-list",
            "sign",
            str(unsigned),
            "--key",
            str(root / "nl" / "operator.key"),
            "--cert",
            wrong,
            "--out",
            str(signed),
        )
        == 1
    )
    assert "scheme operator" in capsys.readouterr().err
