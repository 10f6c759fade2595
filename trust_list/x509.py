"""X.509 path validation for issuer, relying-party and list-signer certificates.

Path building and the RFC 5280 checks are ``cryptography``'s verification API; on top of it come the
rules of the EUDI profiles (HAIP 1.0 section 6 and OpenID4VP 1.0 section 5.9.3):

- the chain is sent leaf first *without* its trust anchor, and a self-signed leaf is refused;
- the leaf must be allowed to sign (``keyUsage`` ``digitalSignature``);
- for an ``x509_san_dns`` client identifier, the DNS name must be a dNSName SAN of the leaf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from common.jose import b64url_encode, x5c_certificates
from trust_list.errors import ChainError

__all__ = [
    "certificate_hash",
    "load_pem_certificates",
    "subject_common_name",
    "subject_organization",
    "validate_chain",
    "x5c_signing_key",
]

MAX_CHAIN = 5


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):
        return False
    return True


def validate_chain(
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime,
    dns_name: str | None = None,
) -> x509.Certificate:
    """Validate ``chain`` (leaf first, no anchor) to one of ``anchors`` at ``at``; return the leaf."""
    if not chain:
        raise ChainError("empty certificate chain")
    if len(chain) > MAX_CHAIN:
        raise ChainError(f"certificate chain longer than {MAX_CHAIN}")
    if not anchors:
        raise ChainError("no trust anchor is available for this purpose")
    leaf, intermediates = chain[0], list(chain[1:])
    if _self_signed(leaf):
        raise ChainError("the leaf certificate is self-signed")
    anchor_ders = {_der(anchor) for anchor in anchors}
    if any(_der(cert) in anchor_ders for cert in chain):
        raise ChainError("the chain includes its trust anchor")
    if at < leaf.not_valid_before_utc:
        raise ChainError("the leaf certificate is not yet valid")
    if at > leaf.not_valid_after_utc:
        raise ChainError("the leaf certificate has expired")
    try:
        usage = leaf.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        usage = None
    if not isinstance(usage, x509.KeyUsage) or not usage.digital_signature:
        raise ChainError("the leaf certificate may not sign (keyUsage digitalSignature missing)")
    if dns_name is not None:
        try:
            san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
            names = (
                san.get_values_for_type(x509.DNSName) if isinstance(san, x509.SubjectAlternativeName) else []
            )
        except x509.ExtensionNotFound:
            names = []
        if dns_name.lower() not in (name.lower() for name in names):
            raise ChainError(f"DNS name {dns_name!r} is not a subjectAltName of the certificate")
    verifier = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .time(at)
        .max_chain_depth(MAX_CHAIN)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        raise ChainError(f"the certificate is not issued by a trusted CA ({exc})") from exc
    return leaf


def x5c_signing_key(
    header: Mapping[str, Any], anchors: Sequence[x509.Certificate], *, at: datetime
) -> ec.EllipticCurvePublicKey:
    """The key that signed a JWS: its ``x5c`` validated to one of ``anchors``, the leaf's EC key."""
    leaf = validate_chain(x5c_certificates(header), anchors, at=at)
    key = leaf.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ChainError("the signing certificate does not hold an EC key")
    return key


def certificate_hash(cert: x509.Certificate) -> str:
    """b64url(SHA-256(DER)), the value of an ``x509_hash:`` client identifier (OpenID4VP 1.0 §5.9.3)."""
    return b64url_encode(hashlib.sha256(_der(cert)).digest())


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    return list(x509.load_pem_x509_certificates(data))


def _attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def subject_common_name(cert: x509.Certificate) -> str | None:
    return _attribute(cert, NameOID.COMMON_NAME)


def subject_organization(cert: x509.Certificate) -> str | None:
    return _attribute(cert, NameOID.ORGANIZATION_NAME)
