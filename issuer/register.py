"""A small population register of synthetic citizens, the issuer's source of attributes.

The register is generated from a seed, so every run of the demo and of the tests sees the same
people; nobody in it exists. PID records use the SD-JWT VC claim names of the PID rulebook; every
citizen also holds a diploma record (the diploma catalogue's claim names) and a driving licence
(the ISO 18013-5 mDL element names, with a small synthetic portrait).
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

__all__ = ["Citizen", "Register"]

_GIVEN = (
    "Emma",
    "Daan",
    "Sophie",
    "Lucas",
    "Julia",
    "Noah",
    "Anna",
    "Finn",
    "Lena",
    "Jonas",
    "Marie",
    "Luca",
)
_FAMILY = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
)
_PLACES = {
    "NL": (("Utrecht", "Utrecht"), ("Amsterdam", "Noord-Holland"), ("Groningen", "Groningen")),
    "DE": (("Berlin", "Berlin"), ("München", "Bayern"), ("Köln", "Nordrhein-Westfalen")),
}
_QUALIFICATIONS = (
    ("Bachelor of Science in Computer Science", 6, "0613 Software and applications development"),
    ("Master of Arts in History", 7, "0222 History and archaeology"),
    ("Bachelor of Nursing", 6, "0913 Nursing and midwifery"),
    ("Master of Science in Civil Engineering", 7, "0732 Building and civil engineering"),
    ("Doctor of Philosophy in Physics", 8, "0533 Physics"),
)
_INSTITUTIONS = {
    "NL": ("Universiteit Utrecht", "Rijksuniversiteit Groningen", "Universiteit van Amsterdam"),
    "DE": ("Humboldt-Universität zu Berlin", "Universität zu Köln", "Technische Universität München"),
}
_GRADES = ("cum laude", "with distinction", "pass", "7.5", "8.0")
_CATEGORIES = (("B",), ("B", "BE"), ("AM", "B"), ("A", "B", "C1"))
PORTRAIT = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxO"
    "UlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT0//wAARCAAgABgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
    "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
    "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
    "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
    "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
    "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
    "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDr6y5NesUnMWZGAOC6gFfr1zVjVklk0ydIAxcgcL1IyM/pmuLqZSaKhFPc79WVlDKQykZB"
    "ByCKKzPDySppg80MAzlkB/u4H9c0Vad0Q1ZlPX9cutMvUggjhZWjDkuCTnJHY+1YEmsNJOZnsbQuTuPD4J+m7FXPGP8AyFov+uA/"
    "9CasGuiMItaom7Wx1ekeIby+1OG2mjgCPuyVU54Un19qKyPDP/Iftv8AgX/oJorOoknoCP/Z"
)
"""A 24x32 JPEG drawn for this register: the mDL portrait of every synthetic citizen."""
_STREETS = ("Hoofdstraat", "Kerkstraat", "Dorpsstraat", "Schulstraße", "Bahnhofstraße", "Lindenlaan")


@dataclass(frozen=True)
class Citizen:
    citizen_id: str
    attributes: Mapping[str, Any]
    """PID attributes (SD-JWT VC claim names)."""
    diploma: Mapping[str, Any] | None = None
    """A diploma record (``credentials.catalog.diploma`` claim names)."""
    driving_licence: Mapping[str, Any] | None = None
    """An mDL record: document fields and ``driving_privileges`` (ISO 18013-5 names)."""


class Register:
    """Read-only register: citizen id -> PID attributes, diploma and driving licence."""

    def __init__(self, citizens: Mapping[str, Citizen]) -> None:
        self._citizens = MappingProxyType(dict(citizens))

    @classmethod
    def seeded(cls, *, seed: int = 2026, size: int = 12, country: str = "NL", issued: date) -> Register:
        """``size`` synthetic citizens of ``country``, the same for the same seed and date."""
        rng = random.Random(seed)
        places = _PLACES.get(country, _PLACES["NL"])
        citizens = {}
        for number in range(1, size + 1):
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
            birth_locality, birth_region = rng.choice(places)
            locality, region = rng.choice(places)
            birthdate = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
            street, house = rng.choice(_STREETS), str(rng.randrange(1, 200))
            postal = f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}"
            citizen_id = f"{country.lower()}-{number:04d}"
            attributes = {
                "given_name": given,
                "family_name": family,
                "birthdate": birthdate.isoformat(),
                "place_of_birth": {"locality": birth_locality, "region": birth_region, "country": country},
                "nationalities": [country],
                "address": {
                    "formatted": f"{street} {house}, {postal} {locality}",
                    "street_address": f"{street} {house}",  # with its number (PID rulebook 2.3)
                    "house_number": house,
                    "postal_code": postal,
                    "locality": locality,
                    "region": region,
                    "country": country,
                },
                "sex": rng.choice((1, 2)),
                "personal_administrative_number": f"{rng.randrange(10**8, 10**9)}",
                "issuing_authority": f"Demo PID Provider {country}",
                "issuing_country": country,
                "date_of_issuance": issued.isoformat(),
                "date_of_expiry": (issued + timedelta(days=5 * 365)).isoformat(),
            }
            title, level, field = rng.choice(_QUALIFICATIONS)
            awarded = birthdate + timedelta(days=365 * rng.randrange(21, 30) + rng.randrange(0, 365))
            diploma = {
                "family_name": family,
                "given_name": given,
                "birth_date": birthdate.isoformat(),
                "qualification_title": title,
                "awarding_institution": rng.choice(_INSTITUTIONS.get(country, _INSTITUTIONS["NL"])),
                "awarding_country": country,
                "date_awarded": min(awarded, issued).isoformat(),
                "eqf_level": level,
                "field_of_study": field,
                "grade": rng.choice(_GRADES),
            }
            licence_issued = issued - timedelta(days=rng.randrange(0, 3 * 365))
            licence_expiry = licence_issued + timedelta(days=10 * 365)
            driving_licence = {
                "issue_date": licence_issued.isoformat(),
                "expiry_date": licence_expiry.isoformat(),
                "issuing_country": country,
                "issuing_authority": f"Demo Driving Licence Authority {country}",
                "document_number": f"{country}{rng.randrange(10**9, 10**10)}",
                "un_distinguishing_sign": {"NL": "NL", "DE": "D"}.get(country, country),
                "portrait": PORTRAIT,
                "driving_privileges": [
                    {
                        "vehicle_category_code": category,
                        "issue_date": licence_issued.isoformat(),
                        "expiry_date": licence_expiry.isoformat(),
                    }
                    for category in rng.choice(_CATEGORIES)
                ],
            }
            citizens[citizen_id] = Citizen(
                citizen_id,
                MappingProxyType(attributes),
                MappingProxyType(diploma),
                MappingProxyType(driving_licence),
            )
        return cls(citizens)

    def get(self, citizen_id: str) -> Citizen | None:
        return self._citizens.get(citizen_id)

    def __iter__(self) -> Iterator[Citizen]:
        return iter(self._citizens.values())

    def __len__(self) -> int:
        return len(self._citizens)
