"""CBOR Object Signing and Encryption, RFC 9052 / RFC 9053, the parts mdoc needs.

- COSE_Sign1 (RFC 9052 section 4.2, Sig_structure "Signature1" of section 4.4) with ECDSA ES256
  (RFC 9053 section 2.1, alg -7; the fully specified ESP256, alg -9, is accepted as ES256);
- COSE_Mac0 (section 6.2, MAC_structure "MAC0" of section 6.3) with HMAC 256/256 (RFC 9053
  section 3.1, alg 5);
- ``x5chain`` (RFC 9360 section 2, label 33);
- COSE_Key for EC2 P-256 public keys (RFC 9052 section 7, RFC 9053 section 7.1.1).

Signatures are computed by :class:`common.jose.Algorithm` (raw ``r || s``, as COSE carries them).
"""

from __future__ import annotations

import functools
import hmac as _hmac
from collections.abc import Mapping
from typing import Any, NamedTuple

import cbor2
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as CryptographyUnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError
from common.jose import Algorithm, load_der_certificate
from credentials import cbor
from credentials.errors import InvalidSignature, MalformedCbor, MalformedCose, UnsupportedAlgorithm

__all__ = [
    "ALG",
    "CONTENT_TYPE",
    "ES256",
    "ESP256",
    "HMAC_256_256",
    "KID",
    "MAX_X5CHAIN",
    "TAG_MAC0",
    "TAG_SIGN1",
    "TYP",
    "X5CHAIN",
    "CoseMac0",
    "CoseSign1",
    "certificate_key",
    "cose_key_from_public",
    "decode_mac0",
    "decode_sign1",
    "mac0",
    "public_from_cose_key",
    "sig_structure",
    "sign1",
    "verify_mac0",
    "verify_sign1",
    "x5chain",
    "x5chain_from_headers",
]

# header labels (RFC 9052 section 3.1, RFC 9360 section 2, RFC 9596)
ALG = 1
CRIT = 2
CONTENT_TYPE = 3
KID = 4
TYP = 16
X5CHAIN = 33
# algorithms (RFC 9053 sections 2.1 and 3.1; fully specified ESP256 from RFC 9864)
ES256 = -7
ESP256 = -9
HMAC_256_256 = 5
TAG_SIGN1 = 18
TAG_MAC0 = 17
MAX_X5CHAIN = 10

_ALG_ES256_ONLY = b"\xa1\x01\x26"
"""``{1: -7}``, the protected header of nearly every ES256 COSE_Sign1 (ours, and the mdocs and
device signatures of others): decoded without a decoder, as it is always the same map."""

_LABEL_TYPES = frozenset({int, str})
_UNDERSTOOD = frozenset({ALG, CONTENT_TYPE, KID, TYP, X5CHAIN})
"""Header parameters this module acts on: the only ones a ``crit`` may name (RFC 9052 section 3.1)."""

# COSE_Key labels and values (RFC 9052 section 7.1, RFC 9053 section 7.1)
_KTY, _KTY_EC2, _CRV, _CRV_P256, _X, _Y, _D = 1, 2, -1, 1, -2, -3, -4


class CoseSign1(NamedTuple):
    """A decoded COSE_Sign1 (RFC 9052 section 4.2); ``protected_bytes`` are kept as received.

    A named tuple rather than a frozen dataclass, as the other values made on every mdoc verify:
    immutable alike, and made in a third of the time (a frozen dataclass sets each field through
    ``object.__setattr__``).
    """

    protected: dict[int, Any]
    protected_bytes: bytes
    unprotected: dict[int, Any]
    payload: bytes | None
    signature: bytes


class CoseMac0(NamedTuple):
    """A decoded COSE_Mac0 (RFC 9052 section 6.2)."""

    protected: dict[int, Any]
    protected_bytes: bytes
    unprotected: dict[int, Any]
    payload: bytes | None
    tag: bytes


def _protected_bytes(headers: Mapping[int, Any]) -> bytes:
    # an empty protected header is the zero-length bstr, not an encoded empty map (section 3)
    return cbor.encode(dict(headers)) if headers else b""


def _payload_for(payload: bytes | None, detached_payload: bytes | None) -> bytes:
    if payload is not None and detached_payload is not None:
        raise MalformedCose("payload both attached and detached")
    content = payload if payload is not None else detached_payload
    if content is None:
        raise MalformedCose("detached payload not supplied")
    return content


