from __future__ import annotations

import pytest

from common.errors import EudiError
from openid4vc import errors
from openid4vc._checks import check_url, random_value

CODES = {
    "InvalidRequest": ("invalid_request", 400),
    "InvalidDcqlQuery": ("invalid_request", 400),
    "QueryNotSatisfied": ("invalid_request", 400),
    "ClientIdMismatch": ("invalid_request", 400),
    "UnsupportedClientIdPrefix": ("invalid_request", 400),
    "UntrustedClient": ("invalid_request", 400),
    "InvalidGrant": ("invalid_grant", 400),
    "InvalidClient": ("invalid_client", 401),
    "UnsupportedGrantType": ("unsupported_grant_type", 400),
    "UnsupportedResponseType": ("unsupported_response_type", 400),
    "InvalidToken": ("invalid_token", 401),
    "InsufficientScope": ("insufficient_scope", 403),
    "InvalidCredentialRequest": ("invalid_credential_request", 400),
    "UnknownCredentialConfiguration": ("unknown_credential_configuration", 400),
    "UnknownCredentialIdentifier": ("unknown_credential_identifier", 400),
    "InvalidProof": ("invalid_proof", 400),
    "InvalidNonce": ("invalid_nonce", 400),
    "InvalidEncryptionParameters": ("invalid_encryption_parameters", 400),
    "CredentialRequestDenied": ("credential_request_denied", 400),
    "InvalidTransactionId": ("invalid_transaction_id", 400),
    "InvalidNotificationId": ("invalid_notification_id", 400),
    "InvalidNotificationRequest": ("invalid_notification_request", 400),
    "InvalidRequestObject": ("invalid_request_object", 400),
    "InvalidRequestUri": ("invalid_request_uri", 400),
    "InvalidRequestUriMethod": ("invalid_request_uri_method", 400),
    "InvalidTransactionData": ("invalid_transaction_data", 400),
    "VpFormatsNotSupported": ("vp_formats_not_supported", 400),
    "AccessDenied": ("access_denied", 400),
}


@pytest.mark.parametrize(("name", "code"), sorted(CODES.items()))
def test_wire_codes(name: str, code: tuple[str, int]) -> None:
    cls = getattr(errors, name)
    error = cls("x")
    assert isinstance(error, errors.OpenID4VCError) and isinstance(error, EudiError)
    assert (error.error, error.status_code) == code
    assert error.to_json() == {"error": code[0], "error_description": "x"}


def test_every_exported_error_has_a_code() -> None:
    exported = {
        n for n in errors.__all__ if n[0].isupper() and n not in ("OpenID4VCError", "DeferredIssuance")
    }
    assert exported == set(CODES)


def test_descriptions_are_safe_on_the_wire() -> None:
    error = errors.InvalidProof('proof "kid" \\ é\n' + "x" * 1000)
    assert error.description.startswith("proof ?kid? ? ??x")
    assert len(error.description) == 500
    assert all(" " <= c <= "~" and c not in '"\\' for c in str(error))


def test_reasons_name_what_failed() -> None:
    assert errors.ClientIdMismatch("x").reason == "client_id_mismatch"
    assert errors.InvalidDcqlQuery("x").reason == "invalid_dcql_query"


@pytest.mark.parametrize(
    "url",
    [
        "https://issuer.example",
        "https://issuer.example:8443/tenant",
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://[::1]:8000",
    ],
)
def test_good_urls(url: str) -> None:
    assert check_url(url, "u") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        None,
        5,
        "issuer.example",
        "/relative",
        "http://issuer.example",
        "http://127.0.0.2",
        "ftp://issuer.example",
        "https://",
        "https://user:pw@issuer.example",
        "https://issuer.example/#x",
        "https://issuer.example/ x",
        "https://issuer.example/\u00e9",
        "https://issuer.example:99999/",
        "https://[::1",
        "https://issuer.example/" + "x" * 3000,
    ],
)
def test_bad_urls(url: object) -> None:
    with pytest.raises(errors.InvalidRequest):
        check_url(url, "u")


def test_random_values_are_injectable_and_long_enough() -> None:
    assert random_value(lambda n: b"\x00" * n) == "A" * 43
    with pytest.raises(ValueError):
        random_value(nbytes=8)
