"""SD-JWT serializations (RFC 9901 sections 4 and 8) and Disclosures (section 4.2), parsed under limits.

Parsing is structural only: it splits, decodes and bounds, it does not verify anything.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from typing import Any, NamedTuple

from common.errors import InvalidInput
from common.jose import Jws, b64url_decode, parse_json, parse_jws
from credentials.errors import InvalidDisclosure, MalformedSdJwt, UnsupportedAlgorithm

__all__ = [
    "MAX_DISCLOSURES",
    "MAX_JSON_DEPTH",
    "MAX_NESTING",
    "MAX_SD_JWT_BYTES",
    "SD_ALG",
    "Disclosure",
    "SdJwt",
    "check_sd_alg",
    "digest",
    "holder_payload",
    "split_issuer_jwt",
]

MAX_SD_JWT_BYTES = 512 * 1024
"""Largest SD-JWT (any serialization) we look at; larger input is refused before splitting."""
MAX_DISCLOSURES = 1000
MAX_JSON_DEPTH = 32
"""Nesting limit of each JSON document: the payload, each Disclosure, the KB-JWT."""
MAX_NESTING = 64
"""Nesting limit of the processed payload, Disclosures embedded in one another included."""
MAX_SIGNATURES = 8
SD_ALG = "sha-256"

_JWT = re.compile(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
_B64URL = re.compile(r"[A-Za-z0-9_\-]+")
_STANDARD_TO_URL = bytes.maketrans(b"+/", b"-_")


def digest(text: str) -> str:
    """base64url(SHA-256(ASCII(text))): a Disclosure's digest (5.2.3) and ``sd_hash`` (4.3.1)."""
    return _b64_sha256(text.encode("ascii"))


def _b64_sha256(data: bytes) -> str:
    # a SHA-256 digest is 43 base64 characters, one '=' and the newline: slicing both off beats
    # b64url_encode's rstrip, and a call without keywords skips the keyword parsing
    encoded = binascii.b2a_base64(hashlib.sha256(data).digest())[:43]
    return encoded.translate(_STANDARD_TO_URL).decode("ascii")


class Disclosure(NamedTuple):
    """One Disclosure (RFC 9901 section 4.2): ``name`` is None for an array element.

    A named tuple rather than a frozen dataclass, as the other values made on every issue, present
    and verify here: immutable alike, and made in a third of the time (a frozen dataclass sets each
    field through ``object.__setattr__``).
    """

    encoded: str
    salt: str
    name: str | None
    value: Any
    digest: str

    @classmethod
    def decode(cls, encoded: str) -> Disclosure:
        """Decode base64url JSON ``[salt, name, value]`` or ``[salt, value]`` (sections 4.2.1, 4.2.2).

        :func:`~common.jose.b64url_decode` is strict (alphabet, no padding), so no pattern runs first.
        """
        try:
            content = parse_json(b64url_decode(encoded), max_bytes=MAX_SD_JWT_BYTES, max_depth=MAX_JSON_DEPTH)
        except InvalidInput as exc:
            raise InvalidDisclosure(f"Disclosure is not base64url-encoded JSON: {exc}") from exc
        # the JSON decoder makes exactly list and str, so type() is enough (and cheaper than isinstance)
        if type(content) is not list or not 2 <= len(content) <= 3:
            raise InvalidDisclosure("Disclosure is not a JSON array of two or three elements")
        if type(content[0]) is not str:
            raise InvalidDisclosure("Disclosure salt is not a string")
        # a successful strict base64url decode means ``encoded`` is ASCII
        hashed = _b64_sha256(encoded.encode("ascii"))
        if len(content) == 2:
            return cls(encoded, content[0], None, content[1], hashed)
        if type(content[1]) is not str:
            raise InvalidDisclosure("Disclosure claim name is not a string")
        return cls(encoded, content[0], content[1], content[2], hashed)


