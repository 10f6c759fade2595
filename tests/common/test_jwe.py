"""JWE with ECDH-ES and AES GCM: the OpenID4VP 1.0 section 8.3 example, RFC 7518 appendix C's key
derivation, round trips, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import b64url_decode, b64url_encode, private_key_from_jwk, public_jwk
from common.jwe import _content_key, decrypt, encrypt


@pytest.fixture
def spec(vectors: Path) -> dict[str, Any]:
    document = json.loads((vectors / "openid4vp-1.0" / "handover_and_jwe_vectors.json").read_text())
    return dict(document["encrypted_response_direct_post_jwt"])


def test_the_openid4vp_example_response_decrypts(spec: dict[str, Any]) -> None:
    key = private_key_from_jwk(spec["verifier_private_jwk"])
    header, plaintext = decrypt(spec["response_jwe"], key, kid="ac")
    assert header == spec["expected_protected_header"]
    assert json.loads(plaintext) == spec["expected_plaintext_json"]
    with pytest.raises(InvalidInput, match="kid"):
        decrypt(spec["response_jwe"], key, kid="another")
    with pytest.raises(InvalidInput, match="enc"):
        decrypt(spec["response_jwe"], key, encs=("A256GCM",))
    with pytest.raises(CryptoError, match="does not decrypt"):
        decrypt(spec["response_jwe"], ec.generate_private_key(ec.SECP256R1()))


def test_concat_kdf_of_rfc_7518_appendix_c() -> None:
    """The published keys of Alice (ephemeral) and Bob, apu "Alice", apv "Bob", A128GCM."""
    alice = private_key_from_jwk(
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
            "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo",
        }
    )
    bob = private_key_from_jwk(
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
            "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
            "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw",
        }
    )
    shared = bob.exchange(ec.ECDH(), alice.public_key())
    assert b64url_encode(_content_key(shared, "A128GCM", b"Alice", b"Bob")) == "VqqN6vgjbSBcIijNcacQGg"


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_round_trip(enc: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    recipient = {**public_jwk(key), "kid": "k-1", "use": "enc", "alg": "ECDH-ES"}
    token = encrypt(b'{"vp_token":{}}', recipient, enc=enc, rng=lambda n: bytes(range(n)))
    header, plaintext = decrypt(token, key, kid="k-1")
    assert plaintext == b'{"vp_token":{}}'
    assert header["enc"] == enc and header["kid"] == "k-1" and set(header["epk"]) == {"kty", "crv", "x", "y"}
    assert token.split(".")[1] == "" and b64url_decode(token.split(".")[2]) == bytes(range(12))
    other = encrypt(b"x", public_jwk(key), enc=enc)
    assert "kid" not in decrypt(other, key)[0]
    with pytest.raises(InvalidInput, match="kid"):
        decrypt(other, key, kid="k-1")  # a kid is expected: its absence is no match


def _forge(token: str, key: ec.EllipticCurvePrivateKey, **changes: Any) -> str:
    """``token`` with its header changed (and so its tag broken: refusals must come first)."""
    parts = token.split(".")
    header = json.loads(b64url_decode(parts[0]))
    for name, value in changes.items():
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    parts[0] = b64url_encode(json.dumps(header).encode())
    return ".".join(parts)


def test_refusals() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = encrypt(b"secret", public_jwk(key), enc="A128GCM")
    p384 = public_jwk(ec.generate_private_key(ec.SECP384R1()))
    off_curve = {**public_jwk(key), "y": public_jwk(key)["x"]}
    for changes, message in (
        ({"alg": "ECDH-ES+A128KW"}, "alg"),
        ({"alg": "dir"}, "alg"),
        ({"enc": "A128CBC-HS256"}, "enc"),
        ({"zip": "DEF"}, "zip"),
        ({"crit": ["exp"]}, "crit"),
        ({"epk": None}, "epk"),
        ({"epk": p384}, "curve"),
        ({"epk": off_curve}, "epk is unusable: JWK point is not on its curve"),
        ({"epk": {**public_jwk(key), "x": 1}}, "epk is unusable"),
        ({"epk": "key"}, "lacks its epk"),
        ({"epk": {**public_jwk(key), "d": "AA"}}, "epk"),
        ({"apu": 7}, "apu"),
    ):
        with pytest.raises(InvalidInput, match=message):
            decrypt(_forge(token, key, **changes), key)
    parts = token.split(".")
    for bad, message in (
        (".".join(parts[:4]), "five parts"),
        (".".join([parts[0], "AAAA", *parts[2:]]), "encrypted key"),
        (".".join([*parts[:2], "AAAA", *parts[3:]]), "initialization vector"),
        ("é" + token, "ASCII"),
        (token + "A" * 100, None),
    ):
        with pytest.raises((InvalidInput, CryptoError), match=message):
            decrypt(bad, key)
    with pytest.raises(InvalidInput, match="at most"):
        decrypt(token, key, max_bytes=len(token) - 1)
    flipped = parts[3][:-2] + ("A" if parts[3][-2] != "A" else "B") + parts[3][-1]
    for tampered in (
        ".".join([*parts[:3], flipped, parts[4]]),  # the ciphertext
        _forge(token, key, kid="added"),  # the header is the additional data
    ):
        with pytest.raises(CryptoError, match="does not decrypt"):
            decrypt(tampered, key)
    with pytest.raises(ValueError, match="enc"):
        encrypt(b"x", public_jwk(key), enc="A192GCM")
