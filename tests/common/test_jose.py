from __future__ import annotations

import base64
import json
import random
import re
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import (
    Algorithm,
    b64url_decode,
    b64url_encode,
    canonical_json,
    encode_jws,
    has_typ,
    jwk_thumbprint,
    parse_json,
    parse_jws,
    private_key_from_jwk,
    public_jwk,
    public_key_from_jwk,
)


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_jws_round_trip_and_pyjwt_agrees(key: ec.EllipticCurvePrivateKey) -> None:
    token = encode_jws({"typ": "JWT"}, {"sub": "x"}, key)
    parsed = parse_jws(token)
    parsed.verify(key.public_key())
    assert parsed.claims() == {"sub": "x"}
    assert jwt.decode(token, key.public_key(), algorithms=["ES256"]) == {"sub": "x"}


def test_flipped_byte_fails(key: ec.EllipticCurvePrivateKey) -> None:
    token = encode_jws({}, {"sub": "x"}, key)
    head, _payload, sig = token.split(".")
    forged = ".".join([head, b64url_encode(b'{"sub":"y"}'), sig])
    with pytest.raises(CryptoError):
        parse_jws(forged).verify(key.public_key())


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256"])
def test_algorithms_outside_the_allow_list_are_refused(key: ec.EllipticCurvePrivateKey, alg: str) -> None:
    header = b64url_encode(json.dumps({"alg": alg}).encode())
    token = f"{header}.{b64url_encode(b'{}')}.{b64url_encode(b'sig')}"
    with pytest.raises(CryptoError):
        parse_jws(token).verify(key.public_key())


def test_jwk_thumbprint_rfc7638_example_shape() -> None:
    # RFC 7638 section 3.1 uses an RSA key; for EC we check the member order and hashing directly.
    jwk = {"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "ignored"}
    import hashlib

    expected = hashlib.sha256(b'{"crv":"P-256","kty":"EC","x":"a","y":"b"}').digest()
    assert jwk_thumbprint(jwk) == expected


def test_jwk_round_trip_and_private_members_refused(key: ec.EllipticCurvePrivateKey) -> None:
    jwk = public_jwk(key)
    assert public_key_from_jwk(jwk).public_numbers() == key.public_key().public_numbers()
    with pytest.raises(InvalidInput):
        public_key_from_jwk({**jwk, "d": "AAAA"})


def test_off_curve_point_refused(key: ec.EllipticCurvePrivateKey) -> None:
    jwk = public_jwk(key)
    bad = {
        **jwk,
        "y": b64url_encode((int.from_bytes(b64url_decode(jwk["y"]), "big") ^ 1).to_bytes(32, "big")),
    }
    with pytest.raises(CryptoError):
        public_key_from_jwk(bad)


def test_private_key_from_published_vector_key() -> None:
    # The issuer key published with the RFC 9901 examples.
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "d": "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    }
    assert public_jwk(private_key_from_jwk(jwk))["y"] == jwk["y"]


def test_parse_json_limits() -> None:
    with pytest.raises(InvalidInput):
        parse_json("[" * 10_000 + "]" * 10_000)
    with pytest.raises(InvalidInput):
        parse_json("1" * 100, max_bytes=10)
    with pytest.raises(InvalidInput):
        parse_json('{"a": 1, "a": 2}')


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"exp": -Infinity}', "1e400", "[-1e400]"])
def test_parse_json_refuses_what_is_not_a_json_number(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_json(text)


def test_parse_json_keeps_floats_and_their_precision() -> None:
    assert parse_json("[1.5, -0.0, 1e300, 0.1]") == [1.5, -0.0, 1e300, 0.1]


@pytest.mark.parametrize("depth", [33, 254, 255, 300, 1024, 1025])
@pytest.mark.parametrize("kind", [bytes, str])
def test_parse_json_refuses_any_deep_nesting_as_invalid_input(depth: int, kind: type) -> None:
    # orjson reads 1024 levels and writes 254: the texts between are refused like any other
    text = "[" * depth + "]" * depth
    with pytest.raises(InvalidInput, match="deeper"):
        parse_json(text.encode() if kind is bytes else text)
    with pytest.raises(InvalidInput, match="deeper"):
        parse_json('{"a":' * depth + "1" + "}" * depth)


@pytest.mark.parametrize(
    "text",
    [b'{"a":1,"a":2}', b'{"a":{"b":1,"b":1}}', b'[{"x":"y","x":"y"}]', '{"a":1,"a":2}', b'{"a":1, "a":1}'],
)
def test_parse_json_refuses_duplicates_in_compact_text_too(text: str | bytes) -> None:
    # compact text is read by the fast decoder first, which would keep the last member
    with pytest.raises(InvalidInput, match="duplicate"):
        parse_json(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"18446744073709551616", 18446744073709551616),  # beyond 64 bits: an int, not a float
        (b"[-9223372036854775809]", [-9223372036854775809]),
        (rb'{"a":[1,2.5,"\u00e9",null,true],"b":{}}', {"a": [1, 2.5, "é", None, True], "b": {}}),
        (r'{"n":"Zoë","d":"\/"}', {"n": "Zoë", "d": "/"}),
        (b"1E2", 100.0),
        (b" [1] ", [1]),
    ],
)
def test_parse_json_reads_every_text_as_the_standard_decoder_does(text: str | bytes, value: Any) -> None:
    parsed = parse_json(text)
    assert parsed == value == json.loads(text)
    assert repr(parsed) == repr(value)  # the same types: 2**64 stays an int


