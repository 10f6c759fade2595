"""Credential Issuer metadata (OpenID4VCI 1.0 section 12.2) and OAuth Authorization Server metadata
(RFC 8414, with the OpenID4VCI parameter of section 12.3): building, locating, parsing.

The wallet parses what it fetched with the identifier it fetched it for; a ``credential_issuer`` or
``issuer`` that differs by a single character is refused (section 12.2.4, RFC 8414 section 3.3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, EudiError, InvalidInput
from common.jose import has_typ, parse_jws, x5c_certificates
from openid4vc._checks import check_url, is_int, is_number, json_object, text, text_list
from openid4vc.encryption import (
    RequestEncryption,
    ResponseEncryptionSupport,
    parse_request_encryption,
    parse_response_encryption_support,
)
from openid4vc.errors import InvalidRequest
from openid4vc.offer import PRE_AUTHORIZED_GRANT

__all__ = [
    "AUTHORIZATION_SERVER_WELL_KNOWN",
    "CREDENTIAL_ISSUER_WELL_KNOWN",
    "SIGNED_METADATA_TYP",
    "AuthorizationServerMetadata",
    "CredentialIssuerMetadata",
    "authorization_server_metadata",
    "credential_issuer_metadata",
    "parse_authorization_server_metadata",
    "parse_credential_issuer_metadata",
    "parse_signed_credential_issuer_metadata",
    "well_known_url",
]

CREDENTIAL_ISSUER_WELL_KNOWN = "openid-credential-issuer"
AUTHORIZATION_SERVER_WELL_KNOWN = "oauth-authorization-server"
SIGNED_METADATA_TYP = "openidvci-issuer-metadata+jwt"
MAX_CONFIGURATIONS = 200


CREDENTIAL_ISSUER_SUFFIX = "openid-credential-issuer"


def well_known_url(identifier: str, suffix: str) -> str:
    """Insert ``/.well-known/<suffix>`` between the host and the path of an identifier.

    ``https://issuer.example/tenant`` gives ``https://issuer.example/.well-known/<suffix>/tenant``
    (OpenID4VCI 1.0 section 12.2.2). A terminating ``/`` stays for ``openid-credential-issuer``, as
    that section inserts the suffix and nothing more; RFC 8414 section 3.1 drops it for
    ``oauth-authorization-server``. A path of ``/`` alone is no path (RFC 9110 section 4.2.3).
    """
    parts = urlsplit(check_url(identifier, "the identifier", identifier=True))
    path = "" if parts.path == "/" else parts.path
    if suffix != CREDENTIAL_ISSUER_SUFFIX:
        path = path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/{suffix}{path}"


def credential_issuer_metadata(
    *,
    credential_issuer: str,
    credential_endpoint: str,
    nonce_endpoint: str | None,
    configurations: Mapping[str, Mapping[str, Any]],
    display: Sequence[Mapping[str, Any]] = (),
    authorization_servers: Sequence[str] = (),
    batch_size: int | None = None,
    deferred_credential_endpoint: str | None = None,
    notification_endpoint: str | None = None,
    request_encryption: Mapping[str, Any] | None = None,
    response_encryption: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The metadata document (section 12.2.4); empty optional parameters are left out. The
    encryption objects are :mod:`openid4vc.encryption`'s."""
    if batch_size is not None and batch_size < 2:
        raise ValueError("batch_size must be 2 or greater (section 12.2.4)")
    metadata: dict[str, Any] = {
        "credential_issuer": credential_issuer,
        "credential_endpoint": credential_endpoint,
    }
    optional: dict[str, Any] = {
        "nonce_endpoint": nonce_endpoint,
        "deferred_credential_endpoint": deferred_credential_endpoint,
        "notification_endpoint": notification_endpoint,
        "authorization_servers": list(authorization_servers) or None,
        "batch_credential_issuance": None if batch_size is None else {"batch_size": batch_size},
        "display": [dict(d) for d in display] or None,
        "credential_request_encryption": None if request_encryption is None else dict(request_encryption),
        "credential_response_encryption": None if response_encryption is None else dict(response_encryption),
    }
    metadata.update({name: value for name, value in optional.items() if value is not None})
    metadata["credential_configurations_supported"] = {k: dict(v) for k, v in configurations.items()}
    return metadata


