"""Interoperability with PyPI ``pymdoccbor`` (1.4.0, the EUDI pyMDOC-CBOR line) for IssuerSigned/MSO.

Both directions: an mdoc issued by the peer's ``MdocCborIssuer`` verifies with
:func:`credentials.mdoc.verify_issuer_signed` (elements and MSO checked); one issued by
:func:`credentials.mdoc.issue_mdoc` verifies with the peer's ``MdocCbor.verify`` (signature, chain to
our IACA and every element digest). The peer has no DeviceResponse/deviceAuth verification, so device
authentication is not exercised against it.

The peer reads the wall clock (``signed``/``validFrom`` = now, certificate validity at now), so the
certificates here span 2000-2099 and our ``now`` is taken from the peer's MSO.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import pytest

from credentials import cbor, cose, mdoc
from tests.credentials.mdoc_support import DOCTYPE, NS, counter_rng, make_pki

pytestmark = pytest.mark.interop
pymdoc_issuer = pytest.importorskip("pymdoccbor.mdoc.issuer")
pymdoc_verifier = pytest.importorskip("pymdoccbor.mdoc.verifier")

WIDE = datetime(2000, 1, 1, tzinfo=UTC)


def _cose_private(key: Any) -> dict[str, Any]:
    numbers = key.private_numbers()
    return {
        "KTY": "EC2",
        "CURVE": "P_256",
        "ALG": "ES256",
        "D": numbers.private_value.to_bytes(32, "big"),
        "X": numbers.public_numbers.x.to_bytes(32, "big"),
        "Y": numbers.public_numbers.y.to_bytes(32, "big"),
    }


def test_peer_issued_mdoc_verifies_here() -> None:
    pki = make_pki(start=WIDE, ds_days=36500)
    device = cose.cose_key_from_public(pki.device_key.public_key())
    issuer = pymdoc_issuer.MdocCborIssuer(private_key=_cose_private(pki.ds_key), alg="ES256")
    issued = issuer.new(
        data={NS: {"family_name": "Doe", "birth_date": "1990-05-17", "age_over_18": True}},
        doctype=DOCTYPE,
        validity={"issuance_date": "2024-01-01", "expiry_date": "2099-01-01"},
        devicekeyinfo={"KTY": "EC2", "CURVE": "P_256", "X": device[-2], "Y": device[-3]},
        x509_chain=[pki.ds],
    )
    issuer_signed = cbor2.dumps(issued["documents"][0]["issuerSigned"])
    payload = issued["documents"][0]["issuerSigned"]["issuerAuth"][2]
    mso = mdoc.parse_mso(cbor.unwrap24(cbor.decode(payload)))
    now = mso.validity.valid_from + timedelta(seconds=1)

    verified = mdoc.verify_issuer_signed(
        issuer_signed, doctype=DOCTYPE, now=now, validate_chain=pki.validate_chain
    )
    assert verified.namespaces == {
        NS: {"family_name": "Doe", "birth_date": date(1990, 5, 17), "age_over_18": True}
    }
    assert verified.device_key.public_numbers() == pki.device_key.public_key().public_numbers()

    # and a release of one element, as a holder would send it
    selected = mdoc.select_elements(issuer_signed, {NS: ["age_over_18"]})
    assert mdoc.verify_issuer_signed(
        selected, doctype=DOCTYPE, now=now, validate_chain=pki.validate_chain
    ).namespaces == {NS: {"age_over_18": True}}


def test_mdoc_issued_here_verifies_with_peer() -> None:
    pki = make_pki(start=WIDE, ds_days=36500)
    issued = mdoc.issue_mdoc(
        DOCTYPE,
        {NS: {"family_name": "Doe", "birth_date": date(1990, 5, 17), "age_over_18": True}},
        signing_key=pki.ds_key,
        x5chain=[pki.ds],
        device_key=pki.device_key.public_key(),
        signed=WIDE + timedelta(days=1),
        valid_from=WIDE + timedelta(days=1),
        valid_until=WIDE + timedelta(days=36000),
        rng=counter_rng(),
    )
    document = {"docType": DOCTYPE, "issuerSigned": cbor2.loads(issued)}
    peer = pymdoc_verifier.MdocCbor()
    peer.loads(cbor2.dumps({"version": "1.0", "documents": [document], "status": 0}))
    assert peer.verify(trusted_root_certs=[pki.iaca], verify_hashes=True) is True
    [verified] = peer.documents
    assert verified.hash_verification == {"valid": True, "total": 3, "verified": 3, "failed": []}
    assert peer.disclosure_map[NS]["family_name"] == "Doe"
    assert peer.disclosure_map[NS]["age_over_18"] is True
    mso = verified.issuersigned.issuer_auth.payload_as_dict
    assert mso["docType"] == DOCTYPE and mso["digestAlgorithm"] == "SHA-256"

    # a changed element fails the peer's digest check too
    tampered = cbor2.loads(issued)
    item = cbor2.loads(tampered["nameSpaces"][NS][0].value)
    item["elementValue"] = "Mallory" if isinstance(item["elementValue"], str) else False
    tampered["nameSpaces"][NS][0] = cbor2.CBORTag(24, cbor2.dumps(item))
    peer = pymdoc_verifier.MdocCbor()
    peer.loads(cbor2.dumps({"version": "1.0", "documents": [{"docType": DOCTYPE, "issuerSigned": tampered}]}))
    assert peer.verify(trusted_root_certs=[pki.iaca]) is False
