"""``eudi demo`` as a newcomer runs it: a subprocess, exit code 0, QR codes that decode to their links."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.common.test_qr import decode_terminal_qr

pytestmark = pytest.mark.e2e

QR_GLYPHS = set("█▀▄ ")


def run_demo(*args: str, work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eudi", "demo", "--work", str(work), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_json_summary(tmp_path: Path) -> None:
    done = run_demo("--json", work=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "verified"
    assert [step["step"] for step in summary["steps"]] == ["offer", "receive", "request", "present", "result"]
    [pid] = summary["verified_claims"]["pid"]
    assert set(pid["claims"]) == {"given_name", "family_name", "birthdate"}
    assert all(isinstance(step["ms"], float) for step in summary["steps"])


def test_demo_with_a_haip_verifier(tmp_path: Path) -> None:
    done = run_demo("--json", "--haip", work=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "verified"
    [request] = [step for step in summary["steps"] if step["step"] == "request"]
    link = json.dumps(request)
    assert "client_id=x509_hash%3A" in link and "request_uri_method=post" in link
    [present] = [step for step in summary["steps"] if step["step"] == "present"]
    assert present["response_mode"] == "direct_post.jwt"


def test_every_printed_qr_code_decodes_to_the_link_beside_it(tmp_path: Path) -> None:
    done = run_demo(work=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    pairs = []
    block: list[str] = []
    for line in lines:
        if line and set(line) <= QR_GLYPHS and "█" in line:
            block.append(line)
            continue
        if block:
            pairs.append(("\n".join(block), line))
            block = []
    assert len(pairs) == 2
    for drawing, link in pairs:
        assert link.startswith(("openid-credential-offer://", "openid4vp://"))
        assert decode_terminal_qr(drawing) == [link]
    assert "given_name:" in done.stdout and "verified" in done.stdout


def test_help_texts() -> None:
    for command in (
        ["--help"],
        ["demo", "--help"],
        ["wallet", "present", "--help"],
        ["pki", "init", "--help"],
    ):
        done = subprocess.run([sys.executable, "-m", "eudi", *command], capture_output=True, text=True)
        assert done.returncode == 0 and "usage:" in done.stdout
