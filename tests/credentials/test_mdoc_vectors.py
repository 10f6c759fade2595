"""ISO/IEC 18013-5 Annex D IssuerSigned (via isomdl) and the OpenID4VP 1.0 B.2.6 handover vectors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from cryptography import x509

from credentials import cbor, mdoc
from credentials.errors import DigestMismatch, Expired, NotYetValid, WrongType
from tests.conftest import VECTORS

ANNEX_D = VECTORS / "isomdl-iso18013-5" / "definitions" / "issuer_signed.cbor"
HANDOVER = VECTORS / "openid4vp-1.0" / "handover_and_jwe_vectors.json"
ANNEX_D_NOW = datetime(2020, 10, 2, tzinfo=UTC)


def leaf(chain: Sequence[x509.Certificate]) -> x509.Certificate:
    assert len(chain) == 1 and chain[0].subject.rfc4514_string() == "C=US,CN=utopia ds"
    return chain[0]


@pytest.fixture(scope="module")
def annex_d() -> bytes:
    return bytes.fromhex(ANNEX_D.read_text().strip())


def test_annex_d_issuer_signed_verifies(annex_d: bytes) -> None:
    verified = mdoc.verify_issuer_signed(
        annex_d, doctype="org.iso.18013.5.1.mDL", now=ANNEX_D_NOW, validate_chain=leaf
    )
    assert verified.doctype == "org.iso.18013.5.1.mDL"
    elements = verified.namespaces["org.iso.18013.5.1"]
    assert elements["family_name"] == "Doe"
    assert elements["issue_date"] == date(2019, 10, 20)
    assert len(elements) == 6
    assert verified.validity.valid_until == datetime(2021, 10, 1, 13, 30, 2, tzinfo=UTC)
    assert verified.mso.digest_algorithm == "SHA-256"
    assert verified.status is None


def test_annex_d_clock_and_doctype(annex_d: bytes) -> None:
    with pytest.raises(Expired):
        mdoc.verify_issuer_signed(
            annex_d, doctype=None, now=datetime(2021, 10, 2, tzinfo=UTC), validate_chain=leaf
        )
    with pytest.raises(NotYetValid):
        mdoc.verify_issuer_signed(
            annex_d, doctype=None, now=datetime(2020, 9, 30, tzinfo=UTC), validate_chain=leaf
        )
    with pytest.raises(WrongType):
        mdoc.verify_issuer_signed(
            annex_d, doctype="eu.europa.ec.eudi.pid.1", now=ANNEX_D_NOW, validate_chain=leaf
        )


def test_annex_d_changed_value_refused(annex_d: bytes) -> None:
    item = bytes.fromhex("6c656c656d656e7456616c756563446f65")  # "elementValue": "Doe"
    assert annex_d.count(item) == 1
    tampered = annex_d.replace(item, item[:-1] + b"f")
    with pytest.raises(DigestMismatch):
        mdoc.verify_issuer_signed(tampered, doctype=None, now=ANNEX_D_NOW, validate_chain=leaf)


def test_annex_d_selected_release_still_verifies(annex_d: bytes) -> None:
    selected = mdoc.select_elements(annex_d, {"org.iso.18013.5.1": ["family_name", "portrait"]})
    verified = mdoc.verify_issuer_signed(selected, doctype=None, now=ANNEX_D_NOW, validate_chain=leaf)
    assert set(verified.namespaces["org.iso.18013.5.1"]) == {"family_name", "portrait"}


def test_openid4vp_redirect_handover_byte_for_byte() -> None:
    vector = json.loads(HANDOVER.read_text())["mdoc_handover_redirect"]
    inputs = vector["inputs"]
    transcript = mdoc.openid4vp_session_transcript(
        client_id=inputs["client_id"],
        nonce=inputs["nonce"],
        jwk_thumbprint=bytes.fromhex(inputs["jwk_thumbprint_sha256_hex"]),
        response_uri=inputs["response_uri"],
    )
    assert cbor.encode(transcript[2]).hex() == vector["OpenID4VPHandover_hex"]
    assert cbor.encode(transcript).hex() == vector["SessionTranscript_hex"]


def test_openid4vp_handover_thumbprint_from_jwk() -> None:
    from common.jose import jwk_thumbprint

    inputs = json.loads(HANDOVER.read_text())["mdoc_handover_redirect"]["inputs"]
    assert jwk_thumbprint(inputs["verifier_encryption_jwk"]).hex() == inputs["jwk_thumbprint_sha256_hex"]


def test_openid4vp_dc_api_handover_byte_for_byte() -> None:
    vector = json.loads(HANDOVER.read_text())["mdoc_handover_dc_api"]
    inputs = vector["inputs"]
    transcript = mdoc.openid4vp_dc_api_session_transcript(
        origin=inputs["origin"],
        nonce=inputs["nonce"],
        jwk_thumbprint=bytes.fromhex(inputs["jwk_thumbprint_sha256_hex"]),
    )
    assert cbor.encode(transcript[2]).hex() == vector["OpenID4VPDCAPIHandover_hex"]
    assert cbor.encode(transcript).hex() == vector["SessionTranscript_hex"]
