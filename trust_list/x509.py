"""X.509 path validation for issuer, relying-party and list-signer certificates.

Path building and the RFC 5280 checks (signatures, validity, basic constraints, key usage of the CAs,
name chaining) are ``cryptography``'s verification API. Its web-PKI defaults apply to the CAs; the
end-entity policy is ours, because these leaves are not TLS certificates:

- the leaf must be allowed to sign: ``keyUsage`` present with ``digitalSignature`` (RFC 5280 section
  4.2.1.3; ISO 18013-5 Annex B and ETSI TS 119 412-6 ask the same of document signers);
- the leaf must not be a CA (``basicConstraints`` ``cA`` false when present).

On top come the rules of the EUDI profiles (HAIP 1.0, OpenID4VP 1.0 section 5.9.3):

- the chain is sent leaf first *without* its trust anchor: a chain that includes an anchor is refused,
  and so is a self-signed leaf;
- for an ``x509_san_dns`` client identifier, the DNS name must be a dNSName SAN of the leaf.

The reasons in :class:`~trust_list.errors.ChainError` say which rule failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from common.jose import b64url_encode, x5c_certificates
from trust_list.errors import ChainError

__all__ = [
    "MAX_CHAIN",
    "certificate_hash",
    "is_self_signed",
    "load_pem_certificates",
    "require_aware",
    "subject_common_name",
    "subject_country",
    "subject_organization",
    "validate_chain",
    "x5c_signing_key",
]

MAX_CHAIN = 5
"""Longest chain accepted, anchor excluded (as ``x5c_certificates`` bounds ``x5c``)."""


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def require_aware(moment: datetime, name: str = "at") -> None:
    """Validation times are instants: a naive ``datetime`` is a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def is_self_signed(cert: x509.Certificate) -> bool:
    """Issuer equals subject and the certificate's own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _may_sign(_policy: Policy, _cert: x509.Certificate, usage: x509.KeyUsage) -> None:
    if not usage.digital_signature:
        raise ValueError("keyUsage lacks digitalSignature")


def _not_a_ca(_policy: Policy, _cert: x509.Certificate, constraints: x509.BasicConstraints | None) -> None:
    if constraints is not None and constraints.ca:
        raise ValueError("the end-entity certificate is a CA")


def _leaf_policy() -> ExtensionPolicy:
    """End-entity profile for signing certificates (not TLS: no SAN or EKU required)."""
    return (
        ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _may_sign)
        .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _not_a_ca)
    )


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return san.get_values_for_type(x509.DNSName)


def validate_chain(
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime,
    dns_name: str | None = None,
) -> x509.Certificate:
    """Validate ``chain`` (leaf first, anchor excluded) to one of ``anchors`` at ``at``; return the leaf.

    ``dns_name``, when given, must be a dNSName SAN of the leaf (OpenID4VP 1.0 section 5.9.3,
    ``x509_san_dns``; compared case-insensitively, no wildcards). Raises :class:`ChainError`.
    """
    require_aware(at)
    if not chain:
        raise ChainError("empty certificate chain")
    if len(chain) > MAX_CHAIN:
        raise ChainError(f"certificate chain longer than {MAX_CHAIN}")
    if not anchors:
        raise ChainError("no trust anchor is available for this purpose")
    leaf, intermediates = chain[0], list(chain[1:])
    if is_self_signed(leaf):
        raise ChainError("the leaf certificate is self-signed")
    anchor_ders = {_der(anchor) for anchor in anchors}
    if any(_der(cert) in anchor_ders for cert in chain):
        raise ChainError("the chain includes its trust anchor")
    # The verifier below enforces these too; checking first gives the caller a precise reason.
    if at < leaf.not_valid_before_utc:
        raise ChainError("the leaf certificate is not yet valid")
    if at > leaf.not_valid_after_utc:
        raise ChainError("the leaf certificate has expired")
    usage = _key_usage(leaf)
    if usage is None or not usage.digital_signature:
        raise ChainError("the leaf certificate may not sign (keyUsage digitalSignature missing)")
    if _is_ca(leaf):
        raise ChainError("the leaf certificate is a CA certificate")
    if dns_name is not None and dns_name.lower() not in (name.lower() for name in _dns_names(leaf)):
        raise ChainError(f"DNS name {dns_name!r} is not a subjectAltName of the certificate")
    verifier = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .time(at)
        .max_chain_depth(MAX_CHAIN)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_leaf_policy())
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
    """The key that signed a JWS: its ``x5c`` (RFC 7515 section 4.1.6) validated to ``anchors``."""
    leaf = validate_chain(x5c_certificates(header), anchors, at=at)
    key = leaf.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ChainError("the signing certificate does not hold an EC key")
    return key


def certificate_hash(cert: x509.Certificate) -> str:
    """b64url(SHA-256(DER)), the value of an ``x509_hash:`` client identifier (OpenID4VP 1.0 §5.9.3)."""
    return b64url_encode(hashlib.sha256(_der(cert)).digest())


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, in file order; ``ValueError`` when there is none."""
    return list(x509.load_pem_x509_certificates(data))


def _attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def subject_common_name(cert: x509.Certificate) -> str | None:
    """The subject's first ``CN``."""
    return _attribute(cert, NameOID.COMMON_NAME)


def subject_organization(cert: x509.Certificate) -> str | None:
    """The subject's first ``O``: the name a wallet shows for a relying party's access certificate."""
    return _attribute(cert, NameOID.ORGANIZATION_NAME)


def subject_country(cert: x509.Certificate) -> str | None:
    """The subject's ``C`` (ISO 3166-1 alpha-2)."""
    return _attribute(cert, NameOID.COUNTRY_NAME)
