"""Selective Disclosure for JWTs, RFC 9901: issuing, holder selection and key binding, verification.

- Issuing (section 4.2): a claim marked with :class:`SD` (as a dict key, or wrapping an array
  element) is replaced by the digest of its disclosure; marked claims may nest (recursive
  disclosures). Salts are 128 bits from the injected ``rng``. ``decoys`` decoy digests are added to
  every ``_sd`` array (section 4.2.5); each ``_sd`` array is sorted so order reveals nothing.
- Holder (section 5): :func:`select` keeps exactly the disclosures needed to reveal given claims
  paths; :func:`present` adds a KB-JWT (section 4.3).
- Verifier (section 7.1 and 7.3): :func:`verify` checks the issuer signature with an allowed
  algorithm, restores disclosed claims with every check of step 3, then ``exp``/``nbf``; when
  ``key_binding`` is given a KB-JWT is required and checked. A KB-JWT sent where none was asked for
  is ignored (section 7.3: the verifier decides beforehand whether it needs key binding).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import Algorithm, b64url_encode, encode_jws, parse_jws, public_key_from_jwk
from credentials._disclosure import (
    MAX_DEPTH,
    MAX_SD_JWT_BYTES,
    ClaimPath,
    Disclosure,
    SdJwt,
    digest_of,
    restore,
)
from credentials.errors import (
    Expired,
    InvalidKeyBinding,
    InvalidSignature,
    KeyBindingRequired,
    MalformedSdJwt,
    NotYetValid,
    UnsupportedHashAlgorithm,
)

__all__ = [
    "SD",
    "ClaimPath",
    "Disclosure",
    "KeyBindingCheck",
    "SdJwt",
    "VerifiedSdJwt",
    "fully_disclosed",
    "issue",
    "present",
    "select",
    "verify",
]

SD_ALG = "sha-256"
KB_TYP = "kb+jwt"

IssuerKey = (
    ec.EllipticCurvePublicKey | Callable[[Mapping[str, Any], Mapping[str, Any]], ec.EllipticCurvePublicKey]
)


class SD:
    """Marks a claim as selectively disclosable: ``{SD("name"): value}`` or ``[SD(value)]``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(("SD", self.value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SD) and other.value == self.value

    def __repr__(self) -> str:
        return f"SD({self.value!r})"


# -- issuing ------------------------------------------------------------------------------------------


def issue(
    claims: Mapping[Any, Any],
    *,
    key: ec.EllipticCurvePrivateKey,
    header: Mapping[str, Any] | None = None,
    holder_jwk: Mapping[str, str] | None = None,
    decoys: int = 0,
    rng: Callable[[int], bytes] = os.urandom,
) -> str:
    """Issue an SD-JWT (compact, ending with ``~``) over ``claims`` with :class:`SD` markers."""
    disclosures: list[Disclosure] = []

    def salt() -> str:
        return b64url_encode(rng(16))

    def conceal(value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise MalformedSdJwt(f"claims nested deeper than {MAX_DEPTH}")
        if isinstance(value, SD):
            raise MalformedSdJwt("SD marks a dict key or an array element, not a value")
        if isinstance(value, Mapping):
            result: dict[str, Any] = {}
            digests: list[str] = []
            for name, item in value.items():
                if isinstance(name, SD):
                    if name.value in ("_sd", "...") or not isinstance(name.value, str):
                        raise MalformedSdJwt(f"{name.value!r} cannot be a disclosable claim name")
                    disclosure = Disclosure.make(salt(), name.value, conceal(item, depth + 1))
                    disclosures.append(disclosure)
                    digests.append(disclosure.digest)
                else:
                    result[name] = conceal(item, depth + 1)
            if digests:
                digests.extend(digest_of(salt()) for _ in range(decoys))
                result["_sd"] = sorted(digests)
            return result
        if isinstance(value, list | tuple):
            items = []
            for item in value:
                if isinstance(item, SD):
                    disclosure = Disclosure.make(salt(), None, conceal(item.value, depth + 1))
                    disclosures.append(disclosure)
                    items.append({"...": disclosure.digest})
                else:
                    items.append(conceal(item, depth + 1))
            return items
        return value

    payload = conceal(claims, 0)
    payload["_sd_alg"] = SD_ALG
    if holder_jwk is not None:
        payload["cnf"] = {"jwk": dict(holder_jwk)}
    jwt = encode_jws(dict(header or {}), payload, key)
    return SdJwt(jwt, tuple(disclosures)).serialize()


# -- holder ------------------------------------------------------------------------------------------


def _as_sd_jwt(sd_jwt: SdJwt | str) -> SdJwt:
    return sd_jwt if isinstance(sd_jwt, SdJwt) else SdJwt.parse(sd_jwt)


def _payload(sd_jwt: SdJwt) -> dict[str, Any]:
    try:
        payload = parse_jws(sd_jwt.issuer_jwt, max_bytes=MAX_SD_JWT_BYTES).claims(max_depth=MAX_DEPTH)
    except InvalidInput as exc:
        raise MalformedSdJwt(f"issuer-signed JWT is malformed: {exc}") from exc
    algorithm = payload.pop("_sd_alg", SD_ALG)
    if algorithm != SD_ALG:
        raise UnsupportedHashAlgorithm(f"_sd_alg {algorithm!r} is not supported (only {SD_ALG})")
    return payload


def fully_disclosed(sd_jwt: SdJwt | str) -> dict[str, Any]:
    """The holder's view: every disclosure applied (no signature check)."""
    parsed = _as_sd_jwt(sd_jwt)
    return restore(_payload(parsed), parsed.disclosures)


def _selected_paths(claims: Any, path: ClaimPath) -> list[ClaimPath]:
    """Concrete paths selected by a claims path pointer (OpenID4VP 1.0 section 7)."""
    found: list[tuple[Any, ClaimPath]] = [(claims, ())]
    for component in path:
        following: list[tuple[Any, ClaimPath]] = []
        for node, where in found:
            if isinstance(component, str) and isinstance(node, dict) and component in node:
                following.append((node[component], (*where, component)))
            elif component is None and isinstance(node, list):
                following.extend((item, (*where, index)) for index, item in enumerate(node))
            elif isinstance(component, int) and isinstance(node, list) and 0 <= component < len(node):
                following.append((node[component], (*where, component)))
        found = following
    return [where for _, where in found]


def select(sd_jwt: SdJwt | str, paths: Iterable[ClaimPath]) -> SdJwt:
    """Keep the disclosures that reveal ``paths``: their own, their ancestors' and everything below."""
    parsed = _as_sd_jwt(sd_jwt)
    revealed: list[tuple[ClaimPath, Disclosure]] = []
    claims = restore(_payload(parsed), parsed.disclosures, on_reveal=lambda p, d: revealed.append((p, d)))
    wanted = [concrete for path in paths for concrete in _selected_paths(claims, tuple(path))]

    def needed(where: ClaimPath) -> bool:
        return any(where[: len(w)] == w or w[: len(where)] == where for w in wanted)

    keep = {disclosure.digest for where, disclosure in revealed if needed(where)}
    return SdJwt(parsed.issuer_jwt, tuple(d for d in parsed.disclosures if d.digest in keep))


def present(
    sd_jwt: SdJwt | str,
    paths: Iterable[ClaimPath],
    *,
    holder_key: ec.EllipticCurvePrivateKey,
    audience: str,
    nonce: str,
    iat: int,
) -> str:
    """SD-JWT+KB revealing ``paths``, bound to ``audience`` and ``nonce`` (section 4.3)."""
    chosen = select(sd_jwt, paths)
    kb_jwt = encode_jws(
        {"typ": KB_TYP},
        {"iat": iat, "aud": audience, "nonce": nonce, "sd_hash": chosen.sd_hash()},
        holder_key,
    )
    return chosen.without_key_binding() + kb_jwt


# -- verifier ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyBindingCheck:
    """What the verifier expects of the KB-JWT: its audience, its nonce, and how fresh it must be."""

    audience: str
    nonce: str
    now: int
    max_age: int = 300
    max_future: int = 60


@dataclass(frozen=True)
class VerifiedSdJwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    key_binding: dict[str, Any] | None


def _check_key_binding(
    parsed: SdJwt, claims: Mapping[str, Any], check: KeyBindingCheck, algorithms: Sequence[Algorithm]
) -> dict[str, Any]:
    if parsed.key_binding_jwt is None:
        raise KeyBindingRequired("key binding is required but the presentation has no KB-JWT")
    try:
        kb = parse_jws(parsed.key_binding_jwt)
    except InvalidInput as exc:
        raise InvalidKeyBinding(f"KB-JWT is malformed: {exc}") from exc
    if kb.header.get("typ") != KB_TYP:
        raise InvalidKeyBinding(f"KB-JWT typ must be {KB_TYP!r}")
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if jwk is None:
        raise InvalidKeyBinding("the SD-JWT has no cnf.jwk to check the KB-JWT against")
    try:
        kb.verify(public_key_from_jwk(jwk), allowed=algorithms)
        kb_claims = kb.claims()
    except (CryptoError, InvalidInput) as exc:
        raise InvalidKeyBinding(f"KB-JWT is not signed by the holder key: {exc}") from exc
    iat = kb_claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InvalidKeyBinding("KB-JWT iat is missing or not a number")
    if iat < check.now - check.max_age:
        raise InvalidKeyBinding("KB-JWT iat is too old")
    if iat > check.now + check.max_future:
        raise InvalidKeyBinding("KB-JWT iat is in the future")
    if kb_claims.get("aud") != check.audience:
        raise InvalidKeyBinding("KB-JWT aud is not this verifier")
    if kb_claims.get("nonce") != check.nonce:
        raise InvalidKeyBinding("KB-JWT nonce does not match this request")
    if kb_claims.get("sd_hash") != parsed.sd_hash():
        raise InvalidKeyBinding("KB-JWT sd_hash does not match the presented SD-JWT")
    return kb_claims


def _check_times(claims: Mapping[str, Any], now: int, leeway: int) -> None:
    for name in ("exp", "nbf", "iat"):
        if name in claims and (not isinstance(claims[name], int | float) or isinstance(claims[name], bool)):
            raise MalformedSdJwt(f"{name} is not a number")
    if "exp" in claims and now > claims["exp"] + leeway:
        raise Expired("the credential has expired")
    if "nbf" in claims and now < claims["nbf"] - leeway:
        raise NotYetValid("the credential is not yet valid")


def verify(
    text: str,
    *,
    issuer_key: IssuerKey,
    key_binding: KeyBindingCheck | None,
    now: int | None = None,
    leeway: int = 60,
    algorithms: Sequence[Algorithm] = (Algorithm.ES256,),
) -> VerifiedSdJwt:
    """Verify an SD-JWT or SD-JWT+KB in the order of RFC 9901 section 7.1, then 7.3."""
    parsed = SdJwt.parse(text)
    try:
        jws = parse_jws(parsed.issuer_jwt, max_bytes=MAX_SD_JWT_BYTES)
    except InvalidInput as exc:
        raise MalformedSdJwt(f"issuer-signed JWT is malformed: {exc}") from exc
    payload = _payload(parsed)
    key = issuer_key(jws.header, payload) if callable(issuer_key) else issuer_key
    try:
        jws.verify(key, allowed=algorithms)
    except CryptoError as exc:
        raise InvalidSignature(f"issuer signature: {exc}") from exc
    claims = restore(payload, parsed.disclosures)
    if now is not None:
        _check_times(claims, now, leeway)
    kb_claims = None
    if key_binding is not None:
        kb_claims = _check_key_binding(parsed, claims, key_binding, algorithms)
    return VerifiedSdJwt(header=jws.header, claims=claims, key_binding=kb_claims)
