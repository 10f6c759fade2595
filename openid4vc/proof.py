"""The ``jwt`` proof of possession (OpenID4VCI 1.0 section 8.2.1.1 and appendix F.1)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import Algorithm, encode_jws, parse_jws, public_jwk, public_key_from_jwk
from openid4vc.errors import InvalidProof

__all__ = ["PROOF_TYP", "ProofResult", "make_jwt_proof", "verify_jwt_proof"]

PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_BYTES = 16 * 1024


@dataclass(frozen=True)
class ProofResult:
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
    claims: dict[str, object] = {"aud": audience, "iat": iat}
    if nonce is not None:
        claims["nonce"] = nonce
    if client_id is not None:
        claims["iss"] = client_id
    return encode_jws({"typ": PROOF_TYP, "jwk": public_jwk(holder_key)}, claims, holder_key)


def verify_jwt_proof(
    proof: str,
    *,
    audience: str,
    now: int,
    max_age: int = 300,
    max_future: int = 60,
    client_id: str | None = None,
    algorithms: tuple[Algorithm, ...] = (Algorithm.ES256,),
) -> ProofResult:
    """Check a proof JWT; the caller consumes the returned nonce (``invalid_nonce`` is its call)."""
    try:
        jws = parse_jws(proof, max_bytes=MAX_PROOF_BYTES)
    except InvalidInput as exc:
        raise InvalidProof(f"proof is not a JWT: {exc}") from exc
    header = jws.header
    if header.get("typ") != PROOF_TYP:
        raise InvalidProof(f"proof typ must be {PROOF_TYP!r}")
    if sum(name in header for name in ("kid", "jwk", "x5c")) != 1:
        raise InvalidProof("proof header must carry exactly one of kid, jwk and x5c")
    if "jwk" not in header:
        raise InvalidProof("only jwk-identified proof keys are supported")
    try:
        key = public_key_from_jwk(header["jwk"])
        jws.verify(key, allowed=algorithms)
        claims = jws.claims()
    except (CryptoError, InvalidInput) as exc:
        raise InvalidProof(f"proof does not verify: {exc}") from exc
    if claims.get("aud") != audience:
        raise InvalidProof("proof aud is not this credential issuer")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InvalidProof("proof iat is missing")
    if iat < now - max_age or iat > now + max_future:
        raise InvalidProof("proof iat is outside the accepted window")
    if client_id is not None and claims.get("iss") not in (None, client_id):
        raise InvalidProof("proof iss is not this client")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise InvalidProof("proof nonce is not a string")
    return ProofResult(jwk=public_jwk(key), nonce=nonce, iat=iat)
