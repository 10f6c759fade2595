"""Strict, bounded CBOR (RFC 8949) for mdoc and COSE.

Untrusted bytes are first walked head by head, iteratively, before ``cbor2`` decodes them:

- every declared length is checked against the bytes that remain (a bstr declaring 2^40 bytes fails
  at once, nothing is allocated), and an array or map cannot declare more items than bytes remain;
- nesting depth (arrays, maps and tags) and the total number of items are bounded;
- indefinite-length items (section 3.2.2), reserved additional-information values (section 3) and
  trailing bytes after the single top-level item are refused;
- heads must use the preferred (shortest) serialization of section 4.1, so that a tag-24 item
  re-encoded by us has exactly the bytes that were received and digested (ISO/IEC 18013-5 9.1.2.5);
- tag 24 (encoded CBOR data item, section 3.4.5.1) must wrap a byte string.

``cbor2`` then decodes with duplicate map keys refused (section 5.6). Every failure is
:class:`~credentials.errors.MalformedCbor`.
"""

from __future__ import annotations

from typing import Any

import cbor2

from credentials.errors import MalformedCbor

__all__ = [
    "MAX_CBOR_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "TAG_ENCODED_CBOR",
    "decode",
    "encode",
    "tag24_bytes",
    "unwrap24",
    "wrap24",
]

MAX_CBOR_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_ITEMS = 100_000
TAG_ENCODED_CBOR = 24

_MAJOR_UINT, _MAJOR_NINT, _MAJOR_BSTR, _MAJOR_TSTR = 0, 1, 2, 3
_MAJOR_ARRAY, _MAJOR_MAP, _MAJOR_TAG, _MAJOR_SIMPLE = 4, 5, 6, 7
_HEAD_SIZE = (1, 2, 4, 8)  # bytes of argument after the initial byte, for additional information 24..27
# smallest argument that needs a 1-, 2-, 4- or 8-byte head (section 4.1, preferred serialization)
_SHORTEST = {24: 24, 25: 1 << 8, 26: 1 << 16, 27: 1 << 32}


def _walk(data: bytes, max_depth: int, max_items: int) -> None:
    """Check the structure of one well-formed, definite-length item spanning all of ``data``.

    Iterative; ``stack`` holds, per open container, how many of its items were still to read when
    the inner one opened; ``left`` counts those of the innermost one.
    """
    end = len(data)
    pos = 0
    left = 1  # the top-level item
    stack: list[int] = []
    items = 0
    while True:
        while not left:
            if not stack:
                if pos != end:
                    raise MalformedCbor("trailing bytes after the CBOR item")
                if items > max_items:
                    raise MalformedCbor("too many CBOR items")
                return
            left = stack.pop()
        left -= 1
        if pos >= end:
            raise MalformedCbor("truncated CBOR")
        initial = data[pos]
        pos += 1
        items += 1
        info = initial & 0x1F
        if info < 24:
            arg = info
        elif info < 28:
            size = _HEAD_SIZE[info - 24]
            if size > end - pos:
                raise MalformedCbor("truncated CBOR head")
            arg = data[pos] if size == 1 else int.from_bytes(data[pos : pos + size], "big")
            pos += size
            if initial < 0xE0 and arg < _SHORTEST[info]:  # major type 7 (floats, simple) is exempt
                raise MalformedCbor("CBOR head not in preferred (shortest) form")
        elif info == 31:
            raise MalformedCbor("indefinite-length CBOR item or stray break")
        else:
            raise MalformedCbor("reserved CBOR additional information")
        major = initial >> 5
        if major < _MAJOR_BSTR:
            continue
        if major < _MAJOR_ARRAY:
            if arg > end - pos:
                raise MalformedCbor("CBOR string longer than the input")
            pos += arg
            continue
        if major == _MAJOR_SIMPLE:
            if info == 24 and arg < 32:
                raise MalformedCbor("simple value in a two-byte head below 32")
            continue
        if major == _MAJOR_ARRAY:
            count = arg
        elif major == _MAJOR_MAP:
            count = 2 * arg
        else:
            count = 1
            if arg == TAG_ENCODED_CBOR and (pos >= end or data[pos] >> 5 != _MAJOR_BSTR):
                raise MalformedCbor("tag 24 must wrap a byte string")
        if count > end - pos:
            raise MalformedCbor("CBOR container declares more items than the input holds")
        if len(stack) >= max_depth:
            raise MalformedCbor("CBOR nested too deep")
        if items > max_items:
            raise MalformedCbor("too many CBOR items")
        stack.append(left)
        left = count


def decode(
    data: bytes,
    *,
    max_bytes: int = MAX_CBOR_BYTES,
    max_depth: int = MAX_DEPTH,
    max_items: int = MAX_ITEMS,
) -> Any:
    """Decode exactly one CBOR data item from untrusted ``data`` under the bounds given.

    Tags 0 (tdate), 1 and 1004 (full-date) come back as ``datetime``/``date``; tag 24 as a
    ``cbor2.CBORTag`` holding the received bytes (see :func:`unwrap24`).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedCbor("CBOR input must be bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise MalformedCbor("CBOR input too large")
    _walk(data, max_depth, max_items)
    try:
        return cbor2.loads(
            data,
            allow_indefinite=False,
            allow_duplicate_keys=False,
            max_depth=max_depth + 2,
        )
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise MalformedCbor(f"CBOR does not decode: {exc}") from exc


def encode(value: Any) -> bytes:
    """Deterministic encoding (RFC 8949 section 4.2.1 core rules via cbor2 ``canonical``): shortest
    heads, definite lengths, sorted map keys; ``datetime`` as tag 0, ``date`` as tag 1004."""
    try:
        return cbor2.dumps(value, canonical=True)
    except (cbor2.CBORError, ValueError, TypeError) as exc:
        raise MalformedCbor(f"value cannot be encoded as CBOR: {exc}") from exc


def _bstr_head(length: int) -> bytes:
    if length < 24:
        return bytes((0x40 | length,))
    if length < 1 << 8:
        return bytes((0x58, length))
    if length < 1 << 16:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 1 << 32:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def tag24_bytes(tag: Any) -> bytes:
    """``encode(tag)`` for a tag 24 around a bstr, written directly: the bytes ISO/IEC 18013-5 digests
    (IssuerSignedItemBytes, 9.1.2.5). Anything else goes through :func:`encode`."""
    if isinstance(tag, cbor2.CBORTag) and tag.tag == TAG_ENCODED_CBOR and type(tag.value) is bytes:
        return b"\xd8\x18" + _bstr_head(len(tag.value)) + tag.value
    return encode(tag)


def wrap24(value: Any) -> cbor2.CBORTag:
    """``#6.24(bstr .cbor value)``: an embedded CBOR data item (RFC 8949 section 3.4.5.1)."""
    return cbor2.CBORTag(TAG_ENCODED_CBOR, encode(value))


def unwrap24(tag: Any, **bounds: int) -> Any:
    """Decode the item inside a tag 24; anything but tag 24 around a bstr is refused."""
    if not isinstance(tag, cbor2.CBORTag) or tag.tag != TAG_ENCODED_CBOR:
        raise MalformedCbor("expected tag 24")
    if not isinstance(tag.value, bytes):
        raise MalformedCbor("tag 24 must wrap a byte string")
    return decode(tag.value, **bounds)