class SdJwt(NamedTuple):
    """An SD-JWT or SD-JWT+KB, split but not verified.

    ``other_signatures`` holds, as compact JWS, the signatures after the first of a General JSON
    Serialization (RFC 9901 section 8.2.2); compact input never has any.
    """

    issuer_jwt: str
    disclosures: tuple[Disclosure, ...]
    key_binding_jwt: str | None
    other_signatures: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        """Split the compact form (section 4) or, when ``text`` is a JSON object, section 8's form.

        A compact SD-JWT without KB-JWT must end with ``~``; at most :data:`MAX_DISCLOSURES`
        Disclosures and :data:`MAX_SD_JWT_BYTES` characters are accepted.
        """
        if not isinstance(text, str):
            raise MalformedSdJwt("SD-JWT is not a string")
        if len(text) > MAX_SD_JWT_BYTES:
            raise MalformedSdJwt(f"SD-JWT larger than {MAX_SD_JWT_BYTES} bytes")
        if text.lstrip().startswith("{"):
            return cls._parse_json(text)
        if not text.isascii():
            raise MalformedSdJwt("SD-JWT has characters outside base64url, '.' and '~'")
        # the Issuer-signed JWT up to the first '~' (memchr: most of the text, which split would walk
        # character by character); then the Disclosures and what follows the last '~', where a longest
        # split that is still too long means too many Disclosures, and the list stays bounded either way
        cut = text.find("~")
        if cut < 0:
            raise MalformedSdJwt("SD-JWT lacks the '~' after the Issuer-signed JWT")
        issuer_jwt = text[:cut]
        *encoded, last = text[cut + 1 :].split("~", MAX_DISCLOSURES + 1)
        if len(encoded) > MAX_DISCLOSURES:
            raise MalformedSdJwt(f"SD-JWT has more than {MAX_DISCLOSURES} Disclosures")
        # the dots here; the characters of every part where it is decoded, as strict base64url (the
        # Disclosures just below, the JWTs when they are verified), so no pattern runs over the text
        if not _three_parts(issuer_jwt):
            raise MalformedSdJwt("Issuer-signed JWT is not a compact JWS")
        if last and not _three_parts(last):
            raise MalformedSdJwt("the part after the last '~' is neither empty nor a KB-JWT")
        if "" in encoded:
            raise MalformedSdJwt("empty Disclosure between two '~'")
        return cls(issuer_jwt, tuple(map(Disclosure.decode, encoded)), last or None)

    @classmethod
    def _parse_json(cls, text: str) -> SdJwt:
        try:
            document = parse_json(text, max_bytes=MAX_SD_JWT_BYTES, max_depth=6)
        except InvalidInput as exc:
            raise MalformedSdJwt(f"JSON-serialized SD-JWT: {exc}") from exc
        if not isinstance(document, dict):
            raise MalformedSdJwt("JSON-serialized SD-JWT is not an object")
        payload = _b64_member(document, "payload")
        if "signatures" in document:
            if "protected" in document or "signature" in document:
                raise MalformedSdJwt("General JSON Serialization mixed with the flattened form")
            signatures = document["signatures"]
            if not isinstance(signatures, list) or not 1 <= len(signatures) <= MAX_SIGNATURES:
                raise MalformedSdJwt(f"'signatures' must hold 1 to {MAX_SIGNATURES} signatures")
            entries = [_signature(entry) for entry in signatures]
        else:
            entries = [_signature(document)]
        jwts = [f"{protected}.{payload}.{signature}" for protected, signature, _ in entries]
        header = entries[0][2]
        for _, _, other in entries[1:]:
            if "disclosures" in other or "kb_jwt" in other:
                raise MalformedSdJwt("'disclosures' and 'kb_jwt' belong in the first unprotected header only")
        encoded = header.get("disclosures", [])
        if not isinstance(encoded, list) or not all(isinstance(item, str) for item in encoded):
            raise MalformedSdJwt("'disclosures' is not an array of strings")
        if len(encoded) > MAX_DISCLOSURES:
            raise MalformedSdJwt(f"SD-JWT has more than {MAX_DISCLOSURES} Disclosures")
        kb_jwt = header.get("kb_jwt")
        if kb_jwt is not None and not (isinstance(kb_jwt, str) and _JWT.fullmatch(kb_jwt)):
            raise MalformedSdJwt("'kb_jwt' is not a compact JWS")
        disclosures = tuple(Disclosure.decode(item) for item in encoded)
        return cls(jwts[0], disclosures, kb_jwt, tuple(jwts[1:]))

    def serialize(self) -> str:
        """The compact form ``<jwt>~<d1>~...~<dn>~[<kb-jwt>]`` (section 4)."""
        return self.without_key_binding() + (self.key_binding_jwt or "")

    def without_key_binding(self) -> str:
        """``<jwt>~<d1>~...~<dn>~``: the SD-JWT as presented, without its KB-JWT."""
        return self.issuer_jwt + "~" + "".join(d.encoded + "~" for d in self.disclosures)

    def to_json(self, *, general: bool = False) -> dict[str, Any]:
        """The Flattened or, with ``general``, the General JWS JSON Serialization (section 8)."""
        header: dict[str, Any] = {"disclosures": [d.encoded for d in self.disclosures]}
        if self.key_binding_jwt is not None:
            header["kb_jwt"] = self.key_binding_jwt
        protected, payload, signature = self.issuer_jwt.split(".")
        first = {"header": header, "protected": protected, "signature": signature}
        if not general:
            return {"payload": payload, **first}
        signatures = [first]
        for jwt in self.other_signatures:
            other_protected, _, other_signature = jwt.split(".")
            signatures.append({"protected": other_protected, "signature": other_signature})
        return {"payload": payload, "signatures": signatures}

    def sd_hash(self) -> str:
        """``sd_hash`` over ``<jwt>~<d1>~...~<dn>~`` as presented (section 4.3.1)."""
        return digest(self.without_key_binding())


