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
import functools
import hashlib
import json
import math
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
import pybase64
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
    "has_typ",
    "jwk_thumbprint",
    "load_der_certificate",
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


# pybase64 (SIMD) rather than binascii, which takes 30 to 40 instructions a character plus a translate pass
# for the URL-safe alphabet: 3% of an SD-JWT VC verify (its Issuer-signed JWT is about 2 KB of base64url).
# Positional arguments: parsing keywords costs about as much as decoding a Disclosure.
_ENCODE = pybase64.b64encode_as_string
_DECODE = pybase64.b64decode
_URL_SAFE = b"-_"
_PADDING = ("", "===", "==", "=")


def b64url_encode(data: bytes) -> str:
    return _ENCODE(data, _URL_SAFE).rstrip("=")


def b64url_decode(text: str | bytes) -> bytes:
    """Decode unpadded base64url; padding, the standard alphabet and any other character are refused."""
    if not isinstance(text, str):
        if not isinstance(text, bytes):  # a JSON member that is a number, null, an array...
            raise InvalidInput("not base64url: not a string")
        text = text.decode("latin-1")  # each byte one character: a non-ASCII byte stays one, refused below
    # with the URL-safe characters as its alternative ones, the decoder still takes '+' and '/'; '=' may
    # only be the padding added here (these searches are memchr; bytes would be walked byte by byte)
    if "+" in text or "/" in text or "=" in text:
        raise InvalidInput("not base64url")
    try:
        return _DECODE(text + _PADDING[len(text) % 4], _URL_SAFE, True)
    except ValueError as exc:  # binascii.Error, or a character outside ASCII
        raise InvalidInput("not base64url") from exc


# The C encoder that ``JSONEncoder.encode`` itself builds for one-shot, unindented output; calling it
# directly skips the closure ``iterencode`` defines on every call, which costs more than small
# documents take to encode.
_MAKE_C_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)


@dataclass(frozen=True, slots=True)
class _JsonWriter:
    """A ``JSONEncoder`` configuration with its C encoder built once.

    Without ``markers`` the C encoder keeps no state between calls, so one instance serves every
    call (building one costs as much as encoding a Disclosure). What markers would catch, a circular
    value, then ends in RecursionError, as a merely too deep value does with markers too; such a
    value is written again with markers, so the error raised is the one the stdlib raises.
    """

    encoder: json.JSONEncoder
    c_encoder: Any

    @classmethod
    def of(cls, encoder: json.JSONEncoder) -> _JsonWriter:
        return cls(encoder, None if _MAKE_C_ENCODER is None else _c_encoder(encoder, None))

    def text(self, value: Any) -> str:
        if self.c_encoder is None:
            return self.encoder.encode(value)
        try:
            return "".join(self.c_encoder(value, 0))
        except RecursionError:
            return "".join(_c_encoder(self.encoder, {})(value, 0))


def _c_encoder(encoder: json.JSONEncoder, markers: dict[int, Any] | None) -> Any:
    text_encoder = (
        json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
    )
    return _MAKE_C_ENCODER(
        markers,
        encoder.default,
        text_encoder,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )


_COMPACT = _JsonWriter.of(json.JSONEncoder(separators=(",", ":"), ensure_ascii=False))
_SORTED = _JsonWriter.of(json.JSONEncoder(separators=(",", ":"), sort_keys=True))


def canonical_json(value: Any) -> bytes:
    """Compact JSON, UTF-8, as we put it on the wire."""
    return _COMPACT.text(value).encode("utf-8")


_CONTAINERS = (dict, list)  # a tuple: ``dict | list`` in isinstance builds the union on every call


def _depth(value: Any, limit: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, _CONTAINERS):
            if level > limit:
                raise InvalidInput(f"JSON nested deeper than {limit}")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise InvalidInput("JSON object with a duplicate member name")
    return result


def _no_constant(name: str) -> float:
    raise InvalidInput(f"JSON holds {name}, which is not a JSON number (RFC 8259 section 6)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 and the like, which would read as infinity
        raise InvalidInput("JSON number out of the range of a double")
    return value


# Duplicate member names, NaN and Infinity (which Python's decoder takes by default) and numbers that
# overflow a double are refused: each would let one document read differently in another parser, and a
# NaN passes every comparison of a validity check. The hooks run only where such members or numbers are.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite
)
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_ORJSON_LOADS = orjson.loads
_ORJSON_DUMPS = orjson.dumps
_ORJSON_ERROR = orjson.JSONDecodeError
_ORJSON_WRITE_ERROR = orjson.JSONEncodeError


