from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_encode, encode_jws, parse_jws, public_jwk, x5c_header
from openid4vc.errors import InvalidProof
from openid4vc.issuance import PROOF_TYP, make_jwt_proof, verify_jwt_proof
from tests.openid4vc.conftest import NOW, make_signer

ISSUER = "https://credential-issuer.example.com"


@pytest.fixture(scope="module")
def holder() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_round_trip(holder: ec.EllipticCurvePrivateKey) -> None:
    token = make_jwt_proof(holder, audience=ISSUER, nonce="LarRGSbmUPYtRYO6BQ4yn8", iat=NOW)
    header = parse_jws(token).header
    assert header == {"alg": "ES256", "typ": PROOF_TYP, "jwk": public_jwk(holder)}
    result = verify_jwt_proof(token, audience=ISSUER, now=NOW)
    assert (result.jwk, result.nonce, result.iat) == (public_jwk(holder), "LarRGSbmUPYtRYO6BQ4yn8", NOW)


def test_nonce_is_returned_for_the_issuer_to_check(holder: ec.EllipticCurvePrivateKey) -> None:
    token = make_jwt_proof(holder, audience=ISSUER, nonce=None, iat=NOW)
    assert verify_jwt_proof(token, audience=ISSUER, now=NOW).nonce is None
    with pytest.raises(InvalidProof, match="no nonce"):  # section 8.3.1.2: invalid_proof, not invalid_nonce
        verify_jwt_proof(token, audience=ISSUER, now=NOW, require_nonce=True)


def test_iss_rules(holder: ec.EllipticCurvePrivateKey) -> None:
    token = make_jwt_proof(holder, audience=ISSUER, nonce="n", iat=NOW, client_id="s6BhdRkqt3")
    assert verify_jwt_proof(token, audience=ISSUER, now=NOW, client_id="s6BhdRkqt3").nonce == "n"
    assert verify_jwt_proof(token, audience=ISSUER, now=NOW).nonce == "n"
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW, client_id="other")
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW, anonymous=True)


def test_window_edges(holder: ec.EllipticCurvePrivateKey) -> None:
    for iat in (NOW - 300, NOW + 60):
        verify_jwt_proof(
            make_jwt_proof(holder, audience=ISSUER, nonce="n", iat=iat), audience=ISSUER, now=NOW
        )
    for iat in (NOW - 301, NOW + 61):
        with pytest.raises(InvalidProof):
            verify_jwt_proof(
                make_jwt_proof(holder, audience=ISSUER, nonce="n", iat=iat), audience=ISSUER, now=NOW
            )


def test_typ_may_carry_the_application_prefix(holder: ec.EllipticCurvePrivateKey) -> None:
    header = {"typ": "application/openid4vci-proof+jwt", "jwk": public_jwk(holder)}
    token = encode_jws(header, {"aud": ISSUER, "iat": NOW}, holder)
    assert verify_jwt_proof(token, audience=ISSUER, now=NOW).iat == NOW


