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

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import cbor2

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
TAG_ENCODED_CBOR = 24

# What each initial byte (section 3) asks of the walk, looked up once per head instead of computed:
# _KIND, from the major type: nothing more (0, 1, 7), skip a string (2, 3), open an array, a map or
# a tag; _ARGUMENT, from the additional information: the argument itself (0..23), minus the count
# of argument bytes that follow (24..27), or a refusal (28..30 reserved, 31 indefinite or break).
_SCALAR, _STRING, _ARRAY, _MAP, _TAG = 0, 1, 2, 3, 4
_KIND = bytes(
    (_SCALAR, _SCALAR, _STRING, _STRING, _ARRAY, _MAP, _TAG, _SCALAR)[byte >> 5] for byte in range(256)
)
# _SKIP, for the commonest heads, those with the argument in the initial byte: how far the next head
# is (1 for an integer or simple value, 1 + length for a string), else 0 for the walk's slow path.
_SKIP = bytes(
    (1 + (byte & 0x1F) * (byte >> 5 in (2, 3)) if byte & 0x1F < 24 and byte >> 5 not in (4, 5, 6) else 0)
    for byte in range(256)
)
_TAG24_HEAD = b"\xd8\x18"
_STRING_ONE_BYTE_LENGTH = 0x78  # 0x78 a tstr, or with bit 0x20 clear 0x58 a bstr, with a 1-byte length
_RESERVED, _INDEFINITE = -28, -31
_ARGUMENT = tuple(
    info if info < 24 else -(1 << (info - 24)) if info < 28 else _INDEFINITE if info == 31 else _RESERVED
    for info in (byte & 0x1F for byte in range(256))
)
# by count of argument bytes: the smallest argument that needs them (section 4.1, preferred serialization)
_SHORTEST = (0, 24, 1 << 8, 0, 1 << 16, 0, 0, 0, 1 << 32)
_SIMPLE_TWO_BYTES = 0xF8
_MAJOR_BSTR = 2
_FIRST_FLOAT_OR_SIMPLE = 0xE0  # major type 7: floats need no shortest form
_STATEFUL_TAGS = frozenset({25, 256, 28, 29})
"""String references and shared values: ``cbor2`` resolves them against what it decoded before, so
items holding them are never decoded together (see :func:`unwrap24_each`)."""


# For the flat walk, the two next commonest heads after those of _SKIP get codes of their own in
# _STEP, below every count of items: a bstr or tstr with a one-byte length (digests, salts, the
# IssuerSignedItems, longer text) and a tag with a one-byte number (tag 24 around each item).
_STRING_WITH_LENGTH_BYTE, _TAG_WITH_NUMBER_BYTE = -100, -101
_TAG_ONE_BYTE = 0xD8


def _step(initial: int) -> int:
    """For the flat walk: as _SKIP, but for an array, a map or a tag with the argument in the initial
    byte, -1 - the count of items it holds (arrays n, maps 2n, tags 1); and the two codes above."""
    major, info = initial >> 5, initial & 0x1F
    if initial | 0x20 == _STRING_ONE_BYTE_LENGTH:
        return _STRING_WITH_LENGTH_BYTE
    if initial == _TAG_ONE_BYTE:
        return _TAG_WITH_NUMBER_BYTE
    if major not in (4, 5, 6) or info >= 24:
        return _SKIP[initial]
    return -1 - (info if major == 4 else 2 * info if major == 5 else 1)


_STEP = tuple(_step(initial) for initial in range(256))


def _walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int] = ()) -> bool:
    """Check the structure of one well-formed, definite-length item spanning all of ``data``, or,
    given the ``ends`` of consecutive segments of ``data``, of one such item spanning each segment
    (as if each were walked alone); return whether a tag that ``cbor2`` resolves against earlier
    items (:data:`_STATEFUL_TAGS`) occurs.

    :func:`_flat_walk` vouches for nearly every input; what it cannot vouch for, :func:`_nested_walk`
    judges (and refuses with the precise error).
    """
    stateful = _flat_walk(data, max_depth, max_items, ends)
    return _nested_walk(data, max_depth, max_items, ends) if stateful is None else stateful