@dataclass(frozen=True)
class CredentialIssuerMetadata:
    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str | None
    authorization_servers: tuple[str, ...]
    configurations: dict[str, dict[str, Any]] = field(repr=False)
    deferred_credential_endpoint: str | None = None
    notification_endpoint: str | None = None
    batch_size: int | None = None
    """``batch_credential_issuance.batch_size``: how many proofs one request may carry (None: one)."""
    request_encryption: RequestEncryption | None = None
    """``credential_request_encryption``: the keys a request may be encrypted to."""
    response_encryption: ResponseEncryptionSupport | None = None
    """``credential_response_encryption``: how a response may be encrypted."""
    display: tuple[dict[str, Any], ...] = field(default=(), repr=False)


def _configuration(configuration_id: str, value: Any) -> dict[str, Any]:
    """One entry of ``credential_configurations_supported``: the rules of 12.2.4 and appendix A."""
    obj = json_object(value, f"credential configuration {configuration_id!r}")
    what = f"credential configuration {configuration_id!r}"
    format_ = text(obj.get("format"), f"{what}: format")
    if format_ == "dc+sd-jwt":
        text(obj.get("vct"), f"{what}: vct")
    elif format_ == "mso_mdoc":
        text(obj.get("doctype"), f"{what}: doctype")
    # 12.2.4 wants proof_types_supported wherever cryptographic_binding_methods_supported is;
    # the specification's own mso_mdoc and ldp_vc examples omit it, so it is not enforced here.
    binding = obj.get("cryptographic_binding_methods_supported")
    if binding is not None:
        text_list(binding, f"{what}: cryptographic_binding_methods_supported")
    proof_types = obj.get("proof_types_supported")
    if proof_types is not None:
        for proof_type, spec in json_object(proof_types, f"{what}: proof_types_supported").items():
            algorithms = json_object(spec, f"{what}: proof type {proof_type!r}").get(
                "proof_signing_alg_values_supported"
            )
            if not isinstance(algorithms, list) or not algorithms:
                raise InvalidRequest(f"{what}: proof_signing_alg_values_supported must be a non-empty array")
    return obj


def parse_credential_issuer_metadata(value: Any, *, expected_issuer: str) -> CredentialIssuerMetadata:
    """Parse the metadata fetched for ``expected_issuer``; unknown parameters are ignored."""
    obj = json_object(value, "credential issuer metadata")
    if obj.get("credential_issuer") != expected_issuer:
        raise InvalidRequest("credential_issuer in the metadata is not the issuer that was asked")
    check_url(expected_issuer, "credential_issuer", identifier=True)
    configurations = json_object(
        obj.get("credential_configurations_supported"), "credential_configurations_supported"
    )
    if len(configurations) > MAX_CONFIGURATIONS:
        raise InvalidRequest(f"more than {MAX_CONFIGURATIONS} credential configurations")
    servers: tuple[str, ...] = ()
    if "authorization_servers" in obj:
        servers = text_list(obj["authorization_servers"], "authorization_servers", unique=True)
        for server in servers:
            check_url(server, "authorization_servers", identifier=True)
    batch_size = None
    if "batch_credential_issuance" in obj:
        batch_size = json_object(obj["batch_credential_issuance"], "batch_credential_issuance").get(
            "batch_size"
        )
        if not is_int(batch_size) or batch_size < 2:
            raise InvalidRequest("batch_size must be an integer of 2 or greater")

    display = obj.get("display", [])
    if not isinstance(display, list) or not all(isinstance(d, dict) for d in display):
        raise InvalidRequest("display must be an array of objects")

    def endpoint(name: str) -> str | None:
        return None if obj.get(name) is None else check_url(obj[name], name)

    return CredentialIssuerMetadata(
        credential_issuer=expected_issuer,
        credential_endpoint=check_url(obj.get("credential_endpoint"), "credential_endpoint"),
        nonce_endpoint=endpoint("nonce_endpoint"),
        authorization_servers=servers,
        configurations={k: _configuration(k, v) for k, v in configurations.items()},
        deferred_credential_endpoint=endpoint("deferred_credential_endpoint"),
        notification_endpoint=endpoint("notification_endpoint"),
        batch_size=batch_size,
        request_encryption=None
        if obj.get("credential_request_encryption") is None
        else parse_request_encryption(obj["credential_request_encryption"]),
        response_encryption=None
        if obj.get("credential_response_encryption") is None
        else parse_response_encryption_support(obj["credential_response_encryption"]),
        display=tuple(display),
    )


