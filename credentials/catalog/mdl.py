"""The mobile driving licence of ISO/IEC 18013-5 (doctype ``org.iso.18013.5.1.mDL``).

The data elements of namespace ``org.iso.18013.5.1`` (clause 7.2.1, table 5), each with the type the
standard gives it: ``driving_privileges`` (a list of ``{vehicle_category_code, issue_date?,
expiry_date?, codes?}``, each code ``{code, sign?, value?}``, clause 7.2.4), the ``age_over_NN``
statements for any two-digit NN (clause 7.2.5; the catalogue labels the thresholds of the proof of
age), Latin-1 text where the standard asks for it, with ``*_national_character`` for names in other
scripts. The biometric templates are not catalogued. The mDL is an mdoc-only type here.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from credentials.catalog.age import THRESHOLDS
from credentials.catalog.attestation import AttestationType, claim
from credentials.errors import InvalidClaims

__all__ = [
    "EYE_COLOURS",
    "HAIR_COLOURS",
    "MDL_DOCTYPE",
    "MDL_NAMESPACE",
    "MDL_TYPE",
    "SEX_CODES",
    "VEHICLE_CATEGORIES",
    "check_driving_privileges",
    "is_latin1",
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
SEX_CODES = (0, 1, 2, 9)
"""ISO/IEC 5218: not known, male, female, not applicable (the PID's extra codes are not among them)."""
EYE_COLOURS = ("black", "blue", "brown", "dichromatic", "grey", "green", "hazel", "maroon", "pink", "unknown")
HAIR_COLOURS = ("bald", "black", "blond", "brown", "grey", "red", "auburn", "sandy", "white", "unknown")

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
    ("administrative_number", "Administrative number", "Administratienummer", False),
    ("sex", "Sex", "Geslacht", False),
    ("height", "Height (cm)", "Lengte (cm)", False),
    ("weight", "Weight (kg)", "Gewicht (kg)", False),
    ("eye_colour", "Eye colour", "Kleur ogen", False),
    ("hair_colour", "Hair colour", "Haarkleur", False),
    ("birth_place", "Place of birth", "Geboorteplaats", False),
    ("resident_address", "Address", "Adres", False),
    ("portrait_capture_date", "Portrait taken on", "Pasfoto genomen op", False),
    ("age_in_years", "Age in years", "Leeftijd in jaren", False),
    ("age_birth_year", "Year of birth", "Geboortejaar", False),
    *((f"age_over_{n}", f"Aged {n} or over", f"{n} jaar of ouder", False) for n in THRESHOLDS),
    ("issuing_jurisdiction", "Issuing jurisdiction", "Afgevende jurisdictie", False),
    ("nationality", "Nationality", "Nationaliteit", False),
    ("resident_city", "Town or city", "Woonplaats", False),
    ("resident_state", "State or province", "Provincie", False),
    ("resident_postal_code", "Postal code", "Postcode", False),
    ("resident_country", "Country of residence", "Land van verblijf", False),
    ("family_name_national_character", "Family name (own script)", "Achternaam (eigen schrift)", False),
    ("given_name_national_character", "Given names (own script)", "Voornamen (eigen schrift)", False),
    ("signature_usual_mark", "Signature or usual mark", "Handtekening", False),
)

MDL_TYPE = AttestationType(
    key="mdl",
    display={"en": "Driving licence", "nl": "Rijbewijs"},
    vct=None,
    sd_jwt_claims=(),
    doctype=MDL_DOCTYPE,
    mdoc_elements=tuple(claim((MDL_NAMESPACE, name), en, nl, m) for name, en, nl, m in _ELEMENTS),
)

