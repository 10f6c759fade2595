"""Token Status List (draft-ietf-oauth-status-list-21): packing, bounded inflation, JWT/CWT tokens.

Deterministic: keys are derived from fixed scalars, times are fixed instants, statuses come from a
seeded PRNG. Covers STANDARDS section 3 items 23-25.
"""

from __future__ import annotations

import datetime
import random
import time
import tracemalloc
import zlib
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.jose import Algorithm, b64url_encode, encode_jws, x5c_certificates
from credentials.errors import (
    CredentialError,
    InvalidStatusList,
    InvalidStatusListToken,
    InvalidStatusReference,
    StatusIndexOutOfRange,
    StatusListError,
    StatusListExpired,
    StatusListSignatureInvalid,
    StatusListSubjectMismatch,
    StatusListTooLarge,
    UnsupportedStatusMechanism,
)
from credentials.status_list import (
    Status,
    StatusList,
    StatusListToken,
    check_status,
    status_list_jwt,
    status_reference,
    status_reference_cwt,
    status_reference_mdoc,
    verify_status_list_jwt,
)
from credentials.status_list_cwt import status_list_cwt, verify_status_list_cwt

URI = "https://issuer.example/statuslists/7"
IAT = 1_790_000_000
EXP = IAT + 86_400
KEY = ec.derive_private_key(0x5EED_0001, ec.SECP256R1())
OTHER = ec.derive_private_key(0x5EED_0002, ec.SECP256R1())
P384 = ec.derive_private_key(0x5EED_0003, ec.SECP384R1())


def _certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Status List Signer")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


CERT = _certificate(KEY)


def _sample(bits: int, size: int = 1000, seed: int = 1) -> StatusList:
    rng = random.Random(seed)
    lst = StatusList.new(size, bits)
    for idx in range(size):
        lst.set(idx, rng.randrange(1 << bits))
    return lst


def _key(_: Any) -> ec.EllipticCurvePublicKey:
    return KEY.public_key()


# --- the bit array (section 4.1) ---------------------------------------------------------------


def test_packing_matches_section_4_1_examples() -> None:
    one = StatusList.new(16, 1)
    for idx, value in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        one.set(idx, value)
    assert bytes(one.data) == bytes([0xB9, 0xA3])
    two = StatusList.new(12, 2)
    for idx, value in enumerate([1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]):
        two.set(idx, value)
    assert bytes(two.data) == bytes([0xC9, 0x44, 0xF9])


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_set_get_round_trip(bits: int) -> None:
    rng = random.Random(bits)
    values = [rng.randrange(1 << bits) for _ in range(999)]
    lst = StatusList.new(999, bits)
    for idx, value in enumerate(values):
        lst.set(idx, value)
    assert [lst.get(idx) for idx in range(999)] == values
    lst.set(500, 0)  # overwriting clears the old bits, and only them
    assert lst.get(500) == 0 and lst.get(499) == values[499] and lst.get(501) == values[501]


@pytest.mark.parametrize(
    ("size", "bits", "length", "capacity"),
    [(1, 1, 1, 8), (9, 1, 2, 16), (3, 2, 1, 4), (3, 4, 2, 4), (5, 8, 5, 5)],
)
def test_new_rounds_up_to_whole_bytes(size: int, bits: int, length: int, capacity: int) -> None:
    lst = StatusList.new(size, bits)
    assert len(lst.data) == length and lst.size == capacity
    assert all(lst.get(i) == Status.VALID for i in range(lst.size))


@pytest.mark.parametrize("bits", [0, 3, 5, 16, -1, True, "1", None])
def test_bits_outside_1_2_4_8_refused(bits: Any) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.new(8, bits)
    with pytest.raises(InvalidStatusList):
        StatusList(bits, bytearray(1))
    with pytest.raises(InvalidStatusList):
        StatusList.decompress(zlib.compress(b"\0"), bits)
    with pytest.raises(InvalidStatusList):
        StatusList.from_json({"bits": bits, "lst": b64url_encode(zlib.compress(b"\0"))})
    with pytest.raises(InvalidStatusList):
        StatusList.from_cbor({"bits": bits, "lst": zlib.compress(b"\0")})


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_bad_size_refused(size: Any) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.new(size, 1)


