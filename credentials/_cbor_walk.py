"""The head-by-head walk that :mod:`credentials.cbor` runs over untrusted bytes before ``cbor2`` decodes
them: declared lengths against the bytes left, depth, item and map-size bounds, no indefinite lengths
or reserved values, shortest heads, only the tags of :data:`ALLOWED_TAGS`, tag 24 around a bstr (see
that module's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

from credentials.errors import MalformedCbor

__all__ = [
    "ALLOWED_TAGS",
    "ARGUMENT",
    "INDEFINITE",
    "MAJOR_BSTR",
    "MAX_MAP_PAIRS",
    "RESERVED",
    "SHORTEST",
    "TAG24_HEAD",
    "TAG_ENCODED_CBOR",
    "flat_walk",
    "nested_walk",
    "walk",
]

TAG_ENCODED_CBOR = 24

# What each initial byte (section 3) asks of the walk, looked up once per head instead of computed:
# _KIND, from the major type: nothing more (0, 1, 7), skip a string (2, 3), open an array, a map or
# a tag; ARGUMENT, from the additional information: the argument itself (0..23), minus the count
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
TAG24_HEAD = b"\xd8\x18"
_STRING_ONE_BYTE_LENGTH = 0x78  # 0x78 a tstr, or with bit 0x20 clear 0x58 a bstr, with a 1-byte length
RESERVED, INDEFINITE = -28, -31
ARGUMENT = tuple(
    info if info < 24 else -(1 << (info - 24)) if info < 28 else INDEFINITE if info == 31 else RESERVED
    for info in (byte & 0x1F for byte in range(256))
)
# by count of argument bytes: the smallest argument that needs them (section 4.1, preferred serialization)
SHORTEST = (0, 24, 1 << 8, 0, 1 << 16, 0, 0, 0, 1 << 32)
_SIMPLE_TWO_BYTES = 0xF8
MAJOR_BSTR = 2
_FIRST_FLOAT_OR_SIMPLE = 0xE0  # major type 7: floats need no shortest form
ALLOWED_TAGS = frozenset({0, 1, 17, 18, TAG_ENCODED_CBOR, 100, 1004})
"""The tags mdocs, COSE and CWTs use: tdate and epoch date-time (0, 1), COSE_Mac0 and COSE_Sign1 (17,
18), encoded CBOR (24), days and full-date (100, 1004). Any other is refused: ``cbor2`` gives many a
meaning whose cost the walk cannot bound, such as bignums of any size (2, 3) and the fractions computed
from them (4, 5, 30), regular expressions it compiles (35), MIME messages it parses (36), sets (258),
and string references and shared values (25, 256, 28, 29) that let a few bytes stand for a large or
cyclic structure."""
MAX_MAP_PAIRS = 256
"""Most entries of one map. ``cbor2`` builds a map as a dict, and keys of one hash value (arrays as
keys become tuples, whose hash can be aimed at) make that quadratic: 256 pairs bound the work, and the
largest map of an mdoc, the value digests of a namespace, holds a few dozen."""


# For the flat walk, the two next commonest heads after those of _SKIP get codes of their own in
# _STEP, below every count of items: a bstr or tstr with a one-byte length (digests, salts, the
# IssuerSignedItems, longer text) and a tag with a one-byte number (tag 24 around each item).
_STRING_WITH_LENGTH_BYTE, _TAG_WITH_NUMBER_BYTE = -100, -101
_TAG_ONE_BYTE = 0xD8


def _step(initial: int) -> int:
    """For the flat walk: as _SKIP, but for an array, a map or an allowed tag with the argument in the
    initial byte, -1 - the count of items it holds (arrays n, maps 2n, tags 1); and the two codes
    above. A tag that is not allowed takes the slow path (0), which refuses it."""
    major, info = initial >> 5, initial & 0x1F
    if initial | 0x20 == _STRING_ONE_BYTE_LENGTH:
        return _STRING_WITH_LENGTH_BYTE
    if initial == _TAG_ONE_BYTE:
        return _TAG_WITH_NUMBER_BYTE
    if major not in (4, 5, 6) or info >= 24 or (major == 6 and info not in ALLOWED_TAGS):
        return _SKIP[initial]
    return -1 - (info if major == 4 else 2 * info if major == 5 else 1)


_STEP = tuple(_step(initial) for initial in range(256))


def walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int] = ()) -> None:
    """Check the structure of one well-formed, definite-length item spanning all of ``data``, or,
    given the ``ends`` of consecutive segments of ``data``, of one such item spanning each segment
    (each walked as if alone, but ``max_items`` bounds the items of all of them together);
    :class:`MalformedCbor` if not.

    :func:`flat_walk` vouches for nearly every input; what it cannot vouch for, :func:`nested_walk`
    judges (and refuses with the precise error).
    """
    if not flat_walk(data, max_depth, max_items, ends):
        nested_walk(data, max_depth, max_items, ends)


def flat_walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int]) -> bool:
    """:func:`nested_walk` without its stack: True where it vouches for ``data``, False where that walk
    must judge: any flaw, and more containers in one segment than ``max_depth`` (only then can they
    nest too deep).

    It reads the same heads in the same order with the same checks; one count, ``need``, of the heads
    still to read (each container adds its items) replaces the stack, whose pushes and pops were most
    of the cost. Returning False is always safe: it only costs the other walk.

    The bounds on items and containers are judged once per segment, not at every container, and the
    items a container declares are not weighed against the bytes left: every head read takes at least
    a byte, so however many items are declared, the walk ends within ``data``.
    """
    end = len(data)
    pos = items = 0
    steps = _STEP  # a local, read once per head
    try:
        for segment_end in ends or (end,):
            need = 1
            items += 1
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
                        return False
                    pos += 2 + length
                    continue
                if step == _TAG_WITH_NUMBER_BYTE:
                    number = data[pos + 1]
                    pos += 2
                    if number == TAG_ENCODED_CBOR:
                        if data[pos] >> 5 != MAJOR_BSTR:
                            return False
                    elif number < 24 or number not in ALLOWED_TAGS:
                        return False
                    count = 1
                elif step:
                    count = -1 - step
                    pos += 1
                else:
                    initial = data[pos]
                    pos += 1
                    arg = ARGUMENT[initial]
                    if arg < 0:
                        if arg in (INDEFINITE, RESERVED):
                            return False
                        size = -arg
                        if size > end - pos:
                            return False
                        arg = data[pos] if size == 1 else int.from_bytes(data[pos : pos + size], "big")
                        pos += size
                        if initial < _FIRST_FLOAT_OR_SIMPLE:
                            if arg < SHORTEST[size]:
                                return False
                        elif initial == _SIMPLE_TWO_BYTES and arg < 32:
                            return False
                    kind = _KIND[initial]
                    if kind == _STRING:
                        if arg > end - pos:
                            return False
                        pos += arg
                        continue
                    if kind == _SCALAR:
                        continue
                    if kind == _ARRAY:
                        count = arg
                    elif kind == _MAP:
                        if arg > MAX_MAP_PAIRS:
                            return False
                        count = 2 * arg
                    else:
                        count = 1
                        if arg not in ALLOWED_TAGS:
                            return False
                        if arg == TAG_ENCODED_CBOR and (pos >= end or data[pos] >> 5 != MAJOR_BSTR):
                            return False
                containers += 1
                items += count
                need += count
            if pos != segment_end or items > max_items or containers > max_depth:
                return False
    except IndexError:
        return False
    return True


def nested_walk(data: bytes, max_depth: int, max_items: int, ends: Sequence[int] = ()) -> None:
    """:func:`walk`, with a stack of the open containers, so with their depth exact.

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
                        return
                    left = 1  # the next segment's item
                    items += 1
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
            arg = ARGUMENT[initial]
            if arg < 0:
                if arg == INDEFINITE:
                    raise MalformedCbor("indefinite-length CBOR item or stray break")
                if arg == RESERVED:
                    raise MalformedCbor("reserved CBOR additional information")
                size = -arg
                if size > end - pos:
                    raise MalformedCbor("truncated CBOR head")
                arg = data[pos] if size == 1 else int.from_bytes(data[pos : pos + size], "big")
                pos += size
                if initial < _FIRST_FLOAT_OR_SIMPLE:
                    if arg < SHORTEST[size]:
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
                    if arg > MAX_MAP_PAIRS:
                        raise MalformedCbor(f"CBOR map of more than {MAX_MAP_PAIRS} entries")
                    count = 2 * arg
                else:
                    count = 1
                    if arg not in ALLOWED_TAGS:
                        raise MalformedCbor(f"CBOR tag {arg}, which mdocs, COSE and CWTs do not use")
                    if arg == TAG_ENCODED_CBOR and (pos >= end or data[pos] >> 5 != MAJOR_BSTR):
                        raise MalformedCbor("tag 24 must wrap a byte string")
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
