from __future__ import annotations

import json
from typing import Any

import pytest

from openid4vc.errors import InvalidRequest, UnsupportedGrantType
from openid4vc.issuance import (
    PRE_AUTHORIZED_GRANT,
    AuthorizationDetail,
    TokenRequest,
    nonce_response,
    parse_authorization_details,
    parse_nonce_response,
    parse_token_request,
    parse_token_response,
    token_response,
)
from tests.openid4vc.conftest import VCI_EXAMPLES

DETAILS = sorted(VCI_EXAMPLES.glob("authorization_details*.json"))


def test_pre_authorized_token_request() -> None:
    form = {
        "grant_type": PRE_AUTHORIZED_GRANT,
        "pre-authorized_code": "SplxlOBeZQQYbYS6WxSbIA",
        "tx_code": "493536",
    }
    assert parse_token_request(form) == TokenRequest(PRE_AUTHORIZED_GRANT, "SplxlOBeZQQYbYS6WxSbIA", "493536")


def test_the_spec_token_request_with_authorization_details() -> None:
    details = '[{"type": "openid_credential", "credential_configuration_id": "UniversityDegreeCredential"}]'
    request = parse_token_request(
        {
            "grant_type": PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": "c",
            "authorization_details": details,
            "x": "y",
        }
    )
    assert request.authorization_details == (AuthorizationDetail("UniversityDegreeCredential"),)
    assert request.tx_code is None


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, InvalidRequest),
        ({"grant_type": ""}, InvalidRequest),
        ({"grant_type": "password"}, UnsupportedGrantType),
        ({"grant_type": "authorization_code", "code": "c"}, UnsupportedGrantType),
        ({"grant_type": PRE_AUTHORIZED_GRANT}, InvalidRequest),
        ({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": ""}, InvalidRequest),
        ({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c" * 2000}, InvalidRequest),
        ({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c", "tx_code": ""}, InvalidRequest),
        ({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": ["c"]}, InvalidRequest),
        (
            {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c", "authorization_details": "{"},
            InvalidRequest,
        ),
        (
            {
                "grant_type": PRE_AUTHORIZED_GRANT,
                "pre-authorized_code": "c",
                "authorization_details": '[{"type": "x"}]',
            },
            InvalidRequest,
        ),
    ],
)
def test_token_request_rejections(form: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_token_request(form)


def test_tx_code_only_with_the_pre_authorized_grant() -> None:
    with pytest.raises(InvalidRequest):
        parse_token_request(
            {"grant_type": "authorization_code", "tx_code": "1"}, grant_types=("authorization_code",)
        )


@pytest.mark.parametrize("path", DETAILS, ids=[p.name for p in DETAILS])
def test_authorization_details_examples(path: Any) -> None:
    document = json.loads(path.read_text())
    details = parse_authorization_details(document)
    assert [d.to_json() for d in details] == document


def test_token_response_round_trip() -> None:
    body = token_response("at", expires_in=300)
    assert body == {"access_token": "at", "token_type": "Bearer", "expires_in": 300}
    parsed = parse_token_response(body)
    assert (parsed.access_token, parsed.token_type, parsed.expires_in) == ("at", "Bearer", 300)
    detail = AuthorizationDetail("UniversityDegreeCredential", credential_identifiers=("a", "b"))
    with_details = token_response("at", expires_in=300, authorization_details=[detail])
    assert parse_token_response(with_details).authorization_details == (detail,)
    with pytest.raises(ValueError):
        token_response("at", expires_in=300, authorization_details=[AuthorizationDetail("x")])


def test_the_spec_token_response() -> None:
    body = {
        "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ",
        "token_type": "Bearer",
        "expires_in": 86400,
        "authorization_details": [
            {
                "type": "openid_credential",
                "credential_configuration_id": "UniversityDegreeCredential",
                "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"],
            },
            {"type": "something_else"},
        ],
    }
    parsed = parse_token_response(body)
    assert parsed.authorization_details[0].credential_identifiers == (
        "CivilEngineeringDegree-2023",
        "ElectricalEngineeringDegree-2023",
    )
    assert parse_token_response({**body, "token_type": "dpop"}).token_type == "dpop"


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"token_type": "Bearer"},
        {"access_token": "", "token_type": "Bearer"},
        {"access_token": "a", "token_type": "MAC"},
        {"access_token": "a", "token_type": "Bearer", "expires_in": "300"},
        {"access_token": "a", "token_type": "Bearer", "expires_in": 0},
        {"access_token": "a", "token_type": "Bearer", "expires_in": True},
        {"access_token": "é", "token_type": "Bearer"},  # RFC 6749: visible ASCII only (found by fuzzing)
        {"access_token": "to ken\u2028", "token_type": "DPoP"},
        {
            "access_token": "a",
            "token_type": "Bearer",
            "authorization_details": [{"type": "openid_credential", "credential_configuration_id": "x"}],
        },
    ],
)
def test_bad_token_responses(bad: Any) -> None:
    with pytest.raises(InvalidRequest):
        parse_token_response(bad)


def test_nonce_response() -> None:
    assert nonce_response("wKI4LT17ac15ES9bw8ac4") == {"c_nonce": "wKI4LT17ac15ES9bw8ac4"}
    assert parse_nonce_response({"c_nonce": "wKI4LT17ac15ES9bw8ac4"}) == "wKI4LT17ac15ES9bw8ac4"
    for bad in ({}, {"c_nonce": ""}, {"c_nonce": 5}, ["c_nonce"]):
        with pytest.raises(InvalidRequest):
            parse_nonce_response(bad)