def test_new_over_bound_refused() -> None:
    with pytest.raises(StatusListTooLarge):
        StatusList.new(8 * 1024 + 1, 8, max_bytes=8 * 1024)


@pytest.mark.parametrize(("bits", "value"), [(1, 2), (2, 4), (4, 16), (8, 256), (8, -1), (1, True)])
def test_value_that_does_not_fit_refused(bits: int, value: Any) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.new(8, bits).set(0, value)


@pytest.mark.parametrize("idx", [-1, 8, 1_000_000, True, "0", 1.0])
def test_out_of_range_index_refused(idx: Any) -> None:
    lst = StatusList.new(8, 1)
    with pytest.raises(StatusIndexOutOfRange):
        lst.get(idx)
    with pytest.raises(StatusIndexOutOfRange):
        lst.set(idx, 1)
    token = StatusListToken(status_list=lst, sub=URI, iat=IAT, exp=None, ttl=None)
    with pytest.raises(StatusIndexOutOfRange):
        check_status(token, idx)


def test_check_status_types() -> None:
    lst = StatusList.new(4, 2)
    for idx in range(4):
        lst.set(idx, idx)
    token = StatusListToken(status_list=lst, sub=URI, iat=IAT, exp=None, ttl=None)
    assert [check_status(token, i) for i in range(4)] == [Status.VALID, Status.INVALID, Status.SUSPENDED, 3]
    assert check_status(token, 3) == 3 and not isinstance(check_status(token, 3), Status)


# --- compression (sections 4.1-4.3, 11.1) --------------------------------------------------------


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_compress_json_cbor_round_trip(bits: int) -> None:
    lst = _sample(bits)
    assert StatusList.decompress(lst.compress(), bits) == lst
    obj = lst.to_json()
    assert set(obj) == {"bits", "lst"} and obj["bits"] == bits and isinstance(obj["lst"], str)
    assert StatusList.from_json(obj) == lst
    assert StatusList.from_cbor(cbor2.loads(cbor2.dumps(lst.to_cbor()))) == lst
    assert lst.compress() == zlib.compress(bytes(lst.data), 9)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """100 MB of zeros, deflated (~100 KB) without ever holding the 100 MB."""
    deflater = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    parts = [deflater.compress(chunk) for _ in range(100)]
    parts.append(deflater.flush())
    return b"".join(parts)


def test_zip_bomb_refused_quickly_without_inflating_it(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusListTooLarge):
            StatusList.decompress(zip_bomb, 1, max_bytes=1024 * 1024)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 8 * 1024 * 1024  # far below the 100 MB the stream would inflate to


