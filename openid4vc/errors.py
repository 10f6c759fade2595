"""OpenID4VCI / OpenID4VP protocol errors, each carrying the code the specification names.

::

    OpenID4VCError                      (common.errors.EudiError)
    ├── InvalidRequest                  invalid_request (RFC 6749 5.2, OpenID4VP 1.0 section 8.5)
    │   ├── InvalidDcqlQuery            a DCQL query breaks a rule of OpenID4VP section 6
    │   ├── QueryNotSatisfied           a vp_token does not answer its DCQL query (verifier side)
    │   ├── ClientIdMismatch            client_id of the link differs from the request object's
    │   ├── UnsupportedClientIdPrefix   a client identifier prefix this wallet does not accept
    │   └── UntrustedClient             the verifier's certificate or hash does not check out
    ├── InvalidGrant                    invalid_grant
    ├── InvalidClient (401)             invalid_client
    ├── UnsupportedGrantType            unsupported_grant_type
    ├── UnsupportedResponseType         unsupported_response_type
    ├── InvalidToken (401)              invalid_token (RFC 6750)
    ├── InsufficientScope (403)         insufficient_scope (RFC 6750): the token does not cover this
    ├── InvalidCredentialRequest        OpenID4VCI 1.0 section 8.3.1.2 ...
    ├── UnknownCredentialConfiguration
    ├── UnknownCredentialIdentifier
    ├── InvalidProof
    ├── InvalidNonce
    ├── InvalidEncryptionParameters
    ├── CredentialRequestDenied
    ├── InvalidTransactionId            section 9.3
    ├── InvalidNotificationId           section 11.3
    ├── InvalidNotificationRequest
    ├── DeferredIssuance                wallet side: the issuer answered 202 with a transaction_id
    ├── InvalidRequestObject            RFC 9101 section 6: typ, signature, expiry of a request object
    ├── InvalidRequestUri               the request_uri could not be used
    ├── InvalidRequestUriMethod         OpenID4VP 1.0 section 8.5 ...
    ├── InvalidTransactionData
    ├── VpFormatsNotSupported
    └── AccessDenied

Descriptions are reduced to the characters that OpenID4VCI 1.0 section 8.3.1.2 allows in
``error_description`` (``%x20-21 / %x23-5B / %x5D-7E``), so any of these can go on the wire as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.errors import EudiError

if TYPE_CHECKING:
    from openid4vc.request_object import ResponseEncryption

__all__ = [
    "AccessDenied",
    "ClientIdMismatch",
    "CredentialRequestDenied",
    "DeferredIssuance",
    "InsufficientScope",
    "InvalidClient",
    "InvalidCredentialRequest",
    "InvalidDcqlQuery",
    "InvalidEncryptionParameters",
    "InvalidGrant",
    "InvalidNonce",
    "InvalidNotificationId",
    "InvalidNotificationRequest",
    "InvalidProof",
    "InvalidRequest",
    "InvalidRequestObject",
    "InvalidRequestUri",
    "InvalidRequestUriMethod",
    "InvalidToken",
    "InvalidTransactionData",
    "InvalidTransactionId",
    "OpenID4VCError",
    "QueryNotSatisfied",
    "UnknownCredentialConfiguration",
    "UnknownCredentialIdentifier",
    "UnsupportedClientIdPrefix",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "UntrustedClient",
    "VpFormatsNotSupported",
    "description_text",
]

MAX_DESCRIPTION = 500


def description_text(text: str) -> str:
    """``text`` with every character outside ``%x20-21 / %x23-5B / %x5D-7E`` replaced by ``?``."""
    cleaned = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)
    return cleaned if len(cleaned) <= MAX_DESCRIPTION else cleaned[: MAX_DESCRIPTION - 3] + "..."


class OpenID4VCError(EudiError):
    """Root of the protocol errors; the description is safe to send as ``error_description``."""

    error = "invalid_request"
    report_to: tuple[str, str | None] | None = None
    """Where a wallet sends this error as an authorization error response (OpenID4VP 1.0 section 8.5):
    the ``response_uri`` and ``state`` of a request that was authenticated before it was found wanting;
    None when the request cannot be answered at all."""
    report_encryption: ResponseEncryption | None = None
    """With ``report_to`` of a ``direct_post.jwt`` request: the key and ``enc`` to encrypt the error
    response to, when the request offers a usable one (else it goes in the clear, section 8.3.1)."""

    def __init__(self, description: str, *, error: str | None = None) -> None:
        super().__init__(description_text(description), error=error)


class InvalidRequest(OpenID4VCError):
    error = "invalid_request"


class InvalidDcqlQuery(InvalidRequest):
    """A DCQL query that breaks a rule of OpenID4VP 1.0 section 6."""


class QueryNotSatisfied(InvalidRequest):
    """The presentations in a vp_token do not answer the DCQL query (OpenID4VP 1.0 section 8.6)."""


class ClientIdMismatch(InvalidRequest):
    """The ``client_id`` of the request link is not the one in the request object (section 5.10.1)."""


class UnsupportedClientIdPrefix(InvalidRequest):
    """A client identifier prefix (section 5.9) that this wallet does not accept."""


class UntrustedClient(InvalidRequest):
    """The verifier's certificate chain, SAN or ``x509_hash`` does not check out (section 5.9.3)."""


