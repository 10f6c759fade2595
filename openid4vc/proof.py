"""The ``jwt`` key proof (OpenID4VCI 1.0 appendix F.1, checked as appendix F.4 lists)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import Algorithm, encode_jws, has_typ, parse_jws, public_jwk, public_key_from_jwk
from openid4vc._checks import is_number
from openid4vc.errors import InvalidProof

__all__ = ["PROOF_TYP", "ProofResult", "make_jwt_proof", "verify_jwt_proof"]

PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_BYTES = 16 * 1024


@dataclass(frozen=True)
class ProofResult:
    """A verified proof: the key to bind the credential to, and the nonce for the issuer to burn."""

    jwk: dict[str, str]
    nonce: str | None
    iat: int


def make_jwt_proof(
    holder_key: ec.EllipticCurvePrivateKey,
    *,
    audience: str,
    nonce: str | None,
    iat: int,
    client_id: str | None = None,
) -> str:
    """A proof for ``audience`` (the credential issuer identifier) carrying the public key as ``jwk``.

    ``client_id`` becomes ``iss``; leave it out for anonymous pre-authorized access (F.1).
    """
    claims: dict[str, object] = {"aud": audience, "iat": iat}
    if nonce is not None:
        claims["nonce"] = nonce
    if client_id is not None:
        claims["iss"] = client_id
    return encode_jws({"typ": PROOF_TYP, "jwk": public_jwk(holder_key)}, claims, holder_key)


def _jose_alg(value: object) -> object:
    """The ``alg`` of a compact JWS (a ``key_attestation``), or of the first of an array of them (a
    ``trust_chain``); None when it is neither."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    try:
        return parse_jws(value, max_bytes=MAX_PROOF_BYTES).header.get("alg")
    except InvalidInput:
        return None


def verify_jwt_proof(
    proof: str,
    *,
    audience: str,
    now: int,
    max_age: int = 300,
    max_future: int = 60,
    client_id: str | None = None,
    anonymous: bool = False,
    require_nonce: bool = False,
    algorithms: tuple[Algorithm, ...] = (Algorithm.ES256,),
) -> ProofResult:
    """Check a proof JWT and return its key and nonce.

    Refused with ``invalid_proof``: a ``typ`` other than ``openid4vci-proof+jwt``; an ``alg``
    outside ``algorithms`` (never ``none``, never a MAC); a header without exactly one of ``kid``,
    ``jwk`` and ``x5c``, or with ``kid``/``x5c`` (not supported here); a ``jwk`` with private
    material; a bad signature; ``aud`` other than ``audience``; ``iat`` missing or outside
    ``[now - max_age, now + max_future]``; an ``iss`` other than ``client_id`` when the issuer knows
    the client, or any ``iss`` when ``anonymous`` (pre-authorized access without a client id, where
    F.1 says it MUST be omitted); a missing ``nonce`` when
    ``require_nonce`` (the issuer has a nonce endpoint: section 8.3.1.2 makes that ``invalid_proof``).

    Whether the nonce is one the issuer handed out, and unused, is the issuer's check
    (``invalid_nonce``): it has the store.
    """
    try:
        jws = parse_jws(proof, max_bytes=MAX_PROOF_BYTES)
    except InvalidInput as exc:
        raise InvalidProof(f"the proof is not a compact JWT: {exc}") from exc
    header = jws.header
    if not has_typ(header, PROOF_TYP):
        raise InvalidProof(f"the proof typ must be {PROOF_TYP!r}")
    if sum(name in header for name in ("kid", "jwk", "x5c")) != 1:
        raise InvalidProof("the proof header must carry exactly one of kid, jwk and x5c")
    if "jwk" not in header:
        raise InvalidProof("only proofs that carry their key as jwk are supported by this issuer")
    for name in ("key_attestation", "trust_chain"):
        # F.1: their alg too must be one of proof_signing_alg_values_supported; what they attest is
        # not relied on here (this issuer asks for no key attestation, appendix D)
        if name in header and _jose_alg(header[name]) not in {alg.jose for alg in algorithms}:
            raise InvalidProof(f"the proof's {name} is not signed with an algorithm taken here")
    try:
        key = public_key_from_jwk(header["jwk"])
        jws.verify(key, allowed=algorithms)
        claims = jws.claims(max_depth=8)
    except (CryptoError, InvalidInput) as exc:
        raise InvalidProof(f"the proof does not verify: {exc}") from exc
    if claims.get("aud") != audience:
        raise InvalidProof("the proof aud is not this credential issuer")
    iat = claims.get("iat")
    if not is_number(iat):
        raise InvalidProof("the proof iat is missing or not a number")
    if iat < now - max_age or iat > now + max_future:
        raise InvalidProof("the proof iat is outside the accepted window")
    issuer = claims.get("iss")
    if "iss" in claims and not isinstance(issuer, str):  # null is no client_id, nor an omitted iss (F.1)
        raise InvalidProof("the proof iss is not a string")
    if issuer is not None and anonymous:
        raise InvalidProof("the proof iss must be omitted for anonymous pre-authorized access")
    if issuer is not None and client_id is not None and issuer != client_id:
        raise InvalidProof("the proof iss is not this client")
    nonce = claims.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not nonce):
        raise InvalidProof("the proof nonce is not a non-empty string")
    if nonce is None and require_nonce:
        raise InvalidProof("the proof carries no nonce; fetch a c_nonce from the nonce endpoint")
    return ProofResult(jwk=public_jwk(key), nonce=nonce, iat=int(iat))