def test_zip_bomb_refused_with_default_bound(zip_bomb: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(StatusListTooLarge):
        StatusList.from_json({"bits": 1, "lst": b64url_encode(zip_bomb)})
    assert time.perf_counter() - started < 1.0


def test_bound_is_inclusive() -> None:
    data = zlib.compress(bytes(range(256)) * 4, 9)
    assert StatusList.decompress(data, 8, max_bytes=1024).size == 1024
    with pytest.raises(StatusListTooLarge):
        StatusList.decompress(data, 8, max_bytes=1023)


@pytest.mark.parametrize(
    "data",
    [
        b"not zlib at all",
        b"",
        zlib.compress(bytes(64))[:-3],  # truncated
        zlib.compress(bytes(64)) + b"\x00",  # trailing bytes
        zlib.compress(b""),  # an empty list
        zlib.compress(bytes(64))[2:],  # raw DEFLATE, no zlib header
        bytes([0x78, 0x9C]) + b"\xff" * 16,  # a header then garbage
    ],
    ids=["garbage", "empty", "truncated", "trailing", "empty-list", "raw-deflate", "bad-body"],
)
def test_corrupt_zlib_refused(data: bytes) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.decompress(data, 1)


def test_corrupt_zlib_with_wrong_checksum_refused() -> None:
    data = bytearray(zlib.compress(bytes(range(200))))
    data[-1] ^= 0xFF
    with pytest.raises(InvalidStatusList):
        StatusList.decompress(bytes(data), 8)


@pytest.mark.parametrize(
    "obj",
    [None, [], {"bits": 1}, {"lst": "eNrbuRgAAhcBXQ"}, {"bits": 1, "lst": 5}, {"bits": 1, "lst": "eNr+/="}],
)
def test_malformed_json_status_list_refused(obj: Any) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.from_json(obj)


@pytest.mark.parametrize("obj", [None, {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}, {"bits": 1}])
def test_malformed_cbor_status_list_refused(obj: Any) -> None:
    with pytest.raises(InvalidStatusList):
        StatusList.from_cbor(obj)


# --- JWT form (sections 5.1, 8.3) -----------------------------------------------------------------


def _jwt(**overrides: Any) -> str:
    args: dict[str, Any] = {"uri": URI, "key": KEY, "x5c": [CERT], "iat": IAT, "exp": EXP, "ttl": 43200}
    args.update(overrides)
    return status_list_jwt(_sample(2), **args)


def test_jwt_round_trip_with_x5c() -> None:
    token = _jwt()

    def resolve(header: Any) -> ec.EllipticCurvePublicKey:
        assert header["typ"] == "statuslist+jwt" and header["alg"] == "ES256"
        key = x5c_certificates(header)[0].public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        return key

    result = verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=resolve)
    assert result == StatusListToken(status_list=_sample(2), sub=URI, iat=IAT, exp=EXP, ttl=43200)
    assert check_status(result, 10) == _sample(2).get(10)


def test_jwt_without_exp_and_ttl() -> None:
    result = verify_status_list_jwt(_jwt(exp=None, ttl=None), uri=URI, now=EXP * 2, resolve_key=_key)
    assert (result.exp, result.ttl) == (None, None)


def test_jwt_media_type_typ_accepted() -> None:
    claims = {"sub": URI, "iat": IAT, "status_list": _sample(1).to_json()}
    token = encode_jws({"typ": "application/statuslist+jwt"}, claims, KEY)
    assert verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key).sub == URI


def test_sub_not_uri_refused() -> None:
    with pytest.raises(StatusListSubjectMismatch):
        verify_status_list_jwt(_jwt(), uri=URI + "0", now=IAT, resolve_key=_key)


@pytest.mark.parametrize("typ", [None, "JWT", "statuslist+cwt", "application/statuslist+cwt", "vc+sd-jwt"])
def test_wrong_typ_refused(typ: str | None) -> None:
    claims = {"sub": URI, "iat": IAT, "status_list": _sample(1).to_json()}
    token = encode_jws({} if typ is None else {"typ": typ}, claims, KEY)
    with pytest.raises(InvalidStatusListToken):
        verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)


@pytest.mark.parametrize("now", [EXP, EXP + 1])
def test_expired_refused(now: int) -> None:
    with pytest.raises(StatusListExpired):
        verify_status_list_jwt(_jwt(), uri=URI, now=now, resolve_key=_key)


@pytest.mark.parametrize("name", ["iat", "exp", "nbf", "ttl"])
def test_numeric_dates_beyond_a_double_are_read_as_integers(name: str) -> None:
    """Found by fuzzing: JSON integers of hundreds of digits are numbers of seconds like any other
    (math.isfinite had raised OverflowError on them): far in the future, so only nbf refuses."""
    claims = {"sub": URI, "iat": IAT, "status_list": _sample(2).to_json(), name: 10**400}
    token = encode_jws({"typ": "statuslist+jwt"}, claims, KEY)
    if name == "nbf":
        with pytest.raises(InvalidStatusListToken, match="not valid before"):
            verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)
    else:
        assert getattr(verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key), name) == 10**400


