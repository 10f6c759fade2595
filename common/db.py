"""Database engines for the services: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 Core).

The services keep one repository class each (``issuer/store.py``, ``verifier/store.py``) over an
engine made here. Single-use values (codes, nonces, states) are consumed with one conditional
``UPDATE``/``DELETE`` whose row count says whether this caller won, so two workers can never both use
the same value, on either database.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["create_engine", "secret_digest"]


def create_engine(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` (WAL, foreign keys) or ``postgresql+psycopg://...``."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def secret_digest(value: str) -> str:
    """What we store in place of a bearer secret (code, token): its SHA-256, hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
