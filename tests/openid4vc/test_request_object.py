"""Request objects: what the verifier builds, and every reason the wallet refuses one
(OpenID4VP 1.0 section 5; the conformance suite's wallet tests named in STANDARDS.md section 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_encode, encode_jws, parse_jws, public_jwk, x5c_header
from openid4vc.errors import (
    ClientIdMismatch,
    InvalidDcqlQuery,
    InvalidRequest,
    InvalidRequestObject,
    InvalidRequestUri,
    InvalidRequestUriMethod,
    InvalidTransactionData,
    OpenID4VCError,
    UnsupportedClientIdPrefix,
    UnsupportedResponseType,
    UntrustedClient,
    VpFormatsNotSupported,
)
from openid4vc.presentation import (
    REQUEST_OBJECT_TYP,
    WALLET_AUDIENCE,
    AuthorizationRequestLink,
    authorization_request_link,
    build_request_object,
    parse_authorization_request_link,
    parse_request_uri_form,
    random_value,
    request_uri_form,
    response_encryption,
    sign_request_object,
    verify_request_object,
    x509_hash,
    x509_hash_client_id,
    x509_san_dns_client_id,
)
from tests.openid4vc.conftest import DNS_NAME, NOW, Signer, ValidateChain, make_signer, pinned_validator

CLIENT_ID = x509_san_dns_client_id(DNS_NAME)
REQUEST_URI = "https://verifier.example/request/vapof4ql2i7m41m68uep"
QUERY = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}]}
METADATA = {
    "vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}}
}


def claims(**changes: Any) -> dict[str, Any]:
    """A good request object, with ``changes`` applied (None removes a claim)."""
    base = build_request_object(
        client_id=CLIENT_ID,
        response_uri="https://verifier.example/response",
        nonce="n-0S6_WzA2Mj",
        state="eyJhb-6-sVA",
        dcql_query=QUERY,
        client_metadata=METADATA,
        iat=NOW,
        exp=NOW + 600,
    )
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(signer: Signer, body: dict[str, Any], **header: Any) -> str:
    full = {"typ": REQUEST_OBJECT_TYP, "x5c": x5c_header([signer.certificate]), **header}
    return encode_jws({k: v for k, v in full.items() if v is not None}, body, signer.key)


def check(token: str, validator: ValidateChain, client_id: str = CLIENT_ID, **options: Any) -> Any:
    link = AuthorizationRequestLink(client_id, REQUEST_URI)
    return verify_request_object(token, link=link, validate_chain=validator, now=NOW, **options)


def test_good_request(signer: Signer, validator: ValidateChain) -> None:
    token = sign_request_object(claims(), key=signer.key, x5c=[signer.certificate])
    assert parse_jws(token).header["typ"] == "oauth-authz-req+jwt"
    request = check(token, validator)
    assert request.client_id == CLIENT_ID and request.client_id_prefix == "x509_san_dns"
    assert (request.nonce, request.state) == ("n-0S6_WzA2Mj", "eyJhb-6-sVA")
    assert (request.response_type, request.response_mode) == ("vp_token", "direct_post")
    assert request.response_uri == "https://verifier.example/response"
    assert request.dcql_query.credentials[0].id == "pid"
    assert request.client_metadata == METADATA
    assert request.verifier_certificate == signer.certificate
    assert request.claims["aud"] == WALLET_AUDIENCE


def test_lenient_where_the_spec_is(signer: Signer, validator: ValidateChain) -> None:
    """``iss`` is ignored, unknown parameters too; state, aud, exp, client_metadata are optional."""
    body = claims(iss="anything", future={"x": 1}, state=None, aud=None, exp=None, client_metadata=None)
    request = check(sign(signer, body), validator)
    assert request.state is None and request.client_metadata == {}
    check(sign(signer, claims(aud=[WALLET_AUDIENCE, "https://wallet.example"])), validator)
    check(sign(signer, claims(), typ="application/oauth-authz-req+jwt"), validator)


def test_what_is_wrong_with_an_authenticated_request_can_be_reported(
    signer: Signer, validator: ValidateChain
) -> None:
    """OpenID4VP 1.0 sections 5.1 and 8.5: once the request object is authenticated, its faults go back
    to its response_uri as an error response; before that, or without a sound response_uri, nowhere."""
    target = ("https://verifier.example/response", "eyJhb-6-sVA")
    for changes in (
        {"redirect_uri": "https://verifier.example/cb"},
        {"response_type": "code"},
        {"transaction_data": ["x"]},
        {"dcql_query": {"credentials": []}},
    ):
        with pytest.raises(OpenID4VCError) as caught:
            check(sign(signer, claims(**changes)), validator)
        assert caught.value.report_to == target, changes
    for changes in (
        {"redirect_uri": "https://verifier.example/cb", "response_uri": "https://evil.example/response"},
        {"redirect_uri": "https://verifier.example/cb", "state": "a b"},
        {"redirect_uri": "https://verifier.example/cb", "response_mode": "fragment"},
    ):
        with pytest.raises(OpenID4VCError) as caught:
            check(sign(signer, claims(**changes)), validator)
        assert caught.value.report_to is None, changes
    with pytest.raises(OpenID4VCError) as caught:  # not authenticated: the signature is another key's
        check(sign(make_signer(), claims(redirect_uri="https://verifier.example/cb")), validator)
    assert caught.value.report_to is None


def test_x509_hash_client_id(signer: Signer, validator: ValidateChain) -> None:
    client_id = x509_hash_client_id(signer.certificate)
    assert (
        client_id == f"x509_hash:{x509_hash(signer.certificate)}" and len(x509_hash(signer.certificate)) == 43
    )
    # no SAN binding for x509_hash: the response URI may be anywhere the verifier likes
    body = claims(client_id=client_id, response_uri="https://elsewhere.example/post")
    request = check(sign(signer, body), validator, client_id=client_id)
    assert request.client_id_prefix == "x509_hash"


def test_x509_hash_of_another_certificate(signer: Signer, validator: ValidateChain) -> None:
    for client_id in (
        f"x509_hash:{b64url_encode(b'0' * 32)}",
        x509_hash_client_id(make_signer().certificate),
    ):
        with pytest.raises(UntrustedClient):
            check(sign(signer, claims(client_id=client_id)), validator, client_id=client_id)


def test_signer_not_trusted(signer: Signer) -> None:
    stranger = make_signer()
    with pytest.raises(UntrustedClient, match="not trusted"):
        check(sign(stranger, claims()), pinned_validator(signer.certificate))


def test_dns_name_not_in_san(signer: Signer, validator: ValidateChain) -> None:
    client_id = "x509_san_dns:evil.example"
    body = claims(client_id=client_id, response_uri="https://evil.example/post")
    with pytest.raises(UntrustedClient):
        check(sign(signer, body), validator, client_id=client_id)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ({"typ": None}, InvalidRequestObject),  # MissingRequestObjectTyp
        ({"typ": "JWT"}, InvalidRequestObject),  # InvalidRequestObjectTyp
        ({"typ": "oauth-authz-req+jwt+x"}, InvalidRequestObject),
        ({"x5c": None}, InvalidRequestObject),
        ({"x5c": ["not base64!"]}, InvalidRequestObject),
        ({"x5c": []}, InvalidRequestObject),
    ],
)
def test_header_rejections(
    signer: Signer, validator: ValidateChain, header: dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        check(sign(signer, claims(), **header), validator)


def test_bad_signature(signer: Signer, validator: ValidateChain) -> None:
    """InvalidRequestObjectSignature: the payload changed after signing, or another key signed."""
    head, _, signature = sign(signer, claims()).split(".")
    forged = f"{head}.{b64url_encode(json.dumps(claims(nonce='other')).encode())}.{signature}"
    with pytest.raises(InvalidRequestObject):
        check(forged, validator)
    other_key = make_signer().key
    token = encode_jws(
        {"typ": REQUEST_OBJECT_TYP, "x5c": x5c_header([signer.certificate])}, claims(), other_key
    )
    with pytest.raises(InvalidRequestObject):
        check(token, validator)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256"])
def test_forbidden_algorithms(signer: Signer, validator: ValidateChain, alg: str) -> None:
    header = {"alg": alg, "typ": REQUEST_OBJECT_TYP, "x5c": x5c_header([signer.certificate])}
    token = ".".join(b64url_encode(json.dumps(part).encode()) for part in (header, claims())) + "."
    with pytest.raises(InvalidRequestObject):
        check(token + b64url_encode(b"x" * 64), validator)


def test_p384_signer_is_not_es256(validator: ValidateChain) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    signer = make_signer(curve=ec.SECP384R1())
    with pytest.raises(InvalidRequestObject):
        check(sign(signer, claims()), pinned_validator(signer.certificate))


@pytest.mark.parametrize(
    ("changes", "client_id", "error"),
    [
        # MismatchedClientIdInRequestObject
        ({"client_id": "x509_san_dns:other.example"}, CLIENT_ID, ClientIdMismatch),
        ({"client_id": None}, CLIENT_ID, ClientIdMismatch),
        ({"client_id": ["x509_san_dns:verifier.example"]}, CLIENT_ID, ClientIdMismatch),
        # InvalidClientIdPrefix and friends
        (
            {"client_id": "origin:https://verifier.example"},
            "origin:https://verifier.example",
            UnsupportedClientIdPrefix,
        ),
        (
            {"client_id": "redirect_uri:https://v.example/cb"},
            "redirect_uri:https://v.example/cb",
            UnsupportedClientIdPrefix,
        ),
        (
            {"client_id": "decentralized_identifier:did:example:123"},
            "decentralized_identifier:did:example:123",
            UnsupportedClientIdPrefix,
        ),
        (
            {"client_id": "verifier_attestation:verifier.example"},
            "verifier_attestation:verifier.example",
            UnsupportedClientIdPrefix,
        ),
        ({"client_id": "https://verifier.example"}, "https://verifier.example", UnsupportedClientIdPrefix),
        ({"client_id": "verifier.example"}, "verifier.example", UnsupportedClientIdPrefix),
        ({"client_id": "x509_san_dns:"}, "x509_san_dns:", InvalidRequest),
        ({"client_id": "x509_san_dns:a/b"}, "x509_san_dns:a/b", InvalidRequest),
        # MissingNonce, nonce and state syntax
        ({"nonce": None}, CLIENT_ID, InvalidRequest),
        ({"nonce": ""}, CLIENT_ID, InvalidRequest),
        ({"nonce": 12345}, CLIENT_ID, InvalidRequest),
        ({"nonce": "a b"}, CLIENT_ID, InvalidRequest),
        ({"nonce": "n-0S6_WzA2Mj\n"}, CLIENT_ID, InvalidRequest),
        ({"state": "s\n"}, CLIENT_ID, InvalidRequest),
        ({"state": "a+b/c="}, CLIENT_ID, InvalidRequest),
        ({"state": 1}, CLIENT_ID, InvalidRequest),
        # dcql_query xor scope
        ({"scope": "openid"}, CLIENT_ID, InvalidRequest),
        ({"dcql_query": None}, CLIENT_ID, InvalidRequest),
        ({"dcql_query": None, "scope": "com.example.pid"}, CLIENT_ID, InvalidRequest),
        ({"dcql_query": json.dumps(QUERY)}, CLIENT_ID, InvalidDcqlQuery),
        ({"dcql_query": {"credentials": []}}, CLIENT_ID, InvalidDcqlQuery),
        # RedirectUriWithDirectPost, ResponseUriNotClientId, response_uri itself
        ({"redirect_uri": "https://verifier.example/cb"}, CLIENT_ID, InvalidRequest),
        ({"response_uri": "https://elsewhere.example/response"}, CLIENT_ID, InvalidRequest),
        ({"response_uri": "https://verifier.example.evil.example/response"}, CLIENT_ID, InvalidRequest),
        ({"response_uri": None}, CLIENT_ID, InvalidRequest),
        ({"response_uri": "http://verifier.example/response"}, CLIENT_ID, InvalidRequest),
        # response_type and response_mode
        ({"response_type": None}, CLIENT_ID, InvalidRequest),
        ({"response_type": "code"}, CLIENT_ID, UnsupportedResponseType),
        ({"response_type": "vp_token id_token"}, CLIENT_ID, UnsupportedResponseType),
        ({"response_mode": None}, CLIENT_ID, InvalidRequest),
        ({"response_mode": "fragment"}, CLIENT_ID, InvalidRequest),
        ({"response_mode": "direct_post.jwt"}, CLIENT_ID, InvalidRequest),
        ({"response_mode": "dc_api"}, CLIENT_ID, InvalidRequest),
        # UnknownTransactionDataType: any transaction_data, as none is supported
        (
            {"transaction_data": [b64url_encode(b'{"type":"x","credential_ids":["pid"]}')]},
            CLIENT_ID,
            InvalidTransactionData,
        ),
        # client metadata
        ({"client_metadata": "{}"}, CLIENT_ID, InvalidRequest),
        ({"client_metadata": {"vp_formats_supported": []}}, CLIENT_ID, InvalidRequest),
        ({"client_metadata": {"vp_formats_supported": {"ldp_vc": {}}}}, CLIENT_ID, VpFormatsNotSupported),
        # times and audience
        ({"exp": NOW}, CLIENT_ID, InvalidRequestObject),
        ({"exp": NOW - 1}, CLIENT_ID, InvalidRequestObject),
        ({"exp": "never"}, CLIENT_ID, InvalidRequestObject),
        ({"iat": NOW + 3600}, CLIENT_ID, InvalidRequestObject),
        ({"nbf": NOW + 3600}, CLIENT_ID, InvalidRequestObject),
        ({"aud": "https://wallet.example"}, CLIENT_ID, InvalidRequestObject),
        ({"aud": {"x": 1}}, CLIENT_ID, InvalidRequestObject),
    ],
)
def test_request_rejections(
    signer: Signer, validator: ValidateChain, changes: dict[str, Any], client_id: str, error: type
) -> None:
    body = claims()
    body.update(changes)
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(error):
        check(sign(signer, body), validator, client_id=client_id)


def test_error_codes_on_the_wire(signer: Signer, validator: ValidateChain) -> None:
    cases = [
        (sign(signer, claims(), typ="JWT"), "invalid_request_object"),
        (sign(signer, claims(nonce=None)), "invalid_request"),
        (sign(signer, claims(transaction_data=["e30"])), "invalid_transaction_data"),
        (sign(signer, claims(response_type="code")), "unsupported_response_type"),
    ]
    for token, code in cases:
        with pytest.raises(Exception) as caught:
            check(token, validator)
        assert getattr(caught.value, "error", None) == code


def test_wallet_nonce_must_be_echoed(signer: Signer, validator: ValidateChain) -> None:
    nonce = random_value(lambda n: b"\x01" * n)
    check(sign(signer, claims(wallet_nonce=nonce)), validator, wallet_nonce=nonce)
    for body in (claims(), claims(wallet_nonce="another")):
        with pytest.raises(InvalidRequestObject):
            check(sign(signer, body), validator, wallet_nonce=nonce)


ENCRYPTION_KEY = {
    **public_jwk(ec.generate_private_key(ec.SECP256R1())),
    "kid": "e-1",
    "use": "enc",
    "alg": "ECDH-ES",
}


def test_direct_post_jwt_when_the_caller_supports_it(signer: Signer, validator: ValidateChain) -> None:
    metadata = {**METADATA, "jwks": {"keys": [ENCRYPTION_KEY]}}
    body = claims(response_mode="direct_post.jwt", client_metadata=metadata)
    request = check(sign(signer, body), validator)
    assert request.response_mode == "direct_post.jwt"
    assert request.response_encryption == (ENCRYPTION_KEY, "A128GCM")  # the default enc (8.3)
    assert check(sign(signer, claims()), validator).response_encryption is None
    with pytest.raises(InvalidRequest, match="response_mode"):
        check(sign(signer, body), validator, response_modes=("direct_post",))


def test_encryption_key_and_enc_choice() -> None:
    """Section 8.3: keys for another use, alg or curve are passed over; the preferred enc is taken."""
    p384 = {**public_jwk(ec.generate_private_key(ec.SECP384R1())), "alg": "ECDH-ES"}
    passed_over = [
        {**ENCRYPTION_KEY, "use": "sig"},
        {k: v for k, v in ENCRYPTION_KEY.items() if k != "alg"},  # alg must be present
        {**ENCRYPTION_KEY, "alg": "ECDH-ES+A128KW"},
        p384,
        {**ENCRYPTION_KEY, "y": ENCRYPTION_KEY["x"]},  # off its curve
        {"kty": "OKP", "crv": "X25519", "alg": "ECDH-ES", "x": ENCRYPTION_KEY["x"]},
        {k: v for k, v in ENCRYPTION_KEY.items() if k != "kid"},  # each key MUST have a kid (5.1)
        {**ENCRYPTION_KEY, "x": 1, "y": None},  # coordinates that are not strings
        "not a key",
    ]
    second = {**ENCRYPTION_KEY, "kid": "e-2", "use": None}
    second = {k: v for k, v in second.items() if v is not None}  # use absent: for encryption too
    chosen = response_encryption(
        {
            "jwks": {"keys": [*passed_over, second]},
            "encrypted_response_enc_values_supported": ["A128GCM", "A256GCM"],
        }
    )
    assert chosen == (second, "A256GCM")
    for metadata, message in (
        ({"jwks": {"keys": passed_over}}, "no P-256 ECDH-ES key"),
        ({}, "jwks"),
        (
            {"jwks": {"keys": [second]}, "encrypted_response_enc_values_supported": ["A128CBC-HS256"]},
            "A128CBC",
        ),
        ({"jwks": {"keys": [second]}, "encrypted_response_enc_values_supported": "A128GCM"}, "array"),
    ):
        with pytest.raises(InvalidRequest, match=message):
            response_encryption(metadata)


def test_the_did_example_is_refused(signer: Signer, validator: ValidateChain) -> None:
    """request/request_object_client_id_did.json: decentralized_identifier prefix, redirect_uri."""
    client_id = "decentralized_identifier:did:example:123"
    body = claims(client_id=client_id, redirect_uri="https://client.example.org/callback", response_uri=None)
    with pytest.raises(UnsupportedClientIdPrefix):
        check(sign(signer, body), validator, client_id=client_id)


@pytest.mark.parametrize("junk", ["", "a.b.c", "x" * 300_000, "e30.e30.e30", '{"a":1}'])
def test_junk(validator: ValidateChain, junk: str) -> None:
    with pytest.raises(InvalidRequestObject):
        check(junk, validator)


def test_build_refuses_unsafe_nonces() -> None:
    with pytest.raises(ValueError):
        build_request_object(
            client_id=CLIENT_ID,
            response_uri="https://verifier.example/response",
            nonce="a b",
            state="s",
            dcql_query=QUERY,
            client_metadata={},
            iat=NOW,
        )


# -- the link (RFC 9101 section 5.2, OpenID4VP section 5.10) ---------------------------------------------


def test_link_round_trip() -> None:
    link = authorization_request_link(client_id=CLIENT_ID, request_uri=REQUEST_URI)
    assert link == (
        "openid4vp://?client_id=x509_san_dns%3Averifier.example"
        "&request_uri=https%3A%2F%2Fverifier.example%2Frequest%2Fvapof4ql2i7m41m68uep"
    )
    assert parse_authorization_request_link(link) == AuthorizationRequestLink(CLIENT_ID, REQUEST_URI)
    post = authorization_request_link(client_id=CLIENT_ID, request_uri=REQUEST_URI, request_uri_method="post")
    assert parse_authorization_request_link(post).request_uri_method == "post"


def test_the_spec_link_by_reference() -> None:
    link = (
        "https://wallet.example/authorize?client_id=x509_san_dns%3Aclient.example.org"
        "&request_uri=https%3A%2F%2Fclient.example.org%2Frequest%2Fvapof4ql2i7m41m68uep&request_uri_method=post"
        "&response_type=ignored"
    )
    parsed = parse_authorization_request_link(link)
    assert parsed == AuthorizationRequestLink(
        "x509_san_dns:client.example.org", "https://client.example.org/request/vapof4ql2i7m41m68uep", "post"
    )


@pytest.mark.parametrize(
    ("link", "error"),
    [
        ("openid4vp://", InvalidRequest),
        ("openid4vp://?client_id=x", InvalidRequest),
        (f"openid4vp://?request_uri={REQUEST_URI}", InvalidRequest),
        ("openid4vp://?client_id=x&request=eyJhbGciOiJFUzI1NiJ9.e30.sig", InvalidRequest),
        (
            "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example&response_type=vp_token&nonce=n",
            InvalidRequest,
        ),
        (f"openid4vp://?client_id=x&request_uri={REQUEST_URI}&client_id=y", InvalidRequest),
        ("openid4vp://?client_id=x&request_uri=file:///etc/passwd", InvalidRequestUri),
        ("openid4vp://?client_id=x&request_uri=http://10.0.0.1/r", InvalidRequestUri),
        (
            f"openid4vp://?client_id=x&request_uri={REQUEST_URI}&request_uri_method=put",
            InvalidRequestUriMethod,
        ),
        (
            f"openid4vp://?client_id=x&request_uri={REQUEST_URI}&request_uri_method=POST",
            InvalidRequestUriMethod,
        ),
        ("x" * 9000, InvalidRequest),
    ],
)
def test_link_rejections(link: str, error: type) -> None:
    with pytest.raises(error):
        parse_authorization_request_link(link)


def test_request_uri_post_form() -> None:
    metadata = {"vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"]}}}
    form = request_uri_form(wallet_metadata=metadata, wallet_nonce="qPmxiNFCR3QTm19POc8u")
    parsed = parse_request_uri_form(form)
    assert parsed.wallet_metadata == metadata and parsed.wallet_nonce == "qPmxiNFCR3QTm19POc8u"
    assert parse_request_uri_form({}).wallet_nonce is None
    # section 5.10 asks for a string, of any characters (helper 38: padded base64 had been refused)
    assert parse_request_uri_form({"wallet_nonce": "qPmxiNFCR3QTm19POc8u+w=="}).wallet_nonce.endswith("==")
    for bad in (
        {"wallet_metadata": "[]"},
        {"wallet_metadata": "{"},
        {"wallet_nonce": ""},
        {"wallet_nonce": "n" * 4097},
    ):
        with pytest.raises(InvalidRequest):
            parse_request_uri_form(bad)
