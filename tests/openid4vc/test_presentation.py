"""The authorization response (OpenID4VP 1.0 sections 8.1, 8.2 and 8.5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openid4vc.errors import AccessDenied, InvalidRequest
from openid4vc.presentation import (
    AuthorizationResponse,
    authorization_response_form,
    error_response_form,
    parse_authorization_response,
    parse_response_uri_answer,
)
from tests.openid4vc.conftest import VP_EXAMPLES


def test_response_round_trip() -> None:
    form = authorization_response_form(vp_token={"my_credential": ["eyJhbGci...QMA~"]}, state="eyJhb-6-sVA")
    assert json.loads(form["vp_token"]) == {"my_credential": ["eyJhbGci...QMA~"]}
    assert parse_authorization_response(form) == AuthorizationResponse(
        {"my_credential": ["eyJhbGci...QMA~"]}, "eyJhb-6-sVA"
    )
    several = authorization_response_form(vp_token={"a": ["x", "y"], "b": ["z"]}, state=None)
    assert "state" not in several
    assert parse_authorization_response(several).vp_token == {"a": ["x", "y"], "b": ["z"]}


def test_the_spec_mdoc_vp_token_shape() -> None:
    form = {"vp_token": json.dumps({"my_credential": ["<base64url-encoded DeviceResponse>"]})}
    assert parse_authorization_response(form).vp_token["my_credential"] == [
        "<base64url-encoded DeviceResponse>"
    ]


def test_unknown_parameters_are_ignored() -> None:
    """Section 8.1: the client ignores parameters it does not know (``redirect_uri`` is one)."""
    form = authorization_response_form(vp_token={"a": ["x"]}, state="s")
    assert parse_authorization_response({**form, "iss": "x", "redirect_uri": "https://x"}).vp_token == {
        "a": ["x"]
    }


def test_declined_response() -> None:
    form = error_response_form("access_denied", "the citizen declined", "s")
    assert form == {"error": "access_denied", "error_description": "the citizen declined", "state": "s"}
    declined = parse_authorization_response(form)
    assert declined == AuthorizationResponse({}, "s", "access_denied", "the citizen declined")
    spec_error = json.loads(
        (VP_EXAMPLES / "digital_credentials_api" / "error_invalid_request.json").read_text()
    )
    assert parse_authorization_response(spec_error).error == "invalid_request"
    assert error_response_form(AccessDenied.error, 'no "quotes" \\ or ü', None)["error_description"] == (
        "no ?quotes? ? or ?"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"state": "s"},
        {"vp_token": "", "state": "s"},
        {"vp_token": "[]"},
        {"vp_token": "{}"},
        {"vp_token": '"x"'},
        {"vp_token": "{"},
        {"vp_token": '{"pid": []}'},
        {"vp_token": '{"pid": "x"}'},
        {"vp_token": '{"pid": [1]}'},
        {"vp_token": '{"pid": [""]}'},
        {"vp_token": '{"pid": [{"@context": []}]}'},
        {"vp_token": '{"p i d": ["x"]}'},
        {"vp_token": '{"pid": ["x"], "pid": ["y"]}'},
        {"vp_token": json.dumps({"pid": ["x"] * 21})},
        {"vp_token": json.dumps({f"q{i}": ["x"] for i in range(51)})},
        {"vp_token": "[" * 10_000 + "]" * 10_000},
        {"vp_token": json.dumps({"pid": ["x" * (1024 * 1024)]})},
        {"vp_token": '{"pid": ["x"]}', "state": "a b"},
        {"vp_token": '{"pid": ["x"]}', "error": "access_denied"},
        {"vp_token": ["x"]},
        {"error": 'bad"code'},
        {"error": "access_denied", "error_description": "é"},
        {"response": "eyJhbGciOiJFQ0RILUVTIn0..iv.ct.tag", "vp_token": '{"pid": ["x"]}'},
        {"response": "eyJhbGciOiJFQ0RILUVTIn0..iv.ct.tag", "error": "access_denied"},
    ],
)
def test_response_rejections(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequest):
        parse_authorization_response(bad)


def test_forms_are_built_right() -> None:
    with pytest.raises(ValueError):
        authorization_response_form(vp_token={}, state=None)
    with pytest.raises(ValueError):
        authorization_response_form(vp_token={"a": []}, state=None)


def test_response_uri_answer() -> None:
    redirect = "https://client.example.org/cb#response_code=091535f699ea575c7937fa5f0f454aee"
    assert parse_response_uri_answer({"redirect_uri": redirect, "other": 1}) == redirect
    assert parse_response_uri_answer({}) is None
    bad: Any
    assert parse_response_uri_answer({"redirect_uri": "http://127.0.0.1:8080/done#c=1"}) is not None
    # an app's own link, under a reverse-domain private-use scheme (RFC 8252 section 7.1; helper 38)
    app_link = "com.example.rp://cb#response_code=091535f6"
    assert parse_response_uri_answer({"redirect_uri": app_link}) == app_link
    for bad in (
        [],
        {"redirect_uri": 1},
        {"redirect_uri": "no scheme"},
        {"redirect_uri": ""},
        {"redirect_uri": "javascript:alert(document.cookie)"},
        {"redirect_uri": "file:///etc/passwd"},
        {"redirect_uri": "data:text/html,<script>alert(1)</script>"},
        {"redirect_uri": "vbscript:msgbox"},
        {"redirect_uri": "com.example.rp:"},  # a scheme and nothing else
        {"redirect_uri": "com..example:x"},
        {"redirect_uri": ".example:x"},
        {"redirect_uri": "http://rp.example/done"},  # plain http beyond loopback
        {"redirect_uri": "https://user:pw@rp.example/done"},
    ):
        with pytest.raises(InvalidRequest):
            parse_response_uri_answer(bad)
