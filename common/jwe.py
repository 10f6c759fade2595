"""Encrypted JWTs for OpenID4VP responses: JWE (RFC 7516) in compact serialization with ECDH-ES direct
key agreement (RFC 7518 section 4.6) and AES GCM content encryption (A128GCM, A256GCM; section 5.3).

Composed from the primitives of ``cryptography``: the ECDH shared secret, the Concat KDF of NIST SP
800-56A (section 4.6.2) over it, and AES-GCM with the encoded protected header as additional data.
Decryption refuses what it does not implement rather than ignoring it: another ``alg`` or ``enc``, a
``zip`` or ``crit`` header, an encrypted key (empty under direct key agreement), an ``epk`` on another
curve than the recipient's key (or off its curve), a ``kid`` other than the expected one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from common.errors import CryptoError, InvalidInput
from common.jose import (
    b64url_decode,
    b64url_encode,
    canonical_json,
    parse_json,
    public_jwk,
    public_key_from_jwk,
)

__all__ = ["CONTENT_ENCRYPTION", "ECDH_ES", "MAX_JWE_BYTES", "decrypt", "encrypt"]

ECDH_ES = "ECDH-ES"
CONTENT_ENCRYPTION = {"A128GCM": 16, "A256GCM": 32}
"""The ``enc`` values implemented, with their key lengths in bytes."""
MAX_JWE_BYTES = 2 * 1024 * 1024
_IV_BYTES, _TAG_BYTES = 12, 16


def encrypt(
    plaintext: bytes,
    recipient: Mapping[str, Any],
    *,
    enc: str,
    rng: Callable[[int], bytes] = os.urandom,
) -> str:
    """Encrypt ``plaintext`` to the EC public JWK ``recipient`` with a fresh ephemeral key (``epk``),
    copying its ``kid`` into the header when it has one."""
    if enc not in CONTENT_ENCRYPTION:
        raise ValueError(f"enc must be one of {sorted(CONTENT_ENCRYPTION)}")
    key = public_key_from_jwk(recipient)
    ephemeral = ec.generate_private_key(key.curve)
    header: dict[str, Any] = {"alg": ECDH_ES, "enc": enc}
    if isinstance(recipient.get("kid"), str):
        header["kid"] = recipient["kid"]
    header["epk"] = public_jwk(ephemeral)
    protected = b64url_encode(canonical_json(header))
    cek = _content_key(ephemeral.exchange(ec.ECDH(), key), enc, b"", b"")
    iv = rng(_IV_BYTES)
    sealed = AESGCM(cek).encrypt(iv, plaintext, protected.encode("ascii"))
    ciphertext, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
    return f"{protected}..{b64url_encode(iv)}.{b64url_encode(ciphertext)}.{b64url_encode(tag)}"


def decrypt(
    token: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    kid: str | None = None,
    encs: Collection[str] = tuple(CONTENT_ENCRYPTION),
    max_bytes: int = MAX_JWE_BYTES,
) -> tuple[dict[str, Any], bytes]:
    """The protected header and the plaintext of a compact JWE encrypted to ``key``; with ``kid``, the
    header must name that key. ``InvalidInput`` for what is malformed or not implemented,
    ``CryptoError`` for what does not decrypt."""
    if not isinstance(token, str) or len(token) > max_bytes or not token.isascii():
        raise InvalidInput(f"a JWE is an ASCII string of at most {max_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 5:
        raise InvalidInput("not a compact JWE (expected five parts)")
    encoded_header, encrypted_key, iv, ciphertext, tag = parts
    header = parse_json(b64url_decode(encoded_header), max_depth=4)
    if not isinstance(header, dict):
        raise InvalidInput("the JWE header is not a JSON object")
    if header.get("alg") != ECDH_ES:
        raise InvalidInput(f"JWE alg {header.get('alg')!r} is not {ECDH_ES}")
    enc = header.get("enc")
    if enc not in encs or enc not in CONTENT_ENCRYPTION:
        raise InvalidInput(f"JWE enc {enc!r} is not one of {sorted(encs)}")
    for name in ("zip", "crit"):
        if name in header:
            raise InvalidInput(f"JWE header {name!r} is not supported")
    if kid is not None and header.get("kid") != kid:
        raise InvalidInput("the JWE is not encrypted to the expected key (kid)")
    if encrypted_key:
        raise InvalidInput("ECDH-ES uses no encrypted key: the second part must be empty")
    ephemeral = _ephemeral_key(header.get("epk"), key.curve)
    apu, apv = _party_info(header, "apu"), _party_info(header, "apv")
    nonce, body, mac = b64url_decode(iv), b64url_decode(ciphertext), b64url_decode(tag)
    if len(nonce) != _IV_BYTES or len(mac) != _TAG_BYTES:
        raise InvalidInput("the JWE initialization vector or authentication tag has the wrong length")
    cek = _content_key(key.exchange(ec.ECDH(), ephemeral), enc, apu, apv)
    try:
        plaintext = AESGCM(cek).decrypt(nonce, body + mac, encoded_header.encode("ascii"))
    except InvalidTag as exc:
        raise CryptoError("the JWE does not decrypt with this key") from exc
    return header, plaintext


def _ephemeral_key(epk: object, curve: ec.EllipticCurve) -> ec.EllipticCurvePublicKey:
    """The sender's ``epk``: a public EC key on the recipient's curve (the point is checked to lie on
    its curve, which defeats invalid-curve attacks on the key agreement)."""
    if not isinstance(epk, dict):
        raise InvalidInput("the JWE header lacks its epk")
    try:
        ephemeral = public_key_from_jwk(epk)
    except (CryptoError, InvalidInput) as exc:
        raise InvalidInput(f"the JWE epk is unusable: {exc}") from exc
    if ephemeral.curve.name != curve.name:
        raise InvalidInput("the JWE epk is not on the curve of the recipient's key")
    return ephemeral


def _party_info(header: Mapping[str, Any], name: str) -> bytes:
    if name not in header:
        return b""
    value = header[name]
    if not isinstance(value, str):  # null is not one (RFC 7518 section 4.6.1.2)
        raise InvalidInput(f"JWE {name} must be a base64url string")
    return b64url_decode(value)


def _content_key(shared: bytes, enc: str, apu: bytes, apv: bytes) -> bytes:
    """The Concat KDF of RFC 7518 section 4.6.2 for direct key agreement: AlgorithmID is ``enc``."""
    length = CONTENT_ENCRYPTION[enc]
    other = _prefixed(enc.encode("ascii")) + _prefixed(apu) + _prefixed(apv) + (8 * length).to_bytes(4, "big")
    return ConcatKDFHash(hashes.SHA256(), length, other).derive(shared)


def _prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data
