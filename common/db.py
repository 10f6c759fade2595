"""Database engines for the services: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 Core).

The services keep one repository class each (``issuer/store.py``, ``verifier/store.py``) over an
engine made here. Single-use values (codes, nonces, states) are consumed with one conditional
``UPDATE``/``DELETE`` whose row count says whether this caller won, so two workers can never both use
the same value, on either database.

Text with a NUL character, which PostgreSQL cannot hold and SQLite would, is refused before any
statement runs, on both databases alike (:class:`~common.errors.InvalidInput`): an identifier from a
URL or a ``kid`` from a JWE header reaches a query as given.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from common.errors import InvalidInput

__all__ = ["create_engine", "secret_digest"]

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def create_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` (WAL, foreign keys) or ``postgresql+psycopg://...``.

    ``schema`` (PostgreSQL only) keeps a service's tables in a schema of its own, created when
    missing, so several services of one kind can share a database; SQLite ignores it (one file each).
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "before_cursor_execute", _refuse_nul)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = sa.create_engine(url, pool_pre_ping=True)
    sa.event.listen(engine, "before_cursor_execute", _refuse_nul)
    if schema is None:
        return engine
    if not _IDENTIFIER.fullmatch(schema):
        raise InvalidInput("database_schema must be a lower-case SQL identifier")
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine.execution_options(schema_translate_map={None: schema})


def _refuse_nul(
    _connection: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _executemany: bool
) -> None:
    # the parameters of one statement (a mapping or a sequence) or of many (a sequence of them); read
    # by their shape, not by the flag, which SQLAlchemy's batched inserts set for one flattened row
    stack = [parameters]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise InvalidInput("text with a NUL character, which no record holds")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def secret_digest(value: str) -> str:
    """What we store in place of a bearer secret (code, token): its SHA-256, hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
