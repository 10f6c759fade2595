"""Strict, bounded CBOR (RFC 8949) for mdoc and COSE.

Untrusted bytes are first walked head by head, iteratively, before ``cbor2`` decodes them:

- every declared length is checked against the bytes that remain (a bstr declaring 2^40 bytes fails
  at once, nothing is allocated), and an array or map cannot declare more items than bytes remain;
- nesting depth (arrays, maps and tags), the total number of items and the entries of each map are
  bounded;
- indefinite-length items (section 3.2.2), reserved additional-information values (section 3) and
  trailing bytes after the single top-level item are refused;
- heads must use the preferred (shortest) serialization of section 4.1, so that a tag-24 item
  re-encoded by us has exactly the bytes that were received and digested (ISO/IEC 18013-5 9.1.2.5);
- only the tags mdocs, COSE and CWTs use are taken (:data:`~credentials._cbor_walk.ALLOWED_TAGS`):
  those ``cbor2`` would otherwise give a costly meaning (bignums, fractions, regular expressions, MIME
  messages, sets, string references, shared values) are refused;
- tag 24 (encoded CBOR data item, section 3.4.5.1) must wrap a byte string.

``cbor2`` then decodes with duplicate map keys refused (section 5.6). Every failure is
:class:`~credentials.errors.MalformedCbor`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import cbor2

from credentials._cbor_walk import (
    ARGUMENT,
    INDEFINITE,
    MAJOR_BSTR,
    RESERVED,
    SHORTEST,
    TAG24_HEAD,
    TAG_ENCODED_CBOR,
    walk,
)
from credentials.errors import MalformedCbor

__all__ = [
    "MAX_CBOR_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "TAG_ENCODED_CBOR",
    "decode",
    "decode24",
    "decode_each",
    "encode",
    "encode24",
    "encode_array",
    "encode_bstr",
    "encode_map",
    "encode_tstr",
    "encode_uint",
    "tag24_bytes",
    "tag24_contents",
    "unwrap24",
    "unwrap24_each",
    "wrap24",
    "wrapped24",
]

MAX_CBOR_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_ITEMS = 100_000

_BYTES_LIKE = (bytes, bytearray, memoryview)  # a tuple: a union in isinstance is built on every call


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
    if not isinstance(data, _BYTES_LIKE):
        raise MalformedCbor("CBOR input must be bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise MalformedCbor("CBOR input too large")
    walk(data, max_depth, max_items)
    return _loads(data, max_depth)


def _loads(data: bytes, max_depth: int) -> Any:
    """``cbor2`` on bytes :func:`walk` accepted: duplicate map keys are what it still refuses."""
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


_MAJOR_UINT_HEAD, _MAJOR_BSTR_HEAD, _MAJOR_TSTR_HEAD = 0x00, 0x40, 0x60
_MAJOR_ARRAY_HEAD, _MAJOR_MAP_HEAD = 0x80, 0xA0


_BYTE = tuple(bytes((value,)) for value in range(256))
"""Every one-byte string, made once: indexing it saves the ~1K instructions of ``bytes((value,))``."""


def _head(major: int, argument: int) -> bytes:
    """The shortest head (section 4.1) of ``major`` (shifted into place) with ``argument``."""
    if argument < 24:
        return _BYTE[major | argument]
    if argument < 1 << 8:
        return _BYTE[major | 24] + _BYTE[argument]
    if argument < 1 << 16:
        return _BYTE[major | 25] + argument.to_bytes(2, "big")
    if argument < 1 << 32:
        return _BYTE[major | 26] + argument.to_bytes(4, "big")
    return _BYTE[major | 27] + argument.to_bytes(8, "big")


_TAG24_HEADS = tuple(TAG24_HEAD + _head(_MAJOR_BSTR_HEAD, length) for length in range(256))
"""The tag 24 and bstr heads in front of an item shorter than 256 bytes, as most IssuerSignedItems are."""


def wrapped24(content: bytes) -> bytes:
    """``#6.24(bstr)`` around ``content``: the tag 24 head, the bstr's shortest head, the bytes (what
    :func:`tag24_bytes` writes for a tag 24 holding ``content``)."""
    length = len(content)
    if length < len(_TAG24_HEADS):
        return _TAG24_HEADS[length] + content
    return TAG24_HEAD + _head(_MAJOR_BSTR_HEAD, length) + content


def tag24_bytes(tag: Any) -> bytes:
    """``encode(tag)`` for a tag 24 around a bstr, written directly: the bytes ISO/IEC 18013-5 digests
    (IssuerSignedItemBytes, 9.1.2.5). Anything else goes through :func:`encode`."""
    if isinstance(tag, cbor2.CBORTag) and tag.tag == TAG_ENCODED_CBOR and type(tag.value) is bytes:
        return wrapped24(tag.value)
    return encode(tag)


def encode24(value: Any) -> bytes:
    """``encode(wrap24(value))``, the bytes of ``#6.24(bstr .cbor value)``, without the tag object."""
    return wrapped24(encode(value))


def encode_bstr(value: bytes) -> bytes:
    """``encode(value)`` for a byte string, written directly (its shortest head, then the bytes)."""
    return _head(_MAJOR_BSTR_HEAD, len(value)) + value


def encode_tstr(value: str) -> bytes:
    """``encode(value)``, written directly for a text string (its shortest head, then the UTF-8)."""
    if type(value) is not str:
        return encode(value)
    try:
        text = value.encode()
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise MalformedCbor(f"value cannot be encoded as CBOR: {exc}") from exc
    return _head(_MAJOR_TSTR_HEAD, len(text)) + text


