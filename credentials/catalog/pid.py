"""The EUDI Person Identification Data as an SD-JWT VC (PID rulebook v1.7, SD-JWT VC encoding).

Claim names are those of the rulebook's SD-JWT VC section (``birthdate``, ``nationalities``,
``place_of_birth``, ``address.*``, ...), which differ from the mdoc names (``birth_date``,
``nationality``, ...). ``age_over_18`` is no longer part of the PID.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.errors import MalformedSdJwt
from credentials.sdjwt import ClaimPath

__all__ = ["PID_CLAIMS", "PID_VCT", "ClaimDefinition", "display_metadata", "pid_claims"]

PID_VCT = "urn:eudi:pid:1"


@dataclass(frozen=True)
class ClaimDefinition:
    path: ClaimPath
    en: str
    nl: str
    mandatory: bool = False


PID_CLAIMS: tuple[ClaimDefinition, ...] = (
    ClaimDefinition(("family_name",), "Family name", "Achternaam", True),
    ClaimDefinition(("given_name",), "Given name", "Voornamen", True),
    ClaimDefinition(("birthdate",), "Date of birth", "Geboortedatum", True),
    ClaimDefinition(("place_of_birth",), "Place of birth", "Geboorteplaats", True),
    ClaimDefinition(("place_of_birth", "locality"), "Place of birth: locality", "Geboorteplaats: plaats"),
    ClaimDefinition(("place_of_birth", "region"), "Place of birth: region", "Geboorteplaats: regio"),
    ClaimDefinition(("place_of_birth", "country"), "Place of birth: country", "Geboorteplaats: land"),
    ClaimDefinition(("nationalities",), "Nationalities", "Nationaliteiten", True),
    ClaimDefinition(("address",), "Address", "Adres"),
    ClaimDefinition(("address", "formatted"), "Address", "Adres (volledig)"),
    ClaimDefinition(("address", "street_address"), "Street", "Straat"),
    ClaimDefinition(("address", "house_number"), "House number", "Huisnummer"),
    ClaimDefinition(("address", "postal_code"), "Postal code", "Postcode"),
    ClaimDefinition(("address", "locality"), "City", "Woonplaats"),
    ClaimDefinition(("address", "region"), "Region", "Regio"),
    ClaimDefinition(("address", "country"), "Country of residence", "Land van verblijf"),
    ClaimDefinition(("personal_administrative_number",), "Personal number", "Persoonsnummer"),
    ClaimDefinition(("birth_family_name",), "Family name at birth", "Achternaam bij geboorte"),
    ClaimDefinition(("birth_given_name",), "Given name at birth", "Voornamen bij geboorte"),
    ClaimDefinition(("sex",), "Sex", "Geslacht"),
    ClaimDefinition(("email",), "Email address", "E-mailadres"),
    ClaimDefinition(("phone_number",), "Phone number", "Telefoonnummer"),
    ClaimDefinition(("picture",), "Portrait", "Pasfoto"),
    ClaimDefinition(("date_of_issuance",), "Date of issuance", "Datum van uitgifte"),
    ClaimDefinition(("date_of_expiry",), "Date of expiry", "Vervaldatum", True),
    ClaimDefinition(("issuing_authority",), "Issuing authority", "Uitgevende instantie", True),
    ClaimDefinition(("issuing_country",), "Issuing country", "Uitgevend land", True),
    ClaimDefinition(("document_number",), "Document number", "Documentnummer"),
    ClaimDefinition(("issuing_jurisdiction",), "Issuing jurisdiction", "Uitgevende jurisdictie"),
)

_KNOWN = {definition.path[0] for definition in PID_CLAIMS}
_MANDATORY = [
    definition.path[0] for definition in PID_CLAIMS if definition.mandatory and len(definition.path) == 1
]


def pid_claims(record: Mapping[str, Any]) -> dict[str, Any]:
    """The PID claims to issue from a register record keyed by the SD-JWT VC claim names."""
    unknown = set(record) - _KNOWN
    if unknown:
        raise MalformedSdJwt(f"not PID claims: {sorted(unknown)}")
    missing = [name for name in _MANDATORY if record.get(name) in (None, "", [], {})]
    if missing:
        raise MalformedSdJwt(f"mandatory PID claims missing: {missing}")
    return {name: _plain(value) for name, value in record.items() if value not in (None, "", [], {})}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v not in (None, "")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def display_metadata() -> list[dict[str, Any]]:
    """``credential_metadata.claims`` entries for the issuer metadata (OpenID4VCI 1.0 appendix B.2)."""
    return [
        {
            "path": list(definition.path),
            "mandatory": definition.mandatory,
            "display": [{"name": definition.en, "locale": "en"}, {"name": definition.nl, "locale": "nl"}],
        }
        for definition in PID_CLAIMS
    ]
