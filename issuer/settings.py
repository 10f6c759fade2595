"""Issuer settings: explicit values injected into ``create_app``; secrets are masked in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.config import ConfigFile, load_chain, load_private_key
from common.errors import InvalidInput
from credentials.catalog import CATALOGUE
from openid4vc.issuance import MAX_CREDENTIALS

__all__ = ["IssuerSettings", "load_issuer_settings"]


MAX_BATCH_SIZE = MAX_CREDENTIALS


@dataclass(frozen=True)
class IssuerSettings:
    public_url: str
    """The Credential Issuer Identifier (OpenID4VCI 1.0 section 12.2.1); also the AS issuer."""
    database_url: str
    signing_key: ec.EllipticCurvePrivateKey = field(repr=False)
    certificate_chain: tuple[x509.Certificate, ...] = field(repr=False)
    """Leaf first, trust anchor excluded (HAIP)."""
    country: str = "NL"
    display_name: str = "Demo PID Provider"
    offer_ttl: int = 600
    token_ttl: int = 600
    nonce_ttl: int = 300
    proof_max_age: int = 300
    credential_validity_days: int = 365
    tx_code_length: int = 6
    max_tx_code_attempts: int = 3
    admin_token: str | None = field(default=None, repr=False)
    """Bearer token required on the offer-making API when set."""
    register_seed: int = 2026
    database_schema: str | None = None
    """PostgreSQL schema of this issuer's tables, when several issuers share one database."""
    attestations: tuple[str, ...] = ("pid",)
    """Catalogue keys of the types this issuer issues (``pid``, ``av``, ``diploma``, ``mdl``), each
    in every format the catalogue defines for it."""
    status_list_ttl: int = 300
    """Seconds a relying party may cache the status list (its ``ttl`` claim)."""
    allow_http_loopback: bool = True
    batch_size: int = 10
    """Key proofs one credential request may carry, a credential each (OpenID4VCI 1.0 section 8.2):
    a wallet may hold several copies and show each relying party another (unlinkability). At most
    :data:`MAX_BATCH_SIZE`, the credentials a wallet here takes in one response."""

    encryption_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)
    """EC P-256 key wallets encrypt credential requests to (OpenID4VCI 1.0 section 10); None: one is
    made when the service starts, and published in its metadata."""

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must lie between 1 and {MAX_BATCH_SIZE}")
        if self.encryption_key is not None and not isinstance(self.encryption_key.curve, ec.SECP256R1):
            raise InvalidInput("encryption_key must be an EC P-256 key")

    @property
    def credential_endpoint(self) -> str:
        return f"{self.public_url}/credential"


def load_issuer_settings(path: Path) -> IssuerSettings:
    """Settings from a TOML file (see ``docs/configuration.md``)."""
    config = ConfigFile(path)
    return IssuerSettings(
        public_url=_origin(config),
        database_url=str(config.get("database_url", f"sqlite:///{path.parent / 'issuer.sqlite'}")),
        signing_key=load_private_key(config.file("signing_key")),
        certificate_chain=load_chain(config.file("certificate_chain")),
        country=str(config.get("country", "NL")),
        display_name=str(config.get("display_name", "Demo PID Provider")),
        admin_token=config.secret("admin_token"),
        register_seed=int(config.get("register_seed", 2026)),
        database_schema=_optional_text(config, "database_schema"),
        attestations=_attestations(config),
        status_list_ttl=_positive_int(config, "status_list_ttl", 300),
        batch_size=_positive_int(config, "batch_size", 10, unit="", most=MAX_BATCH_SIZE),
        encryption_key=load_private_key(config.file("encryption_key"))
        if config.get("encryption_key")
        else None,
    )


def _origin(config: ConfigFile) -> str:
    """``public_url`` without a path, query or fragment: the service answers at the root, where the
    well-known metadata of an issuer identifier with a path would not be (OpenID4VCI 1.0 12.2.2)."""
    url = str(config.require("public_url")).rstrip("/")
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise InvalidInput(
            f"{config.path}: public_url must be a scheme and host only, such as https://issuer.example"
        )
    return url


def _positive_int(
    config: ConfigFile, name: str, default: int, *, unit: str = " of seconds", most: int | None = None
) -> int:
    value = config.get(name, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < 1
        or (most is not None and value > most)
    ):
        bound = "" if most is None else f" up to {most}"
        raise InvalidInput(f"{config.path}: {name} must be a positive whole number{unit}{bound}")
    return value


def _attestations(config: ConfigFile) -> tuple[str, ...]:
    keys = config.get("attestations", ["pid"])
    if not isinstance(keys, list) or not keys or not all(isinstance(key, str) for key in keys):
        raise InvalidInput(f"{config.path}: attestations must be a non-empty list of type names")
    unknown = sorted(set(keys) - set(CATALOGUE))
    if unknown:
        raise InvalidInput(f"{config.path}: unknown attestation types {unknown}; known: {sorted(CATALOGUE)}")
    return tuple(dict.fromkeys(keys))


def _optional_text(config: ConfigFile, name: str) -> str | None:
    value = config.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{config.path}: {name} must be a string")
    return value