class InvalidGrant(OpenID4VCError):
    error = "invalid_grant"


class InvalidClient(OpenID4VCError):
    error = "invalid_client"
    status_code = 401


class UnsupportedGrantType(OpenID4VCError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OpenID4VCError):
    error = "unsupported_response_type"


class InvalidToken(OpenID4VCError):
    error = "invalid_token"
    status_code = 401


class InsufficientScope(OpenID4VCError):
    """RFC 6750 section 3.1: a valid access token that does not cover what is asked."""

    error = "insufficient_scope"
    status_code = 403


class InvalidCredentialRequest(OpenID4VCError):
    error = "invalid_credential_request"


class UnknownCredentialConfiguration(OpenID4VCError):
    error = "unknown_credential_configuration"


class UnknownCredentialIdentifier(OpenID4VCError):
    error = "unknown_credential_identifier"


class InvalidProof(OpenID4VCError):
    error = "invalid_proof"


class InvalidNonce(OpenID4VCError):
    error = "invalid_nonce"


class InvalidEncryptionParameters(OpenID4VCError):
    error = "invalid_encryption_parameters"


class CredentialRequestDenied(OpenID4VCError):
    error = "credential_request_denied"


class InvalidTransactionId(OpenID4VCError):
    error = "invalid_transaction_id"


class InvalidNotificationId(OpenID4VCError):
    error = "invalid_notification_id"


class InvalidNotificationRequest(OpenID4VCError):
    error = "invalid_notification_request"


class DeferredIssuance(OpenID4VCError):
    """The issuer deferred issuance (HTTP 202, section 8.3): not an error on the wire, but the
    wallet cannot continue without the deferred credential endpoint."""

    def __init__(self, description: str, *, transaction_id: str, interval: int) -> None:
        super().__init__(description)
        self.transaction_id = transaction_id
        self.interval = interval


class InvalidRequestObject(OpenID4VCError):
    """RFC 9101 section 6: the request object is not a valid signed JWT of the right type."""

    error = "invalid_request_object"


class InvalidRequestUri(OpenID4VCError):
    error = "invalid_request_uri"


class InvalidRequestUriMethod(OpenID4VCError):
    error = "invalid_request_uri_method"


class InvalidTransactionData(OpenID4VCError):
    error = "invalid_transaction_data"


class VpFormatsNotSupported(OpenID4VCError):
    error = "vp_formats_not_supported"


class AccessDenied(OpenID4VCError):
    error = "access_denied"
