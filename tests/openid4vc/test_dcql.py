from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import public_jwk
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc, verify_sd_jwt_vc
from openid4vc.dcql import (
    Candidate,
    ClaimsQuery,
    TrustedAuthoritiesQuery,
    check_response_against_query,
    claim_values,
    match,
    parse_dcql_query,
    select,
)
from openid4vc.errors import InvalidDcqlQuery, InvalidRequest, QueryNotSatisfied
from tests.openid4vc.conftest import VP_EXAMPLES

QUERIES = sorted((VP_EXAMPLES / "query_lang").glob("*.json")) + sorted(
    (VP_EXAMPLES / "request").glob("dcql_*.json")
)
IDENTITY = "https://credentials.example.com/identity_credential"


def load(name: str) -> dict[str, Any]:
    document = json.loads((VP_EXAMPLES / "query_lang" / name).read_text())
    assert isinstance(document, dict)
    return document


def test_the_query_examples_are_there() -> None:
    assert len(QUERIES) >= 9, f"DCQL examples missing under {VP_EXAMPLES}"


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_spec_query_parses_and_round_trips(path: Path) -> None:
    document = json.loads(path.read_text())
    query = parse_dcql_query(document)
    assert [c.id for c in query.credentials] == [c["id"] for c in document["credentials"]]
    assert parse_dcql_query(query.to_json()) == query
    for credential, raw in zip(query.credentials, document["credentials"], strict=True):
        assert credential.format == raw["format"] and credential.meta == raw["meta"]
        assert [c.to_json() for c in credential.claims or ()] == raw.get("claims", [])


def test_what_the_examples_say() -> None:
    simple_mdoc = parse_dcql_query(load("simple_mdoc.json")).credentials[0]
    assert simple_mdoc.doctype_value == "org.iso.7367.1.mVRC" and simple_mdoc.vct_values is None
    assert simple_mdoc.claims is not None and simple_mdoc.claims[0].path == (
        "org.iso.7367.1",
        "vehicle_holder",
    )
    values = parse_dcql_query(load("value_matching_simple.json")).credentials[0]
    assert values.claims is not None and values.claims[3] == ClaimsQuery(
        None, ("postal_code",), ("90210", "90211")
    )
    complex_mdoc = parse_dcql_query(load("complex_mdoc.json"))
    assert complex_mdoc.credential_sets is not None
    assert [s.required for s in complex_mdoc.credential_sets] == [True, False]


# -- claims path pointers (section 7) ------------------------------------------------------------------

ARTHUR = {
    "name": "Arthur Dent",
    "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
    "nationalities": ["British", "Betelgeusian"],
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("name",), ["Arthur Dent"]),
        (("address",), [ARTHUR["address"]]),
        (("address", "street_address"), ["42 Market Street"]),
        (("degrees", None, "type"), ["Bachelor of Science", "Master of Science"]),
        (("nationalities", 1), ["Betelgeusian"]),
        (("nationalities", None), ["British", "Betelgeusian"]),
        (("nationalities", 2), []),
        (("missing",), []),
        (("name", "first"), []),  # a string against a non-object: error
        (("address", None), []),  # null against a non-array: error
        (("address", 0), []),  # index against a non-array: error
        (("degrees", "type"), []),
    ],
)
def test_claims_path_pointer_example(path: tuple[Any, ...], expected: list[Any]) -> None:
    """Section 7.3's example, and the abort-with-error cases of 7.1.1 (which select nothing)."""
    assert claim_values(ARTHUR, path) == expected


def test_any_non_object_in_the_selection_aborts() -> None:
    claims = {"a": [{"c": 1}, "not an object", {"c": 2}]}
    assert claim_values(claims, ("a", None, "c")) == []
    assert claim_values({"a": [{"c": 1}, {"d": 2}]}, ("a", None, "c")) == [1]


# -- matching (section 6.4) -----------------------------------------------------------------------------


def sd_jwt(candidate_id: str, vct: str = IDENTITY, **claims: Any) -> Candidate:
    return Candidate(candidate_id, "dc+sd-jwt", vct, None, claims)


