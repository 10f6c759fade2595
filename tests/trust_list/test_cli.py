from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from eudi.__main__ import main


def test_pki_init_build_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = tmp_path / "pki"
    assert main(["pki", "init", str(pki)]) == 0
    assert stat.S_IMODE((pki / "issuer.key").stat().st_mode) == 0o600
    assert main(["pki", "init", str(pki)]) == 1  # refuses to overwrite without --force
    out = tmp_path / "list.jws"
    assert main(["trust-list", "build", "--pki", str(pki), "--out", str(out), "--sequence", "3"]) == 0
    capsys.readouterr()
    assert main(["trust-list", "verify", str(out), "--operator", str(pki / "operator.pem"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sequence_number"] == 3 and len(summary["entities"]) == 2
    assert main(["trust-list", "verify", str(out), "--operator", str(pki / "issuer.pem")]) == 1
