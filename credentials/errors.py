"""Credential errors: why an SD-JWT, an SD-JWT VC or a disclosure was refused.

Every class carries the wire code ``invalid_credential`` except where a protocol needs its own; the
class name says exactly what failed::

    CredentialError
    ├── MalformedSdJwt           structure, encoding, size or depth
    ├── InvalidDisclosure        a disclosure of the wrong shape for its place
    ├── ForbiddenDisclosure      a disclosure named ``_sd`` or ``...``, or of a never-disclosable claim
    ├── DuplicateDigest          a digest or disclosure that appears twice
    ├── ClaimCollision           a disclosed name that already exists at its level
    ├── UnreferencedDisclosure   a disclosure no digest points to
    ├── UnsupportedHashAlgorithm ``_sd_alg`` other than sha-256
    ├── InvalidSignature         the issuer signature (or its algorithm) does not check out
    ├── KeyBindingRequired       a presentation without its KB-JWT
    ├── InvalidKeyBinding        a KB-JWT of the wrong type, key, audience, nonce, time or sd_hash
    ├── Expired / NotYetValid    ``exp`` / ``nbf``
    └── WrongType                ``typ`` or ``vct`` not what the profile demands
"""

from __future__ import annotations

from common.errors import EudiError

__all__ = [
    "ClaimCollision",
    "CredentialError",
    "DuplicateDigest",
    "Expired",
    "ForbiddenDisclosure",
    "InvalidDisclosure",
    "InvalidKeyBinding",
    "InvalidSignature",
    "KeyBindingRequired",
    "MalformedSdJwt",
    "NotYetValid",
    "UnreferencedDisclosure",
    "UnsupportedHashAlgorithm",
    "WrongType",
]


class CredentialError(EudiError):
    error = "invalid_credential"


class MalformedSdJwt(CredentialError):
    pass


class InvalidDisclosure(CredentialError):
    pass


class ForbiddenDisclosure(CredentialError):
    pass


class DuplicateDigest(CredentialError):
    pass


class ClaimCollision(CredentialError):
    pass


class UnreferencedDisclosure(CredentialError):
    pass


class UnsupportedHashAlgorithm(CredentialError):
    pass


class InvalidSignature(CredentialError):
    pass


class KeyBindingRequired(CredentialError):
    pass


class InvalidKeyBinding(CredentialError):
    pass


class Expired(CredentialError):
    pass


class NotYetValid(CredentialError):
    pass


class WrongType(CredentialError):
    pass