def mdoc(candidate_id: str, doctype: str, **namespaces: dict[str, Any]) -> Candidate:
    return Candidate(candidate_id, "mso_mdoc", None, doctype, namespaces)


FULL: dict[str, Any] = {
    "family_name": "Doe",
    "given_name": "John",
    "address": {"street_address": "123 Main St"},
}


def test_simple_query() -> None:
    query = parse_dcql_query(load("simple.json"))
    found = match(
        query, [sd_jwt("other", vct="urn:other", **FULL), sd_jwt("c1", **FULL), sd_jwt("c2", given_name="J")]
    )
    assert [m.candidate.id for m in found["my_credential"]] == ["c1"]
    assert found["my_credential"][0].paths == (
        ("family_name",),
        ("given_name",),
        ("address", "street_address"),
    )
    chosen = select(query, found)
    assert chosen is not None and [m.candidate.id for m in chosen["my_credential"]] == ["c1"]


def test_value_matching_is_exact_in_type_and_value() -> None:
    query = parse_dcql_query(load("value_matching_simple.json"))
    good = sd_jwt("c", **FULL, postal_code="90211")
    assert select(query, match(query, [good])) is not None
    for postal_code in (90210, "90212", None):
        candidate = sd_jwt("c", **FULL, postal_code=postal_code)
        assert select(query, match(query, [candidate])) is None
    booleans = parse_dcql_query(
        {
            "credentials": [
                {
                    "id": "age",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["urn:eudi:pid:1"]},
                    "claims": [{"path": ["age_equal_or_over", "18"], "values": [True]}],
                }
            ]
        }
    )
    for value, expected in ((True, 1), (1, 0), ("true", 0), (False, 0)):
        candidate = sd_jwt("p", vct="urn:eudi:pid:1", age_equal_or_over={"18": value})
        assert len(match(booleans, [candidate])["age"]) == expected


def test_claim_sets_pick_the_first_satisfiable_option() -> None:
    query = parse_dcql_query(load("claims_alternatives.json"))
    both = sd_jwt("x", family_name="D", postal_code="1", locality="L", region="R", date_of_birth="d")
    assert match(query, [both])["pid"][0].paths == (
        ("family_name",),
        ("locality",),
        ("region",),
        ("date_of_birth",),
    )
    second = sd_jwt("y", family_name="D", postal_code="1", date_of_birth="d")
    assert match(query, [second])["pid"][0].paths == (("family_name",), ("postal_code",), ("date_of_birth",))
    assert match(query, [sd_jwt("z", family_name="D", postal_code="1")])["pid"] == []


def test_credential_sets_required_and_optional() -> None:
    query = parse_dcql_query(load("credentials_alternatives.json"))
    other = sd_jwt("o", vct="https://othercredentials.example/pid", **FULL)
    chosen = select(query, match(query, [other]))
    assert chosen is not None and list(chosen) == ["other_pid"]
    reduced_1 = sd_jwt("r1", vct="https://credentials.example.com/reduced_identity_credential", **FULL)
    reduced_2 = sd_jwt(
        "r2", vct="https://cred.example/residence_credential", postal_code="1", locality="L", region="R"
    )
    rewards = sd_jwt("n", vct="https://company.example/company_rewards", rewards_number="7")
    chosen = select(query, match(query, [reduced_1, reduced_2, rewards]))
    assert chosen is not None and list(chosen) == ["pid_reduced_cred_1", "pid_reduced_cred_2", "nice_to_have"]
    assert select(query, match(query, [reduced_1, rewards])) is None
    assert select(query, match(query, [])) is None
    optional = parse_dcql_query(
        {
            **load("credentials_alternatives.json"),
            "credential_sets": [{"options": [["nice_to_have"]], "required": False}],
        }
    )
    assert select(optional, match(optional, [rewards])) is not None
    assert select(optional, match(optional, [other])) is None  # nothing to present at all


