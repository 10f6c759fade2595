"""SD-JWT-based Verifiable Digital Credentials (draft-ietf-oauth-sd-jwt-vc-24) over :mod:`credentials.sdjwt`.

- header ``typ`` ``dc+sd-jwt`` (section 3.2.1); ``vct`` required (3.2.2.1); the issuer key comes
  from ``x5c`` or whatever the caller's resolver permits (section 3.5); ``iss`` is optional (3.2.2.2)
  but a string when present;
- ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``, ``vct#integrity``, ``aka_vcts`` and ``status``, with their
  sub-claims, are never selectively disclosable (3.2.2.2): a Disclosure carrying one is refused;
- by default every subject claim is selectively disclosable, recursively (each property of a nested
  object and each array element), as the PID rulebook expects; ``iat`` is left plain.

``claims`` in the results are the subject claims: the registered claims above, ``iat``, ``_sd`` and
``_sd_alg`` are returned in their own fields or dropped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import EudiError
from common.jose import Algorithm, has_typ, public_key_from_jwk, x5c_header
from credentials._sdjwt_format import holder_payload
from credentials.errors import (
    InvalidClaims,
    MalformedSdJwt,
    MissingClaim,
    NotYetValid,
    WrongType,
)
from credentials.sdjwt import (
    SD,
    ClaimPath,
    KeyBindingCheck,
    Rng,
    SdJwt,
    VerifiedSdJwt,
    issue,
    present,
    verify,
)

__all__ = [
    "MEDIA_TYPE",
    "NEVER_DISCLOSABLE",
    "QUERYABLE_REGISTERED",
    "TYP",
    "HeldSdJwtVc",
    "VerifiedSdJwtVc",
    "issue_sd_jwt_vc",
    "present_sd_jwt_vc",
    "read_issued_sd_jwt_vc",
    "registered_claims",
    "verify_sd_jwt_vc",
]

TYP = "dc+sd-jwt"
LEGACY_TYP = "vc+sd-jwt"
MEDIA_TYPE = "application/dc+sd-jwt"
NEVER_DISCLOSABLE = ("iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status")
_ENVELOPE = frozenset({*NEVER_DISCLOSABLE, "iat", "aud", "_sd", "_sd_alg", "..."})
"""Claim names about the credential rather than its subject; subject claims cannot use them."""
_ABSENT = object()
_NUMBER = (int, float)  # a tuple: ``int | float`` in isinstance builds the union on every call

KeyResolver = Callable[[Mapping[str, Any], Mapping[str, Any]], ec.EllipticCurvePublicKey]


def issue_sd_jwt_vc(
    claims: Mapping[str, Any],
    *,
    vct: str,
    issuer: str | None,
    signing_key: ec.EllipticCurvePrivateKey,
    x5c: Sequence[x509.Certificate],
    holder_jwk: Mapping[str, str],
    iat: int,
    exp: int | None = None,
    nbf: int | None = None,
    status: Mapping[str, Any] | None = None,
    aka_vcts: Sequence[str] = (),
    plain: Collection[str] = (),
    decoys: int = 0,
    rng: Rng = os.urandom,
) -> str:
    """Issue an SD-JWT VC: header ``typ`` ``dc+sd-jwt``, ``alg`` from the key, ``x5c`` leaf first.

    Every subject claim is selectively disclosable, recursively, except the top-level claims named in
    ``plain``, which go in as they are, sub-claims included. ``iss``, ``iat``, ``vct``, ``aka_vcts``
    (other types it may be treated as, section 3.2.2.1.1), ``exp``, ``nbf``, ``status`` and ``cnf``
    (from ``holder_jwk``) are plain. ``x5c`` may be empty when the
    verifier resolves the key otherwise. With no disclosable claim, no ``_sd`` is emitted (3.2.2.4).
    """
    reserved = _ENVELOPE.intersection(claims)
    if reserved:
        raise InvalidClaims(f"subject claims may not use the registered names {sorted(reserved)}")
    payload: dict[Any, Any] = {}
    if issuer is not None:
        payload["iss"] = issuer
    payload["iat"] = iat
    if exp is not None:
        payload["exp"] = exp
    if nbf is not None:
        payload["nbf"] = nbf
    payload["vct"] = vct
    if aka_vcts:
        if not all(isinstance(aka, str) and aka for aka in aka_vcts) or vct in aka_vcts:
            raise InvalidClaims("aka_vcts must be types other than vct, each a non-empty string")
        payload["aka_vcts"] = list(aka_vcts)
    if status is not None:
        payload["status"] = dict(status)
    for name, value in claims.items():
        if name in plain:
            payload[name] = value
        else:
            payload[SD(name)] = _disclosable(value)
    header: dict[str, Any] = {"typ": TYP}
    if x5c:
        header["x5c"] = x5c_header(x5c)
    return issue(payload, key=signing_key, header=header, holder_jwk=holder_jwk, decoys=decoys, rng=rng)


def _disclosable(value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, Mapping):
        return {SD(name): _disclosable(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [SD(_disclosable(item)) for item in value]
    return value


def present_sd_jwt_vc(
    text: str,
    paths: Iterable[ClaimPath],
    *,
    holder_key: ec.EllipticCurvePrivateKey,
    audience: str,
    nonce: str,
    iat: int,
) -> str:
    """Present the claims at ``paths`` with a KB-JWT (see :func:`credentials.sdjwt.present`)."""
    return present(text, paths, holder_key=holder_key, audience=audience, nonce=nonce, iat=iat)


QUERYABLE_REGISTERED = ("iss", "vct", "aka_vcts", "iat", "exp", "status")
"""Registered claims a DCQL claims query may name beside the subject claims: part of the credential
(OpenID4VP 1.0 section 7), never selectively disclosed and so always presented (section 3.2.2.2)."""


def registered_claims(text: str) -> dict[str, Any]:
    """The :data:`QUERYABLE_REGISTERED` claims of an SD-JWT VC the holder keeps (its signature was
    checked when it was received)."""
    payload = holder_payload(text.partition("~")[0])
    return {name: payload[name] for name in QUERYABLE_REGISTERED if name in payload}


class VerifiedSdJwtVc(NamedTuple):
    """A verified SD-JWT VC presentation; ``claims`` are the disclosed subject claims only."""

    vct: str
    issuer: str | None
    claims: dict[str, Any]
    header: dict[str, Any]
    cnf_jwk: dict[str, Any] | None
    iat: int | None
    exp: int | None
    status: dict[str, Any] | None
    key_binding: dict[str, Any] | None
    aka_vcts: tuple[str, ...] = ()

    def registered_claims(self) -> dict[str, Any]:
        """Its :data:`QUERYABLE_REGISTERED` claims, as the credential states them."""
        stated = {
            "iss": self.issuer,
            "vct": self.vct,
            "aka_vcts": list(self.aka_vcts) or None,
            "iat": self.iat,
            "exp": self.exp,
            "status": self.status,
        }
        return {name: value for name, value in stated.items() if value is not None}


def verify_sd_jwt_vc(
    text: str,
    *,
    resolve_issuer_key: KeyResolver,
    now: int,
    key_binding: KeyBindingCheck | None,
    vct_values: Collection[str] | None = None,
    leeway: int = 60,
    algorithms: Sequence[Algorithm] = (Algorithm.ES256,),
    accept_legacy_typ: bool = False,
    audience: str | None = None,
) -> VerifiedSdJwtVc:
    """Verify an SD-JWT VC presentation (section 3.4): RFC 9901 section 7 in full, then the profile.

    ``typ`` must be ``dc+sd-jwt`` (``vc+sd-jwt`` too only with ``accept_legacy_typ``), checked before
    the resolver runs; ``resolve_issuer_key`` gets the protected header (with ``x5c``) and the
    unverified payload and must validate the key for the issuer. Then: no never-disclosable claim came
    from a Disclosure; ``vct`` present, and in ``vct_values`` (or one of ``aka_vcts`` is) when given;
    ``exp``, ``nbf`` and ``iat`` against ``now``; an ``aud`` naming ``audience`` (by default the key
    binding's), with or without a KB-JWT; with ``key_binding``, a KB-JWT signed by ``cnf.jwk``.
    """
    typs = (TYP, LEGACY_TYP) if accept_legacy_typ else (TYP,)
    verified = verify(
        text,
        issuer_key=_typed(resolve_issuer_key, typs),
        key_binding=key_binding,
        now=now,
        leeway=leeway,
        algorithms=algorithms,
        never_disclosable=NEVER_DISCLOSABLE,
        audience=audience,
    )
    envelope = _Envelope.of(verified, now=now, leeway=leeway)
    if (
        vct_values is not None
        and envelope.vct not in vct_values
        and not any(aka in vct_values for aka in envelope.aka_vcts)
    ):
        raise WrongType(f"vct {envelope.vct!r} is not one of the types asked for")
    return VerifiedSdJwtVc(
        vct=envelope.vct,
        issuer=envelope.issuer,
        claims=envelope.subject,
        header=verified.header,
        cnf_jwk=envelope.cnf_jwk,
        iat=envelope.iat,
        exp=envelope.exp,
        status=envelope.status,
        key_binding=verified.key_binding,
        aka_vcts=envelope.aka_vcts,
    )


@dataclass(frozen=True)
class HeldSdJwtVc:
    """An SD-JWT VC as the wallet keeps it; ``claims`` are all subject claims, fully disclosed."""

    raw: str
    vct: str
    issuer: str | None
    claims: dict[str, Any]
    cnf_jwk: dict[str, Any]
    iat: int | None
    exp: int | None
    header: dict[str, Any]
    aka_vcts: tuple[str, ...] = ()


def read_issued_sd_jwt_vc(text: str, *, issuer_key: ec.EllipticCurvePublicKey, now: int) -> HeldSdJwtVc:
    """The wallet's check of a freshly issued SD-JWT VC (RFC 9901 section 7.2, this draft section 3.4).

    No KB-JWT may be attached; the signature verifies with ``issuer_key`` (the caller took it from
    the validated ``x5c`` leaf); ``typ``, ``vct`` and the never-disclosable claims as for a verifier;
    every Disclosure is referenced; ``cnf.jwk`` holds a usable public key; with no Disclosures there
    is no ``_sd`` (section 3.2.2.4); ``exp`` and ``nbf`` against ``now``.
    """
    parsed = SdJwt.parse(text)
    if parsed.key_binding_jwt is not None:
        raise MalformedSdJwt("an issued SD-JWT VC must not carry a KB-JWT (RFC 9901 section 7.2)")
    verified = verify(
        text,
        issuer_key=_typed(lambda _header, _payload: issuer_key, (TYP,)),
        key_binding=None,
        now=now,
        never_disclosable=NEVER_DISCLOSABLE,
    )
    envelope = _Envelope.of(verified, now=now, leeway=60)
    if not parsed.disclosures and _has_digests(verified.payload):
        raise MalformedSdJwt("an SD-JWT VC without selectively disclosable claims must not contain _sd")
    if envelope.cnf_jwk is None:
        raise MissingClaim("the credential is not bound to a holder key: cnf.jwk is missing")
    try:
        public_key_from_jwk(envelope.cnf_jwk)
    except EudiError as exc:
        raise MalformedSdJwt(f"cnf.jwk is not a usable public key: {exc}") from exc
    return HeldSdJwtVc(
        raw=text,
        vct=envelope.vct,
        issuer=envelope.issuer,
        claims=envelope.subject,
        cnf_jwk=envelope.cnf_jwk,
        iat=envelope.iat,
        exp=envelope.exp,
        header=verified.header,
        aka_vcts=envelope.aka_vcts,
    )


def _has_digests(node: Any) -> bool:
    """Whether ``_sd`` or an array element ``{"...": digest}`` occurs anywhere in ``node``."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "_sd" in item or "..." in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _typed(resolve: KeyResolver, typs: tuple[str, ...]) -> KeyResolver:
    """Check the explicit type (RFC 9901 section 9.11) before any key resolution or trust work."""

    def resolve_typed(header: Mapping[str, Any], payload: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
        for typ in typs:
            if has_typ(header, typ):
                return resolve(header, payload)
        raise WrongType(f"header typ is {header.get('typ')!r}, not {TYP!r}")

    return resolve_typed


class _Envelope(NamedTuple):
    """The registered claims of a verified SD-JWT VC, checked, and the subject claims apart (a named
    tuple: made on every verification, and a frozen dataclass of eight fields costs three times more)."""

    vct: str
    aka_vcts: tuple[str, ...]
    issuer: str | None
    cnf_jwk: dict[str, Any] | None
    iat: int | None
    exp: int | None
    status: dict[str, Any] | None
    subject: dict[str, Any]

    @classmethod
    def of(cls, verified: VerifiedSdJwt, *, now: int, leeway: int) -> _Envelope:
        """Of a payload that :func:`verify` processed with ``never_disclosable=NEVER_DISCLOSABLE``."""
        claims = verified.claims
        vct = claims.get("vct")
        if not isinstance(vct, str) or not vct:
            raise MissingClaim("vct is missing or not a string")
        aka_vcts: tuple[str, ...] = ()
        if "aka_vcts" in claims:
            value = claims["aka_vcts"]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise MalformedSdJwt("aka_vcts must be a non-empty array of strings")
            if vct in value:
                raise MalformedSdJwt("aka_vcts must not repeat the vct")
            aka_vcts = tuple(value)
        issuer = claims.get("iss")
        if issuer is not None and not isinstance(issuer, str):
            raise MalformedSdJwt("iss is not a string")
        cnf = claims.get("cnf")
        if cnf is not None and not isinstance(cnf, dict):
            raise MalformedSdJwt("cnf is not an object")
        jwk = cnf.get("jwk") if cnf is not None else None
        if jwk is not None and not isinstance(jwk, dict):
            raise MalformedSdJwt("cnf.jwk is not an object")
        status = claims.get("status")
        if status is not None and not isinstance(status, dict):
            raise MalformedSdJwt("status is not an object")
        iat = _integer_date(claims, "iat")
        if iat is not None and iat > now + leeway:
            raise NotYetValid(f"issued in the future (iat {iat})")
        subject = {name: value for name, value in claims.items() if name not in _ENVELOPE}
        # positional: a named tuple made with keywords costs twice as much
        return cls(vct, aka_vcts, issuer, jwk, iat, _integer_date(claims, "exp"), status, subject)


def _integer_date(claims: Mapping[str, Any], name: str) -> int | None:
    value = claims.get(name, _ABSENT)
    if value is _ABSENT:
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise MalformedSdJwt(f"{name} is not a NumericDate")
    return int(value)
