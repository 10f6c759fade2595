"""What every attestation type in the catalogue declares: its identifiers in both formats, its claims
with labels in English and Dutch, and the OpenID4VCI display metadata derived from them.

An SD-JWT VC claim is addressed by a claims path (``("address", "locality")``); an mdoc data element
by ``(namespace, element identifier)``, as DCQL addresses both (OpenID4VP 1.0 section 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.sdjwt import ClaimPath

__all__ = ["AttestationType", "ClaimDefinition", "claim", "claims_metadata"]


@dataclass(frozen=True)
class ClaimDefinition:
    """One claim: where it sits, its label per language (``en`` and ``nl``), whether always issued."""

    path: ClaimPath
    display: Mapping[str, str]
    mandatory: bool = False


def claim(path: ClaimPath, en: str, nl: str, mandatory: bool = False) -> ClaimDefinition:
    return ClaimDefinition(path, {"en": en, "nl": nl}, mandatory)


def claims_metadata(definitions: tuple[ClaimDefinition, ...]) -> list[dict[str, Any]]:
    """``credential_metadata.claims`` entries (OpenID4VCI 1.0 appendix B.2)."""
    return [
        {
            "path": list(definition.path),
            "mandatory": definition.mandatory,
            "display": [{"name": label, "locale": locale} for locale, label in definition.display.items()],
        }
        for definition in definitions
    ]


@dataclass(frozen=True)
class AttestationType:
    """An attestation type in both formats: ``vct`` and claims (SD-JWT VC), doctype and elements (mdoc)."""

    key: str
    display: Mapping[str, str]
    vct: str | None
    sd_jwt_claims: tuple[ClaimDefinition, ...]
    doctype: str | None
    mdoc_elements: tuple[ClaimDefinition, ...]

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(d.path[0]) for d in self.mdoc_elements))

    def credential_metadata(self, format_: str) -> dict[str, Any]:
        """The ``credential_metadata`` object of a credential configuration of ``format_``."""
        definitions = self.sd_jwt_claims if format_ == "dc+sd-jwt" else self.mdoc_elements
        return {
            "display": [{"name": name, "locale": locale} for locale, name in self.display.items()],
            "claims": claims_metadata(definitions),
        }
