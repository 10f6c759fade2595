"""The holder's side of SD-JWT (RFC 9901 section 7.2): read, choose Disclosures, bind with a KB-JWT."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import encode_jws, public_jwk
from credentials._sdjwt_format import SdJwt, digest, holder_payload
from credentials._sdjwt_process import ClaimPath, process, select_digests
from credentials.errors import InvalidKeyBinding

__all__ = ["KB_JWT_TYP", "fully_disclosed", "present", "select"]

KB_JWT_TYP = "kb+jwt"


def _as_sd_jwt(sd_jwt: SdJwt | str) -> SdJwt:
    return sd_jwt if isinstance(sd_jwt, SdJwt) else SdJwt.parse(sd_jwt)


def fully_disclosed(sd_jwt: SdJwt | str) -> dict[str, Any]:
    """The payload with every Disclosure at hand applied; the signature is not checked.

    The structural checks of section 7.1 step 3 to 5 still apply, so a broken SD-JWT is refused.
    """
    parsed = _as_sd_jwt(sd_jwt)
    payload = holder_payload(parsed.issuer_jwt)
    return process(payload, parsed.disclosures)


def select(sd_jwt: SdJwt | str, paths: Iterable[ClaimPath], *, recursive: bool = True) -> SdJwt:
    """Keep exactly the Disclosures that reveal ``paths`` (section 7.2, steps 1 and 2).

    Each path brings the Disclosures of its ancestors, so every kept Disclosure is reachable from the
    payload. A path ending at an object or array reveals all that is inside it, unless ``recursive``
    is False, when only the container itself is revealed. ``None`` in a path selects every element.
    A path that matches nothing is left unsatisfied. The result has no KB-JWT and keeps the issued
    order of the Disclosures.
    """
    return _select(_as_sd_jwt(sd_jwt), paths, recursive=recursive)[0]


def _select(parsed: SdJwt, paths: Iterable[ClaimPath], *, recursive: bool) -> tuple[SdJwt, dict[str, Any]]:
    """:func:`select`, also returning the Issuer-signed payload it read (so no caller decodes it twice)."""
    payload = holder_payload(parsed.issuer_jwt)
    process(payload, parsed.disclosures)
    chosen = select_digests(payload, parsed.disclosures, paths, recursive=recursive)
    kept = tuple(d for d in parsed.disclosures if d.digest in chosen)
    return SdJwt(parsed.issuer_jwt, kept, None, parsed.other_signatures), payload


def present(
    sd_jwt: SdJwt | str,
    paths: Iterable[ClaimPath],
    *,
    holder_key: ec.EllipticCurvePrivateKey,
    audience: str,
    nonce: str,
    iat: int,
    recursive: bool = True,
) -> str:
    """:func:`select` (``recursive`` as there), then append a KB-JWT (section 4.3): ``typ``
    ``kb+jwt``; ``iat``, ``aud``, ``nonce``, and ``sd_hash`` over the presented SD-JWT.
    Returns ``<jwt>~<d1>~...~<dn>~<kb-jwt>``.

    Refuses a ``holder_key`` that is not the one in ``cnf.jwk``, when the SD-JWT names one.
    """
    # the selected SD-JWT keeps the Issuer-signed JWT, so the payload read for the selection is its own
    selected, payload = _select(_as_sd_jwt(sd_jwt), paths, recursive=recursive)
    cnf = payload.get("cnf")
    if isinstance(cnf, dict) and "jwk" in cnf and not _names_key(cnf["jwk"], holder_key):
        raise InvalidKeyBinding("holder_key is not the key in the SD-JWT's cnf.jwk")
    presented = selected.without_key_binding()
    claims = {"iat": iat, "aud": audience, "nonce": nonce, "sd_hash": digest(presented)}
    return presented + encode_jws({"typ": KB_JWT_TYP}, claims, holder_key)


def _names_key(jwk: object, key: ec.EllipticCurvePrivateKey) -> bool:
    """Whether ``jwk`` is the public JWK of ``key``, as equal RFC 7638 thumbprints would say.

    The thumbprint is SHA-256 over ``crv``, ``kty``, ``x`` and ``y`` (our JWKs have exactly these, all
    strings), so comparing those members decides the same without encoding and hashing two JWKs.
    A ``jwk`` without them is not a usable key.
    """
    try:
        members = (jwk["crv"], jwk["kty"], jwk["x"], jwk["y"])  # type: ignore[index]
    except (KeyError, TypeError, IndexError) as exc:
        raise InvalidKeyBinding("cnf.jwk is not a usable key") from exc
    ours = public_jwk(key)
    return members == (ours["crv"], ours["kty"], ours["x"], ours["y"])
