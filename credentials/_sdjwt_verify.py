"""Verifying an SD-JWT or SD-JWT+KB (RFC 9901 sections 7.1 and 7.3), in the order section 7 gives.

Key binding policy (section 7.3 step 1): the caller decides *before* looking at the presentation. With a
:class:`KeyBindingCheck`, a KB-JWT is required and checked in full. Without one, a plain SD-JWT is
accepted; a KB-JWT that is nevertheless present is not ignored: it must still be a ``kb+jwt`` signed
by ``cnf.jwk`` with the right ``sd_hash`` (audience, nonce and age cannot be judged without a check and
are not), and its claims are returned, so what is returned was always verified.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, EudiError, InvalidInput
from common.jose import Algorithm, Jws, has_typ, parse_jws, public_key_from_jwk
from credentials._sdjwt_format import SdJwt, check_sd_alg, digest, split_issuer_jwt
from credentials._sdjwt_holder import KB_JWT_TYP
from credentials._sdjwt_process import process
from credentials.errors import (
    CredentialError,
    Expired,
    InvalidKeyBinding,
    InvalidSignature,
    KeyBindingRequired,
    MalformedSdJwt,
    NotYetValid,
    UnsupportedAlgorithm,
    WrongAudience,
)

__all__ = [
    "IssuerKey",
    "KeyBindingCheck",
    "VerifiedSdJwt",
    "check_validity",
    "verify",
]

MAX_KB_JWT_BYTES = 8 * 1024
_NUMBER = (int, float)  # a tuple: ``int | float`` in isinstance builds the union on every call
_ABSENT = object()

IssuerKey = (
    ec.EllipticCurvePublicKey | Callable[[Mapping[str, Any], Mapping[str, Any]], ec.EllipticCurvePublicKey]
)
"""The issuer's key, or a resolver given (protected header, unverified payload) that returns it."""


class KeyBindingCheck(NamedTuple):
    """What the verifier expects of the KB-JWT (section 7.3 step 5): its ``aud``, its ``nonce``,
    and an ``iat`` within [``now - max_age``, ``now + max_future``]. Like the other values made on every
    verification, a named tuple (see :class:`~credentials._sdjwt_format.Disclosure`)."""

    audience: str
    nonce: str
    now: int
    max_age: int = 300
    max_future: int = 60


class VerifiedSdJwt(NamedTuple):
    """A verified SD-JWT: the issuer's protected ``header``; ``claims``, the Processed SD-JWT Payload
    (section 7.1: disclosed claims in place, ``_sd`` and ``_sd_alg`` gone, undisclosed ones absent);
    ``key_binding``, the KB-JWT claims if one was present; ``payload``, as the issuer signed it."""

    header: dict[str, Any]
    claims: dict[str, Any]
    key_binding: dict[str, Any] | None
    payload: dict[str, Any]


def verify(
    text: str,
    *,
    issuer_key: IssuerKey,
    key_binding: KeyBindingCheck | None,
    now: int | None = None,
    leeway: int = 60,
    algorithms: Sequence[Algorithm] = (Algorithm.ES256,),
    never_disclosable: Collection[str] = (),
    audience: str | None = None,
) -> VerifiedSdJwt:
    """Verify an SD-JWT or SD-JWT+KB, compact or JSON-serialized (section 8.3).

    Order: split (7.1 step 1); a required KB-JWT is present (7.3 step 2); ``alg`` allowed and the
    signature verifies with ``issuer_key``, every signature for the General JSON Serialization (7.1
    step 2); ``_sd_alg`` is sha-256 (its last check); Disclosures processed with all rejections of step 3
    to 5, and a profile's ``never_disclosable`` top-level claims (see :func:`process`); ``exp`` and
    ``nbf`` of the processed payload when ``now`` is given (step 6); an ``aud`` in the processed
    payload must name ``audience``, by default the key binding's (RFC 7519 section 4.1.3; with neither
    it cannot be judged and is returned as it is); then the KB-JWT (7.3 step 5, see the module
    docstring for the case without ``key_binding``).
    """
    sd_jwt = SdJwt.parse(text)
    if key_binding is not None and sd_jwt.key_binding_jwt is None:
        raise KeyBindingRequired("key binding is required but the presentation has no KB-JWT")
    jws, payload = split_issuer_jwt(sd_jwt.issuer_jwt)
    _verify_signature(jws, payload, issuer_key, algorithms)
    for jwt in sd_jwt.other_signatures:
        _verify_signature(split_issuer_jwt(jwt)[0], payload, issuer_key, algorithms)
    check_sd_alg(payload)
    claims = process(payload, sd_jwt.disclosures, never_disclosable=never_disclosable)
    if now is not None:
        check_validity(claims, now=now, leeway=leeway)
    if audience is None and key_binding is not None:
        audience = key_binding.audience
    if audience is not None and "aud" in claims:
        _check_audience(claims["aud"], audience)
    kb_claims = None
    if sd_jwt.key_binding_jwt is not None:
        # compact input holds ``<jwt>~<d1>~...~<dn>~`` as presented: a slice, not the parts joined again
        compact = text.startswith(sd_jwt.issuer_jwt)
        presented = text[: text.rindex("~") + 1] if compact else sd_jwt.without_key_binding()
        kb_claims = _verify_key_binding(
            presented, sd_jwt.key_binding_jwt, claims, key_binding, algorithms, now=now, leeway=leeway
        )
    return VerifiedSdJwt(jws.header, claims, kb_claims, payload)


