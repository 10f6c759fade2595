"""mdoc issue / release / present / verify round trips and refusals (STANDARDS section 3, items 29-34)."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import _mdoc_device, _mdoc_issue, _mdoc_issuer, cbor, cose, mdoc
from credentials.errors import (
    DigestMismatch,
    DuplicateDigest,
    Expired,
    InvalidClaims,
    InvalidDeviceSignature,
    InvalidSignature,
    InvalidValidity,
    MalformedCbor,
    MalformedCose,
    MalformedMdoc,
    NotYetValid,
    UnauthorizedDeviceElement,
    UnsupportedAlgorithm,
    WrongType,
)
from tests.credentials.mdoc_support import DOCTYPE, ELEMENTS, NOW, NS, T0, Pki, counter_rng, make_pki

TRANSCRIPT = mdoc.openid4vp_session_transcript(
    client_id="x509_san_dns:verifier.example",
    nonce="n-0S6_WzA2Mj",
    jwk_thumbprint=None,
    response_uri="https://verifier.example/response",
)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def issued(pki: Pki) -> bytes:
    return pki.issue(status={"status_list": {"idx": 7, "uri": "https://issuer.example/sl/1"}})


def verify(pki: Pki, data: bytes, **kwargs: Any) -> mdoc.VerifiedIssuerSigned:
    args: dict[str, Any] = {"doctype": DOCTYPE, "now": NOW, "validate_chain": pki.validate_chain}
    args.update(kwargs)
    return mdoc.verify_issuer_signed(data, **args)


def edit(data: bytes, change: Any) -> bytes:
    obj = cbor2.loads(data)
    change(obj)
    return cbor2.dumps(obj)


def test_issue_verify_round_trip(pki: Pki, issued: bytes) -> None:
    verified = verify(pki, issued)
    assert verified.namespaces == ELEMENTS
    assert verified.doctype == DOCTYPE
    assert verified.status == {"status_list": {"idx": 7, "uri": "https://issuer.example/sl/1"}}
    assert verified.signer == pki.ds
    assert verified.device_key.public_numbers() == pki.device_key.public_key().public_numbers()
    assert verified.validity.signed == T0 and verified.validity.valid_until == T0 + timedelta(days=365)


def test_issued_structure(pki: Pki, issued: bytes) -> None:
    obj = cbor2.loads(issued)
    items = [cbor2.loads(tag.value) for tag in obj["nameSpaces"][NS]]
    assert sorted(item["digestID"] for item in items) == list(range(len(ELEMENTS[NS])))
    assert [item["digestID"] for item in items] != list(range(len(items)))  # randomised order
    assert all(len(item["random"]) >= 16 for item in items)
    birth = next(tag for tag in obj["nameSpaces"][NS] if b"birth_date" in tag.value)
    assert bytes.fromhex("d903ec6a313939302d30352d3137") in birth.value  # full-date, tag 1004
    protected, unprotected, payload, _ = obj["issuerAuth"]
    assert cbor2.loads(protected) == {1: -7}
    assert unprotected[33] == pki.ds.public_bytes(serialization.Encoding.DER)
    mso = cbor2.loads(cbor2.loads(payload).value)
    assert mso["version"] == "1.0" and mso["digestAlgorithm"] == "SHA-256"
    assert payload[:2] == b"\xd8\x18"
    assert b"\xc0\x74" + b"2026-09-01T12:00:00Z" in cbor2.loads(payload).value  # tdate, tag 0
    for tag, item in zip(obj["nameSpaces"][NS], items, strict=True):
        assert mso["valueDigests"][NS][item["digestID"]] == hashlib.sha256(cbor2.dumps(tag)).digest()


def test_issued_bytes_are_what_encode_writes(pki: Pki) -> None:
    """IssuerSigned, its items and its MSO are partly written directly: byte for byte as cbor.encode
    writes what they decode to (shortest heads, canonical key order, tdate and full-date tags)."""
    elements = {NS: ELEMENTS[NS], "eu.x": {"é": 1.5, "n": [1, {"b": 2, "a": None}]}}
    for data in (
        pki.issue(elements=elements, key_authorizations={"nameSpaces": [NS]}, status={"s": 1}),
        pki.issue(x5chain=[pki.ds, pki.iaca]),
    ):
        obj = cbor.decode(data)
        assert cbor.encode(obj) == data
        for tags in obj["nameSpaces"].values():
            for tag in tags:
                assert cbor.encode(cbor.unwrap24(tag)) == tag.value
        payload = obj["issuerAuth"][2]
        assert cbor.encode24(cbor.decode24(payload)) == payload


@pytest.mark.parametrize(
    ("digest_id", "identifier", "value"),
    [(0, "a", None), (23, "x" * 24, {"b": [1.5], "a": b"x"}), (24, "é", "v" * 300), (70_000, "d", T0)],
)
def test_issuer_signed_item_is_encode_of_the_map(digest_id: int, identifier: str, value: Any) -> None:
    random = bytes(range(32))
    item = {"digestID": digest_id, "random": random, "elementIdentifier": identifier, "elementValue": value}
    assert _mdoc_issue._issuer_signed_item(digest_id, random, identifier, value) == cbor.encode(item)


def test_issue_is_deterministic_with_injected_rng(pki: Pki) -> None:
    def unsigned_parts(data: bytes) -> tuple[Any, bytes]:
        obj = cbor2.loads(data)
        return obj["nameSpaces"], obj["issuerAuth"][2]  # ECDSA signatures themselves are randomised

    assert unsigned_parts(pki.issue(rng=counter_rng(b"a"))) == unsigned_parts(
        pki.issue(rng=counter_rng(b"a"))
    )
    assert unsigned_parts(pki.issue(rng=counter_rng(b"a"))) != unsigned_parts(
        pki.issue(rng=counter_rng(b"b"))
    )


def test_x5chain_array_of_two(pki: Pki) -> None:
    data = pki.issue(x5chain=[pki.ds, pki.iaca])
    assert isinstance(cbor2.loads(data)["issuerAuth"][1][33], list)
    assert verify(pki, data).signer == pki.ds


def test_issuer_signed_chain_is_read_as_it_stands(pki: Pki, issued: bytes) -> None:
    assert mdoc.issuer_signed_chain(issued) == [pki.ds]
    assert mdoc.issuer_signed_chain(pki.issue(x5chain=[pki.ds, pki.iaca])) == [pki.ds, pki.iaca]
    with pytest.raises(MalformedMdoc, match="issuerAuth"):
        mdoc.issuer_signed_chain(cbor2.dumps({"nameSpaces": {}}))


def test_select_elements(pki: Pki, issued: bytes) -> None:
    selected = mdoc.select_elements(issued, {NS: ["given_name", "age_over_18", "not_held"], "other": ["x"]})
    assert verify(pki, selected).namespaces == {NS: {"given_name": "Jane", "age_over_18": True}}
    nothing = mdoc.select_elements(issued, {})
    assert verify(pki, nothing).namespaces == {}


def test_device_response_round_trip(pki: Pki, issued: bytes) -> None:
    selected = mdoc.select_elements(issued, {NS: ["age_over_18"]})
    response = mdoc.device_response([(selected, pki.device_key, DOCTYPE)], session_transcript=TRANSCRIPT)
    documents = mdoc.verify_device_response(
        response,
        session_transcript=TRANSCRIPT,
        now=NOW,
        validate_chain=pki.validate_chain,
        doctypes=[DOCTYPE],
    )
    assert len(documents) == 1
    assert documents[0].doctype == DOCTYPE
    assert documents[0].namespaces == {NS: {"age_over_18": True}}
    assert documents[0].device_namespaces == {}
    decoded = cbor2.loads(response)
    assert decoded["version"] == "1.0" and decoded["status"] == 0
    assert decoded["documents"][0]["deviceSigned"]["deviceAuth"]["deviceSignature"][2] is None


def present(pki: Pki, issued: bytes, **kwargs: Any) -> list[mdoc.VerifiedDocument]:
    args: dict[str, Any] = {
        "session_transcript": TRANSCRIPT,
        "now": NOW,
        "validate_chain": pki.validate_chain,
    }
    args.update(kwargs)
    response = args.pop("response", None) or mdoc.device_response(
        [(issued, args.pop("device_key", pki.device_key), args.pop("doctype", DOCTYPE))],
        session_transcript=args.pop("signed_transcript", TRANSCRIPT),
    )
    return mdoc.verify_device_response(response, **args)


@pytest.mark.parametrize("field", ["client_id", "nonce", "response_uri", "jwk_thumbprint"])
def test_device_signature_over_another_transcript(pki: Pki, issued: bytes, field: str) -> None:
    inputs: dict[str, Any] = {
        "client_id": "x509_san_dns:verifier.example",
        "nonce": "n-0S6_WzA2Mj",
        "jwk_thumbprint": None,
        "response_uri": "https://verifier.example/response",
    }
    inputs[field] = b"\x00" * 32 if field == "jwk_thumbprint" else inputs[field] + "x"
    other = mdoc.openid4vp_session_transcript(**inputs)
    with pytest.raises(InvalidDeviceSignature):
        present(pki, issued, signed_transcript=other)


@pytest.mark.parametrize(
    "transcript",
    [
        TRANSCRIPT,
        mdoc.openid4vp_dc_api_session_transcript(
            origin="https://é.example", nonce="n", jwk_thumbprint=b"t" * 32
        ),
        [None, None, ["OpenID4VPHandover", b"h" * 300]],
        (None, None, ("OpenID4VPHandover", b"h")),
        [cbor.wrap24({1: 2}), cbor.wrap24({-1: 3}), {"handover": [1, 2.5]}],
        [None, None, ["OpenID4VPHandover", "not bytes"]],
    ],
)
def test_device_authentication_bytes_are_what_encode_writes(transcript: Any) -> None:
    """Written directly for OpenID4VP transcripts; anything else goes through cbor.encode."""
    names = cbor.wrap24({NS: {"given_name": "X"}})
    expected = cbor.encode24(["DeviceAuthentication", transcript, DOCTYPE, names])
    assert _mdoc_device._device_authentication_bytes(transcript, DOCTYPE, names) == expected


@pytest.mark.parametrize(
    "fields",
    [("c", "n", None, "https://r.example"), ("é" * 30, "n", b"t" * 32), ("c", 7, None), ("c", ["n"], b"t")],
)
def test_handover_info_is_what_encode_writes(fields: tuple[Any, ...]) -> None:
    assert _mdoc_device._handover_info(*fields) == cbor.encode(list(fields))


def test_device_signature_by_another_key(pki: Pki, issued: bytes) -> None:
    with pytest.raises(InvalidDeviceSignature):
        present(pki, issued, device_key=ec.derive_private_key(0xBAD, ec.SECP256R1()))


def test_document_doctype_must_match_mso_and_request(pki: Pki, issued: bytes) -> None:
    with pytest.raises(WrongType):
        present(pki, issued, doctype="eu.europa.ec.eudi.pid.1")
    with pytest.raises(WrongType):
        present(pki, issued, doctypes=["eu.europa.ec.eudi.pid.1"])
    with pytest.raises(WrongType):
        verify(pki, issued, doctype="eu.europa.ec.eudi.pid.1")


def _response(pki: Pki, issued: bytes) -> dict[str, Any]:
    return cbor2.loads(
        mdoc.device_response([(issued, pki.device_key, DOCTYPE)], session_transcript=TRANSCRIPT)
    )


def test_device_signed_elements_need_key_authorization(pki: Pki, issued: bytes) -> None:
    response = _response(pki, issued)
    response["documents"][0]["deviceSigned"]["nameSpaces"] = cbor.wrap24({NS: {"given_name": "X"}})
    with pytest.raises(UnauthorizedDeviceElement):
        present(pki, issued, response=cbor2.dumps(response))


@pytest.mark.parametrize("auth", [{"nameSpaces": [NS]}, {"dataElements": {NS: ["given_name"]}}])
def test_authorized_device_signed_elements(pki: Pki, auth: dict[str, Any]) -> None:
    issued = pki.issue(key_authorizations=auth)
    names_tag = cbor.wrap24({NS: {"given_name": "X"}})
    payload = cbor.encode(cbor.wrap24(["DeviceAuthentication", TRANSCRIPT, DOCTYPE, names_tag]))
    signature = cose.sign1(None, pki.device_key, detached_payload=payload, tag=False)
    response = _response(pki, issued)
    response["documents"][0]["deviceSigned"] = {
        "nameSpaces": names_tag,
        "deviceAuth": {"deviceSignature": cbor2.loads(signature)},
    }
    [document] = present(pki, issued, response=cbor2.dumps(response))
    assert document.device_namespaces == {NS: {"given_name": "X"}}


def test_device_mac_not_supported(pki: Pki, issued: bytes) -> None:
    response = _response(pki, issued)
    auth = response["documents"][0]["deviceSigned"]["deviceAuth"]
    auth["deviceMac"] = auth.pop("deviceSignature")
    with pytest.raises(UnsupportedAlgorithm):
        present(pki, issued, response=cbor2.dumps(response))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda r: r.update(status=10), MalformedMdoc),
        (lambda r: r.update(documents=[]), MalformedMdoc),
        (lambda r: r.update(version="2.0"), MalformedMdoc),
        (
            lambda r: r["documents"][0]["deviceSigned"]["deviceAuth"]["deviceSignature"].__setitem__(2, b"x"),
            MalformedMdoc,
        ),
        (lambda r: r["documents"][0]["deviceSigned"].__setitem__("nameSpaces", {}), MalformedCbor),
    ],
)
def test_malformed_device_response(pki: Pki, issued: bytes, change: Any, error: type[Exception]) -> None:
    response = _response(pki, issued)
    change(response)
    with pytest.raises(error):
        present(pki, issued, response=cbor2.dumps(response))


def test_device_response_trailing_bytes(pki: Pki, issued: bytes) -> None:
    with pytest.raises(MalformedCbor):
        present(pki, issued, response=cbor2.dumps(_response(pki, issued)) + b"\x00")


# --- issuer-signed refusals ------------------------------------------------------------------------


def _replace_item(data: bytes, change: Any) -> bytes:
    def apply(obj: Any) -> None:
        tags = obj["nameSpaces"][NS]
        item = cbor2.loads(tags[0].value)
        change(item)
        tags[0] = cbor2.CBORTag(24, cbor2.dumps(item))

    return edit(data, apply)


def _signed_item(pki: Pki, data: bytes, content: Any) -> bytes:
    """``data`` with its first IssuerSignedItem replaced by ``content`` (a function of the item, giving
    the bytes in its tag 24) and the MSO re-signed with that item's digest under the first digestID:
    as an issuer would sign it, so that the item's own checks are reached (an item whose digest the
    MSO does not hold is refused before it is decoded)."""

    def apply(obj: Any) -> None:
        tags = obj["nameSpaces"][NS]
        digest_id = cbor2.loads(tags[0].value)["digestID"]
        tags[0] = cbor2.CBORTag(24, content(cbor2.loads(tags[0].value)))
        mso = cbor2.loads(cbor2.loads(obj["issuerAuth"][2]).value)
        mso["valueDigests"][NS][digest_id] = hashlib.sha256(cbor2.dumps(tags[0])).digest()
        signed = cose.sign1(cbor.encode(cbor.wrap24(mso)), pki.ds_key, unprotected=obj["issuerAuth"][1])
        obj["issuerAuth"] = cbor2.loads(signed).value

    return edit(data, apply)


def _signed_change(pki: Pki, data: bytes, change: Any) -> bytes:
    def content(item: dict[str, Any]) -> bytes:
        change(item)
        return cbor2.dumps(item)

    return _signed_item(pki, data, content)


def test_changed_element_value(pki: Pki, issued: bytes) -> None:
    with pytest.raises(DigestMismatch):
        verify(pki, _replace_item(issued, lambda item: item.update(elementValue="Mallory")))


def test_digest_id_absent_from_mso(pki: Pki, issued: bytes) -> None:
    with pytest.raises(DigestMismatch):
        verify(pki, _replace_item(issued, lambda item: item.update(digestID=99)))


def test_duplicate_digest_id(pki: Pki, issued: bytes) -> None:
    with pytest.raises(DuplicateDigest):
        verify(pki, edit(issued, lambda obj: obj["nameSpaces"][NS].append(obj["nameSpaces"][NS][0])))


def test_short_random(pki: Pki, issued: bytes) -> None:
    with pytest.raises(MalformedMdoc):
        verify(pki, _signed_change(pki, issued, lambda item: item.update(random=b"\x00" * 15)))


def test_item_with_extra_key(pki: Pki, issued: bytes) -> None:
    with pytest.raises(MalformedMdoc):
        verify(pki, _signed_change(pki, issued, lambda item: item.update(extra=1)))


def test_unsigned_items_are_refused_before_they_are_decoded(pki: Pki, issued: bytes) -> None:
    """Found by fuzzing: items the MSO does not hold were decoded first (40 items of 99,999 empty
    maps took 300 MB); now such an item is refused by its digest, whatever it holds."""
    with pytest.raises(DigestMismatch, match="digest the MSO does not hold"):
        verify(pki, edit(issued, lambda obj: obj["nameSpaces"][NS].append(cbor2.CBORTag(24, b"\xff"))))
    with pytest.raises(MalformedCbor):  # the same bytes, signed: decoded, and refused as CBOR
        verify(pki, _signed_item(pki, issued, lambda item: b"\xff"))


@pytest.mark.parametrize(
    "change",
    [
        lambda item: item.update(elementIdentifier=""),
        lambda item: item.update(elementIdentifier=7),
        lambda item: item.update(digestID=-1),
        lambda item: item.update(digestID="0"),
        lambda item: item.update(random="x" * 32),
        lambda item: item.pop("elementValue"),
        lambda item: item.update(value=item.pop("elementValue")),  # four keys, one of them wrong
    ],
)
def test_malformed_item(pki: Pki, issued: bytes, change: Any) -> None:
    with pytest.raises(MalformedMdoc):
        verify(pki, _signed_change(pki, issued, change))


@pytest.mark.parametrize("item", [[1, 2, 3, 4], "item", cbor2.CBORTag(24, b"\xa0")])
def test_item_not_a_map(pki: Pki, issued: bytes, item: Any) -> None:
    with pytest.raises(MalformedMdoc):
        verify(pki, _signed_item(pki, issued, lambda _: cbor2.dumps(item)))


def test_item_as_another_mapping() -> None:
    item = {"digestID": 3, "random": b"r" * 16, "elementIdentifier": "e", "elementValue": None}
    assert _mdoc_issuer._checked_item(MappingProxyType(item)) == (3, "e", None)
    with pytest.raises(MalformedMdoc):
        _mdoc_issuer._checked_item(MappingProxyType({**item, "extra": 1}))


def test_element_twice_in_a_namespace(pki: Pki) -> None:
    """Two items (two digestIDs, both in the MSO) releasing the same element."""
    data = pki.issue(elements={NS: {"given_name": "Jane", "family_name": "Doe"}})

    def rename(obj: Any) -> None:
        tags = obj["nameSpaces"][NS]
        items = [cbor2.loads(tag.value) for tag in tags]
        items[1]["elementIdentifier"] = items[0]["elementIdentifier"]
        tags[1] = cbor2.CBORTag(24, cbor2.dumps(items[1]))
        payload = cbor2.loads(obj["issuerAuth"][2])
        mso = cbor2.loads(payload.value)
        mso["valueDigests"][NS][items[1]["digestID"]] = hashlib.sha256(cbor2.dumps(tags[1])).digest()
        signed = cose.sign1(cbor.encode(cbor.wrap24(mso)), pki.ds_key, unprotected=obj["issuerAuth"][1])
        obj["issuerAuth"] = cbor2.loads(signed).value

    with pytest.raises(MalformedMdoc, match=r"element .* twice"):
        verify(pki, edit(data, rename))


def _mso(issued: bytes) -> dict[str, Any]:
    return cbor2.loads(cbor2.loads(cbor2.loads(issued)["issuerAuth"][2]).value)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("digests", "message"),
    [
        ({-1: b"\x00" * 32}, "uint -> bstr"),
        ({True: b"\x00" * 32}, "uint -> bstr"),
        ({"0": b"\x00" * 32}, "uint -> bstr"),
        ({0: "x" * 32}, "uint -> bstr"),
        ({0: b"\x00" * 31}, "wrong length"),
        ({0: b"\x00" * 32, 1: b"\x00" * 48}, "wrong length"),
    ],
)
def test_value_digests_shape(issued: bytes, digests: dict[Any, Any], message: str) -> None:
    mso = _mso(issued)
    mso["valueDigests"][NS] = digests
    with pytest.raises(MalformedMdoc, match=message):
        mdoc.parse_mso(mso)


def test_no_key_authorizations_allow_nothing_and_cannot_be_changed(issued: bytes) -> None:
    authorizations = mdoc.parse_mso(_mso(issued)).key_authorizations
    assert not authorizations.allows(NS, "given_name")
    with pytest.raises(TypeError):
        authorizations.data_elements[NS] = frozenset({"given_name"})  # type: ignore[index]


def test_expired_and_not_yet_valid(pki: Pki, issued: bytes) -> None:
    with pytest.raises(Expired):
        verify(pki, issued, now=T0 + timedelta(days=366))
    with pytest.raises(NotYetValid):
        verify(pki, issued, now=T0 - timedelta(seconds=61))


def test_validity_allows_a_minute_of_clock_skew(pki: Pki, issued: bytes) -> None:
    # validFrom is the moment of signing: a verifier whose clock is behind must not refuse it
    verify(pki, issued, now=T0 - timedelta(seconds=60))
    until = mdoc.parse_mso(_mso(issued)).validity.valid_until
    verify(pki, issued, now=until + timedelta(seconds=60))
    with pytest.raises(Expired):
        verify(pki, issued, now=until + timedelta(seconds=61))


def test_valid_until_must_be_later_than_valid_from(pki: Pki) -> None:
    with pytest.raises(InvalidClaims):
        pki.issue(valid_until=T0)
    with pytest.raises(InvalidValidity):
        _mdoc_issuer._check_validity(_mdoc_issuer.Validity(T0, T0, T0), pki.ds, T0)


def test_signed_outside_ds_certificate(pki: Pki) -> None:
    """``signed`` before the DS certificate's notBefore (T0 - 30 days) or, in an MSO re-signed with
    everything else unchanged and valid now, after its notAfter (T0 + 370 days)."""
    with pytest.raises(InvalidValidity, match="signer certificate validity"):
        verify(pki, pki.issue(signed=T0 - timedelta(days=60)))

    def sign_late(obj: Any) -> None:
        mso = cbor2.loads(cbor2.loads(obj["issuerAuth"][2]).value)
        mso["validityInfo"]["signed"] = T0 + timedelta(days=380)
        signed = cose.sign1(cbor.encode(cbor.wrap24(mso)), pki.ds_key, unprotected=obj["issuerAuth"][1])
        obj["issuerAuth"] = cbor2.loads(signed).value

    with pytest.raises(InvalidValidity, match="signer certificate validity"):
        verify(pki, edit(pki.issue(), sign_late))


def test_issuer_auth_by_another_key(pki: Pki) -> None:
    with pytest.raises(InvalidSignature):
        verify(pki, pki.issue(signing_key=ec.derive_private_key(0xE71, ec.SECP256R1())))


def test_issuer_auth_without_x5chain(pki: Pki, issued: bytes) -> None:
    with pytest.raises(MalformedCose):
        verify(pki, edit(issued, lambda obj: obj["issuerAuth"].__setitem__(1, {})))


def test_chain_refused_by_validator(pki: Pki, issued: bytes) -> None:
    def refuse(chain: Any) -> Any:
        raise PermissionError("not trusted")

    with pytest.raises(PermissionError):
        verify(pki, issued, validate_chain=refuse)


def test_mso_signed_payload_edited(pki: Pki, issued: bytes) -> None:
    def change(obj: Any) -> None:
        payload = obj["issuerAuth"][2]
        obj["issuerAuth"][2] = payload.replace(b"org.iso.18013.5.1.mDL", b"org.iso.18013.5.1.mDX")

    with pytest.raises(InvalidSignature):
        verify(pki, edit(issued, change), doctype=None)


def test_issuer_signed_bounds(pki: Pki) -> None:
    with pytest.raises(MalformedCbor):
        verify(pki, b"\x5b" + (1 << 40).to_bytes(8, "big"))
    start = time.perf_counter()
    with pytest.raises(MalformedCbor):
        verify(pki, b"\xa1" * 10_000)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(MalformedCbor):
        verify(pki, bytes.fromhex("a26a6e616d65537061636573a06a6e616d65537061636573a0"))  # duplicate keys


def test_tag24_around_non_bstr(pki: Pki, issued: bytes) -> None:
    data = edit(issued, lambda obj: obj["nameSpaces"][NS].__setitem__(0, cbor2.CBORTag(24, {"a": 1})))
    with pytest.raises(MalformedCbor):
        verify(pki, data)


def test_indefinite_length_refused(pki: Pki, issued: bytes) -> None:
    obj = cbor2.loads(issued)
    data = cbor2.dumps(obj, indefinite_containers=True)
    with pytest.raises(MalformedCbor):
        verify(pki, data)


def test_issue_refuses_bad_input(pki: Pki) -> None:
    with pytest.raises(InvalidClaims):
        pki.issue(valid_until=T0 - timedelta(days=1))
    with pytest.raises(InvalidClaims):
        pki.issue(elements={})
    with pytest.raises(InvalidClaims):
        pki.issue(signed=T0.replace(tzinfo=None))


@pytest.mark.parametrize("algorithm", ["SHA-1", "sha-256", 5, None, {"SHA-256": 1}, ["SHA-256"]])
def test_unsupported_or_unhashable_digest_algorithm(issued: bytes, algorithm: Any) -> None:
    mso = _mso(issued)
    mso["digestAlgorithm"] = algorithm
    with pytest.raises(UnsupportedAlgorithm):
        mdoc.parse_mso(mso)
