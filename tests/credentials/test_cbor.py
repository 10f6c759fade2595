"""Strict, bounded CBOR decoding (RFC 8949; STANDARDS section 3 item 34)."""

from __future__ import annotations

import datetime
import itertools
import random
import time
from typing import Any

import cbor2
import pytest

from credentials import _cbor_walk, cbor
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


@pytest.mark.parametrize(
    "hex_data",
    [
        "5803616263",  # one-byte bstr length below 24
        "7803616263",  # one-byte tstr length below 24
        "5818" + "00" * 23,  # one-byte bstr length past the end
        "64616263",  # inline tstr length past the end (the fast skip)
        "8263616263",  # array whose last string runs past the end
        "1d",  # reserved additional information 29
        "d818",  # tag 24 with nothing after it
        "19",  # truncated two-byte head
        "d805f6",  # one-byte tag number below 24
        "81d8184201",  # tag 24 around a bstr running past the end
        "d81881f6",  # tag 24 around an array
        "83a0",  # array declaring more items than follow
        "c0",  # small tag with nothing after it
    ],
)
def test_fast_paths_of_the_walk_refuse_what_the_slow_one_does(hex_data: str) -> None:
    data = bytes.fromhex(hex_data)
    assert _cbor_walk.flat_walk(data, cbor.MAX_DEPTH, cbor.MAX_ITEMS, ()) is False
    with pytest.raises(MalformedCbor):
        cbor.decode(data)


def test_more_containers_than_the_depth_bound_but_shallow_is_accepted() -> None:
    """The flat walk cannot tell the depth of more containers than the bound, so the nested one does."""
    data = cbor.encode([[n] for n in range(cbor.MAX_DEPTH + 5)])
    assert _cbor_walk.flat_walk(data, cbor.MAX_DEPTH, cbor.MAX_ITEMS, ()) is False
    assert cbor.decode(data) == [[n] for n in range(cbor.MAX_DEPTH + 5)]
    deep = b"\x81" * (cbor.MAX_DEPTH + 1) + b"\x00"
    with pytest.raises(MalformedCbor, match="nested too deep"):
        cbor.decode(deep)


_WALK_SEEDS = [
    cbor.encode(
        {
            "digestID": 27,
            "random": bytes(range(32)),
            "elementIdentifier": "birth_date",
            "elementValue": datetime.date(1990, 5, 17),
        }
    ),
    cbor.encode([cbor.wrap24({"a": [1, -300, b"x" * 300, "y" * 30]}), {1: -7}, None, 1.5, 2**40]),
    cbor.encode([cbor2.CBORTag(256, [b"ab"]), cbor2.CBORTag(28, [1]), cbor2.CBORSimpleValue(40), -(2**64)]),
    cbor.encode(
        [
            cbor2.CBORTag(1004, "2026-11-29"),
            cbor2.CBORTag(0, "2026-11-29T12:00:00Z"),
            cbor2.CBORTag(1, 1_790_000_000),
            cbor2.CBORTag(100, 20_000),
            cbor2.CBORTag(18, [b"", {}, None, b""]),
            {n: n for n in range(30)},
        ]
    ),
]


def _walk_outcome(walk: Any, *args: Any) -> object:
    try:
        walk(*args)
    except MalformedCbor:
        return MalformedCbor
    return True