_SIGNATURE1_HEAD = b"\x84\x6aSignature1"
"""``["Signature1", ...]``: an array of four, then the 10-character tstr."""


def sig_structure(protected_bytes: bytes, external_aad: bytes, payload: bytes) -> bytes:
    """The bytes a COSE_Sign1 signature covers: ``Sig_structure`` "Signature1" (RFC 9052 section 4.4),
    for signers with other algorithms than :func:`sign1` supports."""
    if type(protected_bytes) is bytes and type(external_aad) is bytes and type(payload) is bytes:
        # what cbor.encode writes, written directly: a fixed head and three byte strings
        return (
            _SIGNATURE1_HEAD
            + cbor.encode_bstr(protected_bytes)
            + cbor.encode_bstr(external_aad)
            + cbor.encode_bstr(payload)
        )
    return cbor.encode(["Signature1", protected_bytes, external_aad, payload])


_sig_structure = sig_structure


def _mac_structure(protected_bytes: bytes, external_aad: bytes, payload: bytes) -> bytes:
    return cbor.encode(["MAC0", protected_bytes, external_aad, payload])


def sign1(
    payload: bytes | None,
    key: ec.EllipticCurvePrivateKey,
    *,
    protected: Mapping[int, Any] | None = None,
    unprotected: Mapping[int, Any] | None = None,
    detached_payload: bytes | None = None,
    external_aad: bytes = b"",
    tag: bool = True,
) -> bytes:
    """Sign ``payload`` (or a detached one, leaving ``nil`` in the message) as COSE_Sign1.

    ``alg`` is set from the key (ES256 for P-256) in the protected header (RFC 9052 section 4.4).
    """
    if Algorithm.for_key(key) is not Algorithm.ES256:
        raise UnsupportedAlgorithm("only P-256 / ES256 keys are supported for COSE_Sign1")
    # {1: -7} alone written without an encoder, as _headers reads it (cbor2 takes ~11K instructions)
    protected_bytes = _protected_bytes({**protected, ALG: ES256}) if protected else _ALG_ES256_ONLY
    content = _payload_for(payload, detached_payload)
    signature = Algorithm.ES256.sign(key, _sig_structure(protected_bytes, external_aad, content))
    array = [protected_bytes, dict(unprotected or {}), payload, signature]
    return cbor.encode(cbor2.CBORTag(TAG_SIGN1, array) if tag else array)


def _headers(protected_bytes: Any, unprotected: Any) -> tuple[dict[int, Any], dict[int, Any]]:
    if not isinstance(protected_bytes, bytes):
        raise MalformedCose("protected header must be a bstr")
    if protected_bytes == _ALG_ES256_ONLY and type(unprotected) is dict:
        # the checks below, for a protected header known to be {1: -7}: only unprotected's remain
        if not set(map(type, unprotected)) <= _LABEL_TYPES:
            _check_labels(unprotected)
        if ALG in unprotected:
            raise MalformedCose("a header label in both buckets")  # RFC 9052 section 3
        if CRIT in unprotected:
            _check_crit({}, unprotected)
        return {ALG: ES256}, dict(unprotected)
    if protected_bytes == _ALG_ES256_ONLY:
        protected = {ALG: ES256}
    elif protected_bytes:
        try:
            protected = cbor.decode(protected_bytes, max_bytes=64 * 1024)
        except MalformedCbor as exc:
            raise MalformedCose("protected header is not CBOR") from exc
    else:
        protected = {}
    if not (type(protected) is dict or isinstance(protected, Mapping)) or not (
        type(unprotected) is dict or isinstance(unprotected, Mapping)
    ):
        raise MalformedCose("headers must be maps")
    protected, unprotected = dict(protected), dict(unprotected)
    for headers in (protected, unprotected):
        # exact int and str labels, as decoded, pass at once; anything else is looked at label by label
        if not set(map(type, headers)) <= _LABEL_TYPES:
            _check_labels(headers)
    if protected.keys() & unprotected.keys():
        raise MalformedCose("a header label in both buckets")  # RFC 9052 section 3
    if CRIT in protected or CRIT in unprotected:
        _check_crit(protected, unprotected)
    return protected, unprotected