def forge(holder: ec.EllipticCurvePrivateKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    return encode_jws(header, claims, holder)


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        ({"typ": "JWT"}, {}),
        ({"typ": None}, {}),
        ({"typ": "openid4vci-proof+jwt+x"}, {}),
        ({"kid": "k", "jwk": "public"}, {}),
        ({"kid": "did:example:ebfeb1f712ebc6f1c276e12ec21#keys-1", "jwk": None}, {}),
        ({"x5c": "cert", "jwk": None}, {}),
        ({"jwk": None}, {}),
        ({"jwk": "private"}, {}),
        ({"jwk": {"kty": "oct", "k": "c2VjcmV0"}}, {}),
        ({}, {"aud": "https://other.example"}),
        ({}, {"aud": [ISSUER]}),
        ({}, {"aud": None}),
        ({}, {"iat": None}),
        ({}, {"iat": "1790000000"}),
        ({}, {"iat": True}),
        ({}, {"iat": NOW - 3600}),
        ({}, {"iat": NOW + 3600}),
        ({}, {"nonce": 5}),
        ({}, {"nonce": ""}),
        ({}, {"iss": 5}),
    ],
)
def test_rejections(
    holder: ec.EllipticCurvePrivateKey, header: dict[str, Any], claims: dict[str, Any]
) -> None:
    full: dict[str, Any] = {"typ": PROOF_TYP, "jwk": public_jwk(holder), **header}
    if full.get("jwk") == "private":
        full["jwk"] = {
            **public_jwk(holder),
            "d": b64url_encode(holder.private_numbers().private_value.to_bytes(32, "big")),
        }
    if full.get("jwk") == "public":
        full["jwk"] = public_jwk(holder)
    if full.get("x5c") == "cert":
        full["x5c"] = x5c_header([make_signer().certificate])
    body = {"aud": ISSUER, "iat": NOW, "nonce": "n", **claims}
    token = forge(
        holder,
        {k: v for k, v in full.items() if v is not None},
        {k: v for k, v in body.items() if v is not None},
    )
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "ES384", "EdDSA"])
def test_forbidden_algorithms(holder: ec.EllipticCurvePrivateKey, alg: str) -> None:
    header = b64url_encode(json.dumps({"alg": alg, "typ": PROOF_TYP, "jwk": public_jwk(holder)}).encode())
    body = b64url_encode(json.dumps({"aud": ISSUER, "iat": NOW, "nonce": "n"}).encode())
    for signature in ("", b64url_encode(b"x" * 32), b64url_encode(b"x" * 64)):
        with pytest.raises(InvalidProof):
            verify_jwt_proof(f"{header}.{body}.{signature}", audience=ISSUER, now=NOW)


def test_p384_key_is_not_es256(holder: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP384R1())
    token = encode_jws({"typ": PROOF_TYP, "jwk": public_jwk(other)}, {"aud": ISSUER, "iat": NOW}, other)
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW)


def test_signed_by_another_key(holder: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    token = encode_jws({"typ": PROOF_TYP, "jwk": public_jwk(holder)}, {"aud": ISSUER, "iat": NOW}, other)
    with pytest.raises(InvalidProof):
        verify_jwt_proof(token, audience=ISSUER, now=NOW)


def test_tampered_payload(holder: ec.EllipticCurvePrivateKey) -> None:
    head, _, signature = make_jwt_proof(holder, audience=ISSUER, nonce="n", iat=NOW).split(".")
    body = b64url_encode(json.dumps({"aud": ISSUER, "iat": NOW, "nonce": "m"}).encode())
    with pytest.raises(InvalidProof):
        verify_jwt_proof(f"{head}.{body}.{signature}", audience=ISSUER, now=NOW)


@pytest.mark.parametrize("junk", ["", "a.b", "a.b.c.d", "x" * 20_000, "eyJ9.e30.", "e30.e30.e30"])
def test_junk(junk: str) -> None:
    with pytest.raises(InvalidProof):
        verify_jwt_proof(junk, audience=ISSUER, now=NOW)


def test_a_key_attestation_is_signed_with_an_algorithm_taken(holder: ec.EllipticCurvePrivateKey) -> None:
    """Appendix F.1: the alg of a key_attestation (or trust_chain) header must be one of
    proof_signing_alg_values_supported too; what it attests is not relied on (no key attestation is
    asked for)."""
    claims = {"aud": ISSUER, "iat": NOW, "nonce": "n"}
    attestation = encode_jws({"typ": "key-attestation+jwt"}, {"attested_keys": [public_jwk(holder)]}, holder)
    elsewhere = attestation.split(".", 1)
    hs256 = b64url_encode(json.dumps({"alg": "HS256", "typ": "key-attestation+jwt"}).encode())
    for extra, accepted in (
        ({"key_attestation": attestation}, True),
        ({"trust_chain": [attestation]}, True),
        ({"key_attestation": f"{hs256}.{elsewhere[1]}"}, False),
        ({"key_attestation": "not a jws"}, False),
        ({"key_attestation": 5}, False),
        ({"trust_chain": []}, False),
    ):
        token = forge(holder, {"typ": PROOF_TYP, "jwk": public_jwk(holder), **extra}, claims)
        if accepted:
            assert verify_jwt_proof(token, audience=ISSUER, now=NOW).jwk == public_jwk(holder)
        else:
            with pytest.raises(InvalidProof, match="algorithm taken"):
                verify_jwt_proof(token, audience=ISSUER, now=NOW)