_AGE_OVER = re.compile(r"age_over_[0-9]{2}")
_LATIN1 = re.compile(r"[\x20-\x7e\xa0-\xff]+")
"""The graphic characters of ISO/IEC 8859-1 and the space: no C0 or C1 control characters."""
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
"""An RFC 3339 date-time, as a tdate holds (RFC 8949 tag 0)."""
_ALPHA2 = re.compile(r"[A-Z]{2}")
_UN_SIGN = re.compile(r"[A-Z]{1,3}")
_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")
_PRIVILEGE_MEMBERS = frozenset({"vehicle_category_code", "issue_date", "expiry_date", "codes"})
_CODE_MEMBERS = frozenset({"code", "sign", "value"})


def check_driving_privileges(value: Any) -> list[dict[str, Any]]:
    """The ``driving_privileges`` element (clause 7.2.4): a non-empty list of privileges, each of a known
    vehicle category, with optional full-dates and a non-empty list of ``{code, sign?, value?}`` texts.
    Dates may be ``datetime.date`` or ISO 8601 text; they are returned as given."""
    if not isinstance(value, list) or not value:
        raise InvalidClaims("driving_privileges must be a non-empty array")
    for privilege in value:
        if (
            not isinstance(privilege, Mapping)
            or privilege.get("vehicle_category_code") not in VEHICLE_CATEGORIES
        ):
            raise InvalidClaims("each driving privilege needs a known vehicle_category_code")
        extra = set(privilege) - _PRIVILEGE_MEMBERS
        if extra:
            raise InvalidClaims(f"unknown driving privilege members {sorted(extra)}")
        for name in ("issue_date", "expiry_date"):
            if name in privilege:
                _full_date(f"driving privilege {name}", privilege[name])
        if "codes" in privilege:
            _check_codes(privilege["codes"])
    return [dict(p) for p in value]


def _check_codes(codes: Any) -> None:
    if not isinstance(codes, list) or not codes:
        raise InvalidClaims("driving privilege codes must be a non-empty array")
    for code in codes:
        if not isinstance(code, Mapping) or "code" not in code or set(code) - _CODE_MEMBERS:
            raise InvalidClaims("each driving privilege code is {code, sign?, value?}")
        for member, text in code.items():
            _text(f"driving privilege code {member}", text)


def mdl_elements(record: Mapping[str, Any]) -> dict[str, Any]:
    """The mDL data elements (clause 7.2.1) from a record keyed by element identifier: known names and
    ``age_over_NN`` only, the mandatory ones present, each of its type. Dates (also in
    ``driving_privileges``) become ``datetime.date`` (CBOR full-date); ``portrait_capture_date``, and
    ``issue_date`` and ``expiry_date`` when given with a time, a UTC ``datetime`` without fractions
    (tdate); ``portrait`` and ``signature_usual_mark`` bytes (given as bytes, base64 or a data URL)."""
    unknown = sorted(name for name in record if name not in _CHECKS and not _AGE_OVER.fullmatch(name))
    if unknown:
        raise InvalidClaims(f"not mDL elements: {unknown}")
    missing = [name for name, _, _, mandatory in _ELEMENTS if mandatory and name not in record]
    if missing:
        raise InvalidClaims(f"mandatory mDL elements missing: {missing}")
    elements = {name: _check(name)(name, value) for name, value in record.items()}
    if "issuing_jurisdiction" in elements:
        # ISO 3166-2: the issuing country's code, a hyphen, and one to three letters or digits
        country, _, subdivision = elements["issuing_jurisdiction"].partition("-")
        if country != elements["issuing_country"] or not _SUBDIVISION.fullmatch(subdivision):
            raise InvalidClaims("issuing_jurisdiction must be an ISO 3166-2 code of the issuing_country")
    return elements


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidClaims(f"{name} must be a non-empty string")
    return value


def is_latin1(value: Any) -> bool:
    """Whether ``value`` is text of ISO/IEC 8859-1 graphic characters (and spaces)."""
    return isinstance(value, str) and _LATIN1.fullmatch(value) is not None


