"""The credential, deferred credential and notification endpoint messages (OpenID4VCI 1.0 8, 9, 11)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from openid4vc.errors import (
    DeferredIssuance,
    InvalidCredentialRequest,
    InvalidEncryptionParameters,
    InvalidNotificationRequest,
    InvalidProof,
    InvalidRequest,
)
from openid4vc.issuance import (
    CredentialRequest,
    NotificationRequest,
    credential_request,
    credential_response,
    deferred_credential_response,
    parse_credential_request,
    parse_credential_response,
    parse_credential_response_message,
    parse_deferred_credential_request,
    parse_notification_request,
)
from tests.openid4vc.conftest import VCI_EXAMPLES

RESPONSES = sorted(VCI_EXAMPLES.glob("credential_response_*.txt"))


def http_body(path: Path) -> Any:
    """The JSON body of an HTTP example whose long strings are wrapped over several lines."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("{") :]
    return json.loads(re.sub(r"\n\s*", "", body))


@pytest.mark.parametrize("path", RESPONSES, ids=[p.name for p in RESPONSES])
def test_spec_credential_responses(path: Path) -> None:
    body = http_body(path)
    credential = body["credentials"][0]["credential"]
    if isinstance(credential, str):
        assert parse_credential_response(body) == (credential,)
        assert parse_credential_response(credential_response([credential])) == (credential,)
    else:  # ldp_vc credentials are objects, a W3C profile this wallet does not take
        with pytest.raises(InvalidRequest, match="object-valued"):
            parse_credential_response(body)


def test_response_with_notification_id() -> None:
    body = credential_response(["a", "b"], notification_id="3fwe98js")
    assert body == {"credentials": [{"credential": "a"}, {"credential": "b"}], "notification_id": "3fwe98js"}
    message = parse_credential_response_message(body)
    assert message.credentials == ("a", "b") and message.notification_id == "3fwe98js"


def test_deferred_response_is_a_clear_error() -> None:
    body = deferred_credential_response("8xLOxBtZp8", interval=3600)
    assert body == {"transaction_id": "8xLOxBtZp8", "interval": 3600}
    with pytest.raises(DeferredIssuance) as caught:
        parse_credential_response(body)
    assert (caught.value.transaction_id, caught.value.interval) == ("8xLOxBtZp8", 3600)
    for bad in ({"transaction_id": "t"}, {"transaction_id": "t", "interval": 0}, {**body, "credentials": []}):
        with pytest.raises(InvalidRequest):
            parse_credential_response(bad)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {},
        {"credentials": []},
        {"credentials": ["a"]},
        {"credentials": [{"credential": ""}]},
        {"credentials": [{}]},
    ],
)
def test_bad_credential_responses(bad: Any) -> None:
    with pytest.raises(InvalidRequest):
        parse_credential_response(bad)


def test_credential_request_round_trip() -> None:
    body = credential_request(credential_configuration_id="pid", proofs=["p1"])
    assert body == {"credential_configuration_id": "pid", "proofs": {"jwt": ["p1"]}}
    assert parse_credential_request(body) == CredentialRequest("pid", None, ("p1",))
    by_identifier = credential_request(
        credential_identifier="CivilEngineeringDegree-2023", proofs=["p1", "p2"]
    )
    assert parse_credential_request(by_identifier, max_proofs=2) == CredentialRequest(
        None, "CivilEngineeringDegree-2023", ("p1", "p2")
    )
    assert (
        parse_credential_request({"credential_configuration_id": "pid", "x": 1}, require_proofs=False).proofs
        == ()
    )


def test_the_spec_mdl_request_is_pre_1_0() -> None:
    """``credential_request_iso_mdl.json`` still uses the draft ``format``/``doctype`` shape."""
    document = json.loads((VCI_EXAMPLES / "credential_request_iso_mdl.json").read_text())
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request(document)


PROOFS = {"jwt": ["eyJ..."]}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ([], InvalidCredentialRequest),
        ({"proofs": PROOFS}, InvalidCredentialRequest),
        (
            {"credential_configuration_id": "a", "credential_identifier": "b", "proofs": PROOFS},
            InvalidCredentialRequest,
        ),
        ({"credential_configuration_id": "", "proofs": PROOFS}, InvalidCredentialRequest),
        ({"credential_configuration_id": 1, "proofs": PROOFS}, InvalidCredentialRequest),
        ({"credential_identifier": ["x"], "proofs": PROOFS}, InvalidCredentialRequest),
        (
            {"credential_configuration_id": "a", "proof": {"proof_type": "jwt", "jwt": "x"}},
            InvalidProof,
        ),
        ({"credential_configuration_id": "a", "proofs": {"jwt": ["x", "y"]}}, InvalidCredentialRequest),
        (
            {
                "credential_configuration_id": "a",
                "proofs": PROOFS,
                "credential_response_encryption": {"jwk": {}, "enc": "A128GCM"},
            },
            InvalidEncryptionParameters,
        ),
        ({"credential_configuration_id": "a"}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": []}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": ["x"], "attestation": ["y"]}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"di_vp": [{}]}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"attestation": ["x"]}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": []}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": "x"}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": [1]}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": ["x" * 20_000]}}, InvalidProof),
    ],
)
def test_credential_request_rejections(body: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_credential_request(body)


def test_batch_size_bounds_the_proofs() -> None:
    body = {"credential_configuration_id": "a", "proofs": {"jwt": ["p"] * 10}}
    assert len(parse_credential_request(body, max_proofs=10).proofs) == 10
    with pytest.raises(InvalidCredentialRequest):
        parse_credential_request(body, max_proofs=9)


def test_deferred_credential_request() -> None:
    assert parse_deferred_credential_request({"transaction_id": "8xLOxBtZp8"}) == "8xLOxBtZp8"
    bad: Any
    for bad in ({}, {"transaction_id": 1}, []):
        with pytest.raises(InvalidCredentialRequest):
            parse_deferred_credential_request(bad)
    with pytest.raises(InvalidEncryptionParameters):
        parse_deferred_credential_request({"transaction_id": "t", "credential_response_encryption": {}})


def test_notification_requests() -> None:
    accepted = {"notification_id": "3fwe98js", "event": "credential_accepted"}
    assert parse_notification_request(accepted) == NotificationRequest("3fwe98js", "credential_accepted")
    failure = {
        "notification_id": "3fwe98js",
        "event": "credential_failure",
        "event_description": "Could not store the Credential. Out of storage.",
    }
    assert parse_notification_request(failure).to_json() == failure
    for bad in (
        {},
        {"notification_id": "x"},
        {"notification_id": "x", "event": "credential_lost"},
        {"notification_id": "x", "event": "CREDENTIAL_ACCEPTED"},
        {"notification_id": 1, "event": "credential_accepted"},
        {"notification_id": "x", "event": "credential_failure", "event_description": 'say "hi"'},
        {"notification_id": "x", "event": "credential_failure", "event_description": "é"},
    ):
        with pytest.raises(InvalidNotificationRequest):
            parse_notification_request(bad)
