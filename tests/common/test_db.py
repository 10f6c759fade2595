"""The database engines: text with a NUL character is refused before any statement, on both databases
alike, whatever the shape of the statement's parameters."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from common.db import create_engine
from common.errors import InvalidInput

metadata = sa.MetaData()
things = sa.Table(
    "things",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
)


@pytest.fixture
def engine(database_url: str) -> sa.Engine:
    made = create_engine(database_url)
    metadata.create_all(made)
    return made


def _names(engine: sa.Engine) -> list[str]:
    with engine.connect() as db:
        return [row.name for row in db.execute(sa.select(things.c.name).order_by(things.c.id))]


def test_text_with_a_nul_character_reaches_no_statement(engine: sa.Engine) -> None:
    """Found by fuzzing: PostgreSQL cannot hold a NUL in text, and answered a lookup by an id from a URL
    with an error (a 500) where SQLite found nothing."""
    with engine.begin() as db:
        db.execute(things.insert().values(name="kept"))
    statements = [
        things.select().where(things.c.name == "a\x00b"),  # one statement
        things.select().where(things.c.name.in_(["ok", "\x00"])),  # an expanded list
        things.insert().values(name="\x00"),
    ]
    for statement in statements:
        with pytest.raises(InvalidInput, match="NUL"), engine.begin() as db:
            db.execute(statement)
    with pytest.raises(InvalidInput, match="NUL"), engine.begin() as db:  # executemany
        db.execute(things.insert(), [{"name": "first"}, {"name": "\x00second"}])
    with pytest.raises(InvalidInput, match="NUL"), engine.begin() as db:  # a batched insert
        db.execute(things.insert().returning(things.c.id), [{"name": "third"}, {"name": "x\x00"}])
    with engine.begin() as db:  # clean rows of every shape still go in
        db.execute(things.insert(), [{"name": "a"}, {"name": "b"}])
        db.execute(things.insert().returning(things.c.id), [{"name": "c"}, {"name": "d"}])
    assert _names(engine) == ["kept", "a", "b", "c", "d"]  # nothing of a refused statement was written