def _flat_walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int]) -> bool | None:
    """:func:`_nested_walk` without its stack, or ``None`` where that walk must judge: any flaw, and
    more containers in one segment than ``max_depth`` (only then can they nest too deep).

    It reads the same heads in the same order with the same checks; one count, ``need``, of the heads
    still to read (each container adds its items) replaces the stack, whose pushes and pops were most
    of the cost. Returning ``None`` is always safe: it only costs the other walk.

    The bounds on items and containers are judged once per segment, not at every container, and the
    items a container declares are not weighed against the bytes left: every head read takes at least
    a byte, so however many items are declared, the walk ends within ``data``.
    """
    end = len(data)
    pos = 0
    stateful = False
    steps = _STEP  # a local, read once per head
    try:
        for segment_end in ends or (end,):
            need = items = 1
            containers = 0
            while need:
                need -= 1
                step = steps[data[pos]]
                if step > 0:
                    pos += step  # past the end only if truncated: the segment end then differs
                    continue
                if step == _STRING_WITH_LENGTH_BYTE:
                    length = data[pos + 1]
                    if length < 24:
                        return None
                    pos += 2 + length
                    continue
                if step == _TAG_WITH_NUMBER_BYTE:
                    number = data[pos + 1]
                    pos += 2
                    if number == TAG_ENCODED_CBOR:
                        if data[pos] >> 5 != _MAJOR_BSTR:
                            return None
                    elif number < 24:
                        return None
                    elif number in _STATEFUL_TAGS:
                        stateful = True
                    count = 1
                elif step:
                    count = -1 - step
                    pos += 1
                else:
                    initial = data[pos]
                    pos += 1
                    arg = _ARGUMENT[initial]
                    if arg < 0:
                        if arg in (_INDEFINITE, _RESERVED):
                            return None
                        size = -arg
                        if size > end - pos:
                            return None
                        arg = data[pos] if size == 1 else int.from_bytes(data[pos : pos + size], "big")
                        pos += size
                        if initial < _FIRST_FLOAT_OR_SIMPLE:
                            if arg < _SHORTEST[size]:
                                return None
                        elif initial == _SIMPLE_TWO_BYTES and arg < 32:
                            return None
                    kind = _KIND[initial]
                    if kind == _STRING:
                        if arg > end - pos:
                            return None
                        pos += arg
                        continue
                    if kind == _SCALAR:
                        continue
                    if kind == _ARRAY:
                        count = arg
                    elif kind == _MAP:
                        count = 2 * arg
                    else:
                        count = 1
                        if arg == TAG_ENCODED_CBOR:
                            if pos >= end or data[pos] >> 5 != _MAJOR_BSTR:
                                return None
                        elif arg in _STATEFUL_TAGS:
                            stateful = True
                containers += 1
                items += count
                need += count
            if pos != segment_end or items > max_items or containers > max_depth:
                return None
    except IndexError:
        return None
    return stateful


