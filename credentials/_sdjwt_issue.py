"""Issuing an SD-JWT (RFC 9901 sections 4.1 and 4.2): Disclosures, digests, decoys, ``cnf``."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import EudiError
from common.jose import Algorithm, b64url_encode, canonical_json, encode_jws, public_key_from_jwk
from credentials._sdjwt_format import MAX_JSON_DEPTH, SD_ALG, Disclosure, SdJwt, digest
from credentials.errors import InvalidClaims

__all__ = ["SD", "Rng", "issue"]

Rng = Callable[[int], bytes]

_RESERVED = ("_sd", "...", "_sd_alg")


@dataclass(frozen=True)
class SD:
    """Marks what the holder may disclose selectively.

    ``{SD("name"): value}`` makes an object property selectively disclosable (section 4.2.1);
    ``[SD(value)]`` an array element (section 4.2.2). Marks nest: a disclosable object may hold
    disclosable properties (section 4.2.6, recursive Disclosures).
    """

    value: Any


def issue(
    claims: Mapping[str, Any],
    *,
    key: ec.EllipticCurvePrivateKey,
    header: Mapping[str, Any] | None = None,
    holder_jwk: Mapping[str, str] | None = None,
    decoys: int = 0,
    rng: Rng = os.urandom,
) -> str:
    """Sign ``claims`` as an SD-JWT and return ``<issuer-jwt>~<d1>~...~<dn>~``.

    Salts are 128 bits from ``rng`` (section 9.3). Every ``_sd`` array receives between 0 and
    ``decoys`` decoy digests, the count drawn from ``rng`` per array (section 4.2.5), and is then
    sorted, so neither its length nor its order tells the claims apart (section 4.2.4.1). Arrays get no
    decoys. ``_sd_alg`` is always ``sha-256``; with ``holder_jwk`` the payload gets ``cnf.jwk``
    (section 4.1.2, RFC 7800). ``alg`` comes from the key; ``header`` adds other parameters (``typ``).
    """
    if decoys < 0:
        raise InvalidClaims("decoys cannot be negative")
    builder = _Builder(rng, decoys)
    payload = builder.object(claims, 0)
    payload["_sd_alg"] = SD_ALG
    if holder_jwk is not None:
        if "cnf" in builder.top_level_names:
            raise InvalidClaims("cnf is set from holder_jwk and cannot also be a claim")
        try:
            public_key_from_jwk(holder_jwk)
        except EudiError as exc:
            raise InvalidClaims(f"holder_jwk is not a usable public key: {exc}") from exc
        payload["cnf"] = {"jwk": dict(holder_jwk)}
    protected = dict(header or {})
    alg = protected.pop("alg", None)
    if alg not in (None, Algorithm.for_key(key).jose):
        raise InvalidClaims(f"header alg {alg!r} does not match the signing key")
    jwt = encode_jws(protected, payload, key)
    return SdJwt(jwt, tuple(builder.disclosures), None).serialize()


class _Builder:
    def __init__(self, rng: Rng, decoys: int) -> None:
        self.rng = rng
        self.decoys = decoys
        self.disclosures: list[Disclosure] = []
        self.top_level_names: set[str] = set()

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_JSON_DEPTH:
            raise InvalidClaims(f"claims nested deeper than {MAX_JSON_DEPTH}")
        if type(node) is str:  # the usual leaf, before the slower checks below
            return node
        if isinstance(node, SD):
            raise InvalidClaims("SD marks an object key or an array element, not a property value")
        if isinstance(node, Mapping):
            return self.object(node, depth)
        if isinstance(node, list | tuple):
            return self.array(node, depth)
        if isinstance(node, float) and not math.isfinite(node):
            raise InvalidClaims("claims must be JSON: NaN and infinities are not")
        if node is None or isinstance(node, str | int | float | bool):
            return node
        raise InvalidClaims(f"claims must be JSON: {type(node).__name__} is not")

    def object(self, node: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        names: set[str] = set()
        digests: list[str] = []
        for key, item in node.items():
            name = key.value if isinstance(key, SD) else key
            if not isinstance(name, str):
                raise InvalidClaims(f"claim name {name!r} is not a string")
            if name in _RESERVED:
                raise InvalidClaims(f"claim name {name!r} is reserved by SD-JWT")
            if name in names:
                raise InvalidClaims(f"claim {name!r} appears twice")
            names.add(name)
            value = self.value(item, depth + 1)
            if isinstance(key, SD):
                digests.append(self.disclose([name, value]))
            else:
                out[name] = value
        if depth == 0:
            self.top_level_names = names
        if digests:
            digests.extend(self.decoy() for _ in range(self.decoy_count()))
            out["_sd"] = sorted(digests)
        return out

    def array(self, node: list[Any] | tuple[Any, ...], depth: int) -> list[Any]:
        out: list[Any] = []
        for item in node:
            if isinstance(item, SD):
                out.append({"...": self.disclose([self.value(item.value, depth + 1)])})
            else:
                out.append(self.value(item, depth + 1))
        return out

    def disclose(self, content: list[Any]) -> str:
        salt = b64url_encode(self.rng(16))
        encoded = b64url_encode(canonical_json([salt, *content]))
        name = content[0] if len(content) == 2 else None
        disclosure = Disclosure(encoded, salt, name, content[-1], digest(encoded))
        self.disclosures.append(disclosure)
        return disclosure.digest

    def decoy_count(self) -> int:
        if self.decoys == 0:
            return 0
        return int.from_bytes(self.rng(4), "big") % (self.decoys + 1)

    def decoy(self) -> str:
        return b64url_encode(hashlib.sha256(self.rng(32)).digest())