def parse_signed_credential_issuer_metadata(
    token: str,
    *,
    expected_issuer: str,
    validate_chain: Callable[[Sequence[x509.Certificate], str | None], x509.Certificate],
    now: int,
    max_future: int = 60,
) -> CredentialIssuerMetadata:
    """Signed metadata (section 12.2.3): ``typ`` ``openidvci-issuer-metadata+jwt``, ES256, signer in
    ``x5c``, ``sub`` the issuer, ``iat`` required, ``exp`` honoured. ``validate_chain(chain, host)``
    establishes trust in the signer (for the issuer identifier's host) and returns the leaf."""
    try:
        jws = parse_jws(token)
        if not has_typ(jws.header, SIGNED_METADATA_TYP):
            raise InvalidRequest(f"signed metadata typ must be {SIGNED_METADATA_TYP!r}")
        leaf = validate_chain(x5c_certificates(jws.header), urlsplit(expected_issuer).hostname)
        key = leaf.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise InvalidRequest("the metadata signer does not hold an EC key")
        jws.verify(key)
        claims = jws.claims()
    except (CryptoError, InvalidInput) as exc:
        raise InvalidRequest(f"signed metadata does not verify: {exc}") from exc
    except EudiError as exc:
        if isinstance(exc, InvalidRequest):
            raise
        raise InvalidRequest(f"the metadata signer is not trusted: {exc}") from exc
    if claims.get("sub") != expected_issuer:
        raise InvalidRequest("signed metadata sub is not the issuer that was asked")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not is_number(iat) or iat > now + max_future:
        raise InvalidRequest("signed metadata iat is missing or in the future")
    if exp is not None and (not is_number(exp) or exp <= now):
        raise InvalidRequest("signed metadata has expired")
    return parse_credential_issuer_metadata(claims, expected_issuer=expected_issuer)


def authorization_server_metadata(
    *,
    issuer: str,
    token_endpoint: str,
    pre_authorized_grant_anonymous_access_supported: bool = True,
    grant_types_supported: Sequence[str] = (PRE_AUTHORIZED_GRANT,),
    **extra: Any,
) -> dict[str, Any]:
    """RFC 8414 metadata for an authorization server offering the pre-authorized code grant; a
    server offering only that grant may omit ``response_types_supported`` (section 12.2.4)."""
    return {
        "issuer": issuer,
        "token_endpoint": token_endpoint,
        "grant_types_supported": list(grant_types_supported),
        "pre-authorized_grant_anonymous_access_supported": pre_authorized_grant_anonymous_access_supported,
        **extra,
    }


@dataclass(frozen=True)
class AuthorizationServerMetadata:
    issuer: str
    token_endpoint: str
    pre_authorized_grant_anonymous_access_supported: bool
    grant_types_supported: tuple[str, ...] = ("authorization_code", "implicit")
    authorization_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    dpop_signing_alg_values_supported: tuple[str, ...] = ()
    """RFC 9449 section 5.1: the server takes DPoP proofs signed with these (none: no DPoP)."""


def parse_authorization_server_metadata(value: Any, *, expected_issuer: str) -> AuthorizationServerMetadata:
    """RFC 8414 metadata fetched for ``expected_issuer``; ``token_endpoint`` is required here."""
    obj = json_object(value, "authorization server metadata")
    if obj.get("issuer") != expected_issuer:
        raise InvalidRequest("issuer in the authorization server metadata is not the server that was asked")
    check_url(expected_issuer, "issuer", identifier=True)
    anonymous = obj.get("pre-authorized_grant_anonymous_access_supported", False)
    if not isinstance(anonymous, bool):
        raise InvalidRequest("pre-authorized_grant_anonymous_access_supported must be a boolean")
    grants: tuple[str, ...] = ("authorization_code", "implicit")
    if "grant_types_supported" in obj:
        grants = text_list(obj["grant_types_supported"], "grant_types_supported")
    dpop: tuple[str, ...] = ()
    if obj.get("dpop_signing_alg_values_supported") is not None:
        dpop = text_list(obj["dpop_signing_alg_values_supported"], "dpop_signing_alg_values_supported")

    def endpoint(name: str) -> str | None:
        return None if obj.get(name) is None else check_url(obj[name], name)

    return AuthorizationServerMetadata(
        issuer=expected_issuer,
        token_endpoint=check_url(obj.get("token_endpoint"), "token_endpoint"),
        pre_authorized_grant_anonymous_access_supported=anonymous,
        grant_types_supported=grants,
        authorization_endpoint=endpoint("authorization_endpoint"),
        pushed_authorization_request_endpoint=endpoint("pushed_authorization_request_endpoint"),
        dpop_signing_alg_values_supported=dpop,
    )
