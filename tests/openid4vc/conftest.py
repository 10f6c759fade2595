"""Fixtures for the protocol tests: the spec vectors, a fixed instant, throwaway verifier certificates."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.errors import EudiError

VECTORS = Path(
    os.environ.get("EUDI_VECTORS", Path(__file__).resolve().parents[2].parent / "shared" / "vectors")
)
VCI_EXAMPLES = VECTORS / "openid4vci-1.0" / "examples"
VP_EXAMPLES = VECTORS / "openid4vp-1.0" / "examples"
NOW = 1_790_000_000
DNS_NAME = "verifier.example"


class NotTrusted(EudiError):
    """What a real chain validator raises (its own subclass of EudiError)."""


ValidateChain = Callable[[Sequence[x509.Certificate], str | None], x509.Certificate]


@dataclass(frozen=True)
class Signer:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def make_signer(dns_name: str = DNS_NAME, *, curve: ec.EllipticCurve | None = None) -> Signer:
    """A throwaway self-signed certificate with ``dns_name`` as its only dNSName SAN."""
    key = ec.generate_private_key(curve or ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)])
    start = datetime.fromtimestamp(NOW, UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Signer(key, certificate)


def pinned_validator(*trusted: x509.Certificate) -> ValidateChain:
    """A stand-in for trust-list validation: the leaf must be one of ``trusted`` and, when asked,
    carry ``dns_name`` as a dNSName SAN."""

    def validate(chain: Sequence[x509.Certificate], dns_name: str | None) -> x509.Certificate:
        leaf = chain[0]
        if leaf not in trusted:
            raise NotTrusted("the leaf is not on the trust list")
        if dns_name is not None:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if dns_name not in names.get_values_for_type(x509.DNSName):
                raise NotTrusted(f"{dns_name} is not a SAN of the leaf")
        return leaf

    return validate


@pytest.fixture(scope="session")
def signer() -> Signer:
    return make_signer()


@pytest.fixture(scope="session")
def validator(signer: Signer) -> ValidateChain:
    return pinned_validator(signer.certificate)
