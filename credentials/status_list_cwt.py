"""Token Status List in CWT form (draft-ietf-oauth-status-list-21 section 5.2).

A COSE_Sign1 (RFC 9052 section 4.2) with tag 18 and no CWT tag 61; protected header ``16`` (typ,
RFC 9596) = ``application/statuslist+cwt``; claims ``2`` sub, ``6`` iat, ``4`` exp, ``65534`` ttl,
``65533`` the CBOR Status List ``{"bits", "lst": bstr}`` (section 4.3). Validation follows section
8.3 as the JWT form does (:mod:`credentials.status_list`).

The COSE_Sign1 here is composed from ``cbor2`` and :class:`common.jose.Algorithm` (raw ``r || s``,
as RFC 9053 section 2.1 carries ECDSA); decoding is bounded in size and refuses trailing bytes.
COSE_Mac0 (tag 17), which the draft also allows, is not supported.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError
from common.jose import Algorithm
from credentials.errors import InvalidStatusListToken, StatusListSignatureInvalid, StatusListTooLarge
from credentials.status_list import (
    MAX_LIST_BYTES,
    MAX_TOKEN_BYTES,
    StatusList,
    StatusListToken,
    _validated,
)

__all__ = ["CWT_TYP", "status_list_cwt", "verify_status_list_cwt"]

CWT_TYP = "application/statuslist+cwt"
COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
HEADER_TYP = 16
HEADER_X5CHAIN = 33
CLAIM_SUB = 2
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_STATUS_LIST = 65533
CLAIM_TTL = 65534

_COSE_ALGORITHMS = {-7: Algorithm.ES256, -35: Algorithm.ES384, -36: Algorithm.ES512}
_COSE_IDS = {alg: ident for ident, alg in _COSE_ALGORITHMS.items()}


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    """``Sig_structure`` for COSE_Sign1 (RFC 9052 section 4.4), empty external AAD."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def status_list_cwt(
    lst: StatusList,
    *,
    uri: str,
    key: ec.EllipticCurvePrivateKey,
    x5c: Sequence[x509.Certificate],
    iat: int,
    exp: int | None,
    ttl: int | None,
    kid: bytes | None = None,
) -> bytes:
    """Sign a Status List Token in CWT form (section 5.2), tagged COSE_Sign1 (18).

    The signer's chain goes in the protected ``x5chain`` (33, RFC 9360); ``kid`` (4) unprotected.
    """
    alg = Algorithm.for_key(key)
    protected: dict[int, Any] = {HEADER_ALG: _COSE_IDS[alg], HEADER_TYP: CWT_TYP}
    if x5c:
        ders = [cert.public_bytes(serialization.Encoding.DER) for cert in x5c]
        protected[HEADER_X5CHAIN] = ders[0] if len(ders) == 1 else ders
    unprotected: dict[int, Any] = {} if kid is None else {HEADER_KID: kid}
    claims: dict[int, Any] = {CLAIM_SUB: uri, CLAIM_IAT: iat, CLAIM_STATUS_LIST: lst.to_cbor()}
    if exp is not None:
        claims[CLAIM_EXP] = exp
    if ttl is not None:
        claims[CLAIM_TTL] = ttl
    protected_bytes = cbor2.dumps(protected)
    payload = cbor2.dumps(claims)
    signature = alg.sign(key, _sig_structure(protected_bytes, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, unprotected, payload, signature]))


def _loads(data: bytes, what: str) -> Any:
    """One CBOR item, nothing after it (a bounded, strict-enough decode for these small tokens)."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, EOFError) as exc:
        raise InvalidStatusListToken(f"{what} is not valid CBOR: {exc}") from exc
    if stream.tell() != len(data):
        raise InvalidStatusListToken(f"{what} has bytes after its CBOR item")
    return value


def verify_status_list_cwt(
    data: bytes,
    *,
    uri: str,
    now: int,
    resolve_key: Callable[[Mapping[Any, Any]], ec.EllipticCurvePublicKey],
    max_bytes: int = MAX_LIST_BYTES,
    max_token_bytes: int = MAX_TOKEN_BYTES,
    algorithms: Sequence[Algorithm] = (Algorithm.ES256,),
) -> StatusListToken:
    """Validate a CWT Status List Token (sections 5.2 and 8.3).

    Tagged COSE_Sign1 only (no CWT tag 61), protected ``typ`` (16) ``application/statuslist+cwt``,
    ``alg`` (1) in ``algorithms``; ``resolve_key`` gets the merged headers (protected wins) and
    returns the signer's key; the signature must verify, ``sub`` (2) equal ``uri``, ``iat`` (6) be
    present, ``exp`` (4) lie after ``now``, ``ttl`` (65534) be positive; the list (65533) inflates to at
    most ``max_bytes``.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidStatusListToken("status list token is not bytes")
    if len(data) > max_token_bytes:
        raise StatusListTooLarge(f"status list token larger than {max_token_bytes} bytes")
    message = _loads(bytes(data), "status list token")
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise InvalidStatusListToken("status list token is not a tagged COSE_Sign1 (18)")
    parts = message.value
    if not isinstance(parts, (list, tuple)) or len(parts) != 4:
        raise InvalidStatusListToken("COSE_Sign1 is not an array of four")
    protected_bytes, unprotected, payload, signature = parts
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, Mapping):
        raise InvalidStatusListToken("COSE_Sign1 headers have the wrong types")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise InvalidStatusListToken("COSE_Sign1 payload or signature is not a byte string")
    protected = _loads(protected_bytes, "protected header") if protected_bytes else {}
    if not isinstance(protected, Mapping):
        raise InvalidStatusListToken("protected header is not a map")
    if set(protected) & set(unprotected):
        raise InvalidStatusListToken("a header parameter is both protected and unprotected")
    if protected.get(HEADER_TYP) != CWT_TYP:
        raise InvalidStatusListToken(f"status list token type (16) must be {CWT_TYP!r}")
    alg_id = protected.get(HEADER_ALG)
    alg = _COSE_ALGORITHMS.get(alg_id) if type(alg_id) is int else None
    if alg is None or alg not in algorithms:
        raise StatusListSignatureInvalid(f"COSE algorithm {alg_id!r} is not allowed")
    key = resolve_key({**unprotected, **protected})
    try:
        alg.verify(key, _sig_structure(protected_bytes, payload), signature)
    except CryptoError as exc:
        raise StatusListSignatureInvalid(f"status list token signature: {exc}") from exc
    claims = _loads(payload, "CWT claims")
    if isinstance(claims, cbor2.CBORTag):
        raise InvalidStatusListToken("CWT claims must not be tagged")
    if not isinstance(claims, Mapping):
        raise InvalidStatusListToken("CWT claims are not a map")
    sub, iat, exp, ttl = _validated(claims, (CLAIM_SUB, CLAIM_IAT, CLAIM_EXP, CLAIM_TTL), uri=uri, now=now)
    status_list = StatusList.from_cbor(claims.get(CLAIM_STATUS_LIST), max_bytes=max_bytes)
    return StatusListToken(status_list=status_list, sub=sub, iat=iat, exp=exp, ttl=ttl)