def _check_crit(protected: Mapping[Any, Any], unprotected: Mapping[Any, Any]) -> None:
    """RFC 9052 section 3.1: ``crit`` is protected, a non-empty array of labels, and a message naming a
    parameter the recipient does not understand is rejected."""
    if CRIT in unprotected:
        raise MalformedCose("crit must be in the protected header")
    labels = protected[CRIT]
    if not isinstance(labels, list | tuple) or not labels:
        raise MalformedCose("crit must be a non-empty array of header labels")
    for label in labels:
        if isinstance(label, bool) or not isinstance(label, int | str) or label not in _UNDERSTOOD:
            raise MalformedCose(f"critical header parameter {label!r} is not understood")


def _check_labels(headers: Mapping[Any, Any]) -> None:
    if not all(isinstance(label, int | str) and not isinstance(label, bool) for label in headers):
        raise MalformedCose("header labels must be int or tstr")


_ENCODED = (bytes, bytearray)  # a tuple: a union in isinstance is built on every call


def _array(data: bytes | list[Any], tag_number: int) -> list[Any]:
    obj = cbor.decode(data) if isinstance(data, _ENCODED) else data
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != tag_number:
            raise MalformedCose(f"expected COSE tag {tag_number}, got {obj.tag}")
        obj = obj.value
    if isinstance(obj, tuple):  # cbor2 decodes tag contents as immutable
        obj = list(obj)
    if not isinstance(obj, list) or len(obj) != 4:
        raise MalformedCose("COSE message must be an array of four")
    if obj[2] is not None and not isinstance(obj[2], bytes):
        raise MalformedCose("payload must be a bstr or nil")
    if not isinstance(obj[3], bytes):
        raise MalformedCose("signature or tag must be a bstr")
    return obj


def decode_sign1(data: bytes | list[Any]) -> CoseSign1:
    """Parse a COSE_Sign1, tagged (18) or not, as bytes or as an already decoded array."""
    array = _array(data, TAG_SIGN1)
    protected, unprotected = _headers(array[0], array[1])
    return CoseSign1(protected, array[0], unprotected, array[2], array[3])


def _check_alg(protected: Mapping[int, Any], allowed: tuple[int, ...]) -> None:
    if protected.get(ALG) not in allowed:
        raise UnsupportedAlgorithm(f"COSE alg {protected.get(ALG)!r} is not allowed")


def verify_sign1(
    message: CoseSign1,
    key: ec.EllipticCurvePublicKey,
    *,
    detached_payload: bytes | None = None,
    external_aad: bytes = b"",
) -> None:
    """Verify with ``key``; ``alg`` must be ES256 (-7) or ESP256 (-9) in the protected header."""
    _check_alg(message.protected, (ES256, ESP256))
    content = _payload_for(message.payload, detached_payload)
    to_be_signed = _sig_structure(message.protected_bytes, external_aad, content)
    try:
        Algorithm.ES256.verify(key, to_be_signed, message.signature)
    except CryptoError as exc:
        raise InvalidSignature("COSE_Sign1 signature does not verify") from exc


@functools.lru_cache(maxsize=32)
def _certificate(der: bytes) -> x509.Certificate:
    """Parse one DER certificate. Bounded LRU: a pure function of immutable bytes returning an
    immutable object, so callers cannot confuse each other's certificates; a verifier meets the same
    few document-signer certificates over and over, and the parsed object keeps its public key ready.
    Only parsing is remembered: the chain is still judged on every call (``validate_chain``)."""
    return load_der_certificate(der)


def certificate_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    """The EC public key of ``cert``; :class:`UnsupportedAlgorithm` when it is not one or cannot be
    loaded (cryptography raises its own exception types for keys of unknown algorithms)."""
    try:
        key = cert.public_key()
    except (ValueError, CryptographyUnsupportedAlgorithm) as exc:
        raise UnsupportedAlgorithm("the certificate's public key cannot be loaded") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UnsupportedAlgorithm("the certificate does not hold an EC key")
    return key


def x5chain(message: CoseSign1) -> list[x509.Certificate]:
    """The certificates of label 33 (RFC 9360 section 2) of a COSE message, protected or not."""
    return x5chain_from_headers({**message.unprotected, **message.protected})