def test_mdoc_queries() -> None:
    query = parse_dcql_query(load("complex_mdoc.json"))
    mdl = mdoc(
        "m",
        "org.iso.18013.5.1.mDL",
        **{"org.iso.18013.5.1": {"given_name": "J", "family_name": "D", "portrait": "cG9ydHJhaXQ"}},
    )
    chosen = select(query, match(query, [mdl]))
    assert chosen is not None and list(chosen) == ["mdl-id"]
    assert chosen["mdl-id"][0].paths[0] == ("org.iso.18013.5.1", "given_name")
    photo_id = mdoc("p", "org.iso.23220.photoid.1", **{"org.iso.18013.5.1": {"given_name": "J"}})
    assert select(query, match(query, [photo_id])) is None


def test_multiple() -> None:
    document = load("simple.json")
    document["credentials"][0]["multiple"] = True
    query = parse_dcql_query(document)
    chosen = select(query, match(query, [sd_jwt("a", **FULL), sd_jwt("b", **FULL)]))
    assert chosen is not None and [m.candidate.id for m in chosen["my_credential"]] == ["a", "b"]
    single = parse_dcql_query(load("simple.json"))
    chosen = select(single, match(single, [sd_jwt("a", **FULL), sd_jwt("b", **FULL)]))
    assert chosen is not None and [m.candidate.id for m in chosen["my_credential"]] == ["a"]


def test_no_claims_asks_for_no_selectively_disclosable_claim() -> None:
    query = parse_dcql_query(
        {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]}}]}
    )
    [found] = match(query, [sd_jwt("c", **FULL)])["pid"]
    assert found.paths == ()


def test_duplicate_claims_are_disclosed_once() -> None:
    document = load("simple.json")
    document["credentials"][0]["claims"].append({"path": ["family_name"]})
    query = parse_dcql_query(document)
    assert match(query, [sd_jwt("c", **FULL)])["my_credential"][0].paths.count(("family_name",)) == 1