@pytest.mark.parametrize("seed", range(len(_WALK_SEEDS)))
def test_flat_walk_vouches_only_for_what_the_nested_walk_accepts(seed: int) -> None:
    """Every one-byte change, deletion and truncation of the seeds: where the flat walk answers, the
    nested walk gives the same answer; elsewhere it refuses, or accepts with more containers than
    the bounds let the flat walk judge."""
    rng = random.Random(seed)
    data = _WALK_SEEDS[seed]
    variants = [data[:cut] for cut in range(len(data))]
    for _ in range(400):
        at = rng.randrange(len(data))
        variants.append(data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :])
        variants.append(data[:at] + data[at + 1 :])
    for variant in variants:
        for bounds in ((cbor.MAX_DEPTH, cbor.MAX_ITEMS), (2, 12)):
            if _cbor_walk.flat_walk(variant, *bounds, ()):
                assert _walk_outcome(_cbor_walk.nested_walk, variant, *bounds) is True
            # the same in segments, as unwrap24_each walks its items
            segments = (variant, data)
            ends = (len(variant), len(variant) + len(data))
            if _cbor_walk.flat_walk(b"".join(segments), *bounds, ends):
                assert _walk_outcome(_cbor_walk.nested_walk, b"".join(segments), *bounds, ends) is True


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 65_535, 65_536])
def test_encoders_written_directly_match_encode(length: int) -> None:
    value = b"x" * length
    assert cbor.encode_bstr(value) == cbor.encode(value)
    assert cbor.encode24({"k": value}) == cbor.encode(cbor.wrap24({"k": value}))
    assert cbor.tag24_bytes(cbor.wrap24(value)) == cbor.encode(cbor.wrap24(value))
    assert cbor.wrapped24(value) == cbor.encode(cbor2.CBORTag(24, value))
    for text in ("é" * (length // 2), "x" * length):
        assert cbor.encode_tstr(text) == cbor.encode(text)
    items = [1, "a", b"b", [None]] * (length // 4 % 20)
    assert cbor.encode_array([cbor.encode(item) for item in items]) == cbor.encode(items)


@pytest.mark.parametrize(
    "value", [0, 23, 24, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, 2**64 - 1, 2**64, -1, True, "7", None]
)
def test_encode_uint_and_encode_tstr_are_encode(value: Any) -> None:
    """Written directly for their own type, and encode for anything else."""
    assert cbor.encode_uint(value) == cbor.encode(value)
    assert cbor.encode_tstr(value) == cbor.encode(value)


def test_encode_tstr_refuses_what_encode_refuses() -> None:
    for encoder in (cbor.encode, cbor.encode_tstr):
        with pytest.raises(MalformedCbor):
            encoder("\ud800")


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"bb": 1, "a": [2], 3: b"x", -1: None, 256: 0, "x" * 30: 5, b"k": 6, (1, 2): 7, 1.5: 8},
        {"nameSpaces": 1, "issuerAuth": 2, "é": 3, "z": 4},
    ],
)
def test_encode_map_sorts_as_encode(value: dict[Any, Any]) -> None:
    entries = [(cbor.encode(key), cbor.encode(item)) for key, item in value.items()]
    assert cbor.encode_map(entries) == cbor.encode(value)
    assert cbor.encode_map(reversed(entries)) == cbor.encode(value)


def test_unwrap24_each_is_decode_each_of_tag24_contents() -> None:
    tags = [cbor.wrap24({"i": n}) for n in range(3)]
    assert cbor.tag24_contents(tags) == [tag.value for tag in tags]
    assert cbor.decode_each(cbor.tag24_contents(tags)) == cbor.unwrap24_each(tags)
    for wrong in (cbor2.CBORTag(25, b"\xa0"), cbor2.CBORTag(24, [1]), b"\xa0"):
        with pytest.raises(MalformedCbor):
            cbor.tag24_contents([*tags, wrong])


def test_unwrap24_each_is_unwrap24_of_each() -> None:
    items = [{"digestID": n, "elementValue": "x" * n} for n in (0, 5, 30, 300)]
    tags = [cbor.wrap24(item) for item in items]
    assert cbor.unwrap24_each(tags) == [cbor.unwrap24(tag) for tag in tags] == items
    assert cbor.unwrap24_each([]) == []


@pytest.mark.parametrize(
    "tags",
    [
        [cbor2.CBORTag(24, b"\x01"), cbor2.CBORTag(24, b"\x82\x01")],  # the second truncated
        [cbor2.CBORTag(24, b"\x81"), cbor2.CBORTag(24, b"\x01")],  # together they would be one item
        [cbor2.CBORTag(24, b"\x01"), cbor2.CBORTag(24, 5)],
        [cbor2.CBORTag(24, b"\x01"), cbor2.CBORTag(25, b"\x01")],
        [cbor2.CBORTag(24, b"\x01"), cbor2.CBORTag(24, cbor.encode(list(range(20))))],  # max_items
    ],
)
def test_unwrap24_each_checks_every_item_on_its_own(tags: list[cbor2.CBORTag]) -> None:
    with pytest.raises(MalformedCbor):
        cbor.unwrap24_each(tags, max_items=10)


