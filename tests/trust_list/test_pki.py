from __future__ import annotations

import stat
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from trust_list.pki import FILES, MDOC_DOCUMENT_SIGNER, DevPki, load_dev_pki, make_dev_pki, write_dev_pki
from trust_list.x509 import subject_country, subject_organization, validate_chain

from .conftest import NOW

PAIRS = [
    ("pid_ca_cert", "pid_ca_key"),
    ("issuer_cert", "issuer_key"),
    ("rp_ca_cert", "rp_ca_key"),
    ("verifier_cert", "verifier_key"),
    ("operator_cert", "operator_key"),
]


def test_keys_are_p256_and_match_their_certificates(pki: DevPki) -> None:
    for cert_field, key_field in PAIRS:
        cert: x509.Certificate = getattr(pki, cert_field)
        key: ec.EllipticCurvePrivateKey = getattr(pki, key_field)
        assert isinstance(key.curve, ec.SECP256R1)
        assert cert.public_key() == key.public_key()


def test_leaves_validate_to_their_cas(pki: DevPki) -> None:
    assert validate_chain([pki.issuer_cert], [pki.pid_ca_cert], at=NOW)
    assert validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="localhost")


def test_cas_and_leaves_have_the_right_constraints(pki: DevPki) -> None:
    for ca in (pki.pid_ca_cert, pki.rp_ca_cert):
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
        assert ca.issuer == ca.subject
        assert ca.not_valid_after_utc - NOW >= timedelta(days=4 * 365)
    for leaf in (pki.issuer_cert, pki.verifier_cert, pki.operator_cert):
        assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert pki.issuer_cert.not_valid_before_utc < NOW < pki.issuer_cert.not_valid_after_utc


def test_the_issuers_are_document_signers(pki: DevPki) -> None:
    # ISO/IEC 18013-5 Annex B: a document signer's certificate names id-mdl-kp-mdlDS
    for signer in (pki.issuer_cert, pki.eaa_issuer_cert):
        usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(usage) == [MDOC_DOCUMENT_SIGNER] == [x509.ObjectIdentifier("1.0.18013.5.1.2")]


def test_names_and_options() -> None:
    pki = make_dev_pki(now=NOW, rp_dns_name="rp.example", country="BE")
    assert validate_chain([pki.verifier_cert], [pki.rp_ca_cert], at=NOW, dns_name="rp.example")
    assert subject_organization(pki.verifier_cert) == "Demo Relying Party"
    assert subject_organization(pki.pid_ca_cert) == "Demo PID Provider BE"
    assert {subject_country(getattr(pki, cert)) for cert, _ in PAIRS} == {"BE"}


def test_repr_masks_keys(pki: DevPki) -> None:
    assert "PRIVATE" not in repr(pki) and "masked" in repr(pki)


def test_naive_now_refused() -> None:
    with pytest.raises(ValueError):
        make_dev_pki(now=NOW.replace(tzinfo=None))


def test_round_trip_through_a_folder(pki: DevPki, tmp_path: Path) -> None:
    folder = tmp_path / "pki"
    write_dev_pki(pki, folder)
    assert sorted(path.name for path in folder.iterdir()) == sorted(FILES.values())
    for name in FILES.values():
        mode = stat.S_IMODE((folder / name).stat().st_mode)
        if name.endswith(".key"):
            assert mode == 0o600, name
    loaded = load_dev_pki(folder)
    for field in fields(DevPki):
        mine, theirs = getattr(pki, field.name), getattr(loaded, field.name)
        if isinstance(mine, x509.Certificate):
            assert mine == theirs
        else:
            assert mine.private_numbers() == theirs.private_numbers()
    assert validate_chain([loaded.issuer_cert], [loaded.pid_ca_cert], at=NOW)


def test_rewriting_tightens_an_existing_key_file(pki: DevPki, tmp_path: Path) -> None:
    key_file = tmp_path / FILES["issuer_key"]
    key_file.write_text("old")
    key_file.chmod(0o644)
    write_dev_pki(pki, tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_load_errors(pki: DevPki, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_dev_pki(tmp_path / "missing")
    write_dev_pki(pki, tmp_path)
    (tmp_path / FILES["issuer_key"]).write_text("not a key")
    with pytest.raises(ValueError):
        load_dev_pki(tmp_path)


def test_dev_eaa_types_are_the_catalogue_non_pid_types() -> None:
    from credentials.catalog import CATALOGUE
    from trust_list.pki import DEV_EAA_TYPES

    expected = {
        identifier
        for attestation in CATALOGUE.values()
        if attestation.key != "pid"
        for identifier in (attestation.vct, attestation.doctype)
        if identifier is not None
    }
    assert set(DEV_EAA_TYPES) == expected