def test_trusted_authorities_filter_known_issuers() -> None:
    document = load("simple.json")
    document["credentials"][0]["trusted_authorities"] = [
        {"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}
    ]
    query = parse_dcql_query(document)
    assert query.credentials[0].trusted_authorities == (
        TrustedAuthoritiesQuery("aki", ("s9tIpPmhxdiuNkHMEWNpYim8S8Y",)),
    )
    trusted = Candidate(
        "t", "dc+sd-jwt", IDENTITY, None, FULL, authorities={"aki": {"s9tIpPmhxdiuNkHMEWNpYim8S8Y"}}
    )
    other = Candidate("o", "dc+sd-jwt", IDENTITY, None, FULL, authorities={"aki": {"AAAA"}})
    unknown = Candidate("u", "dc+sd-jwt", IDENTITY, None, FULL)
    assert [m.candidate.id for m in match(query, [trusted, other, unknown])["my_credential"]] == ["t", "u"]
    # an entry of a type a candidate cannot be judged by is left aside; alone, it filters nothing
    document["credentials"][0]["trusted_authorities"] = [
        {"type": "etsi_tl", "values": ["https://lotl.example"]}
    ]
    query = parse_dcql_query(document)
    assert [m.candidate.id for m in match(query, [trusted, other])["my_credential"]] == ["t", "o"]
    # alternatives: adding one never narrows the match, so beside an unjudgeable entry nothing is filtered
    document["credentials"][0]["trusted_authorities"].append({"type": "aki", "values": ["AAAA"]})
    query = parse_dcql_query(document)
    assert [m.candidate.id for m in match(query, [trusted, other])["my_credential"]] == ["t", "o"]


def test_an_sd_jwt_vc_matches_as_any_of_its_aka_vcts() -> None:
    # SD-JWT VC section 3.2.2.1.1: a credential can be treated as any of its types; a domestic PID
    # type that names the base type answers a query for the base type, on both sides
    query = parse_dcql_query(load("simple.json"))
    domestic = Candidate("d", "dc+sd-jwt", "urn:eudi:pid:nl:1", None, FULL, aka_vcts=("urn:x", IDENTITY))
    unrelated = Candidate("u", "dc+sd-jwt", "urn:eudi:pid:nl:1", None, FULL, aka_vcts=("urn:x",))
    assert [m.candidate.id for m in match(query, [domestic, unrelated])["my_credential"]] == ["d"]
    check_response_against_query(query, {"my_credential": [domestic]})
    with pytest.raises(QueryNotSatisfied):
        check_response_against_query(query, {"my_credential": [unrelated]})


def test_holder_binding() -> None:
    unbound = Candidate("u", "dc+sd-jwt", IDENTITY, None, FULL, holder_binding=False)
    query = parse_dcql_query(load("simple.json"))
    assert match(query, [unbound])["my_credential"] == []
    document = load("simple.json")
    document["credentials"][0]["require_cryptographic_holder_binding"] = False
    relaxed = parse_dcql_query(document)
    assert len(match(relaxed, [unbound])["my_credential"]) == 1
    check_response_against_query(relaxed, {"my_credential": [unbound]})
    with pytest.raises(QueryNotSatisfied):
        check_response_against_query(query, {"my_credential": [unbound]})


def test_other_formats_never_match() -> None:
    query = parse_dcql_query(json.loads((VP_EXAMPLES / "request" / "dcql_jwt_vc.json").read_text()))
    candidate = Candidate(
        "w", "jwt_vc_json", None, None, {"credentialSubject": {"family_name": "D", "given_name": "J"}}
    )
    assert match(query, [candidate])["example_jwt_vc"] == []


# -- rules of section 6 --------------------------------------------------------------------------------


def credential(**changes: Any) -> dict[str, Any]:
    query = {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}
    query.update(changes)
    return {k: v for k, v in query.items() if v is not None}


def claims(*entries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"credentials": [credential(claims=list(entries), **changes)]}


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {},
        {"credentials": []},
        {"credentials": {}},
        {"credentials": [credential()] * 51},
        {"credentials": ["a"]},
        {"credentials": [credential(id="a b")]},
        {"credentials": [credential(id="pid\n")]},  # "$" would let a final newline through
        {"credentials": [credential(id="")]},
        {"credentials": [credential(id="ä")]},
        {"credentials": [credential(id=7)]},
        {"credentials": [credential(id=None)]},
        {"credentials": [credential(), credential()]},
        {"credentials": [credential(format=None)]},
        {"credentials": [credential(format=1)]},
        {"credentials": [credential(meta=None)]},
        {"credentials": [credential(meta=[])]},
        {"credentials": [credential(meta={})]},
        {"credentials": [credential(meta={"vct_values": []})]},
        {"credentials": [credential(meta={"vct_values": "x"})]},
        {"credentials": [credential(meta={"vct_values": [1]})]},
        {"credentials": [credential(format="mso_mdoc", meta={})]},
        {"credentials": [credential(format="mso_mdoc", meta={"doctype_value": ["d"]})]},
        {"credentials": [credential(format="jwt_vc_json", meta={"type_values": ["IDCredential"]})]},
        {"credentials": [credential(format="ldp_vc", meta={})]},
        {"credentials": [credential(multiple="yes")]},
        {"credentials": [credential(require_cryptographic_holder_binding=0)]},
        {"credentials": [credential(trusted_authorities=[])]},
        {"credentials": [credential(trusted_authorities=[{"type": "aki"}])]},
        {"credentials": [credential(trusted_authorities=[{"type": "aki", "values": []}])]},
        {"credentials": [credential(trusted_authorities=[{"values": ["x"]}])]},
        {"credentials": [credential(claims=[])]},
        {"credentials": [credential(claims={"path": ["x"]})]},
        claims({"path": []}),
        claims({"path": "given_name"}),
        claims({"path": [-1]}),
        claims({"path": [1.5]}),
        claims({"path": [True]}),
        claims({"path": [{"a": 1}]}),
        claims({"path": ["x"] * 17}),
        claims({"id": "c d", "path": ["x"]}),
        claims({"id": "c", "path": ["x"]}, {"id": "c", "path": ["y"]}),
        claims({"path": ["x"], "values": []}),
        claims({"path": ["x"], "values": "x"}),
        claims({"path": ["x"], "values": [1.5]}),
        claims({"path": ["x"], "values": [None]}),
        claims({"path": ["x"], "values": [{"a": 1}]}),
        claims({"path": ["x"], "intent_to_retain": "no"}),
        claims({"path": ["ns"]}, format="mso_mdoc", meta={"doctype_value": "d"}),
        claims({"path": ["ns", "e", "x"]}, format="mso_mdoc", meta={"doctype_value": "d"}),
        claims({"path": ["ns", 0]}, format="mso_mdoc", meta={"doctype_value": "d"}),
        claims({"path": ["ns", None]}, format="mso_mdoc", meta={"doctype_value": "d"}),
        claims({"id": "c", "path": ["x"]}, claim_sets=[["nope"]]),
        claims({"path": ["x"]}, claim_sets=[["c"]]),
        claims({"id": "c", "path": ["x"]}, claim_sets=[]),
        claims({"id": "c", "path": ["x"]}, claim_sets=[[]]),
        claims({"id": "c", "path": ["x"]}, claim_sets=["c"]),
        {"credentials": [credential(claim_sets=[["c"]])]},
        {"credentials": [credential()], "credential_sets": []},
        {"credentials": [credential()], "credential_sets": [{"options": [["b"]]}]},
        {"credentials": [credential()], "credential_sets": [{"options": []}]},
        {"credentials": [credential()], "credential_sets": [{"options": [[]]}]},
        {"credentials": [credential()], "credential_sets": [{"options": ["a"]}]},
        {"credentials": [credential()], "credential_sets": [{}]},
        {"credentials": [credential()], "credential_sets": [{"options": [["a"]], "required": "true"}]},
        {"credentials": [credential()], "credential_sets": ["a"]},
    ],
)
def test_invalid_queries(bad: Any) -> None:
    with pytest.raises(InvalidDcqlQuery) as caught:
        parse_dcql_query(bad)
    assert caught.value.error == "invalid_request" and isinstance(caught.value, InvalidRequest)