def test_a_list_that_compresses_badly_is_read_up_to_the_token_bound() -> None:
    """A list of two million random bits makes a payload of about 340 KB, beyond the 256 KB bound of
    other JWTs: the token's own bound (4 MiB) is the payload's."""
    bits = random.Random(7).randbytes(250_000)
    status_list = StatusList.decompress(zlib.compress(bits), 1)
    token = status_list_jwt(status_list, uri=URI, key=KEY, x5c=[], iat=IAT, exp=None, ttl=None)
    assert len(token) > 300_000
    result = verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)
    assert [check_status(result, idx) for idx in range(16)] == [(bits[0] >> i) & 1 for i in range(8)] + [
        (bits[1] >> i) & 1 for i in range(8)
    ]


def test_bad_signature_refused() -> None:
    with pytest.raises(StatusListSignatureInvalid):
        verify_status_list_jwt(_jwt(key=OTHER), uri=URI, now=IAT, resolve_key=_key)
    head, body, sig = _jwt().split(".")
    tampered = f"{head}.{body}.{sig[:-4]}AAAA"
    with pytest.raises(StatusListSignatureInvalid):
        verify_status_list_jwt(tampered, uri=URI, now=IAT, resolve_key=_key)


def test_algorithm_outside_allow_list_refused() -> None:
    token = _jwt(key=P384, x5c=[])
    with pytest.raises(StatusListSignatureInvalid):
        verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=lambda _: P384.public_key())
    result = verify_status_list_jwt(
        token, uri=URI, now=IAT, resolve_key=lambda _: P384.public_key(), algorithms=(Algorithm.ES384,)
    )
    assert result.sub == URI


@pytest.mark.parametrize(
    "change",
    [
        {"iat": None},
        {"iat": "1790000000"},
        {"iat": True},
        {"exp": -5},
        {"ttl": 0},
        {"ttl": -1.5},
        {"sub": None},
        {"sub": 7},
    ],
    ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()),
)
def test_mistyped_claims_refused(change: dict[str, Any]) -> None:
    claims: dict[str, Any] = {
        "sub": URI,
        "iat": IAT,
        "exp": EXP,
        "ttl": 60,
        "status_list": _sample(1).to_json(),
    }
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    token = encode_jws({"typ": "statuslist+jwt"}, claims, KEY)
    with pytest.raises(InvalidStatusListToken):
        verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)


def test_numeric_dates_may_have_fractions_and_null_is_not_one() -> None:
    # RFC 7519 section 2 (NumericDate) and section 5.1's "a positive number" for ttl
    claims: dict[str, Any] = {
        "sub": URI,
        "iat": IAT + 0.5,
        "exp": EXP + 0.25,
        "ttl": 0.5,
        "status_list": _sample(1).to_json(),
    }
    token = encode_jws({"typ": "statuslist+jwt"}, claims, KEY)
    result = verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)
    assert (result.iat, result.exp, result.ttl) == (IAT + 0.5, EXP + 0.25, 0.5)
    for name in ("exp", "ttl", "nbf"):
        token = encode_jws({"typ": "statuslist+jwt"}, {**claims, name: None}, KEY)
        with pytest.raises(InvalidStatusListToken):
            verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)


def test_nbf_in_the_future_refused() -> None:
    claims = {"sub": URI, "iat": IAT, "nbf": IAT + 60, "status_list": _sample(1).to_json()}
    token = encode_jws({"typ": "statuslist+jwt"}, claims, KEY)
    with pytest.raises(InvalidStatusListToken, match="not valid before"):
        verify_status_list_jwt(token, uri=URI, now=IAT + 59, resolve_key=_key)
    assert verify_status_list_jwt(token, uri=URI, now=IAT + 60, resolve_key=_key).sub == URI
    cwt = _sign1(TYP16, _claims(_5=IAT + 60))
    with pytest.raises(InvalidStatusListToken, match="not valid before"):
        verify_status_list_cwt(cwt, uri=URI, now=IAT + 59, resolve_key=_key)
    assert verify_status_list_cwt(cwt, uri=URI, now=IAT + 60, resolve_key=_key).sub == URI