def parse_json(
    data: str | bytes, *, max_bytes: int = MAX_TOKEN_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parse JSON under a size and a nesting limit; duplicate object keys, ``NaN``, ``Infinity``,
    numbers beyond a double's range and strings with a lone surrogate are refused."""
    if len(data) > max_bytes:
        raise InvalidInput(f"JSON larger than {max_bytes} bytes")
    value = _canonical(data)
    if value is _NOT_CANONICAL:
        value = _strict(data, max_depth)
    # Nesting past the limit takes more opening brackets than the limit, and as many closing ones: only
    # a text long enough to hold them is counted, and only one with that many brackets is walked.
    if len(data) > 2 * max_depth + 1:
        if isinstance(data, bytes):
            brackets = data.count(b"[") + data.count(b"{")
        else:
            brackets = data.count("[") + data.count("{")
        if brackets > max_depth:
            _depth(value, max_depth)
    return value


_NOT_CANONICAL = object()


def _canonical(data: str | bytes) -> Any:
    """The value of a text that orjson writes back byte for byte, else :data:`_NOT_CANONICAL`.

    orjson reads about three times faster than the standard decoder, but keeps the last of duplicate
    members. A text it writes back unchanged has none: the value written holds one member per name,
    so a dropped duplicate would be missing from it. Such a text also has no NaN, no number beyond a
    double and no lone surrogate (orjson reads none of them), and in it both decoders read the same
    values: compact issuers' JWTs and Disclosures take this path, any other text (pretty-printed,
    ``\\u``-escaped) the strict decoder after it, a cost a third of the strict decoder's.
    """
    try:
        value = _ORJSON_LOADS(data)
        written = _ORJSON_DUMPS(value)
    except (_ORJSON_ERROR, _ORJSON_WRITE_ERROR):  # the writer refuses nesting the reader takes (255 deep)
        return _NOT_CANONICAL
    same = written == data if isinstance(data, bytes) else written.decode("utf-8") == data
    return value if same else _NOT_CANONICAL


def _strict(data: str | bytes, max_depth: int) -> Any:
    """The standard decoder, with the hooks refusing what it would otherwise take."""
    try:
        if isinstance(data, bytes):
            text = data.decode("utf-8")
        else:
            text = data
            if not text.isascii():
                text.encode("utf-8")  # a lone surrogate in the text itself: UnicodeEncodeError
        # the C scanner directly, without the decoder's whitespace regexes, when the text is one bare
        # value; whenever it does not consume exactly the whole text (whitespace around, trailing
        # data, an error) the full decoder runs, so results and errors are its own
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError):
            end = -1
        if end != len(text):
            value = _DECODER.decode(text)
    except RecursionError as exc:
        raise InvalidInput(f"JSON nested deeper than {max_depth}") from exc
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise InvalidInput(f"JSON text is not UTF-8: {exc.reason}") from exc
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # CPython's digit limit, with a hint meant for us
            raise InvalidInput(f"JSON number of more than {sys.get_int_max_str_digits()} digits") from exc
        raise InvalidInput(f"not JSON: {exc}") from exc
    # A lone surrogate can only come from a \u escape: it would fail wherever the value is encoded again
    # (a database, a digest, a response), and I-JSON (RFC 7493 section 2.1) forbids it.
    if "\\u" in text:
        _no_lone_surrogates(value)
    return value


