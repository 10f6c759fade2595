from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from common.db import create_engine
from verifier.store import FAILED, PENDING, Transaction, VerifierStore

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
        )
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
