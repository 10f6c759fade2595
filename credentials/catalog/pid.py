"""The EUDI Person Identification Data as an SD-JWT VC (PID rulebook v1.7, SD-JWT VC encoding).

Claim names are those of the rulebook's SD-JWT VC encoding (``birthdate``, ``place_of_birth``,
``nationalities``, ``address.*``, ``picture``, ``date_of_expiry`` ...), which differ from the mdoc
names (``birth_date``, ``birth_place``, ``nationality``, ``portrait``, ``expiry_date`` ...).
``age_over_18`` is no longer part of the PID (rulebook v1.1).

``mandatory`` means: this issuer always includes the claim. It is the rulebook's mandatory set plus
``date_of_expiry``; the rulebook's mandatory ``portrait`` is optional here (the test register has none).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials.catalog.attestation import AttestationType, ClaimDefinition, claim, claims_metadata
from credentials.errors import InvalidClaims

__all__ = [
    "PID_CLAIMS",
    "PID_DOCTYPE",
    "PID_MDOC_ELEMENTS",
    "PID_TYPE",
    "PID_VCT",
    "ClaimDefinition",
    "display_metadata",
    "pid_claims",
    "pid_mdoc_elements",
]

PID_VCT = "urn:eudi:pid:1"
PID_DOCTYPE = "eu.europa.ec.eudi.pid.1"
"""Doctype and namespace of the PID in ISO mdoc encoding (rulebook section 4)."""


PID_CLAIMS: tuple[ClaimDefinition, ...] = (
    claim(("family_name",), "Family name", "Achternaam", True),
    claim(("given_name",), "Given names", "Voornamen", True),
    claim(("birthdate",), "Date of birth", "Geboortedatum", True),
    claim(("place_of_birth",), "Place of birth", "Geboorteplaats", True),
    claim(("place_of_birth", "locality"), "Place of birth: locality", "Geboorteplaats: plaats"),
    claim(("place_of_birth", "region"), "Place of birth: region", "Geboorteplaats: regio"),
    claim(("place_of_birth", "country"), "Place of birth: country", "Geboorteplaats: land"),
    claim(("nationalities",), "Nationalities", "Nationaliteiten", True),
    claim(("address",), "Address", "Adres"),
    claim(("address", "formatted"), "Full address", "Volledig adres"),
    claim(("address", "street_address"), "Street", "Straat"),
    claim(("address", "house_number"), "House number", "Huisnummer"),
    claim(("address", "postal_code"), "Postal code", "Postcode"),
    claim(("address", "locality"), "Town or city", "Woonplaats"),
    claim(("address", "region"), "Region", "Regio"),
    claim(("address", "country"), "Country of residence", "Land van verblijf"),
    claim(("sex",), "Sex", "Geslacht"),
    claim(("personal_administrative_number",), "Personal administrative number", "Persoonsnummer"),
    claim(("birth_family_name",), "Family name at birth", "Achternaam bij geboorte"),
    claim(("birth_given_name",), "Given names at birth", "Voornamen bij geboorte"),
    claim(("email",), "Email address", "E-mailadres"),
    claim(("phone_number",), "Mobile phone number", "Mobiel telefoonnummer"),
    claim(("picture",), "Portrait", "Pasfoto"),
    claim(("date_of_expiry",), "Expiry date", "Vervaldatum", True),
    claim(("date_of_issuance",), "Issuance date", "Datum van afgifte"),
    claim(("issuing_authority",), "Issuing authority", "Afgevende instantie", True),
    claim(("issuing_country",), "Issuing country", "Land van afgifte", True),
    claim(("document_number",), "Document number", "Documentnummer"),
    claim(("issuing_jurisdiction",), "Issuing jurisdiction", "Afgevende jurisdictie"),
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
    return claims_metadata(PID_CLAIMS)


def _element(name: str, en: str, nl: str, mandatory: bool = False) -> ClaimDefinition:
    return claim((PID_DOCTYPE, name), en, nl, mandatory)


PID_MDOC_ELEMENTS: tuple[ClaimDefinition, ...] = (
    _element("family_name", "Family name", "Achternaam", True),
    _element("given_name", "Given names", "Voornamen", True),
    _element("birth_date", "Date of birth", "Geboortedatum", True),
    _element("place_of_birth", "Place of birth", "Geboorteplaats", True),
    _element("nationality", "Nationalities", "Nationaliteiten", True),
    _element("resident_address", "Full address", "Volledig adres"),
    _element("resident_street", "Street", "Straat"),
    _element("resident_postal_code", "Postal code", "Postcode"),
    _element("resident_city", "Town or city", "Woonplaats"),
    _element("resident_state", "Region", "Regio"),
    _element("resident_country", "Country of residence", "Land van verblijf"),
    _element("sex", "Sex", "Geslacht"),
    _element("personal_administrative_number", "Personal administrative number", "Persoonsnummer"),
    _element("family_name_birth", "Family name at birth", "Achternaam bij geboorte"),
    _element("given_name_birth", "Given names at birth", "Voornamen bij geboorte"),
    _element("email_address", "Email address", "E-mailadres"),
    _element("mobile_phone_number", "Mobile phone number", "Mobiel telefoonnummer"),
    _element("portrait", "Portrait", "Pasfoto"),
    _element("expiry_date", "Expiry date", "Vervaldatum", True),
    _element("issuance_date", "Issuance date", "Datum van afgifte"),
    _element("issuing_authority", "Issuing authority", "Afgevende instantie", True),
    _element("issuing_country", "Issuing country", "Land van afgifte", True),
    _element("document_number", "Document number", "Documentnummer"),
    _element("issuing_jurisdiction", "Issuing jurisdiction", "Afgevende jurisdictie"),
)

PID_TYPE = AttestationType(
    key="pid",
    display={"en": "Person Identification Data", "nl": "Persoonsidentificatiegegevens"},
    vct=PID_VCT,
    sd_jwt_claims=PID_CLAIMS,
    doctype=PID_DOCTYPE,
    mdoc_elements=PID_MDOC_ELEMENTS,
)

_RENAMED = {
    "birthdate": "birth_date",
    "nationalities": "nationality",
    "birth_family_name": "family_name_birth",
    "birth_given_name": "given_name_birth",
    "email": "email_address",
    "phone_number": "mobile_phone_number",
    "date_of_expiry": "expiry_date",
    "date_of_issuance": "issuance_date",
}
_ADDRESS = {
    "formatted": "resident_address",
    "street_address": "resident_street",
    "postal_code": "resident_postal_code",
    "locality": "resident_city",
    "region": "resident_state",
    "country": "resident_country",
}
_MDOC_DATES = ("birth_date", "expiry_date", "issuance_date")


def pid_mdoc_elements(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The mdoc data elements (namespace ``eu.europa.ec.eudi.pid.1``) for checked SD-JWT VC PID claims.

    Dates become ``datetime.date`` (CBOR full-date, tag 1004); the ``address`` object is spread over
    the ``resident_*`` elements, where ``house_number``, the rulebook's SD-JWT VC extension, has none
    (``resident_street``, like ``street_address``, holds the street with its house number: PID
    rulebook section 2.3); a ``picture`` data URL becomes the ``portrait`` bytes.
    """
    elements: dict[str, Any] = {}
    for name, value in pid_claims(claims).items():
        if name == "address":
            elements.update({_ADDRESS[member]: text for member, text in value.items() if member in _ADDRESS})
        elif name == "picture":
            elements["portrait"] = _data_url_bytes(value)
        else:
            target = _RENAMED.get(name, name)
            elements[target] = date.fromisoformat(value) if target in _MDOC_DATES else value
    return elements


def _data_url_bytes(value: str) -> bytes:
    header, _, data = value.partition(",")
    if not header.endswith(";base64"):
        raise InvalidClaims("picture must be a base64 data URL")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidClaims("picture is not valid base64") from exc
