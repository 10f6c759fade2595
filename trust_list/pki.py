"""The development PKI behind ``eudi pki init``: every certificate a local federation needs.

- a PID-provider CA (root) and the issuer's signing certificate it issues (a document signer: it
  signs mdocs too, and carries the ISO/IEC 18013-5 extended key usage);
- an attestation-provider (EAA) CA (root) and the signing certificate of the diploma (and other
  non-PID) issuer it issues;
- a relying-party access CA (root, the WRPAC provider) and the verifier's access certificate with a
  dNSName SAN (the ``x509_san_dns`` client identifier) and the relying party's name in ``O``;
- a wallet-provider CA (root) and the wallet provider's signing certificate (for wallet attestations);
- a registrar CA (root, the WRPRC provider) and the registrar's signing certificate, which signs the
  relying parties' registration certificates;
- the trust-list scheme operator's signing certificate, self-signed (not a CA, ``digitalSignature``):
  wallets and verifiers pin it directly, so a root above it would add nothing in development.
  :func:`trust_list.lote.verify_lote` also accepts a signer issued by a pinned CA, for real operators.

All keys are P-256. :func:`make_dev_pki` is pure (time passed in); :func:`write_dev_pki` and
:func:`load_dev_pki` move it to and from a folder of PEM files (private keys mode 0600).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from trust_list.x509 import require_aware

__all__ = [
    "DEV_EAA_TYPES",
    "FILES",
    "DevPki",
    "load_dev_pki",
    "make_dev_pki",
    "pem_certificate",
    "pem_private_key",
    "rp_identifier",
    "write_dev_pki",
]

DEV_EAA_TYPES = (
    "urn:eudi:diploma:1",
    "eu.europa.ec.eudi.diploma.1",
    "urn:eudi:av:1",
    "eu.europa.ec.av.1",
    "org.iso.18013.5.1.mDL",
)
"""What the development attestation provider may issue: the catalogue's non-PID types in both formats
(``tests/trust_list/test_pki.py`` keeps this in step with ``credentials.catalog``)."""

CA_VALIDITY = timedelta(days=5 * 365)
LEAF_VALIDITY = timedelta(days=365)
BACKDATE = timedelta(hours=1)


@dataclass(frozen=True)
class DevPki:
    """Keys and certificates of a development federation (see the module docstring)."""

    pid_ca_cert: x509.Certificate
    pid_ca_key: ec.EllipticCurvePrivateKey
    issuer_cert: x509.Certificate
    issuer_key: ec.EllipticCurvePrivateKey
    eaa_ca_cert: x509.Certificate
    eaa_ca_key: ec.EllipticCurvePrivateKey
    eaa_issuer_cert: x509.Certificate
    eaa_issuer_key: ec.EllipticCurvePrivateKey
    wallet_ca_cert: x509.Certificate
    wallet_ca_key: ec.EllipticCurvePrivateKey
    wallet_provider_cert: x509.Certificate
    wallet_provider_key: ec.EllipticCurvePrivateKey
    registrar_ca_cert: x509.Certificate
    registrar_ca_key: ec.EllipticCurvePrivateKey
    registrar_cert: x509.Certificate
    registrar_key: ec.EllipticCurvePrivateKey
    rp_ca_cert: x509.Certificate
    rp_ca_key: ec.EllipticCurvePrivateKey
    verifier_cert: x509.Certificate
    verifier_key: ec.EllipticCurvePrivateKey
    operator_cert: x509.Certificate
    operator_key: ec.EllipticCurvePrivateKey

    def __repr__(self) -> str:
        return f"DevPki(issuer={self.issuer_cert.subject.rfc4514_string()!r}, keys masked)"


FILES = {
    "pid_ca_cert": "pid-ca.pem",
    "pid_ca_key": "pid-ca.key",
    "issuer_cert": "issuer.pem",
    "issuer_key": "issuer.key",
    "eaa_ca_cert": "eaa-ca.pem",
    "eaa_ca_key": "eaa-ca.key",
    "eaa_issuer_cert": "eaa-issuer.pem",
    "eaa_issuer_key": "eaa-issuer.key",
    "wallet_ca_cert": "wallet-ca.pem",
    "wallet_ca_key": "wallet-ca.key",
    "wallet_provider_cert": "wallet-provider.pem",
    "wallet_provider_key": "wallet-provider.key",
    "registrar_ca_cert": "registrar-ca.pem",
    "registrar_ca_key": "registrar-ca.key",
    "registrar_cert": "registrar.pem",
    "registrar_key": "registrar.key",
    "rp_ca_cert": "rp-ca.pem",
    "rp_ca_key": "rp-ca.key",
    "verifier_cert": "verifier.pem",
    "verifier_key": "verifier.key",
    "operator_cert": "operator.pem",
    "operator_key": "operator.key",
}


def _name(
    country: str, organization: str, common_name: str, organization_identifier: str | None = None
) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if organization_identifier is not None:
        attributes.insert(2, x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier))
    return x509.Name(attributes)


def _certificate(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    validity: timedelta,
    ca: bool,
    dns_names: tuple[str, ...] = (),
    extended_usage: tuple[x509.ObjectIdentifier, ...] = (),
) -> x509.Certificate:
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]), critical=False
        )
    if extended_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_usage)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _root(name: x509.Name, key: ec.EllipticCurvePrivateKey, now: datetime) -> x509.Certificate:
    """A self-signed CA certificate: the trust anchor a trust list names."""
    return _certificate(
        subject=name, key=key, issuer=name, issuer_key=key, now=now, validity=CA_VALIDITY, ca=True
    )


def _leaf(
    name: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    extended_usage: tuple[x509.ObjectIdentifier, ...] = (),
) -> x509.Certificate:
    """A signing (end-entity) certificate issued by a development CA."""
    return _certificate(
        subject=name,
        key=key,
        issuer=issuer,
        issuer_key=issuer_key,
        now=now,
        validity=LEAF_VALIDITY,
        ca=False,
        extended_usage=extended_usage,
    )


MDOC_DOCUMENT_SIGNER = x509.ObjectIdentifier("1.0.18013.5.1.2")
"""The extended key usage of a document signer (ISO/IEC 18013-5 Annex B, id-mdl-kp-mdlDS): the issuers'
certificates sign mdocs, and verifiers that hold them to the mdoc profile look for it. The same
certificates sign SD-JWT VCs and status lists, for which no extended key usage is defined (the
status list's id-kp-oauthStatusSigning has no number yet); read by RFC 5280 section 4.2.1.12 the
extension restricts them to mdocs, and a deployment that wants that strictness gives each format
its own signer."""


def rp_identifier(country: str) -> str:
    """The development relying party's ``organizationIdentifier`` (ETSI EN 319 412-1 semantics: a
    national trade-register number), which its registration certificate's ``sub`` names."""
    return f"NTR{country}-90000001"


