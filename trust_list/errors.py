"""Trust errors: a chain that does not lead to a trusted entity, or a trust list that cannot be believed.

::

    EudiError
    └── TrustError
        ├── ChainError          X.509 path to a trust anchor fails (RFC 5280, HAIP 1.0)
        ├── UntrustedIssuer     no entity on the trusted lists vouches for an attestation's signer
        ├── UntrustedSigner     trust list not signed by a pinned scheme operator
        ├── InvalidTrustList    malformed list, bad signature, wrong LoTEType (TS 119 602)
        ├── StaleTrustList      NextUpdate has passed
        ├── RollbackError       LoTESequenceNumber lower than the list in force
        ├── InvalidRegistration registration certificate malformed, untrusted, expired (TS 119 475)
        │   └── RegistrationMismatch  valid, but for another relying party than the access certificate
        └── NotRegistered       a request asks for more than the relying party registered
"""

from __future__ import annotations

from common.errors import EudiError

__all__ = [
    "ChainError",
    "InvalidRegistration",
    "InvalidTrustList",
    "NotRegistered",
    "RegistrationMismatch",
    "RollbackError",
    "StaleTrustList",
    "TrustError",
    "UntrustedIssuer",
    "UntrustedSigner",
]


class TrustError(EudiError):
    """Root of the trust subtree."""

    error = "invalid_request"


class ChainError(TrustError):
    """An X.509 chain that does not validate to one of the given anchors."""


class UntrustedIssuer(TrustError):
    """No entity on the trusted lists vouches for the signer of an attestation of this type."""


class UntrustedSigner(TrustError):
    """A trust list signed by a certificate that is not one of the pinned scheme operators."""


class InvalidTrustList(TrustError):
    """A trust list that is malformed or whose signature does not verify."""


class StaleTrustList(TrustError):
    """A trust list whose next update has passed."""


class RollbackError(TrustError):
    """A trust list older (lower sequence number) than the one already in force."""


class InvalidRegistration(TrustError):
    """A registration certificate that cannot be relied on: malformed, wrong ``typ``, bad signature,
    a registrar not on the trusted lists, or outside its validity."""


class RegistrationMismatch(InvalidRegistration):
    """A valid registration certificate that names another relying party than the access certificate."""


class NotRegistered(TrustError):
    """A request that asks for credentials or claims beyond the relying party's registration."""

    error = "access_denied"