def encode_uint(value: int) -> bytes:
    """``encode(value)``, written directly for an unsigned integer below 2^64 (its shortest head)."""
    if type(value) is not int or not 0 <= value < 1 << 64:
        return encode(value)
    return _head(_MAJOR_UINT_HEAD, value)


def encode_array(items: Sequence[bytes]) -> bytes:
    """An array of ``items``, each already encoded: what :func:`encode` writes for the items decoded."""
    return _head(_MAJOR_ARRAY_HEAD, len(items)) + b"".join(items)


def encode_map(entries: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A map of ``(key, value)`` entries, each already encoded: what :func:`encode` writes for them
    decoded, the entries sorted as it sorts them (by encoded key, shorter first, then bytewise)."""
    ordered = sorted(entries, key=_canonical_order)
    return _head(_MAJOR_MAP_HEAD, len(ordered)) + b"".join([key + value for key, value in ordered])


def _canonical_order(entry: tuple[bytes, bytes]) -> tuple[int, bytes]:
    return len(entry[0]), entry[0]


def wrap24(value: Any) -> cbor2.CBORTag:
    """``#6.24(bstr .cbor value)``: an embedded CBOR data item (RFC 8949 section 3.4.5.1)."""
    return cbor2.CBORTag(TAG_ENCODED_CBOR, encode(value))


def decode24(data: bytes, *, max_bytes: int = MAX_CBOR_BYTES, **bounds: int) -> Any:
    """``unwrap24(decode(data, max_bytes=max_bytes), **bounds)``: the item in the tag 24 that ``data``
    must be (``#6.24(bstr .cbor item)``, as the MSO is in issuerAuth).

    Wrapper heads in the only form :func:`decode` accepts (tag 24, then a shortest bstr head whose
    length is the rest) are read here; anything else takes that path, and its errors.
    """
    if type(data) is bytes and len(data) <= max_bytes and data[:2] == TAG24_HEAD and len(data) > 2:
        initial = data[2]
        arg = ARGUMENT[initial]
        if initial >> 5 == MAJOR_BSTR and arg != RESERVED and arg != INDEFINITE:
            start = 3
            if arg < 0:
                start -= arg
                arg = int.from_bytes(data[3:start], "big")
                if arg < SHORTEST[start - 3]:
                    start = -1
            if start > 0 and start + arg == len(data):
                return decode(data[start:], **bounds)
    return unwrap24(decode(data, max_bytes=max_bytes), **bounds)


def unwrap24_each(
    tags: Sequence[Any],
    *,
    max_bytes: int = MAX_CBOR_BYTES,
    max_depth: int = MAX_DEPTH,
    max_items: int = MAX_ITEMS,
) -> list[Any]:
    """:func:`unwrap24` of every tag in ``tags``, each checked and bounded as there (their items
    together): :func:`decode_each` of their :func:`tag24_contents`."""
    return decode_each(tag24_contents(tags), max_bytes=max_bytes, max_depth=max_depth, max_items=max_items)


def tag24_contents(tags: Iterable[Any]) -> list[bytes]:
    """The byte string in each of ``tags``; anything but tag 24 around a bstr is refused."""
    return [
        tag.value
        if isinstance(tag, cbor2.CBORTag) and tag.tag == TAG_ENCODED_CBOR and type(tag.value) is bytes
        else _tag24_content(tag)  # refuses anything else but a bytes subclass, as unwrap24 does
        for tag in tags
    ]


def decode_each(
    contents: Sequence[bytes],
    *,
    max_bytes: int = MAX_CBOR_BYTES,
    max_depth: int = MAX_DEPTH,
    max_items: int = MAX_ITEMS,
) -> list[Any]:
    """:func:`decode` of each of ``contents`` (byte strings, as :func:`tag24_contents` returns them),
    each checked and bounded on its own as there, except that ``max_items`` bounds the items of all of
    them together.

    The items are decoded in one ``cbor2`` call, as the elements of an array written around them
    (each spans exactly its bytes, so the array holds exactly them), which spares a decoder per item;
    string references and shared values, which could refer from one item into another, are refused
    as :func:`decode` refuses them.
    """
    if not contents:
        return []
    ends = list(itertools.accumulate(map(len, contents)))
    if ends[-1] > max_bytes and max(map(len, contents)) > max_bytes:  # each is at most their total
        raise MalformedCbor("CBOR input too large")
    joined = b"".join(contents)
    walk(joined, max_depth, max_items, ends)
    if len(contents) == 1:
        return [_loads(contents[0], max_depth)]
    array = _loads(_head(_MAJOR_ARRAY_HEAD, len(contents)) + joined, max_depth + 1)
    if type(array) is not list or len(array) != len(contents):  # cannot be, after the walks above
        raise MalformedCbor("tag 24 items did not decode one for one")
    return array


def _tag24_content(tag: Any) -> bytes:
    if not isinstance(tag, cbor2.CBORTag) or tag.tag != TAG_ENCODED_CBOR:
        raise MalformedCbor("expected tag 24")
    if not isinstance(tag.value, bytes):
        raise MalformedCbor("tag 24 must wrap a byte string")
    return tag.value


def unwrap24(tag: Any, **bounds: int) -> Any:
    """Decode the item inside a tag 24; anything but tag 24 around a bstr is refused."""
    return decode(_tag24_content(tag), **bounds)
