"""A small population register of synthetic citizens, the issuer's source of PID attributes.

The register is generated from a seed, so every run of the demo and of the tests sees the same
people; nobody in it exists. Records use the SD-JWT VC claim names of the PID rulebook.
"""

from __future__ import annotations

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
_STREETS = ("Hoofdstraat", "Kerkstraat", "Dorpsstraat", "Schulstraße", "Bahnhofstraße", "Lindenlaan")


@dataclass(frozen=True)
class Citizen:
    citizen_id: str
    attributes: Mapping[str, Any]


class Register:
    """Read-only register: citizen id -> PID attributes."""

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
                    "street_address": street,
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
            citizens[citizen_id] = Citizen(citizen_id, MappingProxyType(attributes))
        return cls(citizens)

    def get(self, citizen_id: str) -> Citizen | None:
        return self._citizens.get(citizen_id)

    def __iter__(self) -> Iterator[Citizen]:
        return iter(self._citizens.values())

    def __len__(self) -> int:
        return len(self._citizens)
