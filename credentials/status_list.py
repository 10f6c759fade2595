"""Token Status List (draft-ietf-oauth-status-list-21): the bit array, its JWT and CWT forms.

- :class:`StatusList` (section 4): ``bits`` per entry (1, 2, 4 or 8); entry ``i`` sits in byte
  ``i * bits // 8`` at bit offset ``(i * bits) % 8``, least significant bits first (section 4.1);
  the byte array is DEFLATE-compressed in zlib format (RFC 1950) at the highest level. Inflation is
  bounded (section 11.1): a small ``lst`` is never allowed to expand past ``max_bytes``.
- The JWT form (section 5.1): ``typ`` ``statuslist+jwt``, ``sub`` (the list's URI), ``iat``,
  ``exp``, ``ttl``, ``status_list {bits, lst}``; the CWT form (section 5.2) is in
  :mod:`credentials.status_list_cwt`.
- Referenced tokens (section 6): ``status.status_list {idx, uri}`` (JOSE, section 6.2), claim 65535
  (CWT, section 6.3) and the mdoc MSO ``status`` (ISO mdoc, section 6.3).
- Validation (section 8.3): signature, ``sub`` equal to the referenced ``uri``, ``exp`` and ``nbf``
  (a valid JWT or CWT: NumericDates, fractions allowed), then the entry at ``idx``; an index outside
  the list is refused (step 6).

Errors (all :class:`credentials.errors.StatusListError`)::

    StatusListError
    ├── InvalidStatusList           bits, lst, zlib, status value
    ├── StatusListTooLarge          inflates (or weighs) past the bound
    ├── StatusIndexOutOfRange       idx outside the list
    ├── InvalidStatusListToken      typ, claims missing or mistyped, nbf in the future
    ├── StatusListSubjectMismatch   sub != uri
    ├── StatusListExpired           exp passed
    ├── StatusListSignatureInvalid  signature does not verify
    └── InvalidStatusReference      the referenced token's status claim

Pure: no clock (``now`` is passed in), no I/O (the caller resolves the signer's key).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import (
    Algorithm,
    b64url_decode,
    b64url_encode,
    encode_jws,
    has_typ,
    parse_jws,
    x5c_header,
)
from credentials.errors import (
    InvalidStatusList,
    InvalidStatusListToken,
    InvalidStatusReference,
    StatusIndexOutOfRange,
    StatusListExpired,
    StatusListSignatureInvalid,
    StatusListSubjectMismatch,
    StatusListTooLarge,
    UnsupportedStatusMechanism,
)

__all__ = [
    "BITS",
    "JWT_MEDIA_TYPE",
    "JWT_TYP",
    "MAX_LIST_BYTES",
    "MAX_TOKEN_BYTES",
    "RELYING_PARTY_ALGORITHMS",
    "Status",
    "StatusList",
    "StatusListToken",
    "check_status",
    "status_list_jwt",
    "status_reference",
    "status_reference_cwt",
    "status_reference_mdoc",
    "verify_status_list_jwt",
]

JWT_TYP = "statuslist+jwt"
JWT_MEDIA_TYPE = "application/statuslist+jwt"
BITS = (1, 2, 4, 8)
MAX_LIST_BYTES = 16 * 1024 * 1024
"""Default cap on an inflated list: 16 MiB is 134M one-bit entries (STANDARDS section 4)."""
MAX_TOKEN_BYTES = 4 * 1024 * 1024
"""Default cap on a serialized Status List Token (a 10M-entry, 50 % revoked list is ~1.6 MB)."""

RELYING_PARTY_ALGORITHMS = (Algorithm.ES256, Algorithm.ES384, Algorithm.ES512)
"""What a relying party takes a list signed with: any ECDSA algorithm, on the curve of the signer's
certificate (the verify functions themselves default to ES256 alone, the baseline of every profile)."""

CWT_STATUS_CLAIM = 65535


class Status(IntEnum):
    """Status Types of section 7.1; 0x03 and 0x0C-0x0F are application-specific (returned as int)."""

    VALID = 0
    INVALID = 1
    SUSPENDED = 2


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(bits: object) -> int:
    if not _is_int(bits) or bits not in BITS:
        raise InvalidStatusList(f"bits must be one of {BITS}, not {bits!r}")
    assert isinstance(bits, int)
    return bits


@dataclass
class StatusList:
    """A Status List (section 4.1): ``data`` holds the packed entries, ``bits`` each."""

    bits: int
    data: bytearray

    def __post_init__(self) -> None:
        _check_bits(self.bits)
        if not isinstance(self.data, bytearray):
            self.data = bytearray(self.data)

    @classmethod
    def new(cls, size: int, bits: int, *, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """An all-VALID list of at least ``size`` entries (rounded up to a whole byte)."""
        _check_bits(bits)
        if not _is_int(size) or size < 1:
            raise InvalidStatusList(f"status list size must be a positive integer, not {size!r}")
        length = (size * bits + 7) // 8
        if length > max_bytes:
            raise StatusListTooLarge(f"a {size}-entry list of {bits} bits exceeds {max_bytes} bytes")
        return cls(bits, bytearray(length))

    @property
    def size(self) -> int:
        """Number of entries the byte array holds (section 4.1: the last byte may be padding)."""
        return len(self.data) * 8 // self.bits

    def _locate(self, idx: int) -> tuple[int, int]:
        if not _is_int(idx) or not 0 <= idx < self.size:
            raise StatusIndexOutOfRange(f"status index {idx!r} is outside the list of {self.size} entries")
        position = idx * self.bits
        return position // 8, position % 8

    def get(self, idx: int) -> int:
        """The status at ``idx`` (section 4.1); :class:`StatusIndexOutOfRange` outside the list."""
        byte, shift = self._locate(idx)
        return (self.data[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, idx: int, value: int) -> None:
        """Set entry ``idx`` to ``value``, which must fit in ``bits`` (section 4.1)."""
        if not _is_int(value) or not 0 <= value < (1 << self.bits):
            raise InvalidStatusList(f"status value {value!r} does not fit in {self.bits} bits")
        byte, shift = self._locate(idx)
        mask = ((1 << self.bits) - 1) << shift
        self.data[byte] = (self.data[byte] & ~mask & 0xFF) | (value << shift)

    def compress(self) -> bytes:
        """DEFLATE in zlib format at the highest level (section 4.1, RFC 1950)."""
        return zlib.compress(bytes(self.data), 9)

    @classmethod
    def decompress(cls, data: bytes, bits: int, *, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """Inflate a zlib stream into at most ``max_bytes`` (sections 4.1, 8.3 step 5, 11.1).

        Output beyond the bound is never produced: the stream is inflated with
        ``max_length=max_bytes`` and refused when input or output remains. Corrupt or truncated
        zlib, trailing bytes and an empty list are refused.
        """
        _check_bits(bits)
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidStatusList("compressed status list is not bytes")
        if not _is_int(max_bytes) or max_bytes < 1:
            raise ValueError("max_bytes must be a positive integer")
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(data, max_bytes)
        except zlib.error as exc:
            raise InvalidStatusList(f"status list is not valid zlib data: {exc}") from exc
        if not inflater.eof:
            if inflater.unconsumed_tail or len(raw) >= max_bytes:
                raise StatusListTooLarge(f"status list inflates past {max_bytes} bytes")
            raise InvalidStatusList("status list zlib stream is truncated")
        if inflater.unused_data:
            raise InvalidStatusList("status list has bytes after its zlib stream")
        if not raw:
            raise InvalidStatusList("status list is empty")
        return cls(bits, bytearray(raw))

    def to_json(self) -> dict[str, Any]:
        """The JSON Status List (section 4.2): ``{"bits": b, "lst": base64url(zlib(data))}``."""
        return {"bits": self.bits, "lst": b64url_encode(self.compress())}

    @classmethod
    def from_json(cls, obj: object, *, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """Decode a JSON Status List (section 4.2); ``aggregation_uri`` (a string when present) and
        other members are not used."""
        bits, lst = _members(obj, str, "a base64url string")
        assert isinstance(lst, str)
        try:
            compressed = b64url_decode(lst)
        except (InvalidInput, UnicodeEncodeError) as exc:
            raise InvalidStatusList(f"status_list lst is not base64url: {exc}") from exc
        return cls.decompress(compressed, bits, max_bytes=max_bytes)

    def to_cbor(self) -> dict[str, Any]:
        """The CBOR Status List (section 4.3): ``{"bits": b, "lst": bstr}`` (encode with cbor2)."""
        return {"bits": self.bits, "lst": self.compress()}

    @classmethod
    def from_cbor(cls, obj: object, *, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """Decode a CBOR Status List map (section 4.3), already parsed from CBOR; ``aggregation_uri`` a
        text string when present."""
        bits, lst = _members(obj, bytes, "a byte string")
        assert isinstance(lst, bytes)
        return cls.decompress(lst, bits, max_bytes=max_bytes)


def _members(obj: object, lst_type: type, lst_is: str) -> tuple[int, object]:
    """``bits`` and ``lst`` of a Status List (sections 4.2 and 4.3), ``lst`` of ``lst_type``; an
    ``aggregation_uri``, when present, is a (text) string."""
    if not isinstance(obj, Mapping):
        raise InvalidStatusList("status_list must be an object (a map)")
    if not isinstance(obj.get("aggregation_uri", ""), str):
        raise InvalidStatusList("status_list aggregation_uri must be a string")
    lst = obj.get("lst")
    if not isinstance(lst, lst_type):
        raise InvalidStatusList(f"status_list lst must be {lst_is}")
    return _check_bits(obj.get("bits")), lst


@dataclass(frozen=True)
class StatusListToken:
    """A verified Status List Token (section 5): the list and the claims a cache needs. The times are
    NumericDates (seconds, an integer or not) as the token states them."""

    status_list: StatusList
    sub: str
    iat: float
    exp: float | None
    ttl: float | None


def check_status(token: StatusListToken, idx: int) -> int:
    """The status of entry ``idx`` (section 8.3 step 6): a :class:`Status` for 0-2, else the int.

    An index outside the list raises :class:`StatusIndexOutOfRange`.
    """
    value = token.status_list.get(idx)
    return Status(value) if value in (0, 1, 2) else value


_ABSENT = object()


def _time(claims: Mapping[Any, Any], key: object, name: str, *, required: bool) -> float | None:
    """A NumericDate (RFC 7519 section 2, RFC 8392 section 2): a finite, non-negative number of seconds,
    fractions allowed; ``null`` is not one."""
    value = claims.get(key, _ABSENT)
    if value is _ABSENT:
        if required:
            raise InvalidStatusListToken(f"status list token lacks {name}")
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))  # isfinite of a large int overflows
        or value < 0
    ):
        raise InvalidStatusListToken(f"status list token {name} must be a non-negative number of seconds")
    return value


def _validated(
    claims: Mapping[Any, Any],
    keys: tuple[object, object, object, object, object],
    *,
    uri: str,
    now: int,
) -> tuple[str, float, float | None, float | None]:
    """Section 8.3 checks shared by both forms: ``sub`` == ``uri``, ``iat``, ``exp``, ``nbf``, ``ttl``."""
    sub_key, iat_key, exp_key, nbf_key, ttl_key = keys
    sub = claims.get(sub_key)
    if not isinstance(sub, str):
        raise InvalidStatusListToken("status list token sub must be a string")
    if sub != uri:
        raise StatusListSubjectMismatch(f"status list token sub {sub!r} is not the referenced uri {uri!r}")
    iat = _time(claims, iat_key, "iat", required=True)
    exp = _time(claims, exp_key, "exp", required=False)
    nbf = _time(claims, nbf_key, "nbf", required=False)
    ttl = _time(claims, ttl_key, "ttl", required=False)
    assert iat is not None
    if ttl is not None and ttl <= 0:
        raise InvalidStatusListToken("status list token ttl must be positive")
    if exp is not None and now >= exp:
        raise StatusListExpired(f"status list token expired at {exp} (now {now})")
    if nbf is not None and now < nbf:
        raise InvalidStatusListToken(f"status list token is not valid before {nbf} (now {now})")
    return sub, iat, exp, ttl


def status_list_jwt(
    lst: StatusList,
    *,
    uri: str,
    key: ec.EllipticCurvePrivateKey,
    x5c: Sequence[x509.Certificate],
    iat: int,
    exp: int | None,
    ttl: int | None,
    kid: str | None = None,
) -> str:
    """Sign a Status List Token in JWT form (section 5.1); the signer's chain goes in ``x5c``."""
    claims: dict[str, Any] = {"sub": uri, "iat": iat, "status_list": lst.to_json()}
    if exp is not None:
        claims["exp"] = exp
    if ttl is not None:
        claims["ttl"] = ttl
    header: dict[str, Any] = {"typ": JWT_TYP}
    if kid is not None:
        header["kid"] = kid
    if x5c:
        header["x5c"] = x5c_header(x5c)
    return encode_jws(header, claims, key)