@pytest.mark.parametrize("typ", ["StatusList+JWT", "Application/statuslist+jwt"])
def test_typ_compares_as_a_media_type(typ: str) -> None:
    claims = {"sub": URI, "iat": IAT, "status_list": _sample(1).to_json()}
    token = encode_jws({"typ": typ}, claims, KEY)
    assert verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key).sub == URI


def test_aggregation_uri_must_be_a_string() -> None:
    listed = {**_sample(1).to_json(), "aggregation_uri": "https://issuer.example/statuslists"}
    assert StatusList.from_json(listed) == _sample(1)
    with pytest.raises(InvalidStatusList):
        StatusList.from_json({**listed, "aggregation_uri": 5})
    with pytest.raises(InvalidStatusList):
        StatusList.from_cbor({**_sample(1).to_cbor(), "aggregation_uri": b"https://issuer.example"})


def test_missing_status_list_refused() -> None:
    token = encode_jws({"typ": "statuslist+jwt"}, {"sub": URI, "iat": IAT}, KEY)
    with pytest.raises(InvalidStatusList):
        verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key)


def test_oversized_or_malformed_token_refused() -> None:
    with pytest.raises(StatusListTooLarge):
        verify_status_list_jwt(_jwt(), uri=URI, now=IAT, resolve_key=_key, max_token_bytes=100)
    with pytest.raises(InvalidStatusListToken):
        verify_status_list_jwt("a.b", uri=URI, now=IAT, resolve_key=_key)


def test_jwt_list_over_bound_refused() -> None:
    big = StatusList.new(80_000, 8)
    token = status_list_jwt(big, uri=URI, key=KEY, x5c=[], iat=IAT, exp=None, ttl=None)
    with pytest.raises(StatusListTooLarge):
        verify_status_list_jwt(token, uri=URI, now=IAT, resolve_key=_key, max_bytes=65_536)


# --- CWT form (sections 5.2, 8.3) -----------------------------------------------------------------


def _cwt(**overrides: Any) -> bytes:
    args: dict[str, Any] = {"uri": URI, "key": KEY, "x5c": [CERT], "iat": IAT, "exp": EXP, "ttl": 43200}
    args.update(overrides)
    return status_list_cwt(_sample(4), **args)


def _sign1(
    protected: dict[int, Any], claims: Any, *, tag: int = 18, key: ec.EllipticCurvePrivateKey = KEY
) -> bytes:
    protected_bytes = cbor2.dumps(protected)
    payload = cbor2.dumps(claims)
    signature = Algorithm.ES256.sign(key, cbor2.dumps(["Signature1", protected_bytes, b"", payload]))
    return cbor2.dumps(cbor2.CBORTag(tag, [protected_bytes, {}, payload, signature]))


def _claims(**changes: Any) -> dict[int, Any]:
    claims: dict[int, Any] = {2: URI, 6: IAT, 4: EXP, 65534: 60, 65533: _sample(1).to_cbor()}
    claims.update({int(k[1:]): v for k, v in changes.items()})
    return {k: v for k, v in claims.items() if v is not None}


TYP16 = {1: -7, 16: "application/statuslist+cwt"}


def test_cwt_round_trip() -> None:
    data = _cwt(kid=b"k1")
    seen: list[dict[Any, Any]] = []

    def resolve(headers: Any) -> ec.EllipticCurvePublicKey:
        seen.append(dict(headers))
        key = x509.load_der_x509_certificate(headers[33]).public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        return key

    result = verify_status_list_cwt(data, uri=URI, now=IAT, resolve_key=resolve)
    assert result == StatusListToken(status_list=_sample(4), sub=URI, iat=IAT, exp=EXP, ttl=43200)
    assert seen[0][16] == "application/statuslist+cwt" and seen[0][4] == b"k1"
    message = cbor2.loads(data)
    assert message.tag == 18


@pytest.mark.parametrize("typ", ["application/statuslist+cwt", "Application/StatusList+CWT"])
def test_cwt_typ_compares_as_a_media_type(typ: str) -> None:
    token = _sign1({1: -7, 16: typ}, _claims())
    assert verify_status_list_cwt(token, uri=URI, now=IAT, resolve_key=_key).sub == URI


