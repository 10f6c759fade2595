"""Wallet errors: what stopped a receipt or a presentation."""

from __future__ import annotations

from common.errors import EudiError

__all__ = ["IssuerError", "NoMatchingCredential", "VerifierError", "WalletError"]


class WalletError(EudiError):
    error = "wallet_error"


class IssuerError(WalletError):
    """The issuer answered with an error or with something that does not check out."""


class VerifierError(WalletError):
    """The verifier answered with an error."""


class NoMatchingCredential(WalletError):
    error = "access_denied"
    redirect_uri: str | None = None
    """Where the verifier's answer to the refusal sends the citizen's browser, if it does."""
