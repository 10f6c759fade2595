"""Credential errors: why an SD-JWT (VC), an mdoc or a Disclosure was refused, or could not be issued.

One flat subtree under :class:`common.errors.EudiError`; each name says what failed::

    CredentialError
    ├── MalformedSdJwt          serialization, size, depth, JWT or payload structure (RFC 9901 4, 8)
    ├── InvalidDisclosure       not base64url JSON ``[salt, (name,) value]``, or the wrong shape for
    │                           where its digest sits (section 7.1 step 3.3.2.1, 3.3.3.1)
    ├── ForbiddenDisclosure     named ``_sd``/``...``, or hiding a claim the profile forbids to hide
    ├── ClaimCollision          a disclosed name that already exists at its level
    ├── DuplicateDigest         a digest met twice in the payload, directly or via Disclosures
    ├── DuplicateDisclosure     the same Disclosure sent twice
    ├── UnreferencedDisclosure  a Disclosure no digest points to
    ├── UnsupportedAlgorithm    a JWS ``alg`` or an ``_sd_alg`` outside the allow-list
    ├── InvalidSignature        the Issuer-signed JWT's signature does not verify
    ├── KeyBindingRequired      no KB-JWT where the verifier requires one
    ├── InvalidKeyBinding       a KB-JWT of the wrong type, key, audience, nonce, time or ``sd_hash``
    ├── Expired / NotYetValid   ``exp`` passed, or ``nbf`` (``iat``) in the future
    ├── WrongAudience           an Issuer-signed JWT whose ``aud`` does not name this verifier
    ├── WrongType               ``typ`` or ``vct`` not what the profile or the caller demands
    ├── MissingClaim            a claim the profile requires is absent
    ├── InvalidClaims           claims an issuer was asked to sign that cannot be issued
    ├── MalformedCbor           not well-formed or unbounded CBOR (RFC 8949), refused before decoding
    ├── MalformedCose           a COSE_Sign1 / COSE_Mac0 / COSE_Key of the wrong shape (RFC 9052)
    ├── MalformedMdoc           an IssuerSigned, MSO or DeviceResponse of the wrong shape (ISO 18013-5)
    ├── DigestMismatch          an IssuerSignedItem whose digest the MSO does not hold
    ├── InvalidDeviceSignature  deviceSignature not by the MSO deviceKey over this SessionTranscript
    ├── UnauthorizedDeviceElement  a device-signed element outside the MSO keyAuthorizations
    ├── InvalidValidity         MSO ``signed`` outside the signer certificate, or validFrom > validUntil
    └── StatusListError         the status cannot be determined (token status list, draft -21)
        ├── InvalidStatusList           ``bits``, ``lst``, zlib or a value of the wrong shape
        ├── StatusListTooLarge          a list or token over its bound
        ├── StatusIndexOutOfRange       an ``idx`` beyond the list
        ├── InvalidStatusListToken      wrong ``typ``, missing or mistyped claims
        ├── StatusListSubjectMismatch   ``sub`` is not the referenced ``uri``
        ├── StatusListExpired           ``exp`` has passed
        ├── StatusListSignatureInvalid  the token's signature does not verify
        ├── InvalidStatusReference      a credential's ``status`` claim of the wrong shape
        └── UnsupportedStatusMechanism  a ``status`` by another mechanism (``identifier_list``...)

Every class carries the wire code ``invalid_credential`` of its root.
"""

from __future__ import annotations

from common.errors import EudiError

__all__ = [
    "ClaimCollision",
    "CredentialError",
    "DigestMismatch",
    "DuplicateDigest",
    "DuplicateDisclosure",
    "Expired",
    "ForbiddenDisclosure",
    "InvalidClaims",
    "InvalidDeviceSignature",
    "InvalidDisclosure",
    "InvalidKeyBinding",
    "InvalidSignature",
    "InvalidStatusList",
    "InvalidStatusListToken",
    "InvalidStatusReference",
    "InvalidValidity",
    "KeyBindingRequired",
    "MalformedCbor",
    "MalformedCose",
    "MalformedMdoc",
    "MalformedSdJwt",
    "MissingClaim",
    "NotYetValid",
    "StatusIndexOutOfRange",
    "StatusListError",
    "StatusListExpired",
    "StatusListSignatureInvalid",
    "StatusListSubjectMismatch",
    "StatusListTooLarge",
    "UnauthorizedDeviceElement",
    "UnreferencedDisclosure",
    "UnsupportedAlgorithm",
    "UnsupportedStatusMechanism",
    "WrongAudience",
    "WrongType",
]


class CredentialError(EudiError):
    """Root of the credentials subtree."""

    error = "invalid_credential"


class MalformedSdJwt(CredentialError):
    """Not an SD-JWT: bad serialization, over a size or depth limit, or a payload of the wrong shape."""


class InvalidDisclosure(CredentialError):
    """A Disclosure that cannot be decoded, or of the wrong shape for where its digest sits."""


