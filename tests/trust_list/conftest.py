"""A fixed instant, one development PKI per module, and a small certificate factory for odd cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from trust_list.cli import skeleton_entities
from trust_list.lote import build_lote, sign_lote
from trust_list.pki import DevPki, make_dev_pki
from trust_list.x509 import subject_organization

NOW = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(
    common_name: str,
    *,
    by: Issued | None = None,
    ca: bool = False,
    digital_signature: bool = True,
    organization: str | None = None,
    subject: x509.Name | None = None,
    not_before: datetime = NOW - timedelta(days=1),
    not_after: datetime = NOW + timedelta(days=30),
) -> Issued:
    """A P-256 certificate issued by ``by`` (self-signed when ``None``); ``subject`` overrides the name."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization is not None:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    subject = subject or x509.Name(attributes)
    issuer_name, issuer_key = (subject, key) if by is None else (by.cert.subject, by.key)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )
    return Issued(cert, key)


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return make_dev_pki(now=NOW)


def signed_list(
    pki: DevPki,
    *,
    sequence: int = 1,
    issued_days: int = 0,
    validity: timedelta = timedelta(days=30),
    key: Any = None,
    chain: Any = None,
    **overrides: Any,
) -> str:
    """A development list signed by ``key``/``chain`` (default: the PKI's operator), issued
    ``issued_days`` after :data:`NOW`; ``overrides`` replace :func:`build_lote` arguments."""
    issued = NOW + timedelta(days=issued_days)
    arguments: dict[str, Any] = {
        "operator_name": subject_organization(pki.operator_cert),
        "country": "NL",
        "sequence_number": sequence,
        "issued": issued,
        "next_update": issued + validity,
        "entities": skeleton_entities(pki),
    }
    arguments.update(overrides)
    return sign_lote(build_lote(**arguments), key=key or pki.operator_key, chain=chain or [pki.operator_cert])
