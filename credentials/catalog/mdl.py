"""The mobile driving licence of ISO/IEC 18013-5 (doctype ``org.iso.18013.5.1.mDL``).

Data elements of namespace ``org.iso.18013.5.1`` (clause 7.2.1), including ``driving_privileges``
(a list of ``{vehicle_category_code, issue_date?, expiry_date?, codes?}``) and the ``age_over_NN``
statements (clause 7.2.5). The mDL is an mdoc-only type here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials.catalog.attestation import AttestationType, claim
from credentials.errors import InvalidClaims

__all__ = [
    "MDL_DOCTYPE",
    "MDL_NAMESPACE",
    "MDL_TYPE",
    "VEHICLE_CATEGORIES",
    "check_driving_privileges",
    "mdl_elements",
]

MDL_DOCTYPE = "org.iso.18013.5.1.mDL"
MDL_NAMESPACE = "org.iso.18013.5.1"
VEHICLE_CATEGORIES = (
    "AM",
    "A1",
    "A2",
    "A",
    "B1",
    "B",
    "BE",
    "C1",
    "C1E",
    "C",
    "CE",
    "D1",
    "D1E",
    "D",
    "DE",
    "T",
)

_ELEMENTS: tuple[tuple[str, str, str, bool], ...] = (
    ("family_name", "Family name", "Achternaam", True),
    ("given_name", "Given names", "Voornamen", True),
    ("birth_date", "Date of birth", "Geboortedatum", True),
    ("issue_date", "Date of issue", "Datum van afgifte", True),
    ("expiry_date", "Date of expiry", "Vervaldatum", True),
    ("issuing_country", "Issuing country", "Land van afgifte", True),
    ("issuing_authority", "Issuing authority", "Afgevende instantie", True),
    ("document_number", "Licence number", "Rijbewijsnummer", True),
    ("portrait", "Portrait", "Pasfoto", True),
    ("driving_privileges", "Driving privileges", "Rijbevoegdheden", True),
    ("un_distinguishing_sign", "UN distinguishing sign", "Landcode (VN)", True),
    ("age_over_18", "Aged 18 or over", "18 jaar of ouder", False),
    ("age_over_21", "Aged 21 or over", "21 jaar of ouder", False),
    ("resident_city", "Town or city", "Woonplaats", False),
    ("resident_country", "Country of residence", "Land van verblijf", False),
)

MDL_TYPE = AttestationType(
    key="mdl",
    display={"en": "Driving licence", "nl": "Rijbewijs"},
    vct=None,
    sd_jwt_claims=(),
    doctype=MDL_DOCTYPE,
    mdoc_elements=tuple(claim((MDL_NAMESPACE, name), en, nl, m) for name, en, nl, m in _ELEMENTS),
)


def check_driving_privileges(value: Any) -> list[dict[str, Any]]:
    """The ``driving_privileges`` element: a non-empty list of known vehicle categories."""
    if not isinstance(value, list) or not value:
        raise InvalidClaims("driving_privileges must be a non-empty array")
    for privilege in value:
        if (
            not isinstance(privilege, Mapping)
            or privilege.get("vehicle_category_code") not in VEHICLE_CATEGORIES
        ):
            raise InvalidClaims("each driving privilege needs a known vehicle_category_code")
        extra = set(privilege) - {"vehicle_category_code", "issue_date", "expiry_date", "codes"}
        if extra:
            raise InvalidClaims(f"unknown driving privilege members {sorted(extra)}")
    return [dict(p) for p in value]


_DATES = ("birth_date", "issue_date", "expiry_date")


def _full_date(name: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InvalidClaims(f"{name} must be an ISO 8601 full-date") from exc


def _portrait(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    text = value.partition(",")[2] if isinstance(value, str) and value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise InvalidClaims("portrait must be bytes, base64 or a base64 data URL") from exc


def mdl_elements(record: Mapping[str, Any]) -> dict[str, Any]:
    """The mDL data elements (clause 7.2.1) from a record keyed by element identifier: known names
    only, the mandatory ones present, dates (also in ``driving_privileges``) as ``datetime.date``
    (CBOR full-date), ``portrait`` as bytes (given as bytes, base64 or a data URL)."""
    definitions = {str(d.path[1]): d for d in MDL_TYPE.mdoc_elements}
    unknown = sorted(set(record) - set(definitions))
    if unknown:
        raise InvalidClaims(f"not mDL elements: {unknown}")
    missing = [name for name, d in definitions.items() if d.mandatory and name not in record]
    if missing:
        raise InvalidClaims(f"mandatory mDL elements missing: {missing}")
    elements = dict(record)
    for name in _DATES:
        elements[name] = _full_date(name, elements[name])
    elements["portrait"] = _portrait(elements["portrait"])
    elements["driving_privileges"] = [
        {key: _full_date(key, value) if key.endswith("_date") else value for key, value in privilege.items()}
        for privilege in check_driving_privileges(elements["driving_privileges"])
    ]
    return elements