def _verify_signature(
    jws: Jws, payload: dict[str, Any], issuer_key: IssuerKey, algorithms: Sequence[Algorithm]
) -> None:
    """Section 7.1 step 2.1 and 2.2 for one signature; the resolver does step 2.3."""
    algorithm = _allowed(jws.header.get("alg"), algorithms, "Issuer-signed JWT")
    if isinstance(issuer_key, ec.EllipticCurvePublicKey):
        key = issuer_key
    else:
        key = issuer_key(MappingProxyType(jws.header), MappingProxyType(payload))
    try:
        algorithm.verify(key, jws.signing_input, jws.signature)
    except CryptoError as exc:
        raise InvalidSignature(f"Issuer-signed JWT: {exc}") from exc


def _allowed(alg: object, algorithms: Sequence[Algorithm], what: str) -> Algorithm:
    """The algorithm named by the header ``alg``, when it is one of ``algorithms``."""
    for algorithm in algorithms:
        if algorithm.jose == alg:
            return algorithm
    raise UnsupportedAlgorithm(f"{what}: alg {alg!r} is not allowed")


def check_validity(claims: Mapping[str, Any], *, now: int, leeway: int) -> None:
    """``exp`` and ``nbf`` (RFC 7519 sections 4.1.4, 4.1.5) of a processed payload, with ``leeway``;
    present, each must be a NumericDate (``null`` is not one)."""
    exp = _numeric_date(claims, "exp")
    if exp is not None and now >= exp + leeway:
        raise Expired(f"expired at {exp}")
    nbf = _numeric_date(claims, "nbf")
    if nbf is not None and now + leeway < nbf:
        raise NotYetValid(f"not valid before {nbf}")


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name, _ABSENT)
    if value is _ABSENT:
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise MalformedSdJwt(f"{name} is not a NumericDate")
    return value


def _check_audience(aud: object, audience: str) -> None:
    """RFC 7519 section 4.1.3: ``aud``, one string or an array of them, must name ``audience``."""
    if isinstance(aud, str):
        named = aud == audience
    elif isinstance(aud, list) and aud and all(isinstance(item, str) for item in aud):
        named = audience in aud
    else:
        raise MalformedSdJwt("aud is neither a string nor an array of strings")
    if not named:
        raise WrongAudience("the Issuer-signed JWT is meant for another audience (aud)")


def _verify_key_binding(
    presented: str,
    kb_jwt: str,
    claims: Mapping[str, Any],
    check: KeyBindingCheck | None,
    algorithms: Sequence[Algorithm],
    *,
    now: int | None,
    leeway: int,
) -> dict[str, Any]:
    """Section 7.3 step 5, in its order: holder key from ``cnf.jwk``, ``alg``, signature, ``typ``,
    ``iat`` window, ``nonce`` and ``aud``, ``sd_hash`` over ``presented`` (``<jwt>~<d1>~...~<dn>~``);
    then the claims' types and, as for any JWT (step 5.8), an ``exp`` or ``nbf`` it carries, at the
    check's time (else at ``now``, when given)."""
    cnf = claims.get("cnf")
    if not isinstance(cnf, dict) or "jwk" not in cnf:
        raise InvalidKeyBinding("the SD-JWT has no cnf.jwk to check the KB-JWT against")
    try:
        holder_key = public_key_from_jwk(cnf["jwk"])
        jws = parse_jws(kb_jwt, max_bytes=MAX_KB_JWT_BYTES)
    except EudiError as exc:
        raise InvalidKeyBinding(f"KB-JWT or cnf.jwk unusable: {exc}") from exc
    algorithm = _allowed(jws.header.get("alg"), algorithms, "KB-JWT")
    try:
        algorithm.verify(holder_key, jws.signing_input, jws.signature)
    except CryptoError as exc:
        raise InvalidKeyBinding("KB-JWT is not signed by the key in cnf.jwk") from exc
    if not has_typ(jws.header, KB_JWT_TYP):
        raise InvalidKeyBinding(f"KB-JWT typ is {jws.header.get('typ')!r}, not {KB_JWT_TYP!r}")
    try:
        kb = jws.claims(max_depth=8)
    except InvalidInput as exc:
        raise InvalidKeyBinding(f"KB-JWT payload: {exc}") from exc
    iat = kb.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, _NUMBER):
        raise InvalidKeyBinding("KB-JWT iat is missing or not a NumericDate")
    for name in ("aud", "nonce", "sd_hash"):
        if not isinstance(kb.get(name), str):
            raise InvalidKeyBinding(f"KB-JWT {name} is missing or not a single string")
    if check is not None:
        if iat < check.now - check.max_age:
            raise InvalidKeyBinding(f"KB-JWT iat {iat} is more than {check.max_age} s old")
        if iat > check.now + check.max_future:
            raise InvalidKeyBinding(f"KB-JWT iat {iat} lies in the future")
        if kb["nonce"] != check.nonce:
            raise InvalidKeyBinding("KB-JWT nonce is not the one of this transaction")
        if kb["aud"] != check.audience:
            raise InvalidKeyBinding("KB-JWT aud is not this verifier")
    if kb["sd_hash"] != digest(presented):
        raise InvalidKeyBinding("KB-JWT sd_hash does not match the presented SD-JWT")
    at = check.now if check is not None else now
    if at is not None and ("exp" in kb or "nbf" in kb):
        try:
            check_validity(kb, now=at, leeway=leeway)
        except CredentialError as exc:
            raise InvalidKeyBinding(f"KB-JWT: {exc}") from exc
    return kb
