"""Keys, deterministic randomness and hand-made SD-JWTs for the credentials tests."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.jose import b64url_encode, canonical_json, encode_jws, private_key_from_jwk
from credentials.sdjwt import digest

NOW = 1_790_000_000
# The keys published with the RFC 9901 examples (vectors/sd-jwt-rfc9901-examples/examples/settings.yml).
ISSUER_KEY = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    }
)
HOLDER_KEY = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
    }
)
OTHER_KEY = ec.derive_private_key(0x5EED, ec.SECP256R1())


def seeded(seed: int = 0) -> Callable[[int], bytes]:
    """Deterministic ``rng``: byte by byte from ``random.Random(seed)``, as the RFC examples were made."""
    source = random.Random(seed)
    return lambda size: bytes(source.getrandbits(8) for _ in range(size))


def disclosure(*content: Any) -> str:
    """A Disclosure made by hand: base64url of the JSON array ``content``."""
    return b64url_encode(canonical_json(list(content)))


def craft(
    payload: dict[str, Any],
    disclosures: Sequence[str] = (),
    *,
    header: dict[str, Any] | None = None,
    key: ec.EllipticCurvePrivateKey = ISSUER_KEY,
    kb_jwt: str = "",
) -> str:
    """An SD-JWT over an arbitrary payload, signed by ``key``: for tests of what ``issue`` never makes."""
    jwt = encode_jws(header or {}, payload, key)
    return "~".join([jwt, *disclosures, kb_jwt])


def kb_jwt(
    sd_jwt_without_kb: str,
    *,
    key: ec.EllipticCurvePrivateKey = HOLDER_KEY,
    header: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    """A KB-JWT over ``<jwt>~...~`` with sensible defaults that each test overrides."""
    body = {"iat": NOW, "aud": "https://verifier.example", "nonce": "n-0S6_WzA2Mj", **claims}
    body.setdefault("sd_hash", digest(sd_jwt_without_kb))
    return encode_jws({"typ": "kb+jwt"} if header is None else header, body, key)


def certificate_chain(
    key: ec.EllipticCurvePrivateKey = ISSUER_KEY,
) -> list[x509.Certificate]:
    """A leaf for ``key`` issued by a throw-away CA (leaf only, the anchor stays out of ``x5c``)."""
    ca_key = ec.derive_private_key(0xCA, ec.SECP256R1())
    start = datetime.fromtimestamp(NOW, UTC) - timedelta(days=1)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("Test PID Provider"))
        .issuer_name(name("Test CA"))
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    return [leaf]
