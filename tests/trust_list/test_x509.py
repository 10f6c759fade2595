from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from common.jose import x5c_header
from trust_list.errors import ChainError
from trust_list.pki import DevPki, make_dev_pki
from trust_list.x509 import (
    certificate_hash,
    is_self_signed,
    load_pem_certificates,
    subject_common_name,
    subject_country,
    subject_organization,
    validate_chain,
    x5c_signing_key,
)

from .conftest import NOW, issue


def test_issuer_chain_validates(pki: DevPki) -> None:
    assert validate_chain([pki.issuer_cert], [pki.pid_ca_cert], at=NOW) == pki.issuer_cert


def test_anchor_is_found_among_several(pki: DevPki) -> None:
    assert validate_chain([pki.issuer_cert], [pki.rp_ca_cert, pki.pid_ca_cert], at=NOW) == pki.issuer_cert


def test_access_certificate_with_dns_san(pki: DevPki) -> None:
    assert validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="LOCALHOST")
    with pytest.raises(ChainError, match=r"'evil\.example' is not a subjectAltName"):
        validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="evil.example")


def test_dns_name_asked_of_a_leaf_without_san(pki: DevPki) -> None:
    with pytest.raises(ChainError, match="subjectAltName"):
        validate_chain([pki.issuer_cert], [pki.pid_ca_cert], at=NOW, dns_name="localhost")


@pytest.mark.parametrize(
    ("chain", "anchors", "at", "reason"),
    [
        ("issuer", "rp_ca", NOW, "not issued by a trusted CA"),
        ("pid_ca", "pid_ca", NOW, "self-signed"),
        ("operator", "pid_ca", NOW, "self-signed"),
        ("issuer+pid_ca", "pid_ca", NOW, "includes its trust anchor"),
        ("issuer", "pid_ca", NOW + timedelta(days=400), "expired"),
        ("issuer", "pid_ca", NOW - timedelta(days=1), "not yet valid"),
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


def test_no_anchor_for_the_purpose(pki: DevPki) -> None:
    with pytest.raises(ChainError, match="no trust anchor"):
        validate_chain([pki.issuer_cert], [], at=NOW)


def test_empty_and_overlong_chains(pki: DevPki) -> None:
    with pytest.raises(ChainError, match="empty"):
        validate_chain([], [pki.pid_ca_cert], at=NOW)
    with pytest.raises(ChainError, match="longer than"):
        validate_chain([pki.issuer_cert] * 6, [pki.pid_ca_cert], at=NOW)


def test_path_through_an_intermediate() -> None:
    root = issue("Root", ca=True, digital_signature=False)
    intermediate = issue("Intermediate", by=root, ca=True, digital_signature=False)
    leaf = issue("Leaf", by=intermediate)
    assert validate_chain([leaf.cert, intermediate.cert], [root.cert], at=NOW) == leaf.cert
    with pytest.raises(ChainError, match="not issued by a trusted CA"):
        validate_chain([leaf.cert], [root.cert], at=NOW)  # the intermediate is missing


def test_expired_intermediate_refused() -> None:
    root = issue("Root", ca=True, digital_signature=False)
    intermediate = issue(
        "Intermediate", by=root, ca=True, digital_signature=False, not_after=NOW - timedelta(hours=1)
    )
    leaf = issue("Leaf", by=intermediate)
    with pytest.raises(ChainError, match="not issued by a trusted CA"):
        validate_chain([leaf.cert, intermediate.cert], [root.cert], at=NOW)


def test_leaf_without_digital_signature_refused() -> None:
    root = issue("Root", ca=True, digital_signature=False)
    leaf = issue("Leaf", by=root, digital_signature=False)
    with pytest.raises(ChainError, match="digitalSignature"):
        validate_chain([leaf.cert], [root.cert], at=NOW)


def test_ca_certificate_cannot_be_the_leaf(pki: DevPki) -> None:
    root = issue("Root", ca=True, digital_signature=False)
    sub_ca = issue("Sub CA that may also sign", by=root, ca=True, digital_signature=True)
    with pytest.raises(ChainError, match="is a CA certificate"):
        validate_chain([sub_ca.cert], [root.cert], at=NOW)
    other = make_dev_pki(now=NOW)
    with pytest.raises(ChainError):
        validate_chain([other.pid_ca_cert], [pki.pid_ca_cert], at=NOW)


def test_forged_issuer_name_refused(pki: DevPki) -> None:
    impostor = issue("Impostor", subject=pki.pid_ca_cert.subject, ca=True, digital_signature=False)
    leaf = issue("Leaf", by=impostor)  # names the real PID CA as issuer, signed by another key
    with pytest.raises(ChainError, match="not issued by a trusted CA"):
        validate_chain([leaf.cert], [pki.pid_ca_cert], at=NOW)


def test_naive_time_is_a_programming_error(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_chain([pki.issuer_cert], [pki.pid_ca_cert], at=NOW.replace(tzinfo=None))


def test_x5c_signing_key(pki: DevPki) -> None:
    key = x5c_signing_key({"x5c": x5c_header([pki.issuer_cert])}, [pki.pid_ca_cert], at=NOW)
    assert key.public_numbers() == pki.issuer_key.public_key().public_numbers()
    with pytest.raises(ChainError):
        x5c_signing_key({"x5c": x5c_header([pki.issuer_cert])}, [pki.rp_ca_cert], at=NOW)


def test_certificate_hash_is_b64url_sha256(pki: DevPki) -> None:
    der = pki.verifier_cert.public_bytes(serialization.Encoding.DER)
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert certificate_hash(pki.verifier_cert) == expected


def test_pem_bundle_and_subject_names(pki: DevPki) -> None:
    bundle = b"".join(
        cert.public_bytes(serialization.Encoding.PEM) for cert in (pki.issuer_cert, pki.pid_ca_cert)
    )
    assert load_pem_certificates(bundle) == [pki.issuer_cert, pki.pid_ca_cert]
    with pytest.raises(ValueError):
        load_pem_certificates(b"no certificates here")
    assert subject_organization(pki.verifier_cert) == "Demo Relying Party"
    assert subject_common_name(pki.verifier_cert) == "localhost"
    assert subject_country(pki.verifier_cert) == "NL"
    assert subject_organization(issue("CN only").cert) is None


def test_is_self_signed(pki: DevPki) -> None:
    assert is_self_signed(pki.pid_ca_cert) and is_self_signed(pki.operator_cert)
    assert not is_self_signed(pki.issuer_cert)
