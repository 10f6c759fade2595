"""DPoP proofs (RFC 9449): made by the wallet, checked by the issuer against the request they came with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_decode, b64url_encode, encode_jws, jwk_thumbprint, public_jwk
from openid4vc.dpop import (
    InvalidDpopProof,
    UseDpopNonce,
    access_token_hash,
    dpop_uri,
    make_dpop_proof,
    verify_dpop_proof,
)

NOW = 1_790_000_000
URL = "https://issuer.example/token"
KEY = ec.generate_private_key(ec.SECP256R1())


def proof(**changes: Any) -> str:
    return make_dpop_proof(KEY, method="POST", url=URL, iat=NOW, jti="j-1", **changes)


def test_round_trip_binds_the_key() -> None:
    checked = verify_dpop_proof(proof(), method="POST", url=URL, now=NOW)
    assert checked.jkt == b64url_encode(jwk_thumbprint(public_jwk(KEY))) and checked.jti == "j-1"
    header = json.loads(b64url_decode(proof().split(".")[0]))
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256" and "d" not in header["jwk"]
    bound = proof(access_token="tok", nonce="n")
    verify_dpop_proof(bound, method="POST", url=URL, now=NOW, access_token="tok", nonce="n")
    claims = json.loads(b64url_decode(bound.split(".")[1]))
    assert claims["ath"] == access_token_hash("tok") and claims["htu"] == URL


def test_htu_compares_normalized_and_without_query() -> None:
    assert dpop_uri("HTTPS://Issuer.Example:443/token?x=1#f") == URL
    assert dpop_uri("http://127.0.0.1:8080/credential") == "http://127.0.0.1:8080/credential"
    verify_dpop_proof(proof(), method="POST", url="https://ISSUER.example:443/token?q", now=NOW)


def _signed(header: dict[str, Any], claims: dict[str, Any], key: ec.EllipticCurvePrivateKey = KEY) -> str:
    return encode_jws(header, claims, key)


GOOD_CLAIMS = {"jti": "j", "htm": "POST", "htu": URL, "iat": NOW}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (_signed({"typ": "JWT", "jwk": public_jwk(KEY)}, GOOD_CLAIMS), "typ"),
        (_signed({"typ": "dpop+jwt"}, GOOD_CLAIMS), "jwk"),
        (_signed({"typ": "dpop+jwt", "jwk": {**public_jwk(KEY), "d": "AA"}}, GOOD_CLAIMS), "private"),
        # signed by another key than the one in its header
        (
            _signed(
                {"typ": "dpop+jwt", "jwk": public_jwk(KEY)},
                GOOD_CLAIMS,
                ec.generate_private_key(ec.SECP256R1()),
            ),
            "not valid",
        ),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "jti": ""}), "jti"),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "htm": "GET"}), "GET"),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "htu": URL + "x"}), "htu"),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "iat": NOW - 301}), "iat"),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "iat": NOW + 61}), "iat"),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "iat": "now"}), "iat"),
        ("not.a.jwt", "not valid"),
        # an htu that is no URI at all: refused like another one, not an error of the server's
        (
            _signed(
                {"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "htu": URL[:-6] + ":99999/token"}
            ),
            "htu",
        ),
        (
            _signed(
                {"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "htu": "https://[::1/token"}
            ),
            "htu",
        ),
        (_signed({"typ": "dpop+jwt", "jwk": public_jwk(KEY)}, {**GOOD_CLAIMS, "htu": 7}), "htu"),
        ("x" * 10_000, "not valid"),
    ],
)
def test_refusals(token: str, message: str) -> None:
    with pytest.raises(InvalidDpopProof, match=message):
        verify_dpop_proof(token, method="POST", url=URL, now=NOW)


def test_alg_none_and_hmac_are_refused() -> None:
    header = b64url_encode(json.dumps({"typ": "dpop+jwt", "alg": "none", "jwk": public_jwk(KEY)}).encode())
    body = b64url_encode(json.dumps(GOOD_CLAIMS).encode())
    with pytest.raises(InvalidDpopProof, match="alg"):
        verify_dpop_proof(f"{header}.{body}.", method="POST", url=URL, now=NOW)
    header = b64url_encode(json.dumps({"typ": "dpop+jwt", "alg": "HS256", "jwk": public_jwk(KEY)}).encode())
    with pytest.raises(InvalidDpopProof, match="alg"):
        verify_dpop_proof(f"{header}.{body}.AAAA", method="POST", url=URL, now=NOW)


def test_access_token_and_nonce() -> None:
    with pytest.raises(InvalidDpopProof, match="ath"):
        verify_dpop_proof(proof(), method="POST", url=URL, now=NOW, access_token="tok")
    with pytest.raises(InvalidDpopProof, match="ath"):
        verify_dpop_proof(proof(access_token="other"), method="POST", url=URL, now=NOW, access_token="tok")
    with pytest.raises(UseDpopNonce):
        verify_dpop_proof(proof(), method="POST", url=URL, now=NOW, nonce="n")
    with pytest.raises(UseDpopNonce):
        verify_dpop_proof(proof(nonce="old"), method="POST", url=URL, now=NOW, nonce="n")