def _latin1(name: str, value: Any) -> str:
    """Text the standard limits to ISO/IEC 8859-1; other scripts go in the ``*_national_character``
    elements."""
    if not is_latin1(_text(name, value)):
        raise InvalidClaims(f"{name} must be Latin-1 text (ISO/IEC 8859-1, no control characters)")
    return str(value)


def _alpha2(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ALPHA2.fullmatch(value):
        raise InvalidClaims(f"{name} must be an ISO 3166-1 alpha-2 code")
    return value


def _un_sign(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _UN_SIGN.fullmatch(value):
        raise InvalidClaims(f"{name} must be a distinguishing sign of one to three capital letters")
    return value


def _full_date(name: str, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidClaims(f"{name} must be a full-date (YYYY-MM-DD)") from exc


def _date_or_tdate(name: str, value: Any) -> date:
    """``issue_date`` and ``expiry_date``: a full-date, or a tdate when given with a time."""
    if isinstance(value, datetime) or (isinstance(value, str) and len(value) > 10):
        return _tdate(name, value)
    return _full_date(name, value)


def _tdate(name: str, value: Any) -> datetime:
    """A date-time with its offset, held in UTC without fractions (clause 9.1.2.4 for tdate)."""
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, str) and _DATE_TIME.fullmatch(value):
            moment = datetime.fromisoformat(value)
        elif isinstance(value, str) and _DATE_TIME.fullmatch(value + "Z"):
            raise InvalidClaims(f"{name} must carry its offset from UTC")
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise InvalidClaims(f"{name} must be an RFC 3339 date-time") from exc
    if moment.tzinfo is None:
        raise InvalidClaims(f"{name} must carry its offset from UTC")
    return moment.astimezone(UTC).replace(microsecond=0)


def _uint(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidClaims(f"{name} must be a non-negative integer")
    return value


def _sex(name: str, value: Any) -> int:
    if isinstance(value, bool) or value not in SEX_CODES:
        raise InvalidClaims(f"{name} must be one of {list(SEX_CODES)} (ISO/IEC 5218)")
    return int(value)


def _one_of(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        if value not in choices:
            raise InvalidClaims(f"{name} must be one of {list(choices)}")
        return str(value)

    return check


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidClaims(f"{name} must be true or false")
    return value


def _image(name: str, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    text = value.partition(",")[2] if isinstance(value, str) and value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise InvalidClaims(f"{name} must be bytes, base64 or a base64 data URL") from exc


def _privileges(name: str, value: Any) -> list[dict[str, Any]]:
    return [
        {key: _full_date(key, item) if key.endswith("_date") else item for key, item in privilege.items()}
        for privilege in check_driving_privileges(value)
    ]


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "family_name": _latin1,
    "given_name": _latin1,
    "birth_date": _full_date,
    "issue_date": _date_or_tdate,
    "expiry_date": _date_or_tdate,
    "issuing_country": _alpha2,
    "issuing_authority": _latin1,
    "document_number": _latin1,
    "portrait": _image,
    "driving_privileges": _privileges,
    "un_distinguishing_sign": _un_sign,
    "administrative_number": _latin1,
    "sex": _sex,
    "height": _uint,
    "weight": _uint,
    "eye_colour": _one_of(EYE_COLOURS),
    "hair_colour": _one_of(HAIR_COLOURS),
    "birth_place": _latin1,
    "resident_address": _latin1,
    "portrait_capture_date": _tdate,
    "age_in_years": _uint,
    "age_birth_year": _uint,
    "issuing_jurisdiction": _text,
    "nationality": _alpha2,
    "resident_city": _latin1,
    "resident_state": _latin1,
    "resident_postal_code": _latin1,
    "resident_country": _alpha2,
    "family_name_national_character": _text,
    "given_name_national_character": _text,
    "signature_usual_mark": _image,
}
"""The check of each catalogued element but ``age_over_NN`` (a boolean, whatever its NN)."""


def _check(name: str) -> Callable[[str, Any], Any]:
    return _CHECKS.get(name, _boolean)