def test_has_typ_compares_media_types() -> None:
    # RFC 7515 section 4.1.9
    for typ in ("kb+jwt", "KB+JWT", "application/kb+jwt", "Application/Kb+Jwt"):
        assert has_typ({"typ": typ}, "kb+jwt")
    for header in ({}, {"typ": None}, {"typ": 1}, {"typ": "text/kb+jwt"}, {"typ": "kb+jwt "}, {"typ": "jwt"}):
        assert not has_typ(header, "kb+jwt")


def test_b64url_is_strict() -> None:
    with pytest.raises(InvalidInput):
        b64url_decode("ab+/")
    with pytest.raises(InvalidInput):
        b64url_decode("YQ==")
    assert b64url_decode("YQ") == b"a"
    for bad in ("Y Q", "YQ$", "Y\nQ", "Y", "ÿQ"):
        with pytest.raises(InvalidInput):
            b64url_decode(bad)


def test_b64url_agrees_with_an_independent_reading() -> None:
    # the reading of RFC 7515 section 2: the URL-safe alphabet only, no padding, no other character; a
    # length of 1 modulo 4 cannot be an encoding. Mostly alphabet characters, so that both sides are met.
    rng = random.Random(20261129)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    others = "+/= \n.~\x00\x7féÿ€"
    for _ in range(4000):
        text = "".join(
            rng.choice(others if rng.random() < 0.04 else alphabet) for _ in range(rng.randrange(14))
        )
        valid = re.fullmatch("[A-Za-z0-9_-]*", text) is not None and len(text) % 4 != 1
        for value in (text, text.encode("utf-8")):
            if valid:
                assert b64url_decode(value) == base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            else:
                with pytest.raises(InvalidInput):
                    b64url_decode(value)
    for size in range(80):
        data = rng.randbytes(size)
        assert b64url_encode(data) == base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_es256_signature_length_checked(key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(CryptoError):
        Algorithm.ES256.verify(key.public_key(), b"data", b"\x00" * 63)


def test_canonical_json_refuses_circular_values_as_the_stdlib_does() -> None:
    circular: list[object] = [1]
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        canonical_json(circular)
    deep: list[object] = []
    inner = deep
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    with pytest.raises(RecursionError):
        canonical_json(deep)
    with pytest.raises(TypeError):
        canonical_json({"x": {1, 2}})
    assert canonical_json({"b": 1.5, "a": "é", 1: None}) == '{"b":1.5,"a":"é","1":null}'.encode()


def test_public_jwk_is_the_point_of_the_key(key: ec.EllipticCurvePrivateKey) -> None:
    numbers = key.public_key().public_numbers()
    jwk = public_jwk(key)
    assert b64url_decode(jwk["x"]) == numbers.x.to_bytes(32, "big")
    assert b64url_decode(jwk["y"]) == numbers.y.to_bytes(32, "big")
    assert public_jwk(key.public_key()) == jwk and public_key_from_jwk(jwk) == key.public_key()


def test_parse_jws_refuses_non_ascii_and_keeps_the_signing_input(key: ec.EllipticCurvePrivateKey) -> None:
    token = encode_jws({"typ": "JWT"}, {"sub": "x"}, key)
    assert parse_jws(token).signing_input == token.rsplit(".", 1)[0].encode()
    with pytest.raises(InvalidInput):
        parse_jws(token[:-1] + "é")


def _der_with_version(version: int) -> bytes:
    """A real certificate whose TBSCertificate version is ``version`` (cryptography: InvalidVersion)."""
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives import serialization

    from trust_list.pki import make_dev_pki

    der = make_dev_pki(now=datetime.now(UTC)).issuer_cert.public_bytes(serialization.Encoding.DER)
    at = der.index(bytes.fromhex("a003020102")) + 4
    return der[:at] + bytes([version]) + der[at + 1 :]


def test_x5c_with_an_invalid_certificate_version_is_a_typed_error() -> None:
    from common.jose import x5c_certificates

    header = {"x5c": [base64.b64encode(_der_with_version(5)).decode("ascii")]}
    with pytest.raises(InvalidInput):
        x5c_certificates(header)


@pytest.mark.parametrize("depth", [1, 2, 8, 32])
def test_parse_json_depth_bound_is_exact_for_the_shortest_texts(depth: int) -> None:
    # the shortest text of each nesting: only brackets, so the length pre-filter sits right at the edge
    assert parse_json("[" * depth + "]" * depth, max_depth=depth) == parse_json(
        "[" * depth + "]" * depth, max_depth=depth + 1
    )
    with pytest.raises(InvalidInput, match="nested deeper"):
        parse_json("[" * (depth + 1) + "]" * (depth + 1), max_depth=depth)
    with pytest.raises(InvalidInput, match="nested deeper"):
        parse_json('{"a":' * depth + "[]" + "}" * depth, max_depth=depth)


def test_parse_json_depth_counts_both_brackets_and_only_nesting() -> None:
    # many brackets side by side are not nesting; nesting that alternates the two kinds is
    wide = "[" + ",".join(['{"a":[]}'] * 40) + "]"
    assert len(parse_json(wide, max_depth=3)) == 40
    with pytest.raises(InvalidInput, match="nested deeper"):
        parse_json(wide, max_depth=2)
    mixed = '[{"a":' * 10 + "1" + "}]" * 10
    assert parse_json(mixed, max_depth=20) == parse_json(mixed, max_depth=21)
    with pytest.raises(InvalidInput, match="nested deeper"):
        parse_json(mixed, max_depth=19)


def test_crit_names_only_understood_parameters_the_header_carries(key: ec.EllipticCurvePrivateKey) -> None:
    # RFC 7515 section 4.1.11
    token = encode_jws({"crit": ["ext"], "ext": 1}, {"a": 1}, key)
    assert parse_jws(token, understood=("ext",)).header["ext"] == 1
    with pytest.raises(InvalidInput, match="not understood"):
        parse_jws(token)
    for header in ({"crit": ["ext"]}, {"crit": []}, {"crit": "ext", "ext": 1}):
        with pytest.raises(InvalidInput):
            parse_jws(encode_jws(header, {"a": 1}, key), understood=("ext",))


def _der_with_a_broken_issuer_name() -> bytes:
    """A certificate whose issuer's countryName is a BOOLEAN, not a PrintableString: cryptography
    loads it, and fails only when the name is read."""
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives import serialization

    from trust_list.pki import make_dev_pki

    der = bytearray(make_dev_pki(now=datetime.now(UTC)).issuer_cert.public_bytes(serialization.Encoding.DER))
    der[der.index(b"\x13\x02NL")] = 0x01
    return bytes(der)


def test_certificates_from_outside_are_parsed_in_full() -> None:
    from cryptography import x509

    from common.jose import load_der_certificate, x5c_certificates
    from credentials.cose import x5chain_from_headers
    from credentials.errors import MalformedCose

    der = _der_with_a_broken_issuer_name()
    with pytest.raises(ValueError):
        _ = x509.load_der_x509_certificate(der).issuer  # what used to escape, wherever first read
    with pytest.raises(ValueError):
        load_der_certificate(der)
    with pytest.raises(InvalidInput):
        x5c_certificates({"x5c": [base64.b64encode(der).decode("ascii")]})
    with pytest.raises(MalformedCose):
        x5chain_from_headers({33: der})


def _der_with(replace: tuple[bytes, bytes], *extensions: Any) -> bytes:
    """A self-signed certificate, one run of its DER bytes replaced (the signature no longer matters:
    these certificates must not even parse)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = ec.derive_private_key(0x5EED, ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    der = builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    old, new = replace
    assert der.count(old) >= 1
    return der.replace(old, new)


def test_certificates_that_cryptography_reads_with_a_type_or_key_error_are_refused() -> None:
    """Found by fuzzing: a common name held as a BIT STRING (TypeError when the name is read) and a
    TLS feature number cryptography has no name for (KeyError when the extensions are read)."""
    from cryptography import x509

    from common.jose import load_der_certificate, x5c_certificates

    common_name = bytes.fromhex("0603550403")
    bit_string_name = _der_with((common_name + b"\x0c\x04Test", common_name + b"\x03\x04\x00est"))
    # the TLS feature OID, then OCTET STRING { SEQUENCE { INTEGER 5 } } up to the 5
    tls_feature = bytes.fromhex("06082b06010505070118040530030201")
    unknown_feature = _der_with(
        (tls_feature + b"\x05", tls_feature + b"\x01"), x509.TLSFeature([x509.TLSFeatureType.status_request])
    )
    for der in (bit_string_name, unknown_feature):
        with pytest.raises(ValueError):
            load_der_certificate(der)
        with pytest.raises(InvalidInput):
            x5c_certificates({"x5c": [base64.b64encode(der).decode("ascii")]})


@pytest.mark.parametrize(
    "text",
    [b'"\\ud800"', b'{"\\udc00": 1}', b'["ok", {"a": "x\\uDBFFy"}]', '"\ud800"', '{"a": "\udfff"}'],
)
def test_parse_json_refuses_lone_surrogates(text: str | bytes) -> None:
    with pytest.raises(InvalidInput, match=r"surrogate|UTF-8"):
        parse_json(text)


def test_parse_json_keeps_surrogate_pairs_and_hides_the_digit_limit_hint() -> None:
    assert parse_json(b'["\\ud83d\\ude00", "\\u00e9"]') == ["\U0001f600", "é"]
    with pytest.raises(InvalidInput) as refused:
        parse_json(b"1" * 5000)
    assert "sys." not in str(refused.value) and "digits" in str(refused.value)
