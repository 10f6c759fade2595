"""Strict, bounded CBOR decoding (RFC 8949; STANDARDS section 3 item 34)."""

from __future__ import annotations

import datetime
import time

import cbor2
import pytest

from credentials import cbor
from credentials.errors import MalformedCbor


def test_round_trip_and_dates() -> None:
    value = {
        "a": [1, -2, b"\x00", "x", None, True, 1.5],
        1: datetime.date(2000, 1, 2),
        2: datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    }
    assert cbor.decode(cbor.encode(value)) == value
    assert cbor.encode(datetime.date(2000, 1, 2)).hex() == "d903ec6a323030302d30312d3032"


def test_encode_is_deterministic() -> None:
    assert cbor.encode({"bb": 1, "a": 2, 3: 4}) == cbor.encode({3: 4, "a": 2, "bb": 1})


def test_wrap_unwrap24() -> None:
    tag = cbor.wrap24({"k": 1})
    assert tag.tag == 24 and isinstance(tag.value, bytes)
    assert cbor.unwrap24(cbor.decode(cbor.encode(tag))) == {"k": 1}


@pytest.mark.parametrize(
    "hex_data",
    [
        "a1616101ff",  # trailing bytes
        "a16161",  # truncated
        "5b0000010000000000",  # bstr declaring 2^40 bytes
        "9bffffffffffffffff",  # array declaring 2^64-1 items
        "5f4101ff",  # indefinite-length bstr
        "9f01ff",  # indefinite-length array
        "bf616101ff",  # indefinite-length map
        "ff",  # stray break
        "1c",  # reserved additional information
        "d81801",  # tag 24 around an unsigned integer
        "d818a0",  # tag 24 around a map
        "a2616101616102",  # duplicate map keys
        "a201010102",  # duplicate integer keys
        "1817",  # non-shortest head
        "f800",  # simple value in two bytes below 32
        "62c328",  # invalid UTF-8
    ],
)
def test_malformed_refused(hex_data: str) -> None:
    with pytest.raises(MalformedCbor):
        cbor.decode(bytes.fromhex(hex_data))


def test_deep_nesting_refused_fast_without_recursion() -> None:
    data = b"\x81" * 10_000 + b"\x00"
    start = time.perf_counter()
    with pytest.raises(MalformedCbor):
        cbor.decode(data)
    assert time.perf_counter() - start < 0.5


def test_deep_tags_refused() -> None:
    with pytest.raises(MalformedCbor):
        cbor.decode(b"\xc6" * 2000 + b"\x00")


def test_huge_declared_bstr_fails_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(MalformedCbor):
        cbor.decode(b"\x5b" + (1 << 40).to_bytes(8, "big") + b"abc")
    assert time.perf_counter() - start < 0.5


def test_bounds() -> None:
    with pytest.raises(MalformedCbor):
        cbor.decode(cbor.encode(b"x" * 100), max_bytes=50)
    with pytest.raises(MalformedCbor):
        cbor.decode(cbor.encode(list(range(20))), max_items=10)
    assert cbor.decode(cbor.encode([[[1]]]), max_depth=3) == [[[1]]]
    with pytest.raises(MalformedCbor):
        cbor.decode(cbor.encode([[[[1]]]]), max_depth=3)


def test_unwrap24_strict() -> None:
    with pytest.raises(MalformedCbor):
        cbor.unwrap24(cbor2.CBORTag(24, 5))
    with pytest.raises(MalformedCbor):
        cbor.unwrap24(cbor2.CBORTag(25, b"\x00"))
    with pytest.raises(MalformedCbor):
        cbor.unwrap24(cbor2.CBORTag(24, b"\x00\x00"))  # trailing byte inside


@pytest.mark.parametrize("value", [24, 31, -25, -32, [1, 24], {"digestID": 27}])
def test_one_byte_integer_arguments_below_32_accepted(value: object) -> None:
    """0x18 0x18..0x1f is the preferred form of the integers 24..31 (RFC 8949 section 4.2.1); only a
    simple value (major type 7) in a two-byte head must be 32 or more (section 3.3)."""
    assert cbor.decode(cbor2.dumps(value)) == value


@pytest.mark.parametrize("hex_data", ["f818", "f81f"])
def test_two_byte_simple_values_below_32_refused(hex_data: str) -> None:
    with pytest.raises(MalformedCbor):
        cbor.decode(bytes.fromhex(hex_data))
