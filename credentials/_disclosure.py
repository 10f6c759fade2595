"""Disclosures and the SD-JWT container (RFC 9901 sections 4.2, 4.3 and 8).

Also the one walk over a payload that restores disclosed claims (section 7.1 step 2-4), shared by the
verifier and by the holder's selection, so both see exactly the same structure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.errors import InvalidInput
from common.jose import b64url_decode, b64url_encode, parse_json
from credentials.errors import (
    ClaimCollision,
    DuplicateDigest,
    ForbiddenDisclosure,
    InvalidDisclosure,
    MalformedSdJwt,
    UnreferencedDisclosure,
)

__all__ = ["MAX_DEPTH", "MAX_DISCLOSURES", "MAX_SD_JWT_BYTES", "ClaimPath", "Disclosure", "SdJwt", "restore"]

MAX_SD_JWT_BYTES = 512 * 1024
MAX_DISCLOSURES = 1000
MAX_DEPTH = 32
MAX_DISCLOSURE_BYTES = 64 * 1024

ClaimPath = tuple[str | int | None, ...]
"""A claims path pointer as in OpenID4VP 1.0 section 7: key, array index, or None for every element."""


def digest_of(encoded: str) -> str:
    """b64url(SHA-256(ASCII of the encoded disclosure)) (section 4.2.3)."""
    return b64url_encode(hashlib.sha256(encoded.encode("ascii")).digest())


@dataclass(frozen=True)
class Disclosure:
    encoded: str
    salt: str
    name: str | None
    value: Any
    digest: str

    @classmethod
    def make(cls, salt: str, name: str | None, value: Any) -> Disclosure:
        array = [salt, value] if name is None else [salt, name, value]
        encoded = b64url_encode(json.dumps(array, ensure_ascii=False).encode("utf-8"))
        return cls(encoded, salt, name, value, digest_of(encoded))

    @classmethod
    def decode(cls, encoded: str) -> Disclosure:
        """Parse one disclosure: base64url of a JSON array ``[salt, name, value]`` or ``[salt, value]``."""
        if not encoded or len(encoded) > MAX_DISCLOSURE_BYTES:
            raise MalformedSdJwt("empty or oversized disclosure")
        try:
            array = parse_json(b64url_decode(encoded), max_bytes=MAX_DISCLOSURE_BYTES, max_depth=MAX_DEPTH)
        except (InvalidInput, UnicodeEncodeError) as exc:
            raise InvalidDisclosure(f"disclosure is not base64url JSON: {exc}") from exc
        if not isinstance(array, list) or len(array) not in (2, 3):
            raise InvalidDisclosure("disclosure is not a JSON array of two or three elements")
        if not isinstance(array[0], str):
            raise InvalidDisclosure("disclosure salt is not a string")
        if len(array) == 3:
            if not isinstance(array[1], str):
                raise InvalidDisclosure("disclosure claim name is not a string")
            if array[1] in ("_sd", "..."):
                raise ForbiddenDisclosure(f"a disclosure may not be named {array[1]!r}")
            return cls(encoded, array[0], array[1], array[2], digest_of(encoded))
        return cls(encoded, array[0], None, array[1], digest_of(encoded))


@dataclass(frozen=True)
class SdJwt:
    """``<issuer-jwt>~<disclosure>~...~[<kb-jwt>]`` (section 4)."""

    issuer_jwt: str
    disclosures: tuple[Disclosure, ...]
    key_binding_jwt: str | None = None

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        if not isinstance(text, str):
            raise MalformedSdJwt("SD-JWT is not a string")
        if len(text) > MAX_SD_JWT_BYTES:
            raise MalformedSdJwt(f"SD-JWT larger than {MAX_SD_JWT_BYTES} bytes")
        if text.count("~") > MAX_DISCLOSURES + 1:
            raise MalformedSdJwt(f"more than {MAX_DISCLOSURES} disclosures")
        if text.lstrip().startswith("{"):
            return cls._parse_json_serialization(text)
        parts = text.split("~")
        if len(parts) < 2:
            raise MalformedSdJwt("not an SD-JWT: no '~' separator")
        *head, last = parts
        key_binding = last or None
        if key_binding is not None and key_binding.count(".") != 2:
            raise MalformedSdJwt("an SD-JWT without key binding must end with '~'")
        return cls(head[0], tuple(Disclosure.decode(d) for d in head[1:]), key_binding)

    @classmethod
    def _parse_json_serialization(cls, text: str) -> SdJwt:
        """Flattened or general JWS JSON serialization (section 8); the first signature is used."""
        try:
            document = parse_json(text, max_bytes=MAX_SD_JWT_BYTES, max_depth=8)
        except InvalidInput as exc:
            raise MalformedSdJwt(f"not an SD-JWT JSON serialization: {exc}") from exc
        if not isinstance(document, dict):
            raise MalformedSdJwt("SD-JWT JSON serialization is not an object")
        signatures = document.get("signatures", [document])
        if not isinstance(signatures, list) or not signatures or not isinstance(signatures[0], dict):
            raise MalformedSdJwt("SD-JWT JSON serialization without a signature")
        first = signatures[0]
        header = first.get("header", {})
        try:
            jwt = f"{first['protected']}.{document['payload']}.{first['signature']}"
        except KeyError as exc:
            raise MalformedSdJwt(f"SD-JWT JSON serialization lacks {exc}") from exc
        disclosures = header.get("disclosures", []) if isinstance(header, dict) else []
        if not isinstance(disclosures, list) or not all(isinstance(d, str) for d in disclosures):
            raise MalformedSdJwt("disclosures must be an array of strings")
        if len(disclosures) > MAX_DISCLOSURES:
            raise MalformedSdJwt(f"more than {MAX_DISCLOSURES} disclosures")
        kb = header.get("kb_jwt") if isinstance(header, dict) else None
        if kb is not None and not isinstance(kb, str):
            raise MalformedSdJwt("kb_jwt must be a string")
        return cls(jwt, tuple(Disclosure.decode(d) for d in disclosures), kb)

    def without_key_binding(self) -> str:
        return "".join([self.issuer_jwt, "~", *(d.encoded + "~" for d in self.disclosures)])

    def serialize(self) -> str:
        return self.without_key_binding() + (self.key_binding_jwt or "")

    def to_json(self, *, general: bool = False) -> dict[str, Any]:
        """The JWS JSON serialization of section 8 (flattened unless ``general``)."""
        protected, payload, signature = self.issuer_jwt.split(".")
        header: dict[str, Any] = {"disclosures": [d.encoded for d in self.disclosures]}
        if self.key_binding_jwt is not None:
            header["kb_jwt"] = self.key_binding_jwt
        signed = {"protected": protected, "header": header, "signature": signature}
        if general:
            return {"payload": payload, "signatures": [signed]}
        return {"payload": payload, **signed}

    def sd_hash(self) -> str:
        """b64url(SHA-256) over ``<issuer-jwt>~<d1>~...~<dn>~`` (section 4.3.1)."""
        return digest_of(self.without_key_binding())


Reveal = Callable[[ClaimPath, Disclosure], None]


def restore(
    payload: Mapping[str, Any], disclosures: Sequence[Disclosure], *, on_reveal: Reveal | None = None
) -> dict[str, Any]:
    """Replace digests by their disclosed claims (section 7.1 steps 2-4), with every check of step 3.

    Decoy digests (no disclosure) are dropped; array elements whose digest is not disclosed are
    removed. ``on_reveal`` is told the concrete path of each disclosure's claim (holder selection).
    """
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        if disclosure.digest in by_digest:
            raise DuplicateDigest("the same disclosure is sent twice")
        by_digest[disclosure.digest] = disclosure
    seen: set[str] = set()
    used: set[str] = set()

    def claim(digest: Any, path: ClaimPath) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedSdJwt(f"digest at {list(path)} is not a string")
        if digest in seen:
            raise DuplicateDigest("a digest appears more than once")
        seen.add(digest)
        found = by_digest.get(digest)
        if found is not None:
            used.add(digest)
        return found

    def walk(node: Any, path: ClaimPath) -> Any:
        if len(path) > MAX_DEPTH:
            raise MalformedSdJwt(f"claims nested deeper than {MAX_DEPTH}")
        if isinstance(node, dict):
            result = {}
            for key, value in node.items():
                if key == "_sd":
                    continue
                if key == "_sd_alg":
                    raise MalformedSdJwt("_sd_alg is only allowed at the top level")
                result[key] = walk(value, (*path, key))
            digests = node.get("_sd", [])
            if not isinstance(digests, list):
                raise MalformedSdJwt("_sd is not an array")
            for digest in digests:
                disclosure = claim(digest, path)
                if disclosure is None:
                    continue
                if disclosure.name is None:
                    raise InvalidDisclosure("an array-element disclosure is referenced from _sd")
                if disclosure.name in result:
                    raise ClaimCollision(f"disclosed claim {disclosure.name!r} already exists at its level")
                if on_reveal is not None:
                    on_reveal((*path, disclosure.name), disclosure)
                result[disclosure.name] = walk(disclosure.value, (*path, disclosure.name))
            return result
        if isinstance(node, list):
            items = []
            for element in node:
                if isinstance(element, dict) and "..." in element:
                    if len(element) != 1:
                        raise MalformedSdJwt("an array-element digest object has other members")
                    disclosure = claim(element["..."], path)
                    if disclosure is None:
                        continue
                    if disclosure.name is not None:
                        raise InvalidDisclosure("an object-property disclosure is referenced from an array")
                    if on_reveal is not None:
                        on_reveal((*path, len(items)), disclosure)
                    items.append(walk(disclosure.value, (*path, len(items))))
                else:
                    items.append(walk(element, (*path, len(items))))
            return items
        return node

    restored = walk(dict(payload), ())
    if len(used) != len(by_digest):
        raise UnreferencedDisclosure("a disclosure is not referenced by any digest")
    return dict(restored)
