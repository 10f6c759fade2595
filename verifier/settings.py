"""Verifier settings: explicit values injected into ``create_app``; secrets are masked in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.config import ConfigFile, load_chain, load_private_key
from common.errors import InvalidInput
from openid4vc.presentation import DIRECT_POST, DIRECT_POST_JWT, x509_hash_client_id, x509_san_dns_client_id
from trust_list.loader import TrustListSource
from trust_list.sources import refresh_interval, trust_list_sources

__all__ = ["CLIENT_ID_PREFIXES", "RESPONSE_MODES", "VerifierSettings", "load_verifier_settings"]

X509_SAN_DNS = "x509_san_dns"
X509_HASH = "x509_hash"
CLIENT_ID_PREFIXES = (X509_SAN_DNS, X509_HASH)
RESPONSE_MODES = (DIRECT_POST, DIRECT_POST_JWT)


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
    client_id_prefix: str = X509_SAN_DNS
    """``x509_san_dns`` (the host of ``public_url``) or ``x509_hash`` (of the access certificate, the
    prefix HAIP 1.0 has verifiers use): OpenID4VP 1.0 section 5.9.3."""
    request_uri_method: str = "get"
    """``post`` invites wallets to post their metadata and a ``wallet_nonce`` to the request URI
    (OpenID4VP 1.0 section 5.10); GET is answered either way."""
    response_mode: str = "direct_post"
    """``direct_post.jwt`` has the wallet encrypt its response (section 8.3.1) to a key made for each
    transaction (ECDH-ES on P-256, A128GCM or A256GCM), as HAIP 1.0 requires."""

    def __post_init__(self) -> None:
        if self.client_id_prefix not in CLIENT_ID_PREFIXES:
            raise ValueError(f"client_id_prefix must be one of {list(CLIENT_ID_PREFIXES)}")
        if self.request_uri_method not in ("get", "post"):
            raise ValueError("request_uri_method must be get or post")
        if self.response_mode not in RESPONSE_MODES:
            raise ValueError(f"response_mode must be one of {list(RESPONSE_MODES)}")

    @property
    def client_id(self) -> str:
        """``x509_san_dns:<host>`` or ``x509_hash:<hash of the access certificate>`` (section 5.9.3)."""
        if self.client_id_prefix == X509_HASH:
            return x509_hash_client_id(self.certificate_chain[0])
        return x509_san_dns_client_id(str(urlsplit(self.public_url).hostname))

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
        client_id_prefix=_choice(config, "client_id_prefix", CLIENT_ID_PREFIXES),
        request_uri_method=_choice(config, "request_uri_method", ("get", "post")),
        response_mode=_choice(config, "response_mode", RESPONSE_MODES),
    )


def _choice(config: ConfigFile, name: str, choices: tuple[str, ...]) -> str:
    """A setting that is one of ``choices``, the first by default."""
    value = config.get(name, choices[0])
    if value not in choices:
        raise InvalidInput(f"{config.path}: {name} must be one of {list(choices)}")
    return str(value)
