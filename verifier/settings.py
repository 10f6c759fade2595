"""Verifier settings: explicit values injected into ``create_app``; secrets are masked in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.config import ConfigFile, load_chain, load_private_key

__all__ = ["VerifierSettings", "load_verifier_settings"]


@dataclass(frozen=True)
class VerifierSettings:
    public_url: str
    """Base URL of the response and request endpoints; its host must be a DNS SAN of the access cert."""
    database_url: str
    signing_key: ec.EllipticCurvePrivateKey = field(repr=False)
    certificate_chain: tuple[x509.Certificate, ...] = field(repr=False)
    """The relying party's access certificate first, its CA excluded."""
    trust_list: Path
    trust_list_operators: tuple[x509.Certificate, ...] = field(repr=False)
    transaction_ttl: int = 600
    key_binding_max_age: int = 300
    leeway: int = 60
    api_token: str | None = field(default=None, repr=False)
    """Bearer token required on the relying-party API when set."""
    allow_http_loopback: bool = False
    """Fetch status lists over plain http from loopback hosts (the demo federation only)."""

    @property
    def client_id(self) -> str:
        """``x509_san_dns:<host>`` (OpenID4VP 1.0 section 5.9.3)."""
        return f"x509_san_dns:{urlsplit(self.public_url).hostname}"

    @property
    def response_uri(self) -> str:
        return f"{self.public_url}/response"


def load_verifier_settings(path: Path) -> VerifierSettings:
    config = ConfigFile(path)
    return VerifierSettings(
        public_url=str(config.require("public_url")).rstrip("/"),
        database_url=str(config.get("database_url", f"sqlite:///{path.parent / 'verifier.sqlite'}")),
        signing_key=load_private_key(config.file("signing_key")),
        certificate_chain=load_chain(config.file("certificate_chain")),
        trust_list=config.file("trust_list"),
        trust_list_operators=load_chain(config.file("trust_list_operator")),
        api_token=config.get("api_token"),
        allow_http_loopback=bool(config.get("allow_http_loopback", False)),
    )
