"""A higher-education diploma, in both formats.

No EU rulebook fixes a diploma attestation yet; this project defines the identifiers below and
takes its claims from what a diploma states and what the European Qualifications Framework (EQF)
classifies: holder, qualification title, awarding institution and its country, date awarded, EQF
level (1-8), field of study (ISCED-F 2013 code or name) and grade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials.catalog.attestation import AttestationType, ClaimDefinition, claim
from credentials.errors import InvalidClaims

__all__ = ["DIPLOMA_DOCTYPE", "DIPLOMA_TYPE", "DIPLOMA_VCT", "diploma_claims", "diploma_mdoc_elements"]

DIPLOMA_VCT = "urn:eudi:diploma:1"
DIPLOMA_DOCTYPE = "eu.europa.ec.eudi.diploma.1"

_CLAIMS: tuple[tuple[str, str, str, bool], ...] = (
    ("family_name", "Family name", "Achternaam", True),
    ("given_name", "Given names", "Voornamen", True),
    ("birth_date", "Date of birth", "Geboortedatum", False),
    ("qualification_title", "Qualification", "Kwalificatie", True),
    ("awarding_institution", "Awarding institution", "Uitreikende instelling", True),
    ("awarding_country", "Country of the institution", "Land van de instelling", True),
    ("date_awarded", "Date awarded", "Datum van uitreiking", True),
    ("eqf_level", "EQF level", "EQF-niveau", True),
    ("field_of_study", "Field of study", "Studierichting", False),
    ("grade", "Grade", "Judicium", False),
)


def _definitions(prefix: tuple[str, ...]) -> tuple[ClaimDefinition, ...]:
    return tuple(claim((*prefix, name), en, nl, mandatory) for name, en, nl, mandatory in _CLAIMS)


DIPLOMA_TYPE = AttestationType(
    key="diploma",
    display={"en": "Diploma", "nl": "Diploma"},
    vct=DIPLOMA_VCT,
    sd_jwt_claims=_definitions(()),
    doctype=DIPLOMA_DOCTYPE,
    mdoc_elements=_definitions((DIPLOMA_DOCTYPE,)),
)

_ALPHA2 = re.compile(r"[A-Z]{2}")


def diploma_claims(record: Mapping[str, Any]) -> dict[str, Any]:
    """Checked diploma claims (SD-JWT VC names; the mdoc elements carry the same names)."""
    names = {name for name, *_ in _CLAIMS}
    unknown = sorted(set(record) - names)
    if unknown:
        raise InvalidClaims(f"not diploma claims: {unknown}")
    claims = {k: v for k, v in record.items() if v not in (None, "")}
    missing = [name for name, _, _, mandatory in _CLAIMS if mandatory and name not in claims]
    if missing:
        raise InvalidClaims(f"mandatory diploma claims missing: {missing}")
    level = claims["eqf_level"]
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 8:
        raise InvalidClaims("eqf_level must be an integer from 1 to 8")
    if not isinstance(claims["awarding_country"], str) or not _ALPHA2.fullmatch(claims["awarding_country"]):
        raise InvalidClaims("awarding_country must be an ISO 3166-1 alpha-2 code")
    for name in ("date_awarded", "birth_date"):
        if name in claims:
            try:
                date.fromisoformat(claims[name])
            except (TypeError, ValueError) as exc:
                raise InvalidClaims(f"{name} must be an ISO 8601 full-date") from exc
    for name, value in claims.items():
        if name != "eqf_level" and not isinstance(value, str):
            raise InvalidClaims(f"{name} must be a string")
    return claims


def diploma_mdoc_elements(record: Mapping[str, Any]) -> dict[str, Any]:
    """The mdoc elements (namespace ``eu.europa.ec.eudi.diploma.1``): the checked claims, with
    ``date_awarded`` and ``birth_date`` as ``datetime.date`` (CBOR full-date, tag 1004)."""
    elements: dict[str, Any] = diploma_claims(record)
    for name in ("date_awarded", "birth_date"):
        if name in elements:
            elements[name] = date.fromisoformat(elements[name])
    return elements