def x5chain_from_headers(headers: Mapping[Any, Any]) -> list[x509.Certificate]:
    """The certificates of label 33 in merged ``headers``: one bstr, or an array of them, leaf first."""
    value = headers.get(X5CHAIN)
    if value is None:
        raise MalformedCose("no x5chain")
    # an array inside a tag (the tagged COSE_Sign1 of a CWT status list) is decoded as a tuple
    ders = [value] if isinstance(value, bytes) else list(value) if isinstance(value, tuple) else value
    if not isinstance(ders, list) or not ders or len(ders) > MAX_X5CHAIN:
        raise MalformedCose("x5chain must be a bstr or a non-empty array of bstr")
    certificates = []
    for der in ders:
        if not isinstance(der, bytes):
            raise MalformedCose("x5chain entries must be bstr")
        try:
            certificates.append(_certificate(der))
        except ValueError as exc:
            raise MalformedCose("x5chain holds a certificate that does not parse") from exc
    return certificates


def _hmac256(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


def mac0(
    payload: bytes | None,
    key: bytes,
    *,
    protected: Mapping[int, Any] | None = None,
    unprotected: Mapping[int, Any] | None = None,
    detached_payload: bytes | None = None,
    external_aad: bytes = b"",
    tag: bool = True,
) -> bytes:
    """COSE_Mac0 with HMAC 256/256 (alg 5) over the MAC_structure "MAC0" (RFC 9052 section 6.3)."""
    headers = {**(protected or {}), ALG: HMAC_256_256}
    protected_bytes = _protected_bytes(headers)
    content = _payload_for(payload, detached_payload)
    mac_tag = _hmac256(key, _mac_structure(protected_bytes, external_aad, content))
    array = [protected_bytes, dict(unprotected or {}), payload, mac_tag]
    return cbor.encode(cbor2.CBORTag(TAG_MAC0, array) if tag else array)


def decode_mac0(data: bytes | list[Any]) -> CoseMac0:
    """Parse a COSE_Mac0, tagged (17) or not."""
    array = _array(data, TAG_MAC0)
    protected, unprotected = _headers(array[0], array[1])
    return CoseMac0(protected, array[0], unprotected, array[2], array[3])


def verify_mac0(
    message: CoseMac0,
    key: bytes,
    *,
    detached_payload: bytes | None = None,
    external_aad: bytes = b"",
) -> None:
    """Recompute the HMAC 256/256 tag and compare in constant time."""
    _check_alg(message.protected, (HMAC_256_256,))
    content = _payload_for(message.payload, detached_payload)
    expected = _hmac256(key, _mac_structure(message.protected_bytes, external_aad, content))
    if not _hmac.compare_digest(expected, message.tag):
        raise InvalidSignature("COSE_Mac0 tag does not verify")


def cose_key_from_public(public: ec.EllipticCurvePublicKey) -> dict[int, Any]:
    """The EC2 COSE_Key ``{1: 2, -1: 1, -2: x, -3: y}`` of a P-256 public key."""
    if Algorithm.for_key(public) is not Algorithm.ES256:
        raise UnsupportedAlgorithm("only P-256 keys are supported")
    # the uncompressed point 0x04 || x || y holds both coordinates at their fixed size, in one call
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {_KTY: _KTY_EC2, _CRV: _CRV_P256, _X: point[1:33], _Y: point[33:]}


def public_from_cose_key(obj: Any) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from an EC2 COSE_Key; private keys, other curves, compressed points
    (a bool ``y``) and points off the curve are refused."""
    if not isinstance(obj, dict):
        raise MalformedCose("COSE_Key must be a map")
    if obj.get(_KTY) != _KTY_EC2 or obj.get(_CRV) != _CRV_P256:
        raise UnsupportedAlgorithm("COSE_Key must be EC2 on P-256")
    if _D in obj:
        raise MalformedCose("COSE_Key carries a private key")
    x, y = obj.get(_X), obj.get(_Y)
    if not (isinstance(x, bytes) and isinstance(y, bytes) and len(x) == 32 and len(y) == 32):
        raise MalformedCose("COSE_Key x and y must be 32-byte bstr")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
    except ValueError as exc:
        raise MalformedCose("COSE_Key point is not on P-256") from exc
