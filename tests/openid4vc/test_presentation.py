from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509

from common.jose import b64url_encode, encode_jws, x5c_header
from openid4vc.errors import (
    InvalidRequest,
    InvalidRequestObject,
    InvalidRequestUriMethod,
    InvalidTransactionData,
)
from openid4vc.presentation import (
    AuthorizationRequestLink,
    authorization_request_link,
    authorization_response_form,
    build_request_object,
    parse_authorization_request_link,
    parse_authorization_response,
    sign_request_object,
    verify_request_object,
)
from trust_list.pki import DevPki, make_dev_pki
from trust_list.x509 import certificate_hash, validate_chain

NOW = 1_790_000_000
CLIENT_ID = "x509_san_dns:verifier.example"
QUERY = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}]}


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return make_dev_pki(now=datetime.fromtimestamp(NOW, UTC), rp_dns_name="verifier.example")


def claims(**changes: Any) -> dict[str, Any]:
    base = build_request_object(
        client_id=CLIENT_ID,
        response_uri="https://verifier.example/response",
        nonce="n-123",
        state="s-1",
        dcql_query=QUERY,
        client_metadata={},
        iat=NOW,
        exp=NOW + 600,
    )
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def chain_validator(pki: DevPki) -> Any:
    def validate(chain: Sequence[x509.Certificate], dns_name: str | None) -> x509.Certificate:
        return validate_chain(chain, [pki.rp_ca_cert], at=datetime.fromtimestamp(NOW, UTC), dns_name=dns_name)

    return validate


def check(pki: DevPki, token: str, client_id: str = CLIENT_ID) -> Any:
    link = AuthorizationRequestLink(client_id, "https://verifier.example/request/1")
    return verify_request_object(token, link=link, validate_chain=chain_validator(pki), now=NOW)


def signed(pki: DevPki, body: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    head = (
        {"typ": "oauth-authz-req+jwt", "x5c": x5c_header([pki.verifier_cert])} if header is None else header
    )
    return encode_jws(head, body, pki.verifier_key)


def test_good_request(pki: DevPki) -> None:
    request = check(pki, sign_request_object(claims(), key=pki.verifier_key, x5c=[pki.verifier_cert]))
    assert request.nonce == "n-123" and request.state == "s-1" and request.client_id_prefix == "x509_san_dns"
    assert request.dcql_query.credentials[0].id == "pid"


def test_x509_hash_client_id(pki: DevPki) -> None:
    client_id = f"x509_hash:{certificate_hash(pki.verifier_cert)}"
    request = check(pki, signed(pki, claims(client_id=client_id)), client_id=client_id)
    assert request.client_id_prefix == "x509_hash"
    wrong = f"x509_hash:{b64url_encode(b'0' * 32)}"
    with pytest.raises(InvalidRequest):
        check(pki, signed(pki, claims(client_id=wrong)), client_id=wrong)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ({"x5c": "leaf"}, InvalidRequestObject),  # typ missing
        ({"typ": "JWT", "x5c": "leaf"}, InvalidRequestObject),
    ],
)
def test_request_object_typ(pki: DevPki, header: dict[str, Any], error: type[Exception]) -> None:
    header = {**header, "x5c": x5c_header([pki.verifier_cert])}
    with pytest.raises(error):
        check(pki, signed(pki, claims(), header))


def test_bad_signature(pki: DevPki) -> None:
    token = signed(pki, claims())
    head, _, signature = token.split(".")
    forged = f"{head}.{b64url_encode(json.dumps(claims(nonce='other')).encode())}.{signature}"
    with pytest.raises(InvalidRequestObject):
        check(pki, forged)


def test_signer_not_from_a_trusted_access_ca(pki: DevPki) -> None:
    other = make_dev_pki(now=datetime.fromtimestamp(NOW, UTC), rp_dns_name="verifier.example")
    token = encode_jws(
        {"typ": "oauth-authz-req+jwt", "x5c": x5c_header([other.verifier_cert])}, claims(), other.verifier_key
    )
    with pytest.raises(InvalidRequest, match="not trusted"):
        check(pki, token)


@pytest.mark.parametrize(
    ("changes", "client_id", "error"),
    [
        ({"client_id": "x509_san_dns:other.example"}, CLIENT_ID, InvalidRequest),  # mismatch with the link
        (
            {"client_id": "x509_san_dns:evil.example"},
            "x509_san_dns:evil.example",
            InvalidRequest,
        ),  # not in SAN
        ({"client_id": "origin:https://x"}, "origin:https://x", InvalidRequest),
        ({"client_id": "redirect_uri:https://x"}, "redirect_uri:https://x", InvalidRequest),
        ({"client_id": "unknown_prefix:x"}, "unknown_prefix:x", InvalidRequest),
        ({"nonce": None}, CLIENT_ID, InvalidRequest),
        ({"scope": "openid"}, CLIENT_ID, InvalidRequest),  # both dcql_query and scope
        ({"redirect_uri": "https://verifier.example/cb"}, CLIENT_ID, InvalidRequest),
        ({"response_uri": "https://elsewhere.example/response"}, CLIENT_ID, InvalidRequest),
        ({"response_mode": "fragment"}, CLIENT_ID, InvalidRequest),
        ({"response_type": "code"}, CLIENT_ID, InvalidRequest),
        ({"transaction_data": ["e30"]}, CLIENT_ID, InvalidTransactionData),
        ({"exp": NOW - 1}, CLIENT_ID, InvalidRequestObject),
    ],
)
def test_request_rejections(
    pki: DevPki, changes: dict[str, Any], client_id: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        check(pki, signed(pki, claims(**changes)), client_id=client_id)


def test_link_round_trip_and_rules() -> None:
    link = authorization_request_link(client_id=CLIENT_ID, request_uri="https://verifier.example/request/1")
    assert parse_authorization_request_link(link) == AuthorizationRequestLink(
        CLIENT_ID, "https://verifier.example/request/1"
    )
    for bad in (
        "openid4vp://?client_id=x",
        "openid4vp://?client_id=x&request_uri=file:///etc/passwd",
        "openid4vp://?client_id=x&request=eyJ",
        link + "&request_uri_method=put",
        link + "&client_id=again",
    ):
        with pytest.raises((InvalidRequest, InvalidRequestUriMethod)):
            parse_authorization_request_link(bad)


def test_response_form_round_trip_and_rules() -> None:
    form = authorization_response_form(vp_token={"pid": ["a~b~c"]}, state="s")
    assert parse_authorization_response(form).vp_token == {"pid": ["a~b~c"]}
    declined = parse_authorization_response({"error": "access_denied", "state": "s"})
    assert declined.error == "access_denied"
    for bad in (
        {"state": "s"},
        {"vp_token": "[]", "state": "s"},
        {"vp_token": '{"pid": []}', "state": "s"},
        {"vp_token": '{"pid": [1]}', "state": "s"},
        {**form, "redirect_uri": "https://x"},
        {"vp_token": "{" * 100, "state": "s"},
    ):
        with pytest.raises(InvalidRequest):
            parse_authorization_response(bad)