def test_cwt_refusals() -> None:
    with pytest.raises(StatusListSubjectMismatch):
        verify_status_list_cwt(_cwt(), uri=URI + "x", now=IAT, resolve_key=_key)
    with pytest.raises(StatusListExpired):
        verify_status_list_cwt(_cwt(), uri=URI, now=EXP, resolve_key=_key)
    with pytest.raises(StatusListSignatureInvalid):
        verify_status_list_cwt(_cwt(key=OTHER), uri=URI, now=IAT, resolve_key=_key)
    with pytest.raises(StatusListTooLarge):
        verify_status_list_cwt(_cwt(), uri=URI, now=IAT, resolve_key=_key, max_token_bytes=64)
    assert verify_status_list_cwt(_sign1(TYP16, _claims()), uri=URI, now=IAT, resolve_key=_key).iat == IAT


@pytest.mark.parametrize(
    "data",
    [
        _sign1({1: -7}, _claims()),  # no typ
        _sign1({1: -7, 16: "application/statuslist+jwt"}, _claims()),
        _sign1({1: -7, 16: "application/cwt"}, _claims()),
        _sign1(TYP16, _claims(), tag=17),  # COSE_Mac0 tag, unsupported
        cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(_sign1(TYP16, _claims())))),  # CWT tag: MUST NOT
        cbor2.dumps(cbor2.loads(_sign1(TYP16, _claims())).value),  # untagged
        _sign1(TYP16, _claims()) + b"\x00",  # trailing bytes
        b"\xff\xff",
        _sign1(TYP16, _claims(_6=None)),  # no iat
        _sign1(TYP16, _claims(_65534=0)),  # ttl not positive
        _sign1(TYP16, _claims(_65534=300.5)),  # ttl not an unsigned integer (section 5.2)
        _sign1(TYP16, [1, 2]),  # claims not a map
    ],
    ids=[
        "no-typ",
        "jwt-typ",
        "cwt-typ",
        "mac0",
        "cwt-tag",
        "untagged",
        "trailing",
        "garbage",
        "no-iat",
        "ttl-0",
        "ttl-fraction",
        "claims-array",
    ],
)
def test_cwt_malformed_refused(data: bytes) -> None:
    with pytest.raises(InvalidStatusListToken):
        verify_status_list_cwt(data, uri=URI, now=IAT, resolve_key=_key)


def _signed_raw(protected_bytes: bytes, payload: bytes, unprotected: bytes = b"\xa0") -> bytes:
    """A tagged COSE_Sign1 assembled byte by byte, so its maps can hold what cbor2 would not write."""
    signature = Algorithm.ES256.sign(KEY, cbor2.dumps(["Signature1", protected_bytes, b"", payload]))
    return (
        b"\xd2\x84"
        + cbor2.dumps(protected_bytes)
        + unprotected
        + cbor2.dumps(payload)
        + cbor2.dumps(signature)
    )


def _with_duplicate(encoded_map: bytes, key: int, value: Any) -> bytes:
    """``encoded_map`` (fewer than 23 entries) with one more entry whose key it already has."""
    assert encoded_map[0] >> 5 == 5 and encoded_map[0] & 0x1F < 23
    return bytes([encoded_map[0] + 1]) + encoded_map[1:] + cbor2.dumps(key) + cbor2.dumps(value)


def test_cwt_duplicate_map_keys_refused() -> None:
    """RFC 8949 section 5.6: a map with a duplicate key is not valid CBOR, wherever it is."""
    protected, claims = cbor2.dumps(TYP16), cbor2.dumps(_claims())
    assert (
        verify_status_list_cwt(_signed_raw(protected, claims), uri=URI, now=IAT, resolve_key=_key).iat == IAT
    )
    duplicated = [
        _signed_raw(protected, _with_duplicate(claims, 6, IAT + 1)),  # in the claims
        _signed_raw(_with_duplicate(protected, 16, "application/statuslist+cwt"), claims),  # protected
        _signed_raw(protected, claims, unprotected=b"\xa2\x04\x41\x31\x04\x41\x32"),  # unprotected kid
    ]
    for data in duplicated:
        with pytest.raises(InvalidStatusListToken):
            verify_status_list_cwt(data, uri=URI, now=IAT, resolve_key=_key)


