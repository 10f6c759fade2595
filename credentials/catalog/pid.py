"""The EUDI Person Identification Data as an SD-JWT VC (PID rulebook v1.7, SD-JWT VC encoding).

Claim names are those of the rulebook's SD-JWT VC encoding (``birthdate``, ``place_of_birth``,
``nationalities``, ``address.*``, ``picture``, ``date_of_expiry`` ...), which differ from the mdoc
names (``birth_date``, ``birth_place``, ``nationality``, ``portrait``, ``expiry_date`` ...).
``age_over_18`` is no longer part of the PID (rulebook v1.1).

``mandatory`` means: this issuer always includes the claim. It is the rulebook's mandatory set plus
``date_of_expiry``; the rulebook's mandatory ``portrait`` is optional here (the test register has none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from credentials.errors import InvalidClaims
from credentials.sdjwt import ClaimPath

__all__ = ["PID_CLAIMS", "PID_VCT", "ClaimDefinition", "display_metadata", "pid_claims"]

PID_VCT = "urn:eudi:pid:1"


@dataclass(frozen=True)
class ClaimDefinition:
    """One PID claim: where it sits, its label per language (``en`` and ``nl``), whether always issued."""

    path: ClaimPath
    display: Mapping[str, str]
    mandatory: bool = False


def _claim(path: ClaimPath, en: str, nl: str, mandatory: bool = False) -> ClaimDefinition:
    return ClaimDefinition(path, {"en": en, "nl": nl}, mandatory)


PID_CLAIMS: tuple[ClaimDefinition, ...] = (
    _claim(("family_name",), "Family name", "Achternaam", True),
    _claim(("given_name",), "Given names", "Voornamen", True),
    _claim(("birthdate",), "Date of birth", "Geboortedatum", True),
    _claim(("place_of_birth",), "Place of birth", "Geboorteplaats", True),
    _claim(("place_of_birth", "locality"), "Place of birth: locality", "Geboorteplaats: plaats"),
    _claim(("place_of_birth", "region"), "Place of birth: region", "Geboorteplaats: regio"),
    _claim(("place_of_birth", "country"), "Place of birth: country", "Geboorteplaats: land"),
    _claim(("nationalities",), "Nationalities", "Nationaliteiten", True),
    _claim(("address",), "Address", "Adres"),
    _claim(("address", "formatted"), "Full address", "Volledig adres"),
    _claim(("address", "street_address"), "Street", "Straat"),
    _claim(("address", "house_number"), "House number", "Huisnummer"),
    _claim(("address", "postal_code"), "Postal code", "Postcode"),
    _claim(("address", "locality"), "Town or city", "Woonplaats"),
    _claim(("address", "region"), "Region", "Regio"),
    _claim(("address", "country"), "Country of residence", "Land van verblijf"),
    _claim(("sex",), "Sex", "Geslacht"),
    _claim(("personal_administrative_number",), "Personal administrative number", "Persoonsnummer"),
    _claim(("birth_family_name",), "Family name at birth", "Achternaam bij geboorte"),
    _claim(("birth_given_name",), "Given names at birth", "Voornamen bij geboorte"),
    _claim(("email",), "Email address", "E-mailadres"),
    _claim(("phone_number",), "Mobile phone number", "Mobiel telefoonnummer"),
    _claim(("picture",), "Portrait", "Pasfoto"),
    _claim(("date_of_expiry",), "Expiry date", "Vervaldatum", True),
    _claim(("date_of_issuance",), "Issuance date", "Datum van afgifte"),
    _claim(("issuing_authority",), "Issuing authority", "Afgevende instantie", True),
    _claim(("issuing_country",), "Issuing country", "Land van afgifte", True),
    _claim(("document_number",), "Document number", "Documentnummer"),
    _claim(("issuing_jurisdiction",), "Issuing jurisdiction", "Afgevende jurisdictie"),
)

_TOP_LEVEL = tuple(str(d.path[0]) for d in PID_CLAIMS if len(d.path) == 1)
_MANDATORY = tuple(str(d.path[0]) for d in PID_CLAIMS if d.mandatory)
_MEMBERS = {
    name: tuple(d.path[1] for d in PID_CLAIMS if len(d.path) == 2 and d.path[0] == name)
    for name in ("place_of_birth", "address")
}
_DATES = ("birthdate", "date_of_expiry", "date_of_issuance")
_ALPHA2 = re.compile(r"[A-Z]{2}")
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEX = (0, 1, 2, 3, 4, 5, 6, 9)


def pid_claims(record: Mapping[str, Any]) -> dict[str, Any]:
    """The PID claims to issue from a register record keyed by the SD-JWT VC claim names.

    Empty values (None, "", [], {}) are dropped, also inside ``address`` and ``place_of_birth``; what
    is left must contain every mandatory claim and have the rulebook's types: ISO 8601 full-dates,
    ISO 3166-1 alpha-2 country codes (``nationalities``, ``issuing_country``, the ``country``
    members), ``sex`` one of 0-6 or 9, ``picture`` a data URL, text elsewhere. Unknown names are refused.
    """
    unknown = sorted(set(record) - set(_TOP_LEVEL))
    if unknown:
        raise InvalidClaims(f"not PID claims: {unknown}")
    claims: dict[str, Any] = {}
    for name in _TOP_LEVEL:
        value = _non_empty(record.get(name))
        if value is not None:
            claims[name] = _checked(name, value)
    missing = [name for name in _MANDATORY if name not in claims]
    if missing:
        raise InvalidClaims(f"mandatory PID claims missing: {missing}")
    return claims


def _non_empty(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if _non_empty(v) is not None}
    return None if value is None or value in ("", [], {}) else value


def _checked(name: str, value: Any) -> Any:
    if name in _MEMBERS:
        if not isinstance(value, Mapping):
            raise InvalidClaims(f"{name} must be an object")
        extra = sorted(set(value) - set(_MEMBERS[name]))
        if extra:
            raise InvalidClaims(f"{name} has unknown members {extra}")
        for member, text in value.items():
            _text(f"{name}.{member}", text, alpha2=member == "country")
        return dict(value)
    if name == "nationalities":
        if not isinstance(value, list | tuple):
            raise InvalidClaims("nationalities must be an array of country codes")
        for code in value:
            _text(name, code, alpha2=True)
        return list(value)
    if name == "sex":
        if isinstance(value, bool) or value not in _SEX:
            raise InvalidClaims(f"sex must be one of {list(_SEX)}")
        return value
    _text(name, value, alpha2=name == "issuing_country")
    if name in _DATES:
        try:
            if not _FULL_DATE.fullmatch(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError as exc:
            raise InvalidClaims(f"{name} must be an ISO 8601 full-date (YYYY-MM-DD)") from exc
    if name == "picture" and not value.startswith("data:"):
        raise InvalidClaims("picture must be a data URL (RFC 2397)")
    return value


def _text(name: str, value: Any, *, alpha2: bool = False) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidClaims(f"{name} must be a non-empty string")
    if alpha2 and not _ALPHA2.fullmatch(value):
        raise InvalidClaims(f"{name} must be an ISO 3166-1 alpha-2 code, not {value!r}")


def display_metadata() -> list[dict[str, Any]]:
    """``credential_metadata.claims`` of the issuer metadata (OpenID4VCI 1.0 appendix B.2)."""
    return [
        {
            "path": list(definition.path),
            "mandatory": definition.mandatory,
            "display": [{"name": label, "locale": locale} for locale, label in definition.display.items()],
        }
        for definition in PID_CLAIMS
    ]
