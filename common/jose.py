"""JOSE building blocks composed from ``cryptography`` primitives.

- base64url without padding (RFC 7515 section 2), strict on decode;
- bounded JSON parsing (size and nesting depth);
- JWK for EC public keys (RFC 7517/7518) and the JWK thumbprint (RFC 7638);
- compact JWS with the ECDSA algorithms of RFC 7518 section 3.4 (ES256 is the baseline);
- ``x5c`` certificate lists (RFC 7515 section 4.1.6), parsed only: chains are judged in ``trust_list``.

Nothing here reads a clock, a file or the network.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from common.errors import CryptoError, InvalidInput

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_BYTES",
    "Algorithm",
    "Jws",
    "b64url_decode",
    "b64url_encode",
    "canonical_json",
    "encode_jws",
    "jwk_thumbprint",
    "parse_json",
    "parse_jws",
    "private_key_from_jwk",
    "public_jwk",
    "public_key_from_jwk",
    "x5c_certificates",
    "x5c_header",
]

MAX_TOKEN_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def b64url_decode(text: str | bytes) -> bytes:
    """Decode unpadded base64url; padding, the standard alphabet and any other character are refused."""
    try:
        raw = text.encode("ascii") if isinstance(text, str) else text
    except UnicodeEncodeError as exc:
        raise InvalidInput("not base64url: non-ASCII character") from exc
    if b"=" in raw or b"+" in raw or b"/" in raw:
        raise InvalidInput("not base64url: padding or non-url alphabet")
    try:
        return binascii.a2b_base64(raw.translate(_URL_TO_STANDARD) + b"=" * (-len(raw) % 4), strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("not base64url") from exc


def canonical_json(value: Any) -> bytes:
    """Compact JSON, UTF-8, as we put it on the wire."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _depth(value: Any, limit: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > limit:
                raise InvalidInput(f"JSON nested deeper than {limit}")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise InvalidInput("JSON object with a duplicate member name")
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates)


def parse_json(
    data: str | bytes, *, max_bytes: int = MAX_TOKEN_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parse JSON under a size and a nesting limit; duplicate object keys are refused."""
    if len(data) > max_bytes:
        raise InvalidInput(f"JSON larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = _DECODER.decode(text)
    except RecursionError as exc:
        raise InvalidInput(f"JSON nested deeper than {max_depth}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not JSON: {exc}") from exc
    # Nesting can exceed the limit only when the text holds more brackets than the limit: count first.
    if text.count("[") + text.count("{") > max_depth:
        _depth(value, max_depth)
    return value


class Algorithm(enum.Enum):
    """ECDSA JWS algorithms (RFC 7518 section 3.4)."""

    ES256 = ("ES256", "secp256r1", "P-256", 32)
    ES384 = ("ES384", "secp384r1", "P-384", 48)
    ES512 = ("ES512", "secp521r1", "P-521", 66)

    def __init__(self, jose: str, curve_name: str, crv: str, size: int) -> None:
        self.jose = jose
        self.curve_name = curve_name
        self.crv = crv
        self.size = size

    @property
    def hash(self) -> hashes.HashAlgorithm:
        return {32: hashes.SHA256(), 48: hashes.SHA384(), 66: hashes.SHA512()}[self.size]

    @classmethod
    def for_key(cls, key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> Algorithm:
        for alg in cls:
            if alg.curve_name == key.curve.name:
                return alg
        raise CryptoError(f"unsupported curve {key.curve.name}")

    @classmethod
    def from_jose(cls, name: object) -> Algorithm:
        for alg in cls:
            if alg.jose == name:
                return alg
        raise CryptoError(f"algorithm {name!r} is not allowed")

    @classmethod
    def from_crv(cls, crv: object) -> Algorithm:
        for alg in cls:
            if alg.crv == crv:
                return alg
        raise CryptoError(f"unsupported curve {crv!r}")

    def sign(self, key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
        """Raw ``r || s`` signature (RFC 7518 section 3.4), as JWS and COSE both carry it."""
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(self.hash)))
        return r.to_bytes(self.size, "big") + s.to_bytes(self.size, "big")

    def verify(self, key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> None:
        if key.curve.name != self.curve_name:
            raise CryptoError(f"{self.jose} signature with a {key.curve.name} key")
        if len(signature) != 2 * self.size:
            raise CryptoError("signature has the wrong length")
        r = int.from_bytes(signature[: self.size], "big")
        s = int.from_bytes(signature[self.size :], "big")
        try:
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(self.hash))
        except InvalidSignature as exc:
            raise CryptoError("signature does not verify") from exc


_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}


def public_jwk(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """The public JWK of an EC key (RFC 7518 section 6.2.1)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    alg = Algorithm.for_key(public)
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": alg.crv,
        "x": b64url_encode(numbers.x.to_bytes(alg.size, "big")),
        "y": b64url_encode(numbers.y.to_bytes(alg.size, "big")),
    }