def test_string_references_and_shared_values_are_refused() -> None:
    shared = cbor2.CBORTag(24, bytes.fromhex("d81c8101"))  # 28([1]): marks [1] shareable
    reference = cbor2.CBORTag(24, bytes.fromhex("d81d00"))  # 29(0): the first shared value
    for tags in ([shared], [reference], [shared, reference], [cbor2.CBORTag(24, b"\x01"), shared]):
        with pytest.raises(MalformedCbor, match=r"tag 2[89], which mdocs"):
            cbor.unwrap24_each(tags)
    # a few hundred bytes of shared references standing for 2^40 strings; and a cycle
    laughs = [cbor2.CBORTag(28, ["x"])] + [
        cbor2.CBORTag(28, [cbor2.CBORTag(29, i), cbor2.CBORTag(29, i)]) for i in range(40)
    ]
    for value in (
        laughs,
        cbor2.CBORTag(28, [cbor2.CBORTag(29, 0)]),
        cbor2.CBORTag(256, ["ab", cbor2.CBORTag(25, 0)]),
    ):
        data = cbor2.dumps(value)
        assert len(data) < 1000
        with pytest.raises(MalformedCbor, match=r"tag 2(56|8), which mdocs"):
            cbor.decode(data)


@pytest.mark.parametrize(
    "value",
    [
        cbor2.CBORTag(2, b"\x01" * 2000),  # a bignum of 4,800 digits, which no message can show
        cbor2.CBORTag(3, b"\x01" * 9),
        cbor2.CBORTag(4, [-2, 27315]),  # decimal fraction
        cbor2.CBORTag(5, [10**9, 1]),  # bigfloat: 2 ** 1,000,000,000, computed
        cbor2.CBORTag(30, [1, 3]),  # rational
        cbor2.CBORTag(35, "(a)" * 3000),  # a regular expression, compiled
        cbor2.CBORTag(36, "Content-Type: multipart/mixed\n\n"),  # a MIME message, parsed
        cbor2.CBORTag(37, b"\x00" * 16),  # UUID
        cbor2.CBORTag(258, [1, 2]),  # a set
        cbor2.CBORTag(55799, 1),  # self-described CBOR
        cbor2.CBORTag(61, cbor2.CBORTag(18, [b"", {}, None, b""])),  # a CWT tag around COSE_Sign1
        {"k": cbor2.CBORTag(2**40, 1)},  # a tag number in eight bytes
    ],
)
def test_only_the_tags_of_mdocs_cose_and_cwts_are_decoded(value: Any) -> None:
    """Found by fuzzing: cbor2 gives these tags a meaning whose cost the walk cannot bound (8 KB of
    regular expression took 2 s to compile, a bignum broke the error messages that show it)."""
    data = cbor2.dumps(value)
    with pytest.raises(MalformedCbor, match="which mdocs, COSE and CWTs do not use"):
        cbor.decode(data)
    with pytest.raises(MalformedCbor, match="which mdocs, COSE and CWTs do not use"):
        cbor.unwrap24_each([cbor2.CBORTag(24, cbor.encode(1)), cbor2.CBORTag(24, data)])


def test_the_tags_of_mdocs_cose_and_cwts_are_decoded() -> None:
    value = [
        cbor2.CBORTag(1004, "2026-11-29"),
        cbor2.CBORTag(100, 20_000),
        cbor2.CBORTag(0, "2026-11-29T12:00:00Z"),
        cbor2.CBORTag(1, 1_790_000_000),
        cbor2.CBORTag(18, [b"", {}, None, b""]),
        cbor2.CBORTag(17, [b"", {}, None, b""]),
        cbor.wrap24(1),
    ]
    decoded = cbor.decode(cbor2.dumps(value))
    assert decoded[:2] == [datetime.date(2026, 11, 29), datetime.date(2024, 10, 4)]
    assert decoded[2] == datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC)
    assert [tag.tag for tag in decoded[4:]] == [18, 17, 24]


