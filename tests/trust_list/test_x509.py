from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trust_list.errors import ChainError
from trust_list.pki import DevPki, make_dev_pki
from trust_list.x509 import certificate_hash, subject_organization, validate_chain

NOW = datetime(2026, 9, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return make_dev_pki(now=NOW)


def test_issuer_chain_validates(pki: DevPki) -> None:
    assert validate_chain([pki.issuer_cert], [pki.pid_ca_cert], at=NOW) == pki.issuer_cert


def test_access_certificate_with_dns_san(pki: DevPki) -> None:
    assert validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="LOCALHOST")
    assert subject_organization(pki.verifier_cert) == "Demo Relying Party"
    with pytest.raises(ChainError, match="subjectAltName"):
        validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="evil.example")


@pytest.mark.parametrize(
    ("chain", "anchors", "at", "reason"),
    [
        ("issuer", "rp_ca", NOW, "not issued by a trusted CA"),
        ("pid_ca", "pid_ca", NOW, "self-signed"),
        ("issuer+pid_ca", "pid_ca", NOW, "includes its trust anchor"),
        ("issuer", "pid_ca", NOW + timedelta(days=400), "expired"),
        ("issuer", "pid_ca", NOW - timedelta(days=1), "not yet valid"),
        ("operator", "pid_ca", NOW, "self-signed"),
    ],
)
def test_refusals(pki: DevPki, chain: str, anchors: str, at: datetime, reason: str) -> None:
    certs = {
        "issuer": pki.issuer_cert,
        "pid_ca": pki.pid_ca_cert,
        "rp_ca": pki.rp_ca_cert,
        "operator": pki.operator_cert,
    }
    with pytest.raises(ChainError, match=reason):
        validate_chain([certs[name] for name in chain.split("+")], [certs[anchors]], at=at)


def test_ca_certificate_cannot_sign_as_a_leaf(pki: DevPki) -> None:
    other = make_dev_pki(now=NOW)
    with pytest.raises(ChainError):
        validate_chain([other.pid_ca_cert], [pki.pid_ca_cert], at=NOW)


def test_no_anchor_for_the_purpose(pki: DevPki) -> None:
    with pytest.raises(ChainError, match="no trust anchor"):
        validate_chain([pki.issuer_cert], [], at=NOW)


def test_certificate_hash_is_b64url_sha256(pki: DevPki) -> None:
    value = certificate_hash(pki.verifier_cert)
    assert len(value) == 43 and "=" not in value