def verify_status_list_jwt(
    token: str,
    *,
    uri: str,
    now: int,
    resolve_key: Callable[[Mapping[str, Any]], ec.EllipticCurvePublicKey],
    max_bytes: int = MAX_LIST_BYTES,
    max_token_bytes: int = MAX_TOKEN_BYTES,
    algorithms: Sequence[Algorithm] = (Algorithm.ES256,),
) -> StatusListToken:
    """Validate a JWT Status List Token (sections 5.1 and 8.3).

    ``typ`` must be ``statuslist+jwt`` (``application/statuslist+jwt`` is the same media type,
    RFC 7515 section 4.1.9); ``resolve_key`` gets the protected header (``x5c``/``kid``) and returns
    the key whose authority the caller has already judged; the signature must verify, ``sub`` equal
    ``uri``, ``iat`` be present, ``exp`` (if any) lie after ``now``; the list inflates to at most
    ``max_bytes``.
    """
    if isinstance(token, str) and len(token) > max_token_bytes:
        raise StatusListTooLarge(f"status list token larger than {max_token_bytes} bytes")
    try:
        jws = parse_jws(token, max_bytes=max_token_bytes)
    except InvalidInput as exc:
        raise InvalidStatusListToken(f"status list token is not a compact JWS: {exc}") from exc
    if not has_typ(jws.header, JWT_TYP):
        raise InvalidStatusListToken(
            f"status list token typ must be {JWT_TYP!r}, not {jws.header.get('typ')!r}"
        )
    key = resolve_key(jws.header)
    try:
        jws.verify(key, allowed=algorithms)
    except CryptoError as exc:
        raise StatusListSignatureInvalid(f"status list token signature: {exc}") from exc
    try:
        claims = jws.claims(max_bytes=max_token_bytes)  # the list is most of the token
    except InvalidInput as exc:
        raise InvalidStatusListToken(f"status list token payload: {exc}") from exc
    sub, iat, exp, ttl = _validated(claims, ("sub", "iat", "exp", "nbf", "ttl"), uri=uri, now=now)
    status_list = StatusList.from_json(claims.get("status_list"), max_bytes=max_bytes)
    return StatusListToken(status_list=status_list, sub=sub, iat=iat, exp=exp, ttl=ttl)