def test_unknown_properties_are_ignored() -> None:
    document = load("simple.json")
    document["future"] = {"x": 1}
    document["credentials"][0]["future"] = 1
    document["credentials"][0]["claims"][0]["future"] = 1
    parse_dcql_query(document)


# -- the verifier's re-check (section 8.6) -----------------------------------------------------------------


def test_verifier_accepts_a_good_response() -> None:
    query = parse_dcql_query(load("simple.json"))
    check_response_against_query(query, {"my_credential": [sd_jwt("c", **FULL)]})
    alternatives = parse_dcql_query(load("credentials_alternatives.json"))
    other = sd_jwt("o", vct="https://othercredentials.example/pid", **FULL)
    check_response_against_query(alternatives, {"other_pid": [other]})
    check_response_against_query(
        parse_dcql_query(load("claims_alternatives.json")),
        {"pid": [sd_jwt("x", family_name="D", postal_code="1", date_of_birth="d")]},
    )


@pytest.mark.parametrize(
    ("name", "presented"),
    [
        ("simple.json", {}),
        ("simple.json", {"other": [sd_jwt("c", **FULL)]}),
        ("simple.json", {"my_credential": []}),
        ("simple.json", {"my_credential": [sd_jwt("c", **FULL), sd_jwt("d", **FULL)]}),
        ("simple.json", {"my_credential": [sd_jwt("c", vct="urn:other", **FULL)]}),
        ("simple.json", {"my_credential": [Candidate("c", "mso_mdoc", None, IDENTITY, FULL)]}),
        ("simple.json", {"my_credential": [sd_jwt("c", family_name="Doe", given_name="John")]}),
        ("value_matching_simple.json", {"my_credential": [sd_jwt("c", **FULL, postal_code="12345")]}),
        ("claims_alternatives.json", {"pid": [sd_jwt("x", family_name="D", postal_code="1")]}),
        (
            "credentials_alternatives.json",
            {
                "nice_to_have": [
                    sd_jwt("n", vct="https://company.example/company_rewards", rewards_number="7")
                ]
            },
        ),
        (
            "credentials_alternatives.json",
            {
                "other_pid": [sd_jwt("o", vct="https://othercredentials.example/pid", **FULL)],
                "pid_reduced_cred_1": [
                    sd_jwt("r", vct="https://credentials.example.com/reduced_identity_credential", **FULL)
                ],
            },
        ),
        ("multi_credentials.json", {"pid": [sd_jwt("c", **FULL)]}),
    ],
)
def test_verifier_rejections(name: str, presented: dict[str, list[Candidate]]) -> None:
    with pytest.raises(QueryNotSatisfied):
        check_response_against_query(parse_dcql_query(load(name)), presented)


