"""Token Status List in CWT form (draft-ietf-oauth-status-list-21 section 5.2).

A COSE_Sign1 (RFC 9052 section 4.2) with tag 18 and no CWT tag 61; protected header ``16`` (typ,
RFC 9596) = ``application/statuslist+cwt``; claims ``2`` sub, ``6`` iat, ``4`` exp, ``65534`` ttl,
``65533`` the CBOR Status List ``{"bits", "lst": bstr}`` (section 4.3). Validation follows section
8.3 as the JWT form does (:mod:`credentials.status_list`).

The token is decoded by the strict, bounded :mod:`credentials.cbor` (duplicate map keys, trailing
bytes, indefinite lengths and non-preferred heads refused) and parsed by :mod:`credentials.cose`;
only the tagged form (18) is accepted here. The signature is computed by
:class:`common.jose.Algorithm` over :func:`credentials.cose.sig_structure` (raw ``r || s``, as RFC
9053 section 2.1 carries ECDSA), so ES384 and ES512 are available beside ES256. COSE_Mac0 (tag 17),
which the draft also allows, is not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError
from common.jose import Algorithm
from credentials import cbor, cose
from credentials.errors import (
    InvalidStatusListToken,
    MalformedCbor,
    MalformedCose,
    StatusListSignatureInvalid,
    StatusListTooLarge,
)
from credentials.status_list import (
    MAX_LIST_BYTES,
    MAX_TOKEN_BYTES,
    StatusList,
    StatusListToken,
    _validated,
)

__all__ = ["CWT_TYP", "status_list_cwt", "verify_status_list_cwt"]

CWT_TYP = "application/statuslist+cwt"
COSE_SIGN1_TAG = cose.TAG_SIGN1
CWT_TAG = 61
HEADER_ALG = cose.ALG
HEADER_KID = cose.KID
HEADER_TYP = cose.TYP
HEADER_X5CHAIN = cose.X5CHAIN
CLAIM_SUB = 2
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
CLAIM_STATUS_LIST = 65533
CLAIM_TTL = 65534

_COSE_ALGORITHMS = {cose.ES256: Algorithm.ES256, -35: Algorithm.ES384, -36: Algorithm.ES512}
_COSE_IDS = {alg: ident for ident, alg in _COSE_ALGORITHMS.items()}


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
    protected_bytes = cbor.encode(protected)
    payload = cbor.encode(claims)
    signature = alg.sign(key, cose.sig_structure(protected_bytes, b"", payload))
    return cbor.encode(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, unprotected, payload, signature]))


def _sign1(data: bytes, max_token_bytes: int) -> tuple[cose.CoseSign1, bytes]:
    """The tagged COSE_Sign1 (18) of ``data`` and its payload; an untagged one, any other tag and a
    detached payload are refused."""
    try:
        message = cbor.decode(data, max_bytes=max_token_bytes)
    except MalformedCbor as exc:
        raise InvalidStatusListToken(f"status list token is not valid CBOR: {exc}") from exc
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise InvalidStatusListToken("status list token is not a tagged COSE_Sign1 (18)")
    if not isinstance(message.value, list | tuple):
        raise InvalidStatusListToken("COSE_Sign1 is not an array of four")
    try:
        sign1 = cose.decode_sign1(list(message.value))
    except (MalformedCose, MalformedCbor) as exc:
        raise InvalidStatusListToken(f"status list token is not a COSE_Sign1: {exc}") from exc
    if sign1.payload is None:
        raise InvalidStatusListToken("COSE_Sign1 payload is not a byte string")
    return sign1, sign1.payload


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

    Tagged COSE_Sign1 only (no CWT tag 61), strictly decoded CBOR (no duplicate map keys), protected
    ``typ`` (16) ``application/statuslist+cwt`` (in any case), ``alg`` (1) in ``algorithms``;
    ``resolve_key`` gets the merged headers (protected wins) and returns the signer's key; the
    signature must verify, ``sub`` (2) equal ``uri``, ``iat`` (6) be present, ``exp`` (4) lie after
    ``now``, ``ttl`` (65534) be a positive integer; the list (65533) inflates to at most ``max_bytes``.
    """
    if not isinstance(data, bytes | bytearray):
        raise InvalidStatusListToken("status list token is not bytes")
    if len(data) > max_token_bytes:
        raise StatusListTooLarge(f"status list token larger than {max_token_bytes} bytes")
    message, payload = _sign1(bytes(data), max_token_bytes)
    protected, unprotected = message.protected, message.unprotected
    typ = protected.get(HEADER_TYP)
    if not isinstance(typ, str) or typ.lower() != CWT_TYP:  # media types compare case-insensitively
        raise InvalidStatusListToken(f"status list token type (16) must be {CWT_TYP!r}")
    alg_id = protected.get(HEADER_ALG)
    alg = _COSE_ALGORITHMS.get(alg_id) if type(alg_id) is int else None
    if alg is None or alg not in algorithms:
        raise StatusListSignatureInvalid(f"COSE algorithm {alg_id!r} is not allowed")
    key = resolve_key({**unprotected, **protected})
    try:
        alg.verify(key, cose.sig_structure(message.protected_bytes, b"", payload), message.signature)
    except CryptoError as exc:
        raise StatusListSignatureInvalid(f"status list token signature: {exc}") from exc
    try:
        claims = cbor.decode(payload, max_bytes=max_token_bytes)
    except MalformedCbor as exc:
        raise InvalidStatusListToken(f"CWT claims are not valid CBOR: {exc}") from exc
    if isinstance(claims, cbor2.CBORTag):
        raise InvalidStatusListToken("CWT claims must not be tagged")
    if not isinstance(claims, Mapping):
        raise InvalidStatusListToken("CWT claims are not a map")
    sub, iat, exp, ttl = _validated(
        claims, (CLAIM_SUB, CLAIM_IAT, CLAIM_EXP, CLAIM_NBF, CLAIM_TTL), uri=uri, now=now
    )
    if ttl is not None and type(ttl) is not int:  # section 5.2: an unsigned integer, unlike the JWT's number
        raise InvalidStatusListToken("status list token ttl (65534) must be an unsigned integer")
    status_list = StatusList.from_cbor(claims.get(CLAIM_STATUS_LIST), max_bytes=max_bytes)
    return StatusListToken(status_list=status_list, sub=sub, iat=iat, exp=exp, ttl=ttl)