def test_maps_of_more_than_256_entries_are_refused_before_they_are_built() -> None:
    """Found by fuzzing: 33,000 keys of one hash value (here tuples aimed at one, as bignums were)
    took 13 s to build into a dict; at most 256 entries, the same trick costs next to nothing."""
    assert len(cbor.decode(cbor.encode({n: None for n in range(256)}))) == 256
    with pytest.raises(MalformedCbor, match="map of more than 256 entries"):
        cbor.decode(cbor.encode({n: None for n in range(257)}))
    with pytest.raises(MalformedCbor, match="map of more than 256 entries"):
        cbor.unwrap24_each([cbor.wrap24(1), cbor.wrap24({n: None for n in range(257)})])
    aimed = ((n, _aimed_at_zero(n)) for n in range(5000))
    colliding = dict.fromkeys(itertools.islice((key for key in aimed if key[1] is not None), 256))
    assert len(colliding) == 256 and len({hash(key) for key in colliding}) == 1
    started = time.perf_counter()
    assert len(cbor.decode(cbor2.dumps([colliding] * 90))) == 90  # 92,000 items, near the bound
    assert time.perf_counter() - started < 2.0


def _aimed_at_zero(first: int) -> int | None:
    """The int that makes ``hash((first, it))`` equal ``hash((0, 0))``, if one does: CPython's tuple
    hash (xxHash's round) runs backwards from its result to the second element's hash, which an int
    has when it lies within the modulus of int hashes (2^61 - 1)."""
    mask, prime_1, prime_2, prime_5 = (
        (1 << 64) - 1,
        11400714785074694791,
        14029467366897019727,
        2870177450012600261,
    )

    def lane(acc: int, item: int) -> int:
        acc = (acc + item * prime_2) & mask
        return (((acc << 31) | (acc >> 33)) & mask) * prime_1 & mask

    want = lane(lane(prime_5, 0), 0)
    unrotated = want * pow(prime_1, -1, 1 << 64) & mask
    before = ((unrotated >> 31) | (unrotated << 33)) & mask
    item_hash = (before - lane(prime_5, hash(first) & mask)) * pow(prime_2, -1, 1 << 64) & mask
    signed = item_hash - (1 << 64) if item_hash >= 1 << 63 else item_hash
    return signed if abs(signed) < (1 << 61) - 1 and signed != -1 else None


def test_decode_each_bounds_the_items_of_all_its_items_together() -> None:
    """Found by fuzzing: forty items of 99,999 empty maps each passed a bound held per item, and took
    300 MB to decode."""
    nine = cbor2.CBORTag(24, cbor.encode([{}] * 8))  # nine items each
    assert len(cbor.unwrap24_each([nine] * 2, max_items=18)) == 2
    with pytest.raises(MalformedCbor, match="too many CBOR items"):
        cbor.unwrap24_each([nine] * 3, max_items=18)


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 70_000])
def test_decode24_is_unwrap24_of_decode(length: int) -> None:
    data = cbor.encode(cbor.wrap24({"k": b"x" * length}))
    assert cbor.decode24(data) == cbor.unwrap24(cbor.decode(data)) == {"k": b"x" * length}
    assert cbor.tag24_bytes(cbor.decode(data)) == data


@pytest.mark.parametrize(
    "hex_data",
    [
        "d8184101ff",  # trailing byte after the tag
        "d818420101",  # inner item followed by a byte
        "d8185801" + "01",  # bstr head not in shortest form
        "d8184201",  # bstr longer than the input
        "d81801",  # tag 24 around an integer
        "d8195f4101ff",  # another tag, indefinite bstr
        "d818",  # nothing wrapped
    ],
)
def test_decode24_refuses_what_decode_and_unwrap24_refuse(hex_data: str) -> None:
    with pytest.raises(MalformedCbor):
        cbor.decode24(bytes.fromhex(hex_data))