def _three_parts(jwt: str) -> bool:
    # exactly two dots, none at either end nor side by side: three non-empty parts. Found with
    # str.find (memchr) rather than split or count, which walk the text character by character.
    first = jwt.find(".")
    second = jwt.find(".", first + 1)
    return 0 < first < second - 1 < len(jwt) - 2 and jwt.find(".", second + 1) < 0


def _b64_member(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        raise MalformedSdJwt(f"JSON-serialized SD-JWT: '{name}' is not a base64url string")
    return value


def _signature(entry: object) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(entry, dict):
        raise MalformedSdJwt("JSON-serialized SD-JWT: a signature entry is not an object")
    header = entry.get("header", {})
    if not isinstance(header, dict):
        raise MalformedSdJwt("JSON-serialized SD-JWT: unprotected 'header' is not an object")
    return _b64_member(entry, "protected"), _b64_member(entry, "signature"), header


def split_issuer_jwt(jwt: str) -> tuple[Jws, dict[str, Any]]:
    """Split an Issuer-signed JWT and decode its payload (a JSON object); nothing is checked."""
    try:
        jws = parse_jws(jwt, max_bytes=MAX_SD_JWT_BYTES)
    except InvalidInput as exc:
        raise MalformedSdJwt(f"Issuer-signed JWT: {exc}") from exc
    return jws, _payload_object(jws.payload)


def holder_payload(jwt: str) -> dict[str, Any]:
    """The payload of the holder's own Issuer-signed JWT, with :func:`check_sd_alg`.

    Only the payload is decoded: the holder checked the header and the signature when the
    credential was received (section 7.2), the verifier checks them again, and selecting and
    binding Disclosures needs neither.
    """
    if not _three_parts(jwt):
        raise MalformedSdJwt("Issuer-signed JWT is not a compact JWS")
    first = jwt.find(".")
    try:
        data = b64url_decode(jwt[first + 1 : jwt.find(".", first + 1)])
    except InvalidInput as exc:
        raise MalformedSdJwt(f"Issuer-signed JWT: {exc}") from exc
    payload = _payload_object(data)
    check_sd_alg(payload)
    return payload


def _payload_object(data: bytes) -> dict[str, Any]:
    try:
        payload = parse_json(data, max_bytes=MAX_SD_JWT_BYTES, max_depth=MAX_JSON_DEPTH)
    except InvalidInput as exc:
        raise MalformedSdJwt(f"Issuer-signed JWT: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedSdJwt("Issuer-signed JWT payload is not a JSON object")
    return payload


def check_sd_alg(payload: dict[str, Any]) -> None:
    """Section 4.1.1: ``_sd_alg`` defaults to sha-256, the only hash accepted here."""
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise UnsupportedAlgorithm(f"_sd_alg {payload['_sd_alg']!r} is not supported (only {SD_ALG})")
