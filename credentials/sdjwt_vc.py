"""SD-JWT-based Verifiable Credentials (draft-ietf-oauth-sd-jwt-vc-24) over :mod:`credentials.sdjwt`.

- media type and header ``typ`` ``dc+sd-jwt``; ``vct`` required; the issuer key comes from ``x5c``
  (the end-entity certificate's subject is the issuer; ``iss`` is optional and informational);
- ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``, ``vct#integrity`` and ``status`` are never selectively
  disclosable (section 3.2.2); a disclosure carrying one of them is refused;
- by default every subject claim is selectively disclosable, recursively (each property of a nested
  object and each array element), as the PID rulebook expects.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import parse_jws, x5c_header
from credentials._disclosure import SdJwt
from credentials.errors import ForbiddenDisclosure, InvalidKeyBinding, MalformedSdJwt, WrongType
from credentials.sdjwt import SD, ClaimPath, KeyBindingCheck, fully_disclosed, issue, present, verify

__all__ = [
    "MEDIA_TYPE",
    "HeldSdJwtVc",
    "VerifiedSdJwtVc",
    "issue_sd_jwt_vc",
    "present_sd_jwt_vc",
    "read_issued_sd_jwt_vc",
    "verify_sd_jwt_vc",
]

TYP = "dc+sd-jwt"
MEDIA_TYPE = "application/dc+sd-jwt"
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
REGISTERED = NEVER_DISCLOSABLE | {"iat", "aka_vcts", "_sd", "_sd_alg"}
"""Claims that describe the credential rather than its subject; ``claims`` results leave them out."""


def _disclosable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {SD(name): _disclosable(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [SD(_disclosable(item)) for item in value]
    return value


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
    plain: Collection[str] = (),
    decoys: int = 0,
    rng: Callable[[int], bytes] = os.urandom,
) -> str:
    """An SD-JWT VC with every subject claim selectively disclosable except those in ``plain``."""
    clash = REGISTERED.intersection(claims)
    if clash:
        raise MalformedSdJwt(f"subject claims may not use the registered names {sorted(clash)}")
    payload: dict[Any, Any] = {
        (name if name in plain else SD(name)): (value if name in plain else _disclosable(value))
        for name, value in claims.items()
    }
    payload["vct"] = vct
    payload["iat"] = iat
    if issuer is not None:
        payload["iss"] = issuer
    if exp is not None:
        payload["exp"] = exp
    if nbf is not None:
        payload["nbf"] = nbf
    if status is not None:
        payload["status"] = dict(status)
    header = {"typ": TYP, "x5c": x5c_header(x5c)}
    return issue(payload, key=signing_key, header=header, holder_jwk=holder_jwk, decoys=decoys, rng=rng)


def present_sd_jwt_vc(
    text: str,
    paths: Iterable[ClaimPath],
    *,
    holder_key: ec.EllipticCurvePrivateKey,
    audience: str,
    nonce: str,
    iat: int,
) -> str:
    return present(text, paths, holder_key=holder_key, audience=audience, nonce=nonce, iat=iat)


def _subject(claims: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in claims.items() if name not in REGISTERED}


def _check_profile(header: Mapping[str, Any], parsed: SdJwt, claims: Mapping[str, Any]) -> str:
    if header.get("typ") != TYP:
        raise WrongType(f"header typ must be {TYP!r}, not {header.get('typ')!r}")
    plain = parse_jws(parsed.issuer_jwt).claims()
    for name in NEVER_DISCLOSABLE.intersection(claims):
        if name not in plain:
            raise ForbiddenDisclosure(f"{name!r} must not be selectively disclosable")
        if _has_digests(plain[name]):
            raise ForbiddenDisclosure(f"the sub-claims of {name!r} must not be selectively disclosable")
    vct = claims.get("vct")
    if not isinstance(vct, str) or not vct:
        raise WrongType("vct is missing")
    if "iss" in claims and not isinstance(claims["iss"], str):
        raise MalformedSdJwt("iss is not a string")
    return vct


def _has_digests(value: Any) -> bool:
    if isinstance(value, dict):
        return "_sd" in value or any(_has_digests(item) for item in value.values())
    if isinstance(value, list):
        return any((isinstance(item, dict) and "..." in item) or _has_digests(item) for item in value)
    return False


@dataclass(frozen=True)
class VerifiedSdJwtVc:
    vct: str
    issuer: str | None
    claims: dict[str, Any]
    """Disclosed subject claims only."""
    header: dict[str, Any]
    cnf_jwk: dict[str, Any] | None
    iat: int | None
    exp: int | None
    status: dict[str, Any] | None
    key_binding: dict[str, Any] | None


def verify_sd_jwt_vc(
    text: str,
    *,
    resolve_issuer_key: Callable[[Mapping[str, Any], Mapping[str, Any]], ec.EllipticCurvePublicKey],
    now: int,
    key_binding: KeyBindingCheck | None,
    vct_values: Collection[str] | None = None,
    leeway: int = 60,
) -> VerifiedSdJwtVc:
    """Verify an SD-JWT VC presentation; ``resolve_issuer_key`` validates the ``x5c`` chain."""
    parsed = SdJwt.parse(text)
    verified = verify(text, issuer_key=resolve_issuer_key, key_binding=key_binding, now=now, leeway=leeway)
    claims = verified.claims
    vct = _check_profile(verified.header, parsed, claims)
    if vct_values is not None and vct not in vct_values:
        raise WrongType(f"vct {vct!r} is not one of the requested types")
    cnf = claims.get("cnf")
    cnf_jwk = cnf.get("jwk") if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict) else None
    if key_binding is not None and cnf_jwk is None:
        raise InvalidKeyBinding("key binding is required but the credential has no cnf.jwk")
    return VerifiedSdJwtVc(
        vct=vct,
        issuer=claims.get("iss"),
        claims=_subject(claims),
        header=verified.header,
        cnf_jwk=cnf_jwk,
        iat=claims.get("iat"),
        exp=claims.get("exp"),
        status=claims.get("status") if isinstance(claims.get("status"), dict) else None,
        key_binding=verified.key_binding,
    )


@dataclass(frozen=True)
class HeldSdJwtVc:
    raw: str
    vct: str
    issuer: str | None
    claims: dict[str, Any]
    """Every subject claim, fully disclosed."""
    cnf_jwk: dict[str, Any]
    iat: int | None
    exp: int | None
    header: dict[str, Any]


def read_issued_sd_jwt_vc(text: str, *, issuer_key: ec.EllipticCurvePublicKey, now: int) -> HeldSdJwtVc:
    """The wallet's check of a freshly issued SD-JWT VC: signature, profile, every disclosure, ``cnf``."""
    parsed = SdJwt.parse(text)
    if parsed.key_binding_jwt is not None:
        raise MalformedSdJwt("an issued SD-JWT VC must not carry a KB-JWT")
    verified = verify(text, issuer_key=issuer_key, key_binding=None, now=now)
    vct = _check_profile(verified.header, parsed, verified.claims)
    claims = fully_disclosed(parsed)
    cnf = claims.get("cnf")
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jwk"), dict):
        raise InvalidKeyBinding("the credential is not bound to a holder key (cnf.jwk missing)")
    return HeldSdJwtVc(
        raw=text,
        vct=vct,
        issuer=claims.get("iss"),
        claims=_subject(claims),
        cnf_jwk=cnf["jwk"],
        iat=claims.get("iat"),
        exp=claims.get("exp"),
        header=verified.header,
    )
