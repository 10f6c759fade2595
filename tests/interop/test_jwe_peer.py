"""Interoperability of our JWEs with another implementation (PyPI ``jwcrypto``, which ``sd-jwt`` uses).

The JWEs are ECDH-ES (direct key agreement) on P-256 with A128GCM or A256GCM, as OpenID4VP 1.0
``direct_post.jwt`` responses and OpenID4VCI 1.0 encrypted credential requests and responses carry
them: what :mod:`common.jwe` encrypts the peer decrypts, and the reverse, ``apu``/``apv`` included.
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwe as peer_jwe
from jwcrypto import jwk as peer_jwk

from common import jwe
from common.jose import b64url_encode, public_jwk
from openid4vc.encryption import decrypt_message, encrypt_message

pytestmark = pytest.mark.interop

MESSAGE = {"credentials": [{"credential": "eyJ...~WyJz...~"}], "notification_id": "n-1"}


def _peer_key(key: ec.EllipticCurvePrivateKey) -> peer_jwk.JWK:
    private = {
        **public_jwk(key),
        "d": b64url_encode(key.private_numbers().private_value.to_bytes(32, "big")),
    }
    return peer_jwk.JWK(**private)


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_ours_decrypt_with_the_peer(enc: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = encrypt_message(MESSAGE, {**public_jwk(key), "alg": "ECDH-ES", "kid": "wallet-1"}, enc)
    received = peer_jwe.JWE()
    received.deserialize(token, key=_peer_key(key))
    assert json.loads(received.payload) == MESSAGE
    assert received.jose_header["alg"] == "ECDH-ES" and received.jose_header["enc"] == enc
    assert received.jose_header["kid"] == "wallet-1"  # OpenID4VCI 1.0 section 10: the key's kid


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
@pytest.mark.parametrize("party_info", [{}, {"apu": "bm9uY2Ux", "apv": "Y2xpZW50"}])
def test_the_peers_decrypt_with_ours(enc: str, party_info: dict[str, str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    recipient = peer_jwk.JWK(**{**public_jwk(key), "kid": "issuer-1"})
    header = {"alg": "ECDH-ES", "enc": enc, "kid": "issuer-1", **party_info}
    sealed = peer_jwe.JWE(json.dumps(MESSAGE).encode(), protected=json.dumps(header))
    sealed.add_recipient(recipient)
    token = sealed.serialize(compact=True)
    assert decrypt_message(token, key, kid="issuer-1") == MESSAGE
    protected, _ = jwe.decrypt(token, key, kid="issuer-1")
    assert protected["epk"]["crv"] == "P-256"
