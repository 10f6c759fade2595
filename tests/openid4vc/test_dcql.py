from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openid4vc.dcql import (
    Candidate,
    check_response_against_query,
    claim_values,
    match,
    parse_dcql_query,
    select,
)
from openid4vc.errors import InvalidRequest
from tests.conftest import VECTORS

QUERIES = sorted((VECTORS / "openid4vp-1.0" / "examples" / "query_lang").glob("*.json"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_spec_query_parses_and_round_trips(path: Path) -> None:
    document = json.loads(path.read_text())
    query = parse_dcql_query(document)
    assert parse_dcql_query(query.to_json()) == query
    assert [c.id for c in query.credentials] == [c["id"] for c in document["credentials"]]


def pid(candidate_id: str = "c1", **claims: Any) -> Candidate:
    base = {
        "given_name": "Emma",
        "family_name": "Jansen",
        "address": {"street_address": "Hoofdstraat", "locality": "Utrecht"},
    }
    return Candidate(candidate_id, "dc+sd-jwt", "urn:eudi:pid:1", None, {**base, **claims})


def query(**extra: Any) -> dict[str, Any]:
    credential = {
        "id": "pid",
        "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:pid:1"]},
        "claims": [{"path": ["given_name"]}, {"path": ["address", "locality"]}],
    }
    credential.update(extra)
    return {"credentials": [credential]}


def test_claim_values_pointer_semantics() -> None:
    claims = {"a": {"b": [{"c": 1}, {"c": 2}, {"d": 3}]}}
    assert claim_values(claims, ("a", "b", None, "c")) == [1, 2]
    assert claim_values(claims, ("a", "b", 1)) == [{"c": 2}]
    assert claim_values(claims, ("a", "x")) == []


def test_match_and_select() -> None:
    parsed = parse_dcql_query(query())
    found = match(parsed, [pid(), Candidate("m", "mso_mdoc", None, "x", {})])
    assert [m.candidate.id for m in found["pid"]] == ["c1"]
    assert found["pid"][0].paths == (("given_name",), ("address", "locality"))
    chosen = select(parsed, found)
    assert chosen is not None and list(chosen) == ["pid"]


def test_values_constraint() -> None:
    parsed = parse_dcql_query(query(claims=[{"path": ["given_name"], "values": ["Daan"]}]))
    assert select(parsed, match(parsed, [pid()])) is None
    assert select(parsed, match(parsed, [pid(given_name="Daan")])) is not None


def test_claim_sets_pick_the_first_satisfiable_option() -> None:
    parsed = parse_dcql_query(
        json.loads((VECTORS / "openid4vp-1.0/examples/query_lang/claims_alternatives.json").read_text())
    )
    vct = "https://credentials.example.com/identity_credential"
    candidate = Candidate(
        "x", "dc+sd-jwt", vct, None, {"family_name": "J", "postal_code": "1", "date_of_birth": "d"}
    )
    [found] = match(parsed, [candidate])["pid"]
    assert found.paths == (("family_name",), ("postal_code",), ("date_of_birth",))


def test_credential_sets_required_and_optional() -> None:
    parsed = parse_dcql_query(
        json.loads((VECTORS / "openid4vp-1.0/examples/query_lang/credentials_alternatives.json").read_text())
    )
    other = Candidate(
        "o",
        "dc+sd-jwt",
        "https://othercredentials.example/pid",
        None,
        {"given_name": "a", "family_name": "b", "address": {"street_address": "c"}},
    )
    chosen = select(parsed, match(parsed, [other]))
    assert chosen is not None and list(chosen) == ["other_pid"]
    assert select(parsed, match(parsed, [])) is None


def test_no_claims_asks_for_no_selective_disclosure() -> None:
    parsed = parse_dcql_query(
        {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}]}
    )
    [found] = match(parsed, [pid()])["pid"]
    assert found.paths == ()


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"credentials": []},
        {"credentials": [{"id": "a b", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}]},
        {"credentials": [{"id": "a", "format": "dc+sd-jwt"}]},
        {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}]},
        {"credentials": [{"id": "a", "format": "mso_mdoc", "meta": {}}]},
        {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}] * 2},
        {
            "credentials": [
                {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}, "claims": [{"path": []}]}
            ]
        },
        {
            "credentials": [
                {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}, "claims": [{"path": [-1]}]}
            ]
        },
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "mso_mdoc",
                    "meta": {"doctype_value": "d"},
                    "claims": [{"path": ["ns"]}],
                }
            ]
        },
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["x"]},
                    "claims": [{"id": "c", "path": ["x"]}],
                    "claim_sets": [["nope"]],
                }
            ]
        },
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["x"]},
                    "claims": [{"path": ["x"]}],
                    "claim_sets": [["c"]],
                }
            ]
        },
        {
            "credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}],
            "credential_sets": [{"options": [["b"]]}],
        },
    ],
)
def test_invalid_queries(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequest):
        parse_dcql_query(bad)


def test_verifier_rechecks_the_response() -> None:
    parsed = parse_dcql_query(query())
    check_response_against_query(parsed, {"pid": [pid()]})
    missing_claim = Candidate("c", "dc+sd-jwt", "urn:eudi:pid:1", None, {"given_name": "Emma"})
    wrong_type = Candidate("c", "dc+sd-jwt", "urn:other", None, pid().claims)
    for presented in (
        {"pid": [missing_claim]},
        {"pid": [wrong_type]},
        {"pid": [pid(), pid()]},
        {"other": [pid()]},
        {},
    ):
        with pytest.raises(InvalidRequest):
            check_response_against_query(parsed, presented)
