from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_encode, encode_jws, public_jwk
from openid4vc.errors import (
    InvalidCredentialRequest,
    InvalidEncryptionParameters,
    InvalidProof,
    InvalidRequest,
    UnsupportedGrantType,
)
from openid4vc.issuance import (
    PROOF_TYP,
    CredentialOffer,
    TxCode,
    make_jwt_proof,
    offer_link,
    parse_credential_issuer_metadata,
    parse_credential_request,
    parse_offer_link,
    parse_token_request,
    verify_jwt_proof,
    well_known_url,
)
from tests.conftest import VECTORS

EXAMPLES = VECTORS / "openid4vci-1.0" / "examples"
OFFERS = [
    "credential_offer_pre-authz_code.json",
    "credential_offer_by_reference.json",
    "credential_offer_multiple_credentials.json",
]
NOW = 1_790_000_000
ISSUER = "https://issuer.example"


def load(name: str) -> object:
    text = (EXAMPLES / name).read_text()
    if name.endswith(".txt"):
        text = text.split("\n\n", 1)[1]
    return json.loads(text)


@pytest.mark.parametrize("name", [*OFFERS, "credential_offer_authz_code.txt"])
def test_spec_offers_parse_and_round_trip(name: str) -> None:
    document = load(name)
    offer = CredentialOffer.from_json(document)
    assert offer.to_json() == document
    assert parse_offer_link(offer_link(offer=offer)) == offer


def test_empty_tx_code_object_still_means_a_code_is_needed() -> None:
    offer = CredentialOffer.from_json(load("credential_offer_by_reference.json"))
    assert offer.tx_code == TxCode()


def test_spec_metadata_parses() -> None:
    document = load("credential_issuer_metadata_sd_jwt_long.json")
    assert isinstance(document, dict)
    metadata = parse_credential_issuer_metadata(document, expected_issuer=document["credential_issuer"])
    assert metadata.configurations
    with pytest.raises(InvalidRequest):
        parse_credential_issuer_metadata(document, expected_issuer="https://other.example")


def test_offer_link_by_reference_and_exactly_one_rule() -> None:
    link = offer_link(credential_offer_uri="https://issuer.example/offers/1")
    assert link == "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Foffers%2F1"
    assert parse_offer_link(link) == "https://issuer.example/offers/1"
    for bad in (
        "openid-credential-offer://?",
        link + "&credential_offer=%7B%7D",
        "openid-credential-offer://?credential_offer_uri=http://evil.example/x",
    ):
        with pytest.raises(InvalidRequest):
            parse_offer_link(bad)


@pytest.mark.parametrize(
    "bad",
    [
        {"credential_issuer": "https://i.example", "credential_configuration_ids": []},
        {"credential_issuer": "https://i.example", "credential_configuration_ids": ["a", "a"]},
        {"credential_issuer": "ftp://i.example", "credential_configuration_ids": ["a"]},
        {
            "credential_issuer": "https://i.example",
            "credential_configuration_ids": ["a"],
            "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"tx_code": {}}},
        },
        {
            "credential_issuer": "https://i.example",
            "credential_configuration_ids": ["a"],
            "grants": {
                "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
                    "pre-authorized_code": "c",
                    "tx_code": {"description": "x" * 301},
                }
            },
        },
    ],
)
def test_bad_offers(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        CredentialOffer.from_json(bad)


def test_well_known_path_insertion() -> None:
    assert (
        well_known_url("https://i.example", "openid-credential-issuer")
        == "https://i.example/.well-known/openid-credential-issuer"
    )
    assert (
        well_known_url("https://i.example/tenant/", "openid-credential-issuer")
        == "https://i.example/.well-known/openid-credential-issuer/tenant"
    )


def test_token_request_rules() -> None:
    with pytest.raises(UnsupportedGrantType):
        parse_token_request({"grant_type": "password"})
    with pytest.raises(InvalidRequest):
        parse_token_request({"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code"})


def test_credential_request_rules() -> None:
    assert parse_credential_request(
        {"credential_configuration_id": "pid", "proofs": {"jwt": ["x"]}}
    ).proofs == ("x",)
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request(load("credential_request_iso_mdl.json"))  # pre-1.0 shape: no identifier
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request(
            {"credential_configuration_id": "a", "credential_identifier": "b", "proofs": {"jwt": ["x"]}}
        )
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request({"credential_configuration_id": "a", "proofs": {"jwt": ["x", "y"]}})
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request(
            {"credential_configuration_id": "a", "proof": {"proof_type": "jwt", "jwt": "x"}}
        )
    with pytest.raises(InvalidEncryptionParameters):
        parse_credential_request(
            {
                "credential_configuration_id": "a",
                "proofs": {"jwt": ["x"]},
                "credential_response_encryption": {},
            }
        )
    with pytest.raises(InvalidProof):
        parse_credential_request({"credential_configuration_id": "a", "proofs": {"di_vp": ["x"]}})


@pytest.fixture(scope="module")
def holder() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_proof_round_trip(holder: ec.EllipticCurvePrivateKey) -> None:
    result = verify_jwt_proof(
        make_jwt_proof(holder, audience=ISSUER, nonce="n", iat=NOW), audience=ISSUER, now=NOW
    )
    assert result.nonce == "n" and result.jwk == public_jwk(holder)


def forged(holder: ec.EllipticCurvePrivateKey, header: dict[str, object], claims: dict[str, object]) -> str:
    return encode_jws(header, claims, holder)


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        ({"typ": "JWT"}, {}),
        ({"typ": PROOF_TYP, "kid": "k"}, {}),
        ({"typ": PROOF_TYP, "kid": "k", "jwk": "same"}, {}),
        ({"typ": PROOF_TYP}, {"aud": "https://other.example"}),
        ({"typ": PROOF_TYP}, {"iat": NOW - 3600}),
        ({"typ": PROOF_TYP}, {"iat": NOW + 3600}),
        ({"typ": PROOF_TYP, "jwk": "private"}, {}),
    ],
)
def test_proof_rejections(
    holder: ec.EllipticCurvePrivateKey, header: dict[str, object], claims: dict[str, object]
) -> None:
    jwk: dict[str, object] = dict(public_jwk(holder))
    if header.get("jwk") == "private":
        jwk["d"] = "AAAA"
    full_header = {**header, "jwk": jwk} if "kid" not in header or "jwk" in header else dict(header)
    token = forged(holder, full_header, {"aud": ISSUER, "iat": NOW, "nonce": "n", **claims})
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW)


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_proof_with_forbidden_alg(holder: ec.EllipticCurvePrivateKey, alg: str) -> None:
    header = b64url_encode(json.dumps({"alg": alg, "typ": PROOF_TYP, "jwk": public_jwk(holder)}).encode())
    body = b64url_encode(json.dumps({"aud": ISSUER, "iat": NOW}).encode())
    with pytest.raises(InvalidProof):
        verify_jwt_proof(f"{header}.{body}.{b64url_encode(b'x' * 32)}", audience=ISSUER, now=NOW)


def test_proof_signed_by_another_key(holder: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    token = encode_jws({"typ": PROOF_TYP, "jwk": public_jwk(holder)}, {"aud": ISSUER, "iat": NOW}, other)
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW)


def test_examples_folder_present() -> None:
    assert Path(EXAMPLES).is_dir()