def _nested_walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int] = ()) -> bool:
    """:func:`_walk`, with a stack of the open containers, so with their depth exact.

    Iterative; ``stack`` holds, per open container, how many of its items were still to read when
    the inner one opened; ``left`` counts those of the innermost one. ``items`` counts the heads
    declared so far (each container adds its items when it opens), so the bound holds before they
    are read; reading past the end is the ``IndexError`` of ``data[pos]``. An item that reads past
    its segment into the next one ends past its segment's end, and is refused there.
    """
    end = len(data)
    segment_ends = iter(ends or (end,))
    segment_end = next(segment_ends)
    pos = 0
    left = 1  # the top-level item
    stack: list[int] = []
    items = 1
    stateful = False
    try:
        while True:
            while not left:
                if not stack:
                    if pos != segment_end:
                        # a string skipped by _SKIP (its length unchecked) may have run past the end
                        raise MalformedCbor(
                            "truncated CBOR" if pos > segment_end else "trailing bytes after the CBOR item"
                        )
                    segment_end = next(segment_ends, -1)
                    if segment_end < 0:
                        return stateful
                    left = items = 1  # the next segment's item, bounded on its own
                    continue
                left = stack.pop()
            left -= 1
            initial = data[pos]
            skip = _SKIP[initial]
            if skip:
                # past the end only if truncated: data[pos] or the check above then says so
                pos += skip
                continue
            pos += 1
            if initial | 0x20 == _STRING_ONE_BYTE_LENGTH:
                # the next commonest heads (digests, salts, longer text), past the end as _SKIP may be
                arg = data[pos]
                if arg < 24:
                    raise MalformedCbor("CBOR head not in preferred (shortest) form")
                pos += 1 + arg
                continue
            arg = _ARGUMENT[initial]
            if arg < 0:
                if arg == _INDEFINITE:
                    raise MalformedCbor("indefinite-length CBOR item or stray break")
                if arg == _RESERVED:
                    raise MalformedCbor("reserved CBOR additional information")
                size = -arg
                if size > end - pos:
                    raise MalformedCbor("truncated CBOR head")
                arg = data[pos] if size == 1 else int.from_bytes(data[pos : pos + size], "big")
                pos += size
                if initial < _FIRST_FLOAT_OR_SIMPLE:
                    if arg < _SHORTEST[size]:
                        raise MalformedCbor("CBOR head not in preferred (shortest) form")
                elif initial == _SIMPLE_TWO_BYTES and arg < 32:
                    raise MalformedCbor("simple value in a two-byte head below 32")
            kind = _KIND[initial]
            if kind == _STRING:
                if arg > end - pos:
                    raise MalformedCbor("CBOR string longer than the input")
                pos += arg
            elif kind != _SCALAR:
                if kind == _ARRAY:
                    count = arg
                elif kind == _MAP:
                    count = 2 * arg
                else:
                    count = 1
                    if arg == TAG_ENCODED_CBOR:
                        if pos >= end or data[pos] >> 5 != _MAJOR_BSTR:
                            raise MalformedCbor("tag 24 must wrap a byte string")
                    elif arg in _STATEFUL_TAGS:
                        stateful = True
                if count > end - pos:
                    raise MalformedCbor("CBOR container declares more items than the input holds")
                if len(stack) >= max_depth:
                    raise MalformedCbor("CBOR nested too deep")
                items += count
                if items > max_items:
                    raise MalformedCbor("too many CBOR items")
                stack.append(left)
                left = count
    except IndexError:
        raise MalformedCbor("truncated CBOR") from None


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
    _walk(data, max_depth, max_items)
    return _loads(data, max_depth)


def _loads(data: bytes, max_depth: int) -> Any:
    """``cbor2`` on bytes :func:`_walk` accepted: duplicate map keys are what it still refuses."""
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


_TAG24_HEADS = tuple(_TAG24_HEAD + _head(_MAJOR_BSTR_HEAD, length) for length in range(256))
"""The tag 24 and bstr heads in front of an item shorter than 256 bytes, as most IssuerSignedItems are."""


def wrapped24(content: bytes) -> bytes:
    """``#6.24(bstr)`` around ``content``: the tag 24 head, the bstr's shortest head, the bytes (what
    :func:`tag24_bytes` writes for a tag 24 holding ``content``)."""
    length = len(content)
    if length < len(_TAG24_HEADS):
        return _TAG24_HEADS[length] + content
    return _TAG24_HEAD + _head(_MAJOR_BSTR_HEAD, length) + content


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
    if type(data) is bytes and len(data) <= max_bytes and data[:2] == _TAG24_HEAD and len(data) > 2:
        initial = data[2]
        arg = _ARGUMENT[initial]
        if initial >> 5 == _MAJOR_BSTR and arg != _RESERVED and arg != _INDEFINITE:
            start = 3
            if arg < 0:
                start -= arg
                arg = int.from_bytes(data[3:start], "big")
                if arg < _SHORTEST[start - 3]:
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
    """:func:`unwrap24` of every tag in ``tags``, each checked and bounded on its own as there:
    :func:`decode_each` of their :func:`tag24_contents`."""
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
    each checked and bounded on its own as there.

    The items are decoded in one ``cbor2`` call, as the elements of an array written around them
    (each spans exactly its bytes, so the array holds exactly them), which spares a decoder per item;
    items holding a string reference or a shared value are decoded one by one, so that none can refer
    into another.
    """
    if not contents:
        return []
    ends = list(itertools.accumulate(map(len, contents)))
    if ends[-1] > max_bytes and max(map(len, contents)) > max_bytes:  # each is at most their total
        raise MalformedCbor("CBOR input too large")
    joined = b"".join(contents)
    if _walk(joined, max_depth, max_items, ends) or len(contents) == 1:
        return [_loads(data, max_depth) for data in contents]
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
