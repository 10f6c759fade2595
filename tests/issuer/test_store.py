from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from common.db import create_engine, secret_digest
from issuer.store import IssuerStore, token_requests

NOW = 1_790_000_000


def make_store(database_url: str) -> IssuerStore:
    store = IssuerStore(create_engine(database_url))
    store.create_schema()
    return store


def add_offer(
    store: IssuerStore, *, offer_id: str = "offer-1", code: str = "code-1", tx_code: str | None = "123456"
) -> None:
    store.add_offer(
        offer_id=offer_id,
        pre_authorized_code=code,
        tx_code=tx_code,
        citizen_id="nl-0001",
        configuration_ids=["pid"],
        offer={"credential_issuer": "x"},
        expires_at=NOW + 600,
    )


def test_secrets_are_stored_as_digests(database_url: str) -> None:
    store = make_store(database_url)
    add_offer(store, code="very-secret-code", tx_code="654321")
    with store.engine.connect() as db:
        dump = repr([tuple(row) for row in db.exec_driver_sql("SELECT * FROM issuer_offers")])
    assert "very-secret-code" not in dump and "654321" not in dump


def test_pre_authorized_code_is_single_use_under_concurrency(database_url: str) -> None:
    store = make_store(database_url)
    add_offer(store)
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda _: store.redeem_offer("offer-1", now=NOW), range(16)))
    assert wins.count(True) == 1


def test_expired_offer_cannot_be_redeemed_or_fetched(database_url: str) -> None:
    store = make_store(database_url)
    add_offer(store)
    assert store.offer_json("offer-1", now=NOW + 601) is None
    assert not store.redeem_offer("offer-1", now=NOW + 601)


def test_tx_code_attempts_are_reserved_up_to_the_limit(database_url: str) -> None:
    store = make_store(database_url)
    add_offer(store)
    assert [store.reserve_tx_code_attempt("offer-1", max_attempts=3, now=NOW) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    record = store.find_offer_by_code("code-1")
    assert record is not None and record.failed_attempts == 3
    add_offer(store, offer_id="offer-2", code="code-2")
    assert not store.reserve_tx_code_attempt("offer-2", max_attempts=3, now=NOW + 601)  # expired
    assert store.redeem_offer("offer-2", now=NOW)
    assert not store.reserve_tx_code_attempt("offer-2", max_attempts=3, now=NOW)  # used


def test_a_match_gives_its_attempt_back_and_the_last_miss_burns_the_code(database_url: str) -> None:
    store = make_store(database_url)
    add_offer(store)
    for _ in range(5):  # five right guesses in a row, each reserved and given back
        assert store.reserve_tx_code_attempt("offer-1", max_attempts=3, now=NOW)
        store.release_tx_code_attempt("offer-1")
    for misses in range(1, 4):
        assert store.reserve_tx_code_attempt("offer-1", max_attempts=3, now=NOW)
        store.burn_if_spent("offer-1", max_attempts=3)
        record = store.find_offer_by_code("code-1")
        assert record is not None and record.failed_attempts == misses and record.redeemed == (misses == 3)
    assert store.offer_json("offer-1", now=NOW) is None


def test_parallel_tx_code_guesses_stay_within_the_limit(database_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = make_store(database_url)
    add_offer(store)
    with ThreadPoolExecutor(8) as pool:
        reserved = list(
            pool.map(lambda _: store.reserve_tx_code_attempt("offer-1", max_attempts=3, now=NOW), range(40))
        )
    assert reserved.count(True) == 3


def test_nonce_single_use_and_expiry(database_url: str) -> None:
    store = make_store(database_url)
    store.add_nonce("n1", expires_at=NOW + 300, now=NOW)
    store.add_nonce("n2", expires_at=NOW + 10, now=NOW)
    assert store.consume_nonce("n1", now=NOW)
    assert not store.consume_nonce("n1", now=NOW)
    assert not store.consume_nonce("n2", now=NOW + 11)
    assert not store.consume_nonce("never-issued", now=NOW)


def test_expired_nonces_go_when_new_ones_are_given_out(database_url: str) -> None:
    store = make_store(database_url)
    for n in range(50):
        store.add_nonce(f"n{n}", expires_at=NOW + 10, now=NOW)
    assert store.nonce_count() == 50
    store.add_nonce("later", expires_at=NOW + 310, now=NOW + 300)
    assert store.nonce_count() == 1


def test_access_token_expires(database_url: str) -> None:
    store = make_store(database_url)
    store.add_access_token("tok", citizen_id="nl-0001", configuration_ids=["pid"], expires_at=NOW + 10)
    grant = store.access_grant("tok", now=NOW)
    assert grant is not None and grant.configuration_ids == ("pid",)
    assert grant.anonymous and grant.client_id is None and grant.identifiers is False
    assert store.access_grant("tok", now=NOW + 10) is None


def test_how_a_token_was_asked_for_is_kept(database_url: str) -> None:
    store = make_store(database_url)
    store.add_access_token(
        "named",
        citizen_id="nl-0001",
        configuration_ids=["pid"],
        expires_at=NOW + 10,
        client_id="w",
        identifiers=True,
    )
    grant = store.access_grant("named", now=NOW)
    assert grant is not None and grant.client_id == "w" and not grant.anonymous and grant.identifiers is True
    # a token kept before its token request was: how it was asked for is not known, and not judged
    store.add_access_token("older", citizen_id="nl-0001", configuration_ids=["pid"], expires_at=NOW + 10)
    with store.engine.begin() as db:
        db.execute(sa.delete(token_requests).where(token_requests.c.token_digest == secret_digest("older")))
    older = store.access_grant("older", now=NOW)
    assert older is not None and not older.anonymous and older.identifiers is None


def test_status_indices_are_unique_and_statuses_settable(database_url: str) -> None:
    store = make_store(database_url)
    assert store.claim_status_index(7, now=NOW)
    assert not store.claim_status_index(7, now=NOW)
    assert store.claim_status_index(70_000, now=NOW)  # an entry of the second list of 65,536
    assert store.statuses(0, 1 << 17) == []
    assert store.set_status(7, 1) and store.set_status(70_000, 2)
    assert not store.set_status(8, 1)
    assert store.statuses(0, 1 << 16) == [(7, 1)] and store.statuses(1 << 16, 1 << 17) == [(70_000, 2)]
    assert store.last_status_entry() == 70_000 and store.count_status_entries(0, 8) == 1
