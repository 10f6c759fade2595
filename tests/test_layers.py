"""Dependencies point one way (STYLE.md guideline 1); the pure libraries read no clock of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"common", "credentials", "trust_list", "openid4vc", "issuer", "verifier", "wallet", "eudi"}
ALLOWED = {
    "common": set(),
    "credentials": {"common"},
    "trust_list": {"common"},
    "openid4vc": {"common", "credentials", "trust_list"},
    "issuer": {"common", "credentials", "trust_list", "openid4vc"},
    "verifier": {"common", "credentials", "trust_list", "openid4vc"},
    "wallet": {"common", "credentials", "trust_list", "openid4vc"},
    "eudi": OURS,
}
PURE = ("credentials", "openid4vc", "trust_list/x509.py", "trust_list/lote.py", "trust_list/registration.py")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependencies_point_one_way(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        wrong = (imports(path) & OURS) - ALLOWED[package] - {package}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_pure_libraries_read_no_clock_and_do_no_io() -> None:
    forbidden = ("datetime.now(", "time.time(", "datetime.utcnow(", "httpx", "open(", "urllib.request")
    for entry in PURE:
        target = ROOT / entry
        for path in [target] if target.is_file() else target.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for needle in forbidden:
                assert needle not in text, f"{path.relative_to(ROOT)} uses {needle}"


def test_only_common_clock_reads_the_wall_clock() -> None:
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "common" / "clock.py":
                continue
            text = path.read_text(encoding="utf-8")
            assert "datetime.now(" not in text and "time.time(" not in text, path
