"""Encrypted credential requests and responses (OpenID4VCI 1.0 section 10)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common import jwe
from common.errors import CryptoError, InvalidInput
from common.jose import b64url_encode, public_jwk
from openid4vc.encryption import (
    RequestEncryption,
    decrypt_message,
    encrypt_message,
    parse_request_encryption,
    parse_response_encryption,
    parse_response_encryption_support,
    request_encryption_metadata,
    response_encryption_metadata,
)
from openid4vc.errors import InvalidEncryptionParameters, InvalidRequest
from openid4vc.issuance import parse_credential_request

KEY = ec.generate_private_key(ec.SECP256R1())
JWK = {**public_jwk(KEY), "alg": "ECDH-ES", "use": "enc"}


def test_a_message_round_trips_to_the_key_it_names() -> None:
    message = {"credentials": [{"credential": "abc~"}], "notification_id": "n"}
    token = encrypt_message(message, {**JWK, "kid": "k1"}, "A256GCM")
    assert token.count(".") == 4
    assert decrypt_message(token, KEY, kid="k1") == message
    with pytest.raises(InvalidInput):  # another key id
        decrypt_message(token, KEY, kid="k2")
    with pytest.raises(InvalidInput):  # an enc not asked for
        decrypt_message(token, KEY, kid="k1", encs=("A128GCM",))
    with pytest.raises(CryptoError):
        decrypt_message(token, ec.generate_private_key(ec.SECP256R1()), kid="k1")
    # as long as its reader let the JWE be (helper 41: 256 KiB had been the bound, a portrait beyond it)
    large = {"credentials": [{"credential": "a" * 600_000}]}
    assert decrypt_message(encrypt_message(large, JWK, "A128GCM"), KEY, kid=None) == large
    with pytest.raises(InvalidInput):  # the plaintext must be a JSON object
        decrypt_message(jwe.encrypt(b"[1]", JWK, enc="A128GCM"), KEY, kid=None)


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        {"enc": "A128GCM"},
        {"jwk": {k: v for k, v in JWK.items() if k != "alg"}, "enc": "A128GCM"},  # alg is required (10)
        {"jwk": {**JWK, "alg": "ECDH-ES+A128KW"}, "enc": "A128GCM"},
        {"jwk": {**JWK, "x": b64url_encode(b"\0" * 32)}, "enc": "A128GCM"},  # off the curve
        {"jwk": {**JWK, "d": "AAAA"}, "enc": "A128GCM"},
        {"jwk": JWK, "enc": "A192GCM"},
        {"jwk": JWK, "enc": "A128GCM", "zip": "DEF"},
    ],
)
def test_a_request_asking_an_encryption_not_done_here_is_refused(value: Any) -> None:
    with pytest.raises(InvalidEncryptionParameters):
        parse_response_encryption(value)
    with pytest.raises(InvalidEncryptionParameters):
        parse_credential_request(
            {
                "credential_configuration_id": "x",
                "proofs": {"jwt": ["a.b.c"]},
                "credential_response_encryption": value,
            }
        )


def test_a_request_names_the_key_for_its_response() -> None:
    asked = {"credential_configuration_id": "x", "proofs": {"jwt": ["a.b.c"]}}
    asked["credential_response_encryption"] = {"jwk": JWK, "enc": "A128GCM"}
    request = parse_credential_request(asked)
    assert request.response_encryption is not None
    assert request.response_encryption.jwk == JWK and request.response_encryption.enc == "A128GCM"


def test_the_issuer_metadata_objects() -> None:
    request = parse_request_encryption(request_encryption_metadata(KEY, "k1"))
    assert request.key() == {**public_jwk(KEY), "kid": "k1", "use": "enc", "alg": "ECDH-ES"}
    assert request.enc() == "A256GCM" and request.required is False
    response = parse_response_encryption_support(response_encryption_metadata())
    assert response.usable() and response.enc() == "A256GCM" and not response.required
    for bad in (
        {},
        {"jwks": {"keys": []}, "enc_values_supported": ["A128GCM"], "encryption_required": False},
    ):
        with pytest.raises(InvalidRequest):
            parse_request_encryption(bad)
    with pytest.raises(InvalidRequest):
        parse_response_encryption_support(
            {"alg_values_supported": ["ECDH-ES"], "enc_values_supported": ["A128GCM"]}
        )


def test_a_request_key_is_one_this_wallet_can_encrypt_to() -> None:
    good = {**public_jwk(KEY), "kid": "good", "alg": "ECDH-ES"}
    unusable = [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "RSA-OAEP-256", "kid": "rsa"},
        {**good, "kid": "signing", "use": "sig"},
        {**good, "kid": "signing-ops", "key_ops": ["sign", "verify"]},  # RFC 7517 4.3 (helper 43)
        {k: v for k, v in good.items() if k != "kid"},
        {**good, "kid": "wrapped", "alg": "ECDH-ES+A256KW"},
        {**good, "kid": "off-curve", "y": b64url_encode(b"\1" * 32)},
    ]
    assert RequestEncryption((*unusable, good), ("A128GCM",), False).key() == good
    assert RequestEncryption(tuple(unusable), ("A128GCM",), False).key() is None
    assert RequestEncryption((good,), ("A192GCM",), False).enc() is None
