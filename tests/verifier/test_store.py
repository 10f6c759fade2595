from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from common.db import create_engine
from verifier.store import FAILED, PENDING, Transaction, VerifierStore, response_keys

NOW = 1_790_000_000


def make_store(database_url: str) -> VerifierStore:
    store = VerifierStore(create_engine(database_url))
    store.create_schema()
    store.add(
        Transaction(
            transaction_id="t1",
            state="s1",
            nonce="n1",
            dcql_query={"credentials": []},
            request_object="jwt",
            status=PENDING,
            result=None,
            created_at=NOW,
            expires_at=NOW + 600,
        ),
        request_id="r1",
    )
    return store


def test_state_is_claimed_exactly_once(database_url: str) -> None:
    store = make_store(database_url)
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: store.claim_response("s1", now=NOW), range(16)))
    assert sum(claim is not None for claim in claims) == 1


def test_expired_or_unknown_state_is_not_claimed(database_url: str) -> None:
    store = make_store(database_url)
    assert store.claim_response("s1", now=NOW + 600) is None
    assert store.claim_response("nope", now=NOW) is None


def test_finish_records_result(database_url: str) -> None:
    store = make_store(database_url)
    assert store.claim_response("s1", now=NOW) is not None
    store.finish("t1", status=FAILED, result={"error": "invalid_request"})
    done = store.get("t1")
    assert done is not None and done.status == FAILED and done.result == {"error": "invalid_request"}


def test_trust_list_floors_only_rise(database_url: str) -> None:
    store = make_store(database_url)
    location = "https://lists.example/nl.jws"
    assert store.floor(location) is None
    store.raise_floor(location, 5)
    store.raise_floor(location, 3)
    assert store.floor(location) == 5
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: store.raise_floor(location, n), range(6, 22)))
    assert store.floor(location) == 21
    assert store.floor("https://lists.example/be.jws") is None


def test_response_keys_live_until_the_response_or_the_expiry(database_url: str) -> None:
    store = make_store(database_url)
    store.add_response_key("t1", "k1", "PEM-1", expires_at=NOW + 600, now=NOW)
    store.add_response_key("t0", "k0", "PEM-0", expires_at=NOW + 10, now=NOW)
    assert store.response_key("k1", now=NOW) == ("t1", "PEM-1")
    assert store.response_key("k0", now=NOW + 10) is None  # expired: not handed out
    assert store.by_state("s1") is not None and store.by_state("unknown") is None
    store.add_response_key("t2", "k2", "PEM-2", expires_at=NOW + 700, now=NOW + 20)  # purges k0's row
    with store.engine.connect() as db:
        kept = {row.key_id for row in db.execute(sa.select(response_keys))}
    assert kept == {"k1", "k2"}
    assert store.claim_response("s1", now=NOW) is not None
    assert store.response_key("k1", now=NOW) is None
    store.add_response_key("t3", "k3", "PEM-3", expires_at=NOW + 30, now=NOW)
    assert store.claim_response("nobody", now=NOW + 30) is None  # a response, any, purges expired keys
    with store.engine.connect() as db:
        assert {row.key_id for row in db.execute(sa.select(response_keys))} == {"k2"}