def test_parsed_queries_are_not_shared_with_the_input() -> None:
    document = load("simple.json")
    query = parse_dcql_query(document)
    document["credentials"][0]["meta"]["vct_values"].append("urn:injected")
    assert query.credentials[0].vct_values == (IDENTITY,)


@pytest.mark.parametrize(
    ("path", "values", "disclosed"),
    [
        (["nationalities", 1], None, ["NL"]),
        (["nationalities", None], ["NL"], ["NL"]),
        (["nationalities", None], None, ["DE", "NL", "BE"]),
        (["nationalities", 2], ["BE"], ["BE"]),
    ],
)
def test_array_elements_through_a_real_presentation(
    path: list[Any], values: list[Any] | None, disclosed: list[str]
) -> None:
    """helper 38: an index into a selectively disclosable array (the wallet discloses that element
    alone) was applied again to the presentation, where the undisclosed elements before it are gone,
    and our verifier refused our wallet; and a null path with values disclosed every element, where
    one whose value does not match is to be treated as absent (section 6.4.1)."""
    issuer, holder = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    claims = {"given_name": "Erika", "nationalities": ["DE", "NL", "BE"]}
    issued = issue_sd_jwt_vc(
        claims, vct=IDENTITY, issuer=None, signing_key=issuer, x5c=[], holder_jwk=public_jwk(holder), iat=0
    )
    claim: dict[str, Any] = {"path": path} if values is None else {"path": path, "values": values}
    query = parse_dcql_query(
        {
            "credentials": [
                {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]}, "claims": [claim]}
            ]
        }
    )
    chosen = select(query, match(query, [Candidate("held", "dc+sd-jwt", IDENTITY, None, claims)]))
    assert chosen is not None
    [chosen_match] = chosen["pid"]
    presentation = present_sd_jwt_vc(
        issued, chosen_match.paths, holder_key=holder, audience="x509_hash:rp", nonce="n", iat=0
    )
    verified = verify_sd_jwt_vc(
        presentation,
        resolve_issuer_key=lambda _header, _payload: issuer.public_key(),
        now=0,
        key_binding=KeyBindingCheck(audience="x509_hash:rp", nonce="n", now=0),
    )
    assert verified.claims["nationalities"] == disclosed
    presented = Candidate("presented", "dc+sd-jwt", IDENTITY, None, verified.claims)
    check_response_against_query(query, {"pid": [presented]})


def test_long_value_lists_are_taken() -> None:
    """helper 38: an aki entry may name every key identifier of a trust list (HAIP 1.0 section 5); 50
    values had been the limit. Matching stays a set lookup."""
    aki = [f"key-{n}" for n in range(1000)]
    claim = {"path": ["nationalities", None], "values": [*(f"X{n}" for n in range(999)), "NL"]}
    query = parse_dcql_query(
        {
            "credentials": [
                {
                    "id": "pid",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [IDENTITY]},
                    "trusted_authorities": [{"type": "aki", "values": aki}],
                    "claims": [claim],
                }
            ]
        }
    )
    held = Candidate("held", "dc+sd-jwt", IDENTITY, None, {"nationalities": ["DE", "NL"] * 5000})
    [found] = match(query, [held])["pid"]
    assert len(found.paths) == 5000 and found.paths[0] == ("nationalities", 1)
    for too_many in ({**claim, "values": ["a"] * 1001}, {"path": ["x"], "values": [1.5]}):
        with pytest.raises(InvalidDcqlQuery):
            parse_dcql_query(
                {
                    "credentials": [
                        {
                            "id": "q",
                            "format": "dc+sd-jwt",
                            "meta": {"vct_values": ["v"]},
                            "claims": [too_many],
                        }
                    ]
                }
            )
