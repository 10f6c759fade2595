"""The verifier's repository: presentation transactions, each with its single-use ``state``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["Transaction", "VerifierStore"]

metadata = sa.MetaData()

transactions = sa.Table(
    "verifier_transactions",
    metadata,
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(64), nullable=False, unique=True),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("dcql_query", sa.Text, nullable=False),
    sa.Column("request_object", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

PENDING, RESPONDED, VERIFIED, FAILED = "pending", "responded", "verified", "failed"


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    state: str
    nonce: str
    dcql_query: dict[str, Any]
    request_object: str
    status: str
    result: dict[str, Any] | None
    created_at: int
    expires_at: int


def _transaction(row: Any) -> Transaction:
    return Transaction(
        transaction_id=row.transaction_id,
        state=row.state,
        nonce=row.nonce,
        dcql_query=json.loads(row.dcql_query),
        request_object=row.request_object,
        status=row.status,
        result=None if row.result is None else json.loads(row.result),
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


class VerifierStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def add(self, transaction: Transaction) -> None:
        with self.engine.begin() as db:
            db.execute(
                transactions.insert().values(
                    transaction_id=transaction.transaction_id,
                    state=transaction.state,
                    nonce=transaction.nonce,
                    dcql_query=json.dumps(transaction.dcql_query),
                    request_object=transaction.request_object,
                    status=transaction.status,
                    result=None,
                    created_at=transaction.created_at,
                    expires_at=transaction.expires_at,
                )
            )

    def get(self, transaction_id: str) -> Transaction | None:
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(transactions).where(transactions.c.transaction_id == transaction_id)
            ).first()
        return None if row is None else _transaction(row)

    def claim_response(self, state: str, *, now: int) -> Transaction | None:
        """Take the transaction of ``state`` for its one response; None when unknown, used or expired."""
        with self.engine.begin() as db:
            claimed = db.execute(
                transactions.update()
                .where(
                    transactions.c.state == state,
                    transactions.c.status == PENDING,
                    transactions.c.expires_at > now,
                )
                .values(status=RESPONDED)
            )
            if claimed.rowcount != 1:
                return None
            row = db.execute(sa.select(transactions).where(transactions.c.state == state)).one()
        return _transaction(row)

    def finish(self, transaction_id: str, *, status: str, result: dict[str, Any]) -> None:
        with self.engine.begin() as db:
            db.execute(
                transactions.update()
                .where(transactions.c.transaction_id == transaction_id, transactions.c.status == RESPONDED)
                .values(status=status, result=json.dumps(result))
            )