def make_dev_pki(*, now: datetime, rp_dns_name: str = "localhost", country: str = "NL") -> DevPki:
    """A complete development PKI, valid from an hour before ``now`` (CAs 5 years, leaves 1 year).

    Subjects carry ``C=country``; the verifier's access certificate has ``O=Demo Relying Party``,
    ``CN`` and dNSName SAN ``rp_dns_name``. Fresh random keys on every call.
    """
    require_aware(now, "now")

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    pid_ca_key, issuer_key, rp_ca_key, verifier_key, operator_key = key(), key(), key(), key(), key()
    eaa_ca_key, eaa_issuer_key = key(), key()
    wallet_ca_key, wallet_provider_key, registrar_ca_key, registrar_key = key(), key(), key(), key()
    wallet_ca_name = _name(country, f"Demo Wallet Provider {country}", f"Demo Wallet Provider CA {country}")
    registrar_ca_name = _name(country, f"Demo Registrar {country}", f"Demo Registrar CA {country}")
    pid_ca_name = _name(country, f"Demo PID Provider {country}", f"Demo PID Provider CA {country}")
    eaa_ca_name = _name(country, f"Demo Diploma Registry {country}", f"Demo EAA Provider CA {country}")
    rp_ca_name = _name(country, f"Demo Access CA {country}", f"Demo RP Access CA {country}")
    operator_name = _name(
        country, f"Demo Trust List Operator {country}", f"Demo Trust List Operator {country}"
    )
    pid_ca = _root(pid_ca_name, pid_ca_key, now)
    rp_ca = _root(rp_ca_name, rp_ca_key, now)
    return DevPki(
        pid_ca_cert=pid_ca,
        pid_ca_key=pid_ca_key,
        issuer_cert=_leaf(
            _name(country, f"Demo PID Provider {country}", f"Demo PID Issuer {country}"),
            issuer_key,
            pid_ca_name,
            pid_ca_key,
            now,
            (MDOC_DOCUMENT_SIGNER,),
        ),
        issuer_key=issuer_key,
        eaa_ca_cert=_root(eaa_ca_name, eaa_ca_key, now),
        eaa_ca_key=eaa_ca_key,
        eaa_issuer_cert=_leaf(
            _name(country, f"Demo Diploma Registry {country}", f"Demo Diploma Issuer {country}"),
            eaa_issuer_key,
            eaa_ca_name,
            eaa_ca_key,
            now,
            (MDOC_DOCUMENT_SIGNER,),
        ),
        eaa_issuer_key=eaa_issuer_key,
        wallet_ca_cert=_root(wallet_ca_name, wallet_ca_key, now),
        wallet_ca_key=wallet_ca_key,
        wallet_provider_cert=_leaf(
            _name(country, f"Demo Wallet Provider {country}", f"Demo Wallet Provider {country}"),
            wallet_provider_key,
            wallet_ca_name,
            wallet_ca_key,
            now,
        ),
        wallet_provider_key=wallet_provider_key,
        registrar_ca_cert=_root(registrar_ca_name, registrar_ca_key, now),
        registrar_ca_key=registrar_ca_key,
        registrar_cert=_leaf(
            _name(country, f"Demo Registrar {country}", f"Demo Registrar {country}"),
            registrar_key,
            registrar_ca_name,
            registrar_ca_key,
            now,
        ),
        registrar_key=registrar_key,
        rp_ca_cert=rp_ca,
        rp_ca_key=rp_ca_key,
        verifier_cert=_certificate(
            subject=_name(country, "Demo Relying Party", rp_dns_name, rp_identifier(country)),
            key=verifier_key,
            issuer=rp_ca_name,
            issuer_key=rp_ca_key,
            now=now,
            validity=LEAF_VALIDITY,
            ca=False,
            dns_names=(rp_dns_name,),
            extended_usage=(ExtendedKeyUsageOID.SERVER_AUTH,),
        ),
        verifier_key=verifier_key,
        operator_cert=_certificate(
            subject=operator_name,
            key=operator_key,
            issuer=operator_name,
            issuer_key=operator_key,
            now=now,
            validity=CA_VALIDITY,
            ca=False,
        ),
        operator_key=operator_key,
    )


def pem_certificate(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def pem_private_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    """PKCS#8, unencrypted: a development key protected by its file mode only."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # O_CREAT's mode does not apply to a file that already exists
        handle.write(data)


def write_dev_pki(pki: DevPki, directory: Path) -> None:
    """PEM files named as in :data:`FILES`; private keys get mode 0600, the folder 0700 when created."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for field in fields(pki):
        value = getattr(pki, field.name)
        path = directory / FILES[field.name]
        if isinstance(value, x509.Certificate):
            path.write_bytes(pem_certificate(value))
        else:
            _write_private(path, pem_private_key(value))


def _load_certificate(directory: Path, field: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate((directory / FILES[field]).read_bytes())


def _load_key(directory: Path, field: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key((directory / FILES[field]).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{FILES[field]} is not an EC private key")
    return key


def load_dev_pki(directory: Path) -> DevPki:
    """Read back what :func:`write_dev_pki` wrote; ``OSError`` or ``ValueError`` when it cannot."""
    loaded: dict[str, Any] = {
        field.name: _load_key(directory, field.name)
        if field.name.endswith("_key")
        else _load_certificate(directory, field.name)
        for field in fields(DevPki)
    }
    return DevPki(**loaded)