def test_cwt_critical_headers() -> None:
    """RFC 9052 section 3.1: a critical parameter the recipient does not understand rejects the message."""
    understood = _sign1({**TYP16, 2: [16]}, _claims())
    assert verify_status_list_cwt(understood, uri=URI, now=IAT, resolve_key=_key).sub == URI
    for protected in ({**TYP16, 2: [99], 99: 1}, {**TYP16, 2: []}, {**TYP16, 2: 16}):
        with pytest.raises(InvalidStatusListToken, match="crit"):
            verify_status_list_cwt(_sign1(protected, _claims()), uri=URI, now=IAT, resolve_key=_key)


def test_cwt_algorithm_not_allowed_refused() -> None:
    with pytest.raises(StatusListSignatureInvalid):
        verify_status_list_cwt(
            _sign1({1: -35, 16: "application/statuslist+cwt"}, _claims()), uri=URI, now=IAT, resolve_key=_key
        )


def test_cwt_bad_status_list_refused() -> None:
    with pytest.raises(InvalidStatusList):
        verify_status_list_cwt(
            _sign1(TYP16, _claims(_65533={"bits": 3, "lst": zlib.compress(b"\0")})),
            uri=URI,
            now=IAT,
            resolve_key=_key,
        )
    with pytest.raises(InvalidStatusList):
        verify_status_list_cwt(
            _sign1(TYP16, _claims(_65533={"bits": 1, "lst": "eNrbuRgAAhcBXQ"})),
            uri=URI,
            now=IAT,
            resolve_key=_key,
        )


# --- referenced tokens (section 6) -----------------------------------------------------------------


def test_status_reference_forms() -> None:
    status = {"status_list": {"idx": 412, "uri": URI}}
    assert status_reference({"iss": "x", "status": status}) == (412, URI)
    assert status_reference_cwt({1: "x", 65535: status}) == (412, URI)
    assert status_reference_mdoc(status) == (412, URI)


@pytest.mark.parametrize(
    "status",
    [
        None,
        [],
        {},
        {"status_list": None},
        {"status_list": {"uri": URI}},
        {"status_list": {"idx": -1, "uri": URI}},
        {"status_list": {"idx": True, "uri": URI}},
        {"status_list": {"idx": "3", "uri": URI}},
        {"status_list": {"idx": 1.0, "uri": URI}},
        {"status_list": {"idx": 3}},
        {"status_list": {"idx": 3, "uri": 5}},
        {"status_list": {"idx": 3, "uri": ""}},
    ],
)
def test_malformed_status_reference_refused(status: Any) -> None:
    claims = {} if status is None else {"status": status}
    with pytest.raises(InvalidStatusReference):
        status_reference(claims)
    with pytest.raises(InvalidStatusReference):
        status_reference_cwt({} if status is None else {65535: status})


def test_another_status_mechanism_is_named_as_such() -> None:
    """helper 40: HAIP lets an mdoc issuer use ISO 18013-5's identifier_list instead; it was refused as
    a malformed credential. It is still not checked, and says so."""
    status = {"identifier_list": {"id": "AQ", "uri": URI}}
    for read in (lambda: status_reference_mdoc(status), lambda: status_reference({"status": status})):
        with pytest.raises(UnsupportedStatusMechanism, match="identifier_list"):
            read()


def test_errors_share_one_root() -> None:
    for error in (
        InvalidStatusList,
        StatusListTooLarge,
        StatusIndexOutOfRange,
        InvalidStatusListToken,
        StatusListSubjectMismatch,
        StatusListExpired,
        StatusListSignatureInvalid,
        InvalidStatusReference,
    ):
        assert issubclass(error, StatusListError) and issubclass(error, CredentialError)
        assert error("x").error == "invalid_credential"
    assert StatusIndexOutOfRange("x").reason == "status_index_out_of_range"
