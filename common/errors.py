"""The one exception tree of the project.

Every error the project raises on purpose derives from :class:`EudiError` and carries a wire
``error`` code (OAuth style) that a service renders as ``{"error": ..., "error_description": ...}``::

    EudiError                      (common)
    ├── InvalidInput               malformed or oversized input (size, depth, encoding)
    ├── CryptoError                a signature or key that does not check out
    ├── credentials.errors.CredentialError      SD-JWT, SD-JWT VC, mdoc, status lists
    ├── trust_list.errors.TrustError            X.509 chains, trust lists
    ├── openid4vc.errors.OpenID4VCError          OpenID4VCI / OpenID4VP protocol rules
    ├── wallet.errors.WalletError
    └── ...                                       one subtree per package

Each class sets ``error`` (the wire code) and, where useful, ``status_code`` (HTTP).
"""

from __future__ import annotations


class EudiError(Exception):
    """Root of every deliberate error; ``error`` is the OAuth-style wire code."""

    error: str = "invalid_request"
    status_code: int = 400
    auth_scheme: str = "Bearer"
    """The authentication scheme a 401 or 403 names in ``WWW-Authenticate`` (``DPoP`` for RFC 9449)."""

    def __init__(self, description: str, *, error: str | None = None) -> None:
        super().__init__(description)
        self.description = description
        if error is not None:
            self.error = error

    @property
    def reason(self) -> str:
        """A stable, specific code for what failed: the class name in snake case (``InvalidKeyBinding``
        gives ``invalid_key_binding``). ``error`` stays the coarser wire code the protocol defines."""
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))

    def to_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}

    def __str__(self) -> str:
        return self.description


class InvalidInput(EudiError):
    """Input that cannot be parsed: bad encoding, wrong shape, over a size or depth limit."""

    error = "invalid_request"


class CryptoError(EudiError):
    """A signature that does not verify, or a key that cannot be used."""

    error = "invalid_request"
