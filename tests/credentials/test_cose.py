"""COSE_Sign1, COSE_Mac0, COSE_Key (RFC 9052/9053) against the isomdl vectors and by round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import cbor, cose
from credentials.errors import InvalidSignature, MalformedCbor, MalformedCose, UnsupportedAlgorithm
from tests.conftest import VECTORS
from trust_list.pki import make_dev_pki

DEFS = VECTORS / "isomdl-iso18013-5" / "definitions"


def _hex(path: str) -> bytes:
    return bytes.fromhex((DEFS / path).read_text().strip())


def test_sign1_vector_verifies() -> None:
    d = int.from_bytes(_hex("cose/sign1/secret_key"), "big")
    public = ec.derive_private_key(d, ec.SECP256R1()).public_key()
    message = cose.decode_sign1(_hex("cose/sign1/serialized.cbor"))
    assert message.protected == {cose.ALG: cose.ES256}
    assert message.unprotected == {cose.KID: b"11"}
    assert message.payload == b"This is the content."
    cose.verify_sign1(message, public)
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(message, public, external_aad=b"x")


def test_mac0_vector_verifies() -> None:
    key = _hex("cose/mac0/secret_key")  # isomdl uses the file's bytes themselves as the HMAC key
    message = cose.decode_mac0(_hex("cose/mac0/serialized.cbor"))
    assert message.protected == {cose.ALG: cose.HMAC_256_256}
    cose.verify_mac0(message, key)
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(message, key + b"!")


def test_cose_key_vector() -> None:
    obj = cbor2.loads(_hex("cose_key/ec_p256.cbor"))
    public = cose.public_from_cose_key(obj)
    assert cose.cose_key_from_public(public) == obj


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())


@pytest.mark.parametrize("tag", [True, False])
def test_sign1_round_trip(key: ec.EllipticCurvePrivateKey, tag: bool) -> None:
    data = cose.sign1(b"payload", key, unprotected={cose.KID: b"k"}, external_aad=b"aad", tag=tag)
    assert (data[0] == 0xD2) is tag
    message = cose.decode_sign1(data)
    cose.verify_sign1(message, key.public_key(), external_aad=b"aad")
    other = ec.derive_private_key(42, ec.SECP256R1()).public_key()
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(message, other, external_aad=b"aad")


def test_sign1_detached(key: ec.EllipticCurvePrivateKey) -> None:
    message = cose.decode_sign1(cose.sign1(None, key, detached_payload=b"detached", tag=False))
    assert message.payload is None
    cose.verify_sign1(message, key.public_key(), detached_payload=b"detached")
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(message, key.public_key(), detached_payload=b"other")
    with pytest.raises(MalformedCose):
        cose.verify_sign1(message, key.public_key())


def test_esp256_accepted_and_other_alg_refused(key: ec.EllipticCurvePrivateKey) -> None:
    from common.jose import Algorithm

    for alg, ok in ((cose.ESP256, True), (-35, False), (cose.HMAC_256_256, False)):
        protected_bytes = cbor2.dumps({cose.ALG: alg})
        tbs = cbor2.dumps(["Signature1", protected_bytes, b"", b"p"])
        sig = Algorithm.ES256.sign(key, tbs)
        message = cose.decode_sign1(cbor2.dumps([protected_bytes, {}, b"p", sig]))
        if ok:
            cose.verify_sign1(message, key.public_key())
        else:
            with pytest.raises(UnsupportedAlgorithm):
                cose.verify_sign1(message, key.public_key())


def test_alg_only_in_unprotected_refused(key: ec.EllipticCurvePrivateKey) -> None:
    raw = cbor2.loads(cose.sign1(b"p", key, tag=False))
    message = cose.decode_sign1([b"", {cose.ALG: cose.ES256}, raw[2], raw[3]])
    with pytest.raises(UnsupportedAlgorithm):
        cose.verify_sign1(message, key.public_key())


@pytest.mark.parametrize(
    "value",
    [
        [b"", {}, b"p"],
        [b"", {}, "p", b"s"],
        [{}, {}, b"p", b"s"],
        [b"", [], b"p", b"s"],
        [b"\xa1\x01", {}, b"p", b"s"],
        [cbor2.dumps({1: -7}), {1: -7}, b"p", b"s"],
        cbor2.CBORTag(17, [b"", {}, b"p", b"s"]),
    ],
)
def test_malformed_sign1(value: object) -> None:
    with pytest.raises((MalformedCose, MalformedCbor)):
        cose.decode_sign1(cbor2.dumps(value))


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 65_535, 65_536])
def test_sig_structure_written_directly_is_the_encoded_array(length: int) -> None:
    payload = b"p" * length
    for protected, aad in ((b"", b""), (b"\xa1\x01\x26", b"aad" * length)):
        expected = cbor2.dumps(["Signature1", protected, aad, payload], canonical=True)
        assert cose.sig_structure(protected, aad, payload) == expected
        general = cose.sig_structure(protected, aad, bytearray(payload))  # type: ignore[arg-type]
        assert general == expected


@pytest.mark.parametrize(
    ("protected", "unprotected", "message"),
    [
        ({cose.ALG: cose.ES256}, {cose.ALG: cose.ES256}, "both buckets"),
        ({cose.ALG: cose.ES256}, {True: 1}, "labels must be int or tstr"),
        ({cose.ALG: cose.ES256}, {1.5: 0, cose.ALG: cose.ES256}, "labels must be int or tstr"),
        ({cose.ALG: cose.ES256, cose.KID: b"k"}, {cose.ALG: cose.ES256}, "both buckets"),
        (
            {cose.ALG: cose.ES256, cose.KID: b"k"},
            {1.5: 0, cose.ALG: cose.ES256},
            "labels must be int or tstr",
        ),
    ],
)
def test_header_checks_alike_for_the_common_protected_header_and_others(
    protected: dict[int, object], unprotected: dict[object, object], message: str
) -> None:
    """``{1: -7}`` alone, the protected header of nearly every message, is read without a decoder;
    the unprotected header is checked as it is after any other."""
    with pytest.raises(MalformedCose, match=message):
        cose.decode_sign1([cbor2.dumps(protected), unprotected, b"p", b"s"])


@pytest.mark.parametrize(
    ("protected", "unprotected", "message"),
    [
        ({cose.ALG: cose.ES256, cose.CRIT: [99], 99: 1}, {}, "not understood"),
        ({cose.ALG: cose.ES256, cose.CRIT: [[1]]}, {}, "not understood"),
        ({cose.ALG: cose.ES256, cose.CRIT: []}, {}, "non-empty array"),
        ({cose.ALG: cose.ES256}, {cose.CRIT: [cose.ALG]}, "protected header"),
        ({cose.ALG: cose.ES256, cose.KID: b"k"}, {cose.CRIT: [cose.ALG]}, "protected header"),
    ],
)
def test_critical_header_parameters(
    protected: dict[int, object], unprotected: dict[object, object], message: str
) -> None:
    """RFC 9052 section 3.1: ``crit`` is protected and names only what the recipient understands."""
    with pytest.raises(MalformedCose, match=message):
        cose.decode_sign1([cbor2.dumps(protected), unprotected, b"p", b"s"])
    understood = {cose.ALG: cose.ES256, cose.CRIT: [cose.TYP, cose.X5CHAIN], cose.TYP: "t"}
    assert cose.decode_sign1([cbor2.dumps(understood), {}, b"p", b"s"]).protected == understood


def test_common_protected_header_with_another_unprotected_mapping() -> None:
    class Headers(dict[int, bytes]):
        pass

    message = cose.decode_sign1([b"\xa1\x01\x26", Headers({cose.KID: b"k"}), b"p", b"s"])
    assert message.protected == {cose.ALG: cose.ES256}
    assert message.unprotected == {cose.KID: b"k"} and type(message.unprotected) is dict


def test_x5chain_single_and_array() -> None:
    with pytest.raises(MalformedCose):
        cose.x5chain(cose.CoseSign1({}, b"", {}, b"", b""))
    with pytest.raises(MalformedCose):
        cose.x5chain(cose.CoseSign1({}, b"", {cose.X5CHAIN: b"not a cert"}, b"", b""))
    with pytest.raises(MalformedCose):
        cose.x5chain(cose.CoseSign1({}, b"", {cose.X5CHAIN: []}, b"", b""))


def test_x5chain_array_inside_a_tagged_message() -> None:
    # a tagged COSE_Sign1 (a CWT status list) is decoded with its arrays as tuples
    pki = make_dev_pki(now=datetime.now(UTC))
    chain = [pki.issuer_cert, pki.pid_ca_cert]
    ders = [cert.public_bytes(serialization.Encoding.DER) for cert in chain]
    tagged = cbor.decode(
        cbor2.dumps(cbor2.CBORTag(18, [b"", {cose.X5CHAIN: ders}, b"", b""])), max_bytes=9000
    )
    assert cose.x5chain_from_headers(tagged.value[1]) == chain


def test_mac0_round_trip() -> None:
    data = cose.mac0(b"payload", b"k" * 32, tag=False)
    message = cose.decode_mac0(data)
    cose.verify_mac0(message, b"k" * 32)
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(message, b"j" * 32)


def test_cose_key_strict(key: ec.EllipticCurvePrivateKey) -> None:
    good = cose.cose_key_from_public(key.public_key())
    assert cose.public_from_cose_key(good).public_numbers() == key.public_key().public_numbers()
    bad = [
        {**good, 1: 1},
        {**good, -1: 2},
        {**good, -4: b"\x01" * 32},
        {**good, -3: True},
        {**good, -2: b"\x00" * 31},
        {**good, -3: b"\x00" * 32},
        [],
    ]
    for obj in bad:
        with pytest.raises((MalformedCose, UnsupportedAlgorithm)):
            cose.public_from_cose_key(obj)


def test_x5chain_with_an_invalid_certificate_version_is_malformed() -> None:
    from tests.common.test_jose import _der_with_version

    with pytest.raises(MalformedCose):
        cose.x5chain(cose.CoseSign1({}, b"", {cose.X5CHAIN: _der_with_version(5)}, b"", b""))