def public_key_from_jwk(jwk: object) -> ec.EllipticCurvePublicKey:
    """An EC public key from its JWK; private members and off-curve points are refused."""
    if not isinstance(jwk, Mapping):
        raise InvalidInput("JWK is not an object")
    if "d" in jwk:
        raise InvalidInput("JWK carries private key material")
    if jwk.get("kty") != "EC":
        raise CryptoError(f"unsupported key type {jwk.get('kty')!r}")
    alg = Algorithm.from_crv(jwk.get("crv"))
    try:
        x = b64url_decode(jwk["x"])
        y = b64url_decode(jwk["y"])
    except (KeyError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidInput("JWK lacks x or y") from exc
    if len(x) != alg.size or len(y) != alg.size:
        raise InvalidInput("JWK coordinate has the wrong length")
    try:
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), _CURVES[alg.crv]
        ).public_key()
    except ValueError as exc:
        raise CryptoError("JWK point is not on its curve") from exc


def private_key_from_jwk(jwk: Mapping[str, Any]) -> ec.EllipticCurvePrivateKey:
    """A private EC key from a JWK with ``d`` (spec vectors publish theirs this way)."""
    alg = Algorithm.from_crv(jwk.get("crv"))
    d = int.from_bytes(b64url_decode(jwk["d"]), "big")
    key = ec.derive_private_key(d, _CURVES[alg.crv])
    if "x" in jwk and public_jwk(key)["x"] != jwk["x"]:
        raise CryptoError("JWK d does not match x")
    return key


def jwk_thumbprint(jwk: Mapping[str, Any]) -> bytes:
    """RFC 7638 thumbprint (SHA-256) over the required EC members in lexicographic order."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest()


@dataclass(frozen=True, slots=True)
class Jws:
    """A parsed, not yet verified, compact JWS."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> Algorithm:
        return Algorithm.from_jose(self.header.get("alg"))

    def claims(self, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
        value = parse_json(self.payload, max_depth=max_depth)
        if not isinstance(value, dict):
            raise InvalidInput("JWS payload is not a JSON object")
        return value

    def verify(
        self, key: ec.EllipticCurvePublicKey, *, allowed: Sequence[Algorithm] = (Algorithm.ES256,)
    ) -> None:
        """Check the signature with ``key``; ``alg`` must be in ``allowed`` (never none, never MAC)."""
        alg = self.alg
        if alg not in allowed:
            raise CryptoError(f"algorithm {alg.jose} is not allowed here")
        alg.verify(key, self.signing_input, self.signature)


def parse_jws(token: str, *, max_bytes: int = MAX_TOKEN_BYTES) -> Jws:
    """Split a compact JWS (RFC 7515 section 7.1) and decode its header; the payload stays bytes."""
    if not isinstance(token, str):
        raise InvalidInput("JWS is not a string")
    if len(token) > max_bytes:
        raise InvalidInput(f"JWS larger than {max_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidInput("not a compact JWS (expected three parts)")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = parse_json(b64url_decode(header_b64), max_depth=8)
    except UnicodeEncodeError as exc:
        raise InvalidInput("JWS header is not ASCII") from exc
    if not isinstance(header, dict):
        raise InvalidInput("JWS header is not a JSON object")
    if "crit" in header:
        raise InvalidInput("JWS header has unsupported critical parameters")
    try:
        return Jws(
            header=header,
            payload=b64url_decode(payload_b64),
            signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
            signature=b64url_decode(signature_b64),
        )
    except UnicodeEncodeError as exc:
        raise InvalidInput("JWS is not ASCII") from exc


def encode_jws(
    header: Mapping[str, Any], payload: Mapping[str, Any] | bytes, key: ec.EllipticCurvePrivateKey
) -> str:
    """Sign ``payload`` as a compact JWS; ``alg`` is set from the key's curve."""
    alg = Algorithm.for_key(key)
    protected = {"alg": alg.jose, **header}
    body = payload if isinstance(payload, bytes) else canonical_json(payload)
    signing_input = b64url_encode(canonical_json(protected)) + "." + b64url_encode(body)
    return signing_input + "." + b64url_encode(alg.sign(key, signing_input.encode("ascii")))


def x5c_header(chain: Sequence[x509.Certificate]) -> list[str]:
    """The ``x5c`` value: standard base64 (not url) DER, leaf first (RFC 7515 section 4.1.6)."""
    return [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii") for cert in chain]


def x5c_certificates(header: Mapping[str, Any], *, max_certs: int = 5) -> list[x509.Certificate]:
    """The certificates of an ``x5c`` header, leaf first; parsed, not validated."""
    value = header.get("x5c")
    if not isinstance(value, list) or not value or len(value) > max_certs:
        raise InvalidInput(f"x5c must be a non-empty array of at most {max_certs} certificates")
    certs = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput("x5c entry is not a string")
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput("x5c entry is not a DER certificate") from exc
    return certs
