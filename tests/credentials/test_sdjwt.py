"""RFC 9901: issuing, holder selection, key binding, and every rejection of sections 7.1 and 7.3.

The rejections follow STANDARDS.md section 3, items 1, 3, 6-14, 16-20 and 22 (the others belong to
the SD-JWT VC profile, the trust layer or the verifier service).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from common.jose import b64url_decode, b64url_encode, encode_jws, public_jwk
from credentials.errors import (
    ClaimCollision,
    CredentialError,
    DuplicateDigest,
    DuplicateDisclosure,
    Expired,
    ForbiddenDisclosure,
    InvalidClaims,
    InvalidDisclosure,
    InvalidKeyBinding,
    InvalidSignature,
    KeyBindingRequired,
    MalformedSdJwt,
    NotYetValid,
    UnreferencedDisclosure,
    UnsupportedAlgorithm,
    WrongAudience,
)
from credentials.sdjwt import (
    SD,
    Disclosure,
    KeyBindingCheck,
    SdJwt,
    digest,
    fully_disclosed,
    issue,
    present,
    select,
    verify,
)
from tests.credentials.support import (
    HOLDER_KEY,
    ISSUER_KEY,
    NOW,
    OTHER_KEY,
    craft,
    disclosure,
    kb_jwt,
    seeded,
)

AUD = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
CHECK = KeyBindingCheck(audience=AUD, nonce=NONCE, now=NOW)
PUBLIC = ISSUER_KEY.public_key()

CLAIMS: dict[Any, Any] = {
    "iss": "https://issuer.example",
    "iat": NOW - 10,
    "exp": NOW + 3600,
    SD("given_name"): "Erika",
    SD("family_name"): "Mustermann",
    SD("address"): {SD("street_address"): "Heidestraße 17", SD("locality"): "Köln", "country": "DE"},
    "nationalities": [SD("DE"), SD("FR"), "NL"],
    SD("degrees"): [SD({"type": "BSc"}), SD({"type": "MSc"})],
}
EVERYTHING = {
    "iss": "https://issuer.example",
    "iat": NOW - 10,
    "exp": NOW + 3600,
    "given_name": "Erika",
    "family_name": "Mustermann",
    "address": {"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"},
    "nationalities": ["DE", "FR", "NL"],
    "degrees": [{"type": "BSc"}, {"type": "MSc"}],
}


@pytest.fixture(scope="module")
def issued() -> str:
    return issue(CLAIMS, key=ISSUER_KEY, holder_jwk=public_jwk(HOLDER_KEY), rng=seeded())


def claims_of(text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("key_binding", None)
    claims = verify(text, issuer_key=PUBLIC, now=NOW, **kwargs).claims
    claims.pop("cnf", None)
    return claims


def payload_of(text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(b64url_decode(text.split("~")[0].split(".")[1]))
    return payload


# -- issuing and the holder ----------------------------------------------------------------------------


def test_issued_sd_jwt_hides_every_marked_claim(issued: str) -> None:
    assert issued.endswith("~")
    payload = payload_of(issued)
    assert payload["_sd_alg"] == "sha-256"
    assert payload["cnf"] == {"jwk": public_jwk(HOLDER_KEY)}
    assert set(payload) == {"iss", "iat", "exp", "nationalities", "_sd", "_sd_alg", "cnf"}
    assert payload["nationalities"][2] == "NL"
    assert set(payload["nationalities"][0]) == {"..."}
    assert len(payload["_sd"]) == 4 and payload["_sd"] == sorted(payload["_sd"])
    parsed = SdJwt.parse(issued)
    assert len(parsed.disclosures) == 10
    assert all(len(b64url_decode(d.salt)) == 16 for d in parsed.disclosures)
    assert fully_disclosed(issued) == {**EVERYTHING, "cnf": {"jwk": public_jwk(HOLDER_KEY)}}


def test_issuing_is_deterministic_with_an_injected_rng() -> None:
    assert SdJwt.parse(issue(CLAIMS, key=ISSUER_KEY, rng=seeded(3))).disclosures == (
        SdJwt.parse(issue(CLAIMS, key=ISSUER_KEY, rng=seeded(3))).disclosures
    )


def test_decoys_pad_every_sd_array_and_are_accepted() -> None:
    text = issue(CLAIMS, key=ISSUER_KEY, decoys=6, rng=seeded(1))
    payload = payload_of(text)
    real = {d.digest for d in SdJwt.parse(text).disclosures}
    decoys = [d for d in payload["_sd"] if d not in real]
    assert decoys and payload["_sd"] == sorted(payload["_sd"])
    assert claims_of(text) == EVERYTHING
    assert claims_of(select(text, [("given_name",)]).serialize())["given_name"] == "Erika"


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([], {}),
        ([("given_name",)], {"given_name": "Erika"}),
        ([("address",)], {"address": EVERYTHING["address"]}),
        ([("address", "locality")], {"address": {"locality": "Köln", "country": "DE"}}),
        ([("nationalities", 1)], {"nationalities": ["FR", "NL"]}),
        ([("nationalities", None)], {"nationalities": ["DE", "FR", "NL"]}),
        ([("degrees", 1, "type")], {"degrees": [{"type": "MSc"}]}),
        ([("degrees", None)], {"degrees": [{"type": "BSc"}, {"type": "MSc"}]}),
        ([("address", "no_such_claim"), ("given_name", 0), ("nationalities", 7)], {}),
    ],
)
def test_select_reveals_the_paths_and_their_ancestors(
    issued: str, paths: list[tuple[Any, ...]], expected: dict[str, Any]
) -> None:
    always = {"iss": "https://issuer.example", "iat": NOW - 10, "exp": NOW + 3600, "nationalities": ["NL"]}
    chosen = select(issued, paths)
    assert chosen.key_binding_jwt is None
    assert claims_of(chosen.serialize()) == {**always, **expected}


def test_select_without_recursion_reveals_only_the_container(issued: str) -> None:
    chosen = select(issued, [("address",), ("degrees",)], recursive=False)
    claims = claims_of(chosen.serialize())
    assert claims["address"] == {"country": "DE"}
    assert claims["degrees"] == []


def test_present_binds_the_selection_to_audience_and_nonce(issued: str) -> None:
    text = present(issued, [("family_name",)], holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)
    result = verify(text, issuer_key=PUBLIC, key_binding=CHECK, now=NOW)
    assert result.claims["family_name"] == "Mustermann" and "given_name" not in result.claims
    assert result.key_binding is not None
    assert result.key_binding["sd_hash"] == SdJwt.parse(text).sd_hash()
    assert result.key_binding["aud"] == AUD and result.key_binding["nonce"] == NONCE
    assert result.header == {"alg": "ES256"}


def test_present_refuses_a_key_that_is_not_in_cnf(issued: str) -> None:
    with pytest.raises(InvalidKeyBinding):
        present(issued, [], holder_key=OTHER_KEY, audience=AUD, nonce=NONCE, iat=NOW)


def test_the_holder_reads_the_payload_only_and_still_refuses_a_broken_one(issued: str) -> None:
    # select and present never look at the header (checked on receipt, and by the verifier) ...
    jwt, rest = issued.split("~", 1)
    _, payload, signature = jwt.split(".")
    odd_header = b64url_encode(b'{"alg":"ES256","x5c":"not a list"}')
    chosen = select(f"{odd_header}.{payload}.{signature}~{rest}", [("family_name",)])
    assert chosen.issuer_jwt.startswith(odd_header) and len(chosen.disclosures) == 1
    # ... but the payload they act on must be a JSON object with a supported _sd_alg
    for bad in (b"[1]", b"{", b'{"_sd_alg":"sha-512"}'):
        with pytest.raises((MalformedSdJwt, UnsupportedAlgorithm)):
            select(f"{odd_header}.{b64url_encode(bad)}.{signature}~", [])
    with pytest.raises(MalformedSdJwt):
        select(SdJwt("no-dots", (), None), [])


def test_parse_and_serialize_round_trip(issued: str) -> None:
    presented = present(issued, [("given_name",)], holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)
    assert SdJwt.parse(presented).serialize() == presented
    assert SdJwt.parse(issued).serialize() == issued


def test_the_resolver_sees_header_and_unverified_payload(issued: str) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def resolve(header: Any, payload: Any) -> Any:
        seen.append((dict(header), dict(payload)))
        return PUBLIC

    verify(issued, issuer_key=resolve, key_binding=None)
    assert seen[0][0] == {"alg": "ES256"} and seen[0][1]["iss"] == "https://issuer.example"


@pytest.mark.parametrize(
    "claims",
    [
        {"a": SD("value")},
        {SD("_sd"): 1},
        {"x": {"...": 1}},
        {"_sd_alg": "sha-256"},
        {SD(1): "not a string name"},
        {"a": {1, 2}},
        {"a": float("nan")},
        {"a": 1, SD("a"): 2},
    ],
)
def test_issue_refuses_what_cannot_be_an_sd_jwt(claims: dict[Any, Any]) -> None:
    with pytest.raises(InvalidClaims):
        issue(claims, key=ISSUER_KEY)


def test_issue_refuses_a_cnf_claim_beside_holder_jwk_and_a_foreign_alg() -> None:
    with pytest.raises(InvalidClaims):
        issue({"cnf": {}}, key=ISSUER_KEY, holder_jwk=public_jwk(HOLDER_KEY))
    with pytest.raises(InvalidClaims):
        issue({}, key=ISSUER_KEY, header={"alg": "HS256"})
    with pytest.raises(InvalidClaims):
        issue({}, key=ISSUER_KEY, holder_jwk={"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})


# -- 1, 3: the Issuer-signed JWT -----------------------------------------------------------------------


def _resigned(issued: str, header: dict[str, Any], signature: bytes | None = None) -> str:
    jwt, rest = issued.split("~", 1)
    _, payload, _ = jwt.split(".")
    head = b64url_encode(json.dumps(header).encode())
    signing_input = f"{head}.{payload}".encode()
    if signature is None:
        secret = PUBLIC.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{head}.{payload}.{b64url_encode(signature)}~{rest}"


def test_alg_none_and_hs256_with_the_public_key_are_refused(issued: str) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        verify(_resigned(issued, {"alg": "none"}, b"\0"), issuer_key=PUBLIC, key_binding=None)
    with pytest.raises(UnsupportedAlgorithm):
        verify(_resigned(issued, {"alg": "HS256"}), issuer_key=PUBLIC, key_binding=None)
    with pytest.raises(MalformedSdJwt):
        verify(issued.replace(issued.split(".")[2].split("~")[0], "", 1), issuer_key=PUBLIC, key_binding=None)


def test_an_algorithm_outside_the_allow_list_is_refused(issued: str) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        verify(_resigned(issued, {"alg": "ES384"}, b"\0" * 96), issuer_key=PUBLIC, key_binding=None)


def test_a_changed_payload_or_signature_byte_is_refused(issued: str) -> None:
    jwt, rest = issued.split("~", 1)
    head, payload, signature = jwt.split(".")
    changed = json.loads(b64url_decode(payload))
    changed["iss"] = "https://issuer.example/"
    forged = f"{head}.{b64url_encode(json.dumps(changed).encode())}.{signature}~{rest}"
    with pytest.raises(InvalidSignature):
        verify(forged, issuer_key=PUBLIC, key_binding=None)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(InvalidSignature):
        verify(f"{head}.{payload}.{flipped}~{rest}", issuer_key=PUBLIC, key_binding=None)
    with pytest.raises(InvalidSignature):
        verify(issued, issuer_key=OTHER_KEY.public_key(), key_binding=None)


# -- 6-14: Disclosures ---------------------------------------------------------------------------------

GIVEN = disclosure("c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Erika")
DE = disclosure("c2FsdHNhbHRzYWx0c2FsdB", "DE")


def test_hand_made_sd_jwt_verifies() -> None:
    text = craft({"_sd": [digest(GIVEN)], "n": [{"...": digest(DE)}]}, [GIVEN, DE])
    assert claims_of(text) == {"given_name": "Erika", "n": ["DE"]}


@pytest.mark.parametrize(
    ("payload", "disclosures", "error"),
    [
        # 6: a Disclosure referenced nowhere
        ({"_sd": [digest(GIVEN)]}, [GIVEN, DE], UnreferencedDisclosure),
        # 7: the same Disclosure twice; one digest in two places, directly or via a Disclosure
        ({"_sd": [digest(GIVEN)]}, [GIVEN, GIVEN], DuplicateDisclosure),
        ({"_sd": [digest(GIVEN)], "a": {"_sd": [digest(GIVEN)]}}, [GIVEN], DuplicateDigest),
        ({"_sd": [digest(GIVEN), digest(GIVEN)]}, [], DuplicateDigest),
        ({"n": [{"...": digest(DE)}, {"...": digest(DE)}]}, [DE], DuplicateDigest),
        # 10: a Disclosure of the wrong shape for its place; malformed digest containers
        ({"n": [{"...": digest(GIVEN)}]}, [GIVEN], InvalidDisclosure),
        ({"_sd": [digest(DE)]}, [DE], InvalidDisclosure),
        ({"n": [{"...": digest(DE), "x": 1}]}, [DE], MalformedSdJwt),
        ({"n": [{"...": 5}]}, [], MalformedSdJwt),
        ({"_sd": digest(GIVEN)}, [GIVEN], MalformedSdJwt),
        ({"_sd": [1]}, [], MalformedSdJwt),
        ({"a": {"...": digest(DE)}}, [DE], MalformedSdJwt),
        # 12: _sd_alg other than sha-256, or below the top level
        ({"_sd_alg": "md5", "_sd": [digest(GIVEN)]}, [GIVEN], UnsupportedAlgorithm),
        ({"_sd_alg": "SHA-256"}, [], UnsupportedAlgorithm),
        ({"a": {"_sd_alg": "sha-256"}}, [], MalformedSdJwt),
    ],
)
def test_disclosure_processing_rejections(
    payload: dict[str, Any], disclosures: list[str], error: type[CredentialError]
) -> None:
    with pytest.raises(error):
        verify(craft(payload, disclosures), issuer_key=PUBLIC, key_binding=None)


def test_digest_repeated_through_a_recursive_disclosure() -> None:
    parent = disclosure("c2FsdHNhbHRzYWx0c2FsdC", "address", {"_sd": [digest(GIVEN)]})
    with pytest.raises(DuplicateDigest):
        verify(
            craft({"_sd": [digest(parent), digest(GIVEN)]}, [parent, GIVEN]),
            issuer_key=PUBLIC,
            key_binding=None,
        )


@pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
def test_disclosure_named_sd_or_ellipsis_is_forbidden(name: str) -> None:  # 8
    bad = disclosure("c2FsdHNhbHRzYWx0c2FsdA", name, ["x"])
    with pytest.raises(ForbiddenDisclosure):
        verify(craft({"_sd": [digest(bad)]}, [bad]), issuer_key=PUBLIC, key_binding=None)
    # _sd_alg belongs to the top level of the Issuer-signed JWT: not hidden there, nor deeper down
    with pytest.raises(ForbiddenDisclosure):
        verify(craft({"address": {"_sd": [digest(bad)]}}, [bad]), issuer_key=PUBLIC, key_binding=None)


def test_disclosed_name_colliding_with_a_sibling_is_refused() -> None:  # 9
    with pytest.raises(ClaimCollision):
        verify(
            craft({"given_name": "Max", "_sd": [digest(GIVEN)]}, [GIVEN]), issuer_key=PUBLIC, key_binding=None
        )
    twin = disclosure("c2FsdHNhbHRzYWx0c2FsdD", "given_name", "Max")
    with pytest.raises(ClaimCollision):
        verify(
            craft({"_sd": [digest(GIVEN), digest(twin)]}, [GIVEN, twin]), issuer_key=PUBLIC, key_binding=None
        )


@pytest.mark.parametrize(
    "encoded",
    [
        "WyJhIiwgImIiXQ==",  # padded
        "WyJhIiwg+mIiXQ",  # standard alphabet
        "WyJhIiwg!mIiXQ",  # not base64 at all
        b64url_encode(b"not json"),
        b64url_encode(b'{"salt": "a"}'),
        disclosure("salt"),
        disclosure("salt", "name", "value", "extra"),
        disclosure(7, "name", "value"),
        disclosure("salt", 7, "value"),
        b64url_encode(b'["salt", "a", "\xff"]'),
    ],
)
def test_undecodable_disclosures_are_refused(encoded: str) -> None:  # 11
    with pytest.raises((InvalidDisclosure, MalformedSdJwt)):
        verify(craft({"_sd": [digest(GIVEN)]}, [GIVEN, encoded]), issuer_key=PUBLIC, key_binding=None)


def test_child_without_parent_is_refused_parent_without_children_accepted(issued: str) -> None:  # 14
    parsed = SdJwt.parse(issued)
    street = next(d for d in parsed.disclosures if d.name == "street_address")
    with pytest.raises(UnreferencedDisclosure):
        verify(SdJwt(parsed.issuer_jwt, (street,), None).serialize(), issuer_key=PUBLIC, key_binding=None)
    address = next(d for d in parsed.disclosures if d.name == "address")
    claims = claims_of(SdJwt(parsed.issuer_jwt, (address,), None).serialize())
    assert claims["address"] == {"country": "DE"}


def test_rfc_9901_example_disclosures_have_the_published_digests() -> None:
    """Sections 4.2.1, 4.2.2 and 5.1: known Disclosure strings and their digests."""
    cases = {
        "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd": (
            ("2GLC42sKQveCfGfryNRN9w", "given_name", "John"),
            "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4",
        ),
        "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0": (
            ("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"),
            "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0",
        ),
        "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0": (
            ("lklxF5jMYlGTPUovMNIvCA", None, "FR"),
            "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs",
        ),
    }
    for encoded, (content, expected) in cases.items():
        decoded = Disclosure.decode(encoded)
        assert (decoded.salt, decoded.name, decoded.value) == content
        assert decoded.digest == expected


def test_salts_from_seed_zero_match_the_rfc_example() -> None:
    """The RFC's examples draw salts byte by byte from seed 0; the first is ``given_name``'s."""
    text = issue({"sub": "user_42", SD("given_name"): "John"}, key=ISSUER_KEY, rng=seeded(0))
    assert SdJwt.parse(text).disclosures[0].salt == "2GLC42sKQveCfGfryNRN9w"


# -- 15: validity after processing ---------------------------------------------------------------------


def test_exp_and_nbf_are_checked_after_processing() -> None:
    exp = disclosure("c2FsdHNhbHRzYWx0c2FsdA", "exp", NOW - 120)
    with pytest.raises(Expired):
        verify(craft({"_sd": [digest(exp)]}, [exp]), issuer_key=PUBLIC, key_binding=None, now=NOW)
    verify(craft({"exp": NOW - 30}), issuer_key=PUBLIC, key_binding=None, now=NOW)  # within leeway
    with pytest.raises(Expired):
        verify(craft({"exp": NOW - 30}), issuer_key=PUBLIC, key_binding=None, now=NOW, leeway=0)
    with pytest.raises(NotYetValid):
        verify(craft({"nbf": NOW + 120}), issuer_key=PUBLIC, key_binding=None, now=NOW)
    with pytest.raises(MalformedSdJwt):
        verify(craft({"exp": "tomorrow"}), issuer_key=PUBLIC, key_binding=None, now=NOW)
    verify(craft({"exp": NOW - 120}), issuer_key=PUBLIC, key_binding=None)  # no clock, no check
    for name in ("exp", "nbf"):  # null is not a NumericDate, and not the absence of one
        with pytest.raises(MalformedSdJwt):
            verify(craft({name: None}), issuer_key=PUBLIC, key_binding=None, now=NOW)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_does_not_have_are_refused(value: str) -> None:
    # Python's decoder reads these by default, and a NaN exp or iat passes every comparison
    body = b64url_encode(f'{{"exp":{value}}}'.encode())
    jwt = craft({})
    head, _, signature = jwt.split("~")[0].split(".")
    with pytest.raises(MalformedSdJwt):
        verify(f"{head}.{body}.{signature}~", issuer_key=PUBLIC, key_binding=None, now=NOW)


def test_an_audience_in_the_issuer_signed_jwt_must_name_the_verifier() -> None:
    # RFC 7519 section 4.1.3, judged where the verifier says who it is (its key binding check)
    for aud in (AUD, ["https://other.example", AUD]):
        text = craft({"aud": aud, "cnf": {"jwk": public_jwk(HOLDER_KEY)}})
        assert verify(text + kb_jwt(text), issuer_key=PUBLIC, key_binding=CHECK, now=NOW).claims["aud"] == aud
    for aud, error in (
        ("https://other.example", WrongAudience),
        (["https://other.example"], WrongAudience),
        ([], MalformedSdJwt),
        (42, MalformedSdJwt),
    ):
        text = craft({"aud": aud, "cnf": {"jwk": public_jwk(HOLDER_KEY)}})
        with pytest.raises(error):
            verify(text + kb_jwt(text), issuer_key=PUBLIC, key_binding=CHECK, now=NOW)
        assert verify(text, issuer_key=PUBLIC, key_binding=None).claims["aud"] == aud  # nobody to judge
        # helper 40: a verifier that takes it without KB-JWT still says who it is, and is judged by it
        with pytest.raises(error):
            verify(text, issuer_key=PUBLIC, key_binding=None, audience=CHECK.audience)


# -- 16-20: key binding --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def selected(issued: str) -> str:
    return select(issued, [("given_name",), ("address", "locality")]).serialize()


def test_key_binding_required_but_absent(selected: str) -> None:  # 16
    with pytest.raises(KeyBindingRequired):
        verify(selected, issuer_key=PUBLIC, key_binding=CHECK)


def test_missing_trailing_tilde_is_refused(selected: str) -> None:  # 16
    with pytest.raises(MalformedSdJwt):
        verify(selected[:-1], issuer_key=PUBLIC, key_binding=None)
    with pytest.raises(MalformedSdJwt):
        verify(selected.split("~")[0], issuer_key=PUBLIC, key_binding=None)
    with pytest.raises(MalformedSdJwt):
        SdJwt.parse(selected + "~")


@pytest.mark.parametrize(
    ("header", "key", "claims"),
    [
        ({"typ": "JWT"}, HOLDER_KEY, {}),  # 17
        ({}, HOLDER_KEY, {}),
        (None, OTHER_KEY, {}),
        (None, HOLDER_KEY, {"nonce": "another-session"}),  # 18
        (None, HOLDER_KEY, {"aud": "https://verifier.example/other"}),
        (None, HOLDER_KEY, {"aud": [AUD]}),
        (None, HOLDER_KEY, {"iat": NOW - 3600}),  # 19
        (None, HOLDER_KEY, {"iat": NOW + 600}),
        (None, HOLDER_KEY, {"iat": "now"}),
        (None, HOLDER_KEY, {"sd_hash": digest("something else~")}),  # 20
        (None, HOLDER_KEY, {"exp": NOW - 120}),  # a valid JWT in every other respect (step 5.8)
        (None, HOLDER_KEY, {"nbf": NOW + 120}),
        (None, HOLDER_KEY, {"exp": None}),
    ],
)
def test_key_binding_jwt_rejections(
    selected: str, header: dict[str, Any] | None, key: Any, claims: dict[str, Any]
) -> None:
    kb = kb_jwt(selected, key=key, header=header, **claims)
    with pytest.raises(InvalidKeyBinding):
        verify(selected + kb, issuer_key=PUBLIC, key_binding=CHECK, now=NOW)


def test_key_binding_jwt_with_a_valid_exp_and_nbf(selected: str) -> None:
    kb = kb_jwt(selected, exp=NOW + 300, nbf=NOW - 5)
    assert verify(selected + kb, issuer_key=PUBLIC, key_binding=CHECK, now=NOW).key_binding is not None
    for typ in ("application/kb+jwt", "KB+JWT"):  # a media type (RFC 7515 section 4.1.9)
        kb = kb_jwt(selected, header={"typ": typ})
        assert verify(selected + kb, issuer_key=PUBLIC, key_binding=CHECK, now=NOW).key_binding is not None


def test_sd_hash_over_another_or_reordered_set(issued: str, selected: str) -> None:  # 20
    parsed = SdJwt.parse(selected)
    kb = kb_jwt(selected)
    verify(selected + kb, issuer_key=PUBLIC, key_binding=CHECK)
    reordered = SdJwt(parsed.issuer_jwt, parsed.disclosures[::-1], kb)
    with pytest.raises(InvalidKeyBinding):
        verify(reordered.serialize(), issuer_key=PUBLIC, key_binding=CHECK)
    fewer = SdJwt(parsed.issuer_jwt, parsed.disclosures[:1], kb)
    with pytest.raises((InvalidKeyBinding, UnreferencedDisclosure)):
        verify(fewer.serialize(), issuer_key=PUBLIC, key_binding=CHECK)
    other = select(issued, [("family_name",)])
    with pytest.raises(InvalidKeyBinding):
        verify(other.serialize() + kb, issuer_key=PUBLIC, key_binding=CHECK)


def test_kb_alg_none_is_refused(selected: str) -> None:
    head = b64url_encode(b'{"alg":"none","typ":"kb+jwt"}')
    body = b64url_encode(
        json.dumps({"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(selected)}).encode()
    )
    with pytest.raises(UnsupportedAlgorithm):
        verify(f"{selected}{head}.{body}.AA", issuer_key=PUBLIC, key_binding=CHECK)


def test_kb_without_cnf_in_the_sd_jwt_is_refused() -> None:
    text = craft({"_sd": [digest(GIVEN)]}, [GIVEN])
    with pytest.raises(InvalidKeyBinding):
        verify(text + kb_jwt(text), issuer_key=PUBLIC, key_binding=CHECK)


def test_unrequested_kb_jwt_is_still_checked_but_not_for_audience(selected: str) -> None:
    result = verify(
        selected + kb_jwt(selected, aud="https://elsewhere.example"), issuer_key=PUBLIC, key_binding=None
    )
    assert result.key_binding is not None and result.key_binding["aud"] == "https://elsewhere.example"
    with pytest.raises(InvalidKeyBinding):
        verify(selected + kb_jwt(selected, key=OTHER_KEY), issuer_key=PUBLIC, key_binding=None)
    assert verify(selected, issuer_key=PUBLIC, key_binding=None).key_binding is None


# -- section 8: JWS JSON Serialization -----------------------------------------------------------------


def test_json_serializations_verify(issued: str) -> None:
    text = present(issued, [("given_name",)], holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)
    for general in (False, True):
        document = SdJwt.parse(text).to_json(general=general)
        result = verify(json.dumps(document), issuer_key=PUBLIC, key_binding=CHECK, now=NOW)
        assert result.claims["given_name"] == "Erika"


def test_general_json_checks_every_signature(issued: str) -> None:
    parsed = SdJwt.parse(issued)
    _, payload, _ = parsed.issuer_jwt.split(".")
    second = encode_jws({"kid": "2"}, b64url_decode(payload), OTHER_KEY)
    two = SdJwt(parsed.issuer_jwt, parsed.disclosures, None, (second,))
    document = json.dumps(two.to_json(general=True))
    keys = {None: PUBLIC, "2": OTHER_KEY.public_key()}
    verify(document, issuer_key=lambda header, _: keys[header.get("kid")], key_binding=None)
    with pytest.raises(InvalidSignature):
        verify(document, issuer_key=PUBLIC, key_binding=None)


def test_json_serialization_rejections(issued: str) -> None:
    document = SdJwt.parse(issued).to_json(general=True)
    document["signatures"].append({**document["signatures"][0]})
    with pytest.raises(MalformedSdJwt):
        SdJwt.parse(json.dumps(document))
    for broken in ({"payload": "x"}, {"payload": "x", "signatures": []}, [], {"protected": 1}):
        with pytest.raises(MalformedSdJwt):
            SdJwt.parse(json.dumps(broken))


# -- 22: size and depth limits -------------------------------------------------------------------------


def _fast(error: type[Exception] | tuple[type[Exception], ...], text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(error):
        verify(text, issuer_key=PUBLIC, key_binding=None)
    assert time.perf_counter() - started < 0.5


def test_ten_megabytes_are_refused_fast(issued: str) -> None:
    _fast(MalformedSdJwt, issued + "A" * 10_000_000 + "~")
    _fast(MalformedSdJwt, "{" + " " * 10_000_000 + "}")


def test_a_hundred_thousand_disclosures_are_refused_fast(issued: str) -> None:
    _fast(MalformedSdJwt, issued + "WyJhIiwiYiJd~" * 100_000)
    _fast(MalformedSdJwt, issued + "WyJhIiwiYiJd~" * 1_001)
    _fast(MalformedSdJwt, issued.split("~")[0] + "~" * 100_001)


def test_deep_json_is_refused_fast_without_recursion_error() -> None:
    deep = "[" * 10_000 + "]" * 10_000
    jwt = encode_jws({}, f'{{"a": {deep}}}'.encode(), ISSUER_KEY)
    _fast(MalformedSdJwt, jwt + "~")
    _fast((InvalidDisclosure, MalformedSdJwt), craft({}, [b64url_encode(f'["s", "a", {deep}]'.encode())]))


def test_deeply_chained_disclosures_are_refused() -> None:
    chain = [disclosure("c2FsdA", "leaf", 1)]
    for _ in range(100):
        chain.append(disclosure("c2FsdA", "a", {"_sd": [digest(chain[-1])]}))
    _fast(MalformedSdJwt, craft({"_sd": [digest(chain[-1])]}, chain))


@pytest.mark.parametrize(
    ("jwk", "error"),
    [
        (None, None),  # no cnf: nothing to match
        ("same", None),
        ("same+kid", None),  # members outside the thumbprint do not matter
        ("other", InvalidKeyBinding),
        ({"kty": "EC", "crv": "P-256", "x": "AA"}, InvalidKeyBinding),  # no y: not a usable key
        ([1, 2], InvalidKeyBinding),
        ("text", InvalidKeyBinding),
    ],
)
def test_present_matches_cnf_jwk_as_the_thumbprints_would(jwk: Any, error: type[Exception] | None) -> None:
    holder = public_jwk(HOLDER_KEY)
    named = {"same": holder, "same+kid": {**holder, "kid": "k1"}, "other": public_jwk(OTHER_KEY)}
    payload: dict[str, Any] = {"_sd": [digest(GIVEN)], "_sd_alg": "sha-256"}
    if jwk is not None:
        payload["cnf"] = {"jwk": named.get(jwk, jwk) if isinstance(jwk, str) else jwk}
    text = craft(payload, [GIVEN])
    paths = [("given_name",)]
    if error is None:
        presented = present(text, paths, holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)
        assert presented.startswith(text)
    else:
        with pytest.raises(error):
            present(text, paths, holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)


def test_decoded_disclosure_equals_one_built_by_its_constructor() -> None:
    decoded = Disclosure.decode(GIVEN)
    built = Disclosure(GIVEN, decoded.salt, "given_name", decoded.value, digest(GIVEN))
    assert decoded == built and hash(decoded) == hash(built) and repr(decoded) == repr(built)
    with pytest.raises(AttributeError):
        decoded.name = "other"  # type: ignore[misc]
