"""A throwaway IACA + document signer, fixed instants and a counter rng for the mdoc tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from credentials import mdoc

T0 = datetime(2026, 9, 1, 12, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=10)
DOCTYPE = "org.iso.18013.5.1.mDL"
NS = "org.iso.18013.5.1"
ELEMENTS = {
    NS: {
        "family_name": "Doe",
        "given_name": "Jane",
        "birth_date": date(1990, 5, 17),
        "age_over_18": True,
        "document_number": "NL123456",
    }
}


def counter_rng(seed: bytes = b"seed") -> Callable[[int], bytes]:
    state = {"n": 0}

    def rng(size: int) -> bytes:
        out = b""
        while len(out) < size:
            state["n"] += 1
            out += hashlib.sha256(seed + state["n"].to_bytes(8, "big")).digest()
        return out[:size]

    return rng


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(subject.encode()).digest()[:8], "big"))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class Pki:
    iaca_key: ec.EllipticCurvePrivateKey
    iaca: x509.Certificate
    ds_key: ec.EllipticCurvePrivateKey
    ds: x509.Certificate
    device_key: ec.EllipticCurvePrivateKey

    def validate_chain(self, chain: Sequence[x509.Certificate]) -> x509.Certificate:
        """Trivial chain check: the leaf is our DS, signed by our IACA."""
        if not chain or chain[0] != self.ds:
            raise ValueError("unknown document signer")
        chain[0].verify_directly_issued_by(self.iaca)
        return chain[0]

    def issue(self, **overrides: object) -> bytes:
        args: dict[str, object] = {
            "signing_key": self.ds_key,
            "x5chain": [self.ds],
            "device_key": self.device_key.public_key(),
            "signed": T0,
            "valid_from": T0,
            "valid_until": T0 + timedelta(days=365),
            "rng": counter_rng(),
        }
        args.update(overrides)
        doctype = args.pop("doctype", DOCTYPE)
        elements = args.pop("elements", ELEMENTS)
        return mdoc.issue_mdoc(doctype, elements, **args)  # type: ignore[arg-type]


def make_pki(*, start: datetime | None = None, ds_days: int = 400) -> Pki:
    """IACA and DS certificates from ``start`` (default 30 days before :data:`T0`)."""
    iaca_key = ec.derive_private_key(0x1ACA, ec.SECP256R1())
    ds_key = ec.derive_private_key(0xD5, ec.SECP256R1())
    start = start or T0 - timedelta(days=30)
    iaca = _cert(
        "Test IACA",
        iaca_key,
        "Test IACA",
        iaca_key,
        ca=True,
        not_before=start,
        not_after=start + timedelta(days=max(3650, ds_days)),
    )
    ds = _cert(
        "Test DS",
        ds_key,
        "Test IACA",
        iaca_key,
        ca=False,
        not_before=start,
        not_after=start + timedelta(days=ds_days),
    )
    return Pki(iaca_key, iaca, ds_key, ds, ec.derive_private_key(0xDE71CE, ec.SECP256R1()))
