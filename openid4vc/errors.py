"""OpenID4VCI / OpenID4VP protocol errors, each carrying the code the specification names.

Issuance (OpenID4VCI 1.0 sections 6.3, 8.3.1.2) and OAuth (RFC 6749 section 5.2)::

    InvalidRequest  InvalidGrant  InvalidClient(401)  UnsupportedGrantType  InvalidToken(401)
    InvalidCredentialRequest  UnknownCredentialConfiguration  UnknownCredentialIdentifier
    InvalidProof  InvalidNonce  InvalidEncryptionParameters  CredentialRequestDenied

Presentation (OpenID4VP 1.0 section 8.5, RFC 9101 section 6.3)::

    InvalidRequestObject  InvalidRequestUriMethod  InvalidTransactionData  VpFormatsNotSupported
    AccessDenied  InvalidClientMetadata
"""

from __future__ import annotations

from common.errors import EudiError

__all__ = [
    "AccessDenied",
    "CredentialRequestDenied",
    "InvalidClient",
    "InvalidClientMetadata",
    "InvalidCredentialRequest",
    "InvalidEncryptionParameters",
    "InvalidGrant",
    "InvalidNonce",
    "InvalidProof",
    "InvalidRequest",
    "InvalidRequestObject",
    "InvalidRequestUriMethod",
    "InvalidToken",
    "InvalidTransactionData",
    "OpenID4VCError",
    "UnknownCredentialConfiguration",
    "UnknownCredentialIdentifier",
    "UnsupportedGrantType",
    "VpFormatsNotSupported",
]


class OpenID4VCError(EudiError):
    error = "invalid_request"


class InvalidRequest(OpenID4VCError):
    error = "invalid_request"


class InvalidGrant(OpenID4VCError):
    error = "invalid_grant"


class InvalidClient(OpenID4VCError):
    error = "invalid_client"
    status_code = 401


class UnsupportedGrantType(OpenID4VCError):
    error = "unsupported_grant_type"


class InvalidToken(OpenID4VCError):
    error = "invalid_token"
    status_code = 401


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


class InvalidRequestObject(OpenID4VCError):
    error = "invalid_request_object"


class InvalidRequestUriMethod(OpenID4VCError):
    error = "invalid_request_uri_method"


class InvalidTransactionData(OpenID4VCError):
    error = "invalid_transaction_data"


class VpFormatsNotSupported(OpenID4VCError):
    error = "vp_formats_not_supported"


class AccessDenied(OpenID4VCError):
    error = "access_denied"


class InvalidClientMetadata(OpenID4VCError):
    error = "invalid_client_metadata"