class ForbiddenDisclosure(CredentialError):
    """A Disclosure named ``_sd`` or ``...``, or of a claim that must never be selectively disclosable."""


class ClaimCollision(CredentialError):
    """A disclosed claim name already present at the same level of the payload."""


class DuplicateDigest(CredentialError):
    """A digest that occurs more than once in the payload, directly or through Disclosures."""


class DuplicateDisclosure(CredentialError):
    """The same Disclosure included twice."""


class UnreferencedDisclosure(CredentialError):
    """A Disclosure whose digest is not referenced by the payload or by another Disclosure."""


class UnsupportedAlgorithm(CredentialError):
    """A JWS ``alg`` (``none``, HS256, ...) or an ``_sd_alg`` that is not allowed."""


class InvalidSignature(CredentialError):
    """The Issuer-signed JWT's signature does not verify with the issuer's key."""


class KeyBindingRequired(CredentialError):
    """Key binding is required but the presentation carries no KB-JWT."""


class InvalidKeyBinding(CredentialError):
    """A KB-JWT with the wrong type, key, audience, nonce, ``sd_hash`` or time."""


class Expired(CredentialError):
    """The credential's ``exp`` has passed."""


class NotYetValid(CredentialError):
    """The credential's ``nbf`` (or ``iat``) lies in the future."""


class WrongAudience(CredentialError):
    """The Issuer-signed JWT carries an ``aud`` that does not name this verifier (RFC 7519 section
    4.1.3: such a JWT must be rejected)."""


class WrongType(CredentialError):
    """The ``typ`` header or the ``vct`` claim is not the one expected."""


class MissingClaim(CredentialError):
    """A claim required by the profile is absent."""


class InvalidClaims(CredentialError):
    """Claims that cannot be issued: a reserved name, a missing mandatory claim, a wrong type."""


class StatusListError(CredentialError):
    """Root of the Token Status List errors (draft-ietf-oauth-status-list-21): the status cannot be
    determined, so the referenced token must not be accepted (section 8.3)."""


class InvalidStatusList(StatusListError):
    """A Status List of the wrong shape: ``bits`` not 1, 2, 4 or 8, ``lst`` not base64url, corrupt
    or truncated zlib, or a status value that does not fit in ``bits`` (section 4)."""


class StatusListTooLarge(StatusListError):
    """A Status List (or its token) that inflates or weighs more than the configured bound."""


class StatusIndexOutOfRange(StatusListError):
    """An ``idx`` outside the Status List (section 8.3 step 5)."""


class InvalidStatusListToken(StatusListError):
    """A Status List Token of the wrong ``typ``, or whose claims are missing or mistyped (section 5)."""


class StatusListSubjectMismatch(StatusListError):
    """The Status List Token's ``sub`` is not the ``uri`` the referenced token points to (section 8.3)."""


class StatusListExpired(StatusListError):
    """The Status List Token's ``exp`` has passed (section 8.3)."""


class StatusListSignatureInvalid(StatusListError):
    """The Status List Token's signature does not verify with the resolved key."""


class InvalidStatusReference(StatusListError):
    """A referenced token's ``status`` claim without a well-typed ``status_list.idx``/``uri`` (section 6)."""


class UnsupportedStatusMechanism(StatusListError):
    """A ``status`` that refers by another mechanism than ``status_list`` only, as the status map allows
    (section 6.3; ISO/IEC 18013-5 2nd edition also defines ``identifier_list``): not checked here."""


# --- mdoc / COSE / CBOR (ISO/IEC 18013-5, RFC 9052, RFC 8949) ---------------------------------------


class MalformedCbor(CredentialError):
    """CBOR that is not well formed or breaks a bound: truncated, trailing bytes, indefinite length,
    a declared length beyond the input, nesting too deep, duplicate map keys, tag 24 around a
    non-bstr, or a non-preferred (non-shortest) head (RFC 8949 sections 3, 4.1, 5.6)."""


class MalformedCose(CredentialError):
    """A COSE_Sign1, COSE_Mac0 or COSE_Key of the wrong shape (RFC 9052 sections 3, 4.2, 6.2, 7)."""


class MalformedMdoc(CredentialError):
    """An IssuerSigned, MSO, DeviceResponse or DeviceSigned of the wrong shape (ISO/IEC 18013-5 8.3.2.1)."""


class DigestMismatch(CredentialError):
    """An IssuerSignedItem whose digest is not the one the MSO holds under its digestID (9.1.2.5)."""


class InvalidDeviceSignature(CredentialError):
    """The deviceSignature does not verify with the MSO deviceKey over the expected
    DeviceAuthentication (a SessionTranscript of another session, or another key) (9.1.3)."""


class UnauthorizedDeviceElement(CredentialError):
    """A device-signed data element not covered by the MSO keyAuthorizations (9.1.2.4)."""


class InvalidValidity(CredentialError):
    """An MSO validityInfo that cannot hold: ``signed`` outside the signer certificate's validity, or
    ``validFrom`` after ``validUntil`` (ISO/IEC 18013-5 9.1.2.4, 9.3.1)."""
