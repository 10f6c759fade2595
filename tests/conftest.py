"""Fixtures shared by the whole suite: vectors folder, fixed clock, database URLs (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

VECTORS = Path(
    os.environ.get("EUDI_VECTORS", Path(__file__).resolve().parents[1].parent / "shared" / "vectors")
)
POSTGRES_URL = os.environ.get("EUDI_TEST_POSTGRES_URL")
NOW = 1_790_000_000  # 2026-09-21, a fixed instant for deterministic tests


@pytest.fixture(scope="session")
def vectors() -> Path:
    if not VECTORS.is_dir():
        pytest.fail(f"test vectors not found at {VECTORS} (set EUDI_VECTORS)")
    return VECTORS


def _postgres_database() -> Iterator[str]:
    import psycopg

    if POSTGRES_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite against PostgreSQL too: EUDI_TEST_POSTGRES_URL is not set")
        pytest.skip("EUDI_TEST_POSTGRES_URL not set (scripts/test sets it)")
    name = f"eudi_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind the services support."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        yield from _postgres_database()
