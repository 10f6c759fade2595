"""Verifier errors: why a presentation or an API call was refused."""

from __future__ import annotations

from common.errors import EudiError

__all__ = [
    "CredentialRevoked",
    "CredentialSuspended",
    "PresentationRejected",
    "ResponseCodeRequired",
    "StatusUnavailable",
    "UnknownPreset",
    "UnknownTransaction",
    "VerifierError",
]


class VerifierError(EudiError):
    error = "invalid_request"


class UnknownPreset(VerifierError):
    pass


class UnknownTransaction(VerifierError):
    error = "not_found"
    status_code = 404


class ResponseCodeRequired(VerifierError):
    """The result of a same-device transaction is read with the ``response_code`` its redirect carried
    (OpenID4VP 1.0 section 13.3, session fixation)."""

    error = "access_denied"
    status_code = 403


class PresentationRejected(VerifierError):
    """A response whose presentations did not verify; ``reason`` names the check that failed."""

    def __init__(self, description: str, *, reason: str) -> None:
        super().__init__(description)
        self.failed_check = reason


class CredentialRevoked(VerifierError):
    """The credential's entry in its status list is INVALID."""


class CredentialSuspended(VerifierError):
    """The credential's entry in its status list is SUSPENDED."""


class StatusUnavailable(VerifierError):
    """The status list could not be fetched or believed, or the index is out of range: fail closed."""