def _reference(status: object, where: str) -> tuple[int, str]:
    if not isinstance(status, Mapping):
        raise InvalidStatusReference(f"{where} is missing or not an object")
    reference = status.get("status_list")
    if "status_list" not in status and status:
        others = sorted(str(name) for name in status)
        raise UnsupportedStatusMechanism(f"{where} refers by {others}, which is not checked here")
    if not isinstance(reference, Mapping):
        raise InvalidStatusReference(f"{where}.status_list is missing or not an object")
    idx, uri = reference.get("idx"), reference.get("uri")
    if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
        raise InvalidStatusReference(f"{where}.status_list.idx must be a non-negative integer")
    if not isinstance(uri, str) or not uri:
        raise InvalidStatusReference(f"{where}.status_list.uri must be a non-empty string")
    return idx, uri


def status_reference(claims: Mapping[str, Any]) -> tuple[int, str]:
    """``(idx, uri)`` from a JOSE referenced token's ``status.status_list`` (section 6.2)."""
    return _reference(claims.get("status"), "status")


def status_reference_cwt(claims: Mapping[Any, Any]) -> tuple[int, str]:
    """``(idx, uri)`` from a CWT referenced token's claim 65535 (``status``, section 6.3)."""
    return _reference(claims.get(CWT_STATUS_CLAIM), "status (65535)")


def status_reference_mdoc(status: Mapping[Any, Any]) -> tuple[int, str]:
    """``(idx, uri)`` from the ``status`` member of an mdoc MobileSecurityObject (section 6.3)."""
    return _reference(status, "MSO status")