def _no_lone_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)  # the member names
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidInput("JSON string with a lone surrogate (RFC 7493 section 2.1)") from exc


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
        # Immutable parameter objects, made once per algorithm rather than on every sign and verify.
        self._hash: hashes.HashAlgorithm = (
            hashes.SHA256() if size == 32 else hashes.SHA384() if size == 48 else hashes.SHA512()
        )
        self._ecdsa = ec.ECDSA(self._hash)

    @property
    def hash(self) -> hashes.HashAlgorithm:
        return self._hash

    @classmethod
    def for_key(cls, key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> Algorithm:
        name = key.curve.name
        alg = _BY_CURVE_NAME.get(name)
        if alg is None:
            raise CryptoError(f"unsupported curve {name}")
        return alg

    @classmethod
    def from_jose(cls, name: object) -> Algorithm:
        alg = _BY_JOSE.get(name) if isinstance(name, str) else None
        if alg is None:
            raise CryptoError(f"algorithm {name!r} is not allowed")
        return alg

    @classmethod
    def from_crv(cls, crv: object) -> Algorithm:
        alg = _BY_CRV.get(crv) if isinstance(crv, str) else None
        if alg is None:
            raise CryptoError(f"unsupported curve {crv!r}")
        return alg

    def sign(self, key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
        """Raw ``r || s`` signature (RFC 7518 section 3.4), as JWS and COSE both carry it."""
        r, s = decode_dss_signature(key.sign(data, self._ecdsa))
        return r.to_bytes(self.size, "big") + s.to_bytes(self.size, "big")

    def verify(self, key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> None:
        if key.curve.name != self.curve_name:
            raise CryptoError(f"{self.jose} signature with a {key.curve.name} key")
        if len(signature) != 2 * self.size:
            raise CryptoError("signature has the wrong length")
        r = int.from_bytes(signature[: self.size], "big")
        s = int.from_bytes(signature[self.size :], "big")
        try:
            key.verify(encode_dss_signature(r, s), data, self._ecdsa)
        except InvalidSignature as exc:
            raise CryptoError("signature does not verify") from exc


# Lookups by the three names of an algorithm (constant tables, not caches).
_BY_JOSE = {alg.jose: alg for alg in Algorithm}
_BY_CRV = {alg.crv: alg for alg in Algorithm}
_BY_CURVE_NAME = {alg.curve_name: alg for alg in Algorithm}

_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}


def public_jwk(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """The public JWK of an EC key (RFC 7518 section 6.2.1)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    alg = Algorithm.for_key(public)
    # the uncompressed point 0x04 || x || y holds both coordinates at their fixed size, in one call
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {
        "kty": "EC",
        "crv": alg.crv,
        "x": b64url_encode(point[1 : 1 + alg.size]),
        "y": b64url_encode(point[1 + alg.size :]),
    }


def public_key_from_jwk(jwk: object) -> ec.EllipticCurvePublicKey:
    """An EC public key from its JWK; private members and off-curve points are refused."""
    if type(jwk) is not dict and not isinstance(jwk, Mapping):
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
        return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[alg.crv], b"\x04" + x + y)
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
    return hashlib.sha256(_SORTED.text(required).encode()).digest()


class Jws(NamedTuple):
    """A parsed, not yet verified, compact JWS (a named tuple: immutable, and made on every verification
    in a third of the time a frozen dataclass takes)."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> Algorithm:
        return Algorithm.from_jose(self.header.get("alg"))

    def claims(self, *, max_bytes: int = MAX_TOKEN_BYTES, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
        value = parse_json(self.payload, max_bytes=max_bytes, max_depth=max_depth)
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


def has_typ(header: Mapping[str, Any], expected: str) -> bool:
    """Whether a JOSE ``typ`` names the media type ``expected``; ``application/`` may be prefixed
    and media types compare case-insensitively (RFC 7515 section 4.1.9)."""
    value = header.get("typ")
    if value == expected:
        return True
    return isinstance(value, str) and value.lower().removeprefix("application/") == expected.lower()


def parse_jws(token: str, *, max_bytes: int = MAX_TOKEN_BYTES, understood: Collection[str] = ()) -> Jws:
    """Split a compact JWS (RFC 7515 section 7.1) and decode its header; the payload stays bytes.

    ``crit`` (section 4.1.11) must be a non-empty array of header parameter names, each present in
    the header and each one of ``understood``: the extensions the caller processes. By default any
    ``crit`` is refused.
    """
    if not isinstance(token, str):
        raise InvalidInput("JWS is not a string")
    if len(token) > max_bytes:
        raise InvalidInput(f"JWS larger than {max_bytes} bytes")
    if not token.isascii():
        raise InvalidInput("JWS is not ASCII")
    # cut at the two dots (found with memchr; split walks character by character), so that the signing
    # input is a slice rather than the two parts joined again
    first = token.find(".")
    second = token.find(".", first + 1)
    if first < 0 or second < 0 or token.find(".", second + 1) >= 0:
        raise InvalidInput("not a compact JWS (expected three parts)")
    header = parse_json(b64url_decode(token[:first]), max_depth=8)
    if not isinstance(header, dict):
        raise InvalidInput("JWS header is not a JSON object")
    if "crit" in header:
        _check_crit(header, understood)
    payload = b64url_decode(token[first + 1 : second])
    return Jws(header, payload, token[:second].encode("ascii"), b64url_decode(token[second + 1 :]))


def _check_crit(header: Mapping[str, Any], understood: Collection[str]) -> None:
    names = header["crit"]
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise InvalidInput("JWS crit must be a non-empty array of header parameter names")
    for name in names:
        if name not in understood:
            raise InvalidInput(f"JWS header has the critical parameter {name!r}, which is not understood")
        if name not in header:
            raise InvalidInput(f"JWS crit names {name!r}, which the header does not carry")


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
    return [_x5c_entry(cert) for cert in chain]


@functools.lru_cache(maxsize=64)
def _x5c_entry(cert: x509.Certificate) -> str:
    # An issuer signs with the same few certificates over and over; ``public_bytes`` encodes the
    # certificate anew on every call, a third of the time of an ES256 signature. Certificates are
    # immutable and hash and compare by their DER.
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def load_der_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate with its names, validity and extensions read at once. cryptography reads them
    lazily, so a malformed name or extension in a certificate that came from outside would otherwise
    raise, as ValueError, TypeError, KeyError or cryptography's own exceptions, wherever it is first
    used; here any of them is a ``ValueError``, at parsing."""
    try:
        cert = x509.load_der_x509_certificate(der)
        _ = cert.issuer, cert.subject, cert.not_valid_before_utc, cert.not_valid_after_utc, cert.extensions
    except (
        x509.InvalidVersion,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
        TypeError,  # a name attribute of the wrong ASN.1 type (a common name as a BIT STRING)
        KeyError,  # a value cryptography has no name for (a TLS feature number other than 5 and 17)
    ) as exc:
        raise ValueError(f"certificate does not parse: {exc!r}") from exc
    return cert


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
            certs.append(load_der_certificate(base64.b64decode(item, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput("x5c entry is not a DER certificate") from exc
    return certs
