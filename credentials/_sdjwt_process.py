"""Processing Disclosures into a payload (RFC 9901 section 7.1, step 3 to 5), with every rejection it names.

Also the holder's inverse: which Disclosures reveal a given claim path (sections 7.2 and 5.2.4.1 for the
rule that a nested Disclosure needs its parent's).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from credentials._sdjwt_format import MAX_NESTING, Disclosure
from credentials.errors import (
    ClaimCollision,
    DuplicateDigest,
    DuplicateDisclosure,
    ForbiddenDisclosure,
    InvalidDisclosure,
    MalformedSdJwt,
    UnreferencedDisclosure,
)

__all__ = ["ClaimPath", "process", "select_digests"]

ClaimPath = tuple[str | int | None, ...]
"""A claim path as in DCQL (OpenID4VP 1.0 section 7): key, array index, or None for every element."""

_FORBIDDEN_NAMES = ("_sd", "...", "_sd_alg")
"""Names no Disclosure may carry: section 7.1 step 3.2.2 names the first two; ``_sd_alg`` belongs to
the top level of the Issuer-signed JWT alone (section 4.1.1), so hiding it in a Disclosure is refused too."""
_STR = frozenset({str})
_CONTAINERS = (dict, list)  # a tuple: ``dict | list`` in isinstance builds the union on every call


def process(
    payload: Mapping[str, Any], disclosures: Iterable[Disclosure], *, never_disclosable: Collection[str] = ()
) -> dict[str, Any]:
    """The Processed SD-JWT Payload: Disclosures in place, ``_sd``, ``_sd_alg`` and unmatched digests gone.

    Rejects, per section 7.1: a Disclosure of the wrong shape for its position (3.2.1, 3.3.1), named
    ``_sd`` or ``...`` (3.2.2), colliding with a name at its level (3.2.3), a digest met twice (step 4),
    a Disclosure not referenced (step 5); and, per section 4.1 and 4.2.4, ``_sd`` that is not an array
    of strings, an array element ``{"...": digest}`` with other members, ``_sd_alg`` below the top level.

    ``never_disclosable`` names top-level claims that a profile forbids to disclose selectively, sub-claims
    included (SD-JWT VC section 3.2.2.2): a Disclosure of one, or referenced from inside one, is refused with
    :class:`ForbiddenDisclosure`. Decoy digests inside them disclose nothing and are allowed.
    """
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        if disclosure.digest in by_digest:
            raise DuplicateDisclosure("the same Disclosure is included twice")
        by_digest[disclosure.digest] = disclosure
    walk = _Walk(by_digest, never_disclosable)
    result = walk.object(payload, 0)
    if len(walk.used) != len(by_digest):
        raise UnreferencedDisclosure("a Disclosure is not referenced by the SD-JWT or by another Disclosure")
    result.pop("_sd_alg", None)
    return result


class _Walk:
    __slots__ = ("by_digest", "never_disclosable", "seen", "used")

    def __init__(self, by_digest: Mapping[str, Disclosure], never_disclosable: Collection[str]) -> None:
        self.by_digest = by_digest
        self.never_disclosable = never_disclosable
        self.seen: set[str] = set()
        self.used: set[str] = set()

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_NESTING:
            raise MalformedSdJwt(f"SD-JWT payload nested deeper than {MAX_NESTING}")
        if isinstance(node, dict):
            return self.object(node, depth)
        if isinstance(node, list):
            return self.array(node, depth)
        return node

    def reference(self, digest: object) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedSdJwt("a digest is not a string")
        if digest in self.seen:
            raise DuplicateDigest("a digest occurs more than once in the SD-JWT")
        self.seen.add(digest)
        disclosure = self.by_digest.get(digest)
        if disclosure is not None:
            self.used.add(digest)
        return disclosure

    def object(self, node: Mapping[str, Any], depth: int) -> dict[str, Any]:
        if "..." in node:
            raise MalformedSdJwt("'...' is only allowed as the single member of an array element")
        if depth > 0 and "_sd_alg" in node:
            raise MalformedSdJwt("_sd_alg is only allowed at the top level")
        if depth >= MAX_NESTING and any(key != "_sd" for key in node):
            raise MalformedSdJwt(f"SD-JWT payload nested deeper than {MAX_NESTING}")
        out: dict[str, Any] = {}
        for key, item in node.items():
            if not isinstance(item, _CONTAINERS):
                out[key] = item  # what value() returns for a scalar, the depth checked above
            elif key != "_sd":
                if depth or key not in self.never_disclosable:
                    out[key] = self.value(item, depth + 1)
                else:
                    out[key] = self.sealed(key, item)
        if "_sd" not in node:
            return out
        digests = node["_sd"]
        if not isinstance(digests, list):
            raise MalformedSdJwt("_sd is not an array of strings")
        # the checks of reference() for the whole array at once: strings, none met before
        if not set(map(type, digests)) <= _STR:
            raise MalformedSdJwt("a digest is not a string")
        seen = self.seen
        before = len(seen)
        seen.update(digests)
        if len(seen) != before + len(digests):
            raise DuplicateDigest("a digest occurs more than once in the SD-JWT")
        by_digest, used = self.by_digest, self.used
        for digest in digests:
            disclosure = by_digest.get(digest)
            if disclosure is None:
                continue
            used.add(digest)
            name = disclosure.name
            if name is None:
                raise InvalidDisclosure("an array-element Disclosure is referenced from _sd")
            if name in _FORBIDDEN_NAMES:
                raise ForbiddenDisclosure(f"a Disclosure may not be named {name!r}")
            if name in out or name in node:
                raise ClaimCollision(f"disclosed claim {name!r} already exists at its level")
            if not depth and name in self.never_disclosable:
                raise ForbiddenDisclosure(f"{name!r} must not be selectively disclosable")
            out[name] = self.value(disclosure.value, depth + 1)
        return out

    def sealed(self, key: str, node: Any) -> Any:
        """Top-level claim ``key`` of :attr:`never_disclosable`, processed: decoys allowed, no Disclosure."""
        used = len(self.used)
        value = self.value(node, 1)
        if len(self.used) != used:
            raise ForbiddenDisclosure(f"the sub-claims of {key!r} must not be selectively disclosable")
        return value

    def array(self, node: list[Any], depth: int) -> list[Any]:
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "..." in item:
                if len(item) != 1:
                    raise MalformedSdJwt("an array element with '...' has other members")
                disclosure = self.reference(item["..."])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise InvalidDisclosure("an object-property Disclosure is referenced from an array")
                out.append(self.value(disclosure.value, depth + 1))
            else:
                out.append(self.value(item, depth + 1))
        return out


def select_digests(
    payload: Mapping[str, Any],
    disclosures: Iterable[Disclosure],
    paths: Iterable[ClaimPath],
    *,
    recursive: bool = True,
) -> set[str]:
    """Digests of the Disclosures that reveal each of ``paths`` and their ancestors.

    Works on a payload that :func:`process` accepted. A path that matches nothing adds nothing, not
    even its ancestors. Array indexes count the elements the holder can see (decoys skipped). With
    ``recursive``, a path ending at an object or array also reveals everything inside it.
    """
    by_digest = {d.digest: d for d in disclosures}
    chosen: set[str] = set()
    for path in paths:
        chosen |= _select(payload, tuple(path), by_digest, recursive) or set()
    return chosen


def _select(
    node: Any, path: ClaimPath, by_digest: Mapping[str, Disclosure], recursive: bool
) -> set[str] | None:
    if not path:
        return _everything(node, by_digest) if recursive else set()
    found: set[str] | None = None
    for digest, child in _children(node, path[0], by_digest):
        below = _select(child, path[1:], by_digest, recursive)
        if below is None:
            continue
        found = (found or set()) | below
        if digest is not None:
            found.add(digest)
    return found


def _children(
    node: Any, step: str | int | None, by_digest: Mapping[str, Disclosure]
) -> list[tuple[str | None, Any]]:
    """The raw values at ``step`` below ``node``, each with the digest that hides it (None if plain)."""
    if isinstance(node, dict) and isinstance(step, str):
        if step in node and step not in _FORBIDDEN_NAMES:
            return [(None, node[step])]
        for digest in node.get("_sd", ()):
            disclosure = by_digest.get(digest)
            if disclosure is not None and disclosure.name == step:
                return [(digest, disclosure.value)]
        return []
    if isinstance(node, list) and (step is None or (isinstance(step, int) and not isinstance(step, bool))):
        elements: list[tuple[str | None, Any]] = []
        for item in node:
            if isinstance(item, dict) and "..." in item:
                disclosure = by_digest.get(item["..."])
                if disclosure is not None:
                    elements.append((disclosure.digest, disclosure.value))
            else:
                elements.append((None, item))
        if step is None:
            return elements
        return [elements[step]] if 0 <= step < len(elements) else []
    return []


def _everything(node: Any, by_digest: Mapping[str, Disclosure]) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "_sd":
                    for digest in value:
                        if digest in by_digest:
                            found.add(digest)
                            stack.append(by_digest[digest].value)
                elif key == "..." and value in by_digest:
                    found.add(value)
                    stack.append(by_digest[value].value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found
