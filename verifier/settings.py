"""Verifier settings: explicit values injected into ``create_app``; secrets are masked in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.config import ConfigFile, load_chain, load_private_key
from trust_list.loader import TrustListSource
from trust_list.sources import refresh_interval, trust_list_sources

__all__ = ["VerifierSettings", "load_verifier_settings"]


@dataclass(frozen=True)
class VerifierSettings:
    public_url: str
    """Base URL of the response and request endpoints; its host must be a DNS SAN of the access cert."""
    database_url: str
    signing_key: ec.EllipticCurvePrivateKey = field(repr=False)
    certificate_chain: tuple[x509.Certificate, ...] = field(repr=False)
    """The relying party's access certificate first, its CA excluded."""
    trust_lists: tuple[TrustListSource, ...] = field(repr=False)
    """The lists of trusted entities it believes (URLs or files, each with its pinned operator)."""
    trust_list_refresh: float = 300.0
    """Seconds between background refreshes of the URL lists."""
    transaction_ttl: int = 600
    key_binding_max_age: int = 300
    leeway: int = 60
    api_token: str | None = field(default=None, repr=False)
    """Bearer token required on the relying-party API when set."""
    allow_http_loopback: bool = False
    """Fetch status lists over plain http from loopback hosts (the demo federation only)."""
    registration_certificate: str | None = field(default=None, repr=False)
    """The relying party's registration certificate (a registrar-signed ``rc-wrp+jwt``), sent in every
    request object's ``verifier_info``."""

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
        trust_lists=trust_list_sources(config),
        trust_list_refresh=refresh_interval(config),
        api_token=config.secret("api_token"),
        allow_http_loopback=bool(config.get("allow_http_loopback", False)),
        registration_certificate=(
            config.file("registration_certificate").read_text(encoding="ascii").strip()
            if config.get("registration_certificate") is not None
            else None
        ),
    )
