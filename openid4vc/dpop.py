"""DPoP (RFC 9449): proofs of possession that bind access tokens to a key of the wallet's, as HAIP 1.0
has wallets and authorization servers use for OpenID4VCI.

Wallet: :func:`make_dpop_proof` for the token request and, with ``access_token`` (whose hash goes in
``ath``), for each request the token authorizes. Issuer: :func:`verify_dpop_proof` checks a proof
against the request it came with (section 4.3): ``typ`` ``dpop+jwt``, ES256, a public ``jwk`` that
verifies it, ``htm`` and ``htu``, an ``iat`` within the window, ``ath`` for the token, and the
``nonce`` when one is expected. Single use of ``jti`` is the caller's (it needs storage); the proof
hands back the key's RFC 7638 thumbprint (``jkt``) the token is bound to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import (
    Algorithm,
    b64url_encode,
    encode_jws,
    has_typ,
    jwk_thumbprint,
    parse_jws,
    public_jwk,
    public_key_from_jwk,
)
from openid4vc._checks import is_number
from openid4vc.errors import OpenID4VCError

__all__ = [
    "DPOP_ALGORITHMS",
    "DPOP_TYP",
    "DpopProof",
    "InvalidDpopProof",
    "UseDpopNonce",
    "access_token_hash",
    "dpop_uri",
    "make_dpop_proof",
    "verify_dpop_proof",
]

DPOP_TYP = "dpop+jwt"
DPOP_ALGORITHMS = ("ES256",)
MAX_PROOF_BYTES = 8 * 1024
MAX_JTI = 256


class InvalidDpopProof(OpenID4VCError):
    """RFC 9449 section 7.1: a DPoP proof that is missing where it must be, malformed or not valid
    for the request (400 at the token endpoint; a resource server answers 401)."""

    error = "invalid_dpop_proof"


class UseDpopNonce(OpenID4VCError):
    """RFC 9449 section 8: the server wants its ``DPoP-Nonce`` in the proof."""

    error = "use_dpop_nonce"


class DpopProof(NamedTuple):
    """A verified proof: the thumbprint of its key (base64url), its ``jti`` and ``iat``."""

    jkt: str
    jti: str
    iat: float


def dpop_uri(url: str) -> str:
    """``htu`` of a request URL (section 4.2): without query and fragment, scheme and host in lower
    case and the default port dropped (RFC 3986 section 6.2.2 and 6.2.3 normalization)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    port = parts.port
    netloc = host if port is None or port == default else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", "", ""))


def access_token_hash(access_token: str) -> str:
    """``ath`` (section 4.2): base64url SHA-256 of the ASCII access token."""
    return b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())


def make_dpop_proof(
    key: ec.EllipticCurvePrivateKey,
    *,
    method: str,
    url: str,
    iat: int,
    jti: str,
    nonce: str | None = None,
    access_token: str | None = None,
) -> str:
    """A DPoP proof JWT for one HTTP request (section 4.2)."""
    claims: dict[str, Any] = {"jti": jti, "htm": method, "htu": dpop_uri(url), "iat": iat}
    if nonce is not None:
        claims["nonce"] = nonce
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    return encode_jws({"typ": DPOP_TYP, "jwk": public_jwk(key)}, claims, key)


def verify_dpop_proof(
    proof: str,
    *,
    method: str,
    url: str,
    now: int,
    access_token: str | None = None,
    nonce: str | None = None,
    max_age: int = 300,
    max_future: int = 60,
    error: Callable[[str], OpenID4VCError] = InvalidDpopProof,
) -> DpopProof:
    """Check ``proof`` for the request ``method`` ``url`` (section 4.3); ``access_token`` where the
    proof comes with one (``ath``), ``nonce`` where the server handed one out (``UseDpopNonce`` when
    it is missing or another). ``error`` makes the failure (:class:`InvalidDpopProof` by default)."""
    try:
        jws = parse_jws(proof, max_bytes=MAX_PROOF_BYTES)
        if not has_typ(jws.header, DPOP_TYP):
            raise error(f"a DPoP proof has typ {DPOP_TYP}")
        alg = jws.header.get("alg")
        if alg not in DPOP_ALGORITHMS:
            raise error(f"DPoP proof alg {alg!r} is not one of {list(DPOP_ALGORITHMS)}")
        jwk = jws.header.get("jwk")
        if not isinstance(jwk, Mapping):
            raise error("the DPoP proof header has no jwk")
        key = public_key_from_jwk(jwk)
        Algorithm.from_jose(alg).verify(key, jws.signing_input, jws.signature)
        claims = jws.claims(max_depth=4)
    except (InvalidInput, CryptoError) as exc:
        raise error(f"the DPoP proof is not valid: {exc}") from exc
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI:
        raise error("the DPoP proof needs a jti")
    if claims.get("htm") != method:
        raise error(f"the DPoP proof is for {claims.get('htm')!r}, not {method}")
    htu = claims.get("htu")
    try:
        same = isinstance(htu, str) and dpop_uri(htu) == dpop_uri(url)
    except ValueError:  # a port out of range, a broken IPv6 literal...
        same = False
    if not same:
        raise error("the DPoP proof is for another URI (htu)")
    iat = claims.get("iat")
    if not is_number(iat) or not now - max_age <= iat <= now + max_future:
        raise error("the DPoP proof iat is missing or outside the accepted window")
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise error("the DPoP proof is not for this access token (ath)")
    if nonce is not None and claims.get("nonce") != nonce:
        raise UseDpopNonce("the DPoP proof must carry the server's DPoP-Nonce")
    return DpopProof(b64url_encode(jwk_thumbprint(dict(jwk))), jti, float(iat))
