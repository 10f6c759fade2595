"""The EU age-verification attestation (``eu.europa.ec.av.1``).

A proof of age without identity: ``age_over_18`` (and, where a service needs them, the other
thresholds) in namespace ``eu.europa.ec.av.1``. ``age_over_18`` left the PID in rulebook v1.1; this
attestation (or the mDL) carries it now. The SD-JWT VC form uses the same claim names under the
``vct`` below, which this project defines (no registered ``vct`` exists for it yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials.catalog.attestation import AttestationType, claim
from credentials.errors import InvalidClaims

__all__ = [
    "AV_DOCTYPE",
    "AV_TYPE",
    "AV_VCT",
    "THRESHOLDS",
    "age_claims",
    "age_in_years",
    "birthday",
    "check_age_claims",
    "statements_hold_until",
]

AV_DOCTYPE = "eu.europa.ec.av.1"
AV_VCT = "urn:eudi:av:1"
THRESHOLDS = (12, 14, 16, 18, 21, 25, 65)

AV_TYPE = AttestationType(
    key="av",
    display={"en": "Proof of age", "nl": "Leeftijdsbewijs"},
    vct=AV_VCT,
    sd_jwt_claims=tuple(
        claim((f"age_over_{n}",), f"Aged {n} or over", f"{n} jaar of ouder", n == 18) for n in THRESHOLDS
    ),
    doctype=AV_DOCTYPE,
    mdoc_elements=tuple(
        claim((AV_DOCTYPE, f"age_over_{n}"), f"Aged {n} or over", f"{n} jaar of ouder", n == 18)
        for n in THRESHOLDS
    ),
)


def age_claims(birth_date: date | str, *, on: date) -> dict[str, Any]:
    """``age_over_NN`` for every threshold, as of ``on`` (a birthday on 29 February counts from 1 March)."""
    born = date.fromisoformat(birth_date) if isinstance(birth_date, str) else birth_date
    if born > on:
        raise InvalidClaims("birth date lies in the future")
    years = age_in_years(born, on=on)
    return {f"age_over_{n}": years >= n for n in THRESHOLDS}


def age_in_years(born: date, *, on: date) -> int:
    """Completed years on ``on`` (one born on 29 February completes them on 1 March in other years)."""
    return on.year - born.year - (on < birthday(born, on.year - born.year))


def birthday(born: date, years: int) -> date:
    """The day on which one born on ``born`` completes ``years`` years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        return date(born.year + years, 3, 1)


def statements_hold_until(born: date, *, on: date, every_birthday: bool) -> date | None:
    """The first day on which an age statement made ``on`` stops being true: the next birthday when
    the statements include the age itself (``every_birthday``), else the next birthday that crosses a
    threshold of :data:`THRESHOLDS`; None when none lies ahead. A credential stating ages should not be
    valid beyond it."""
    years = age_in_years(born, on=on)
    ahead = [years + 1] if every_birthday else [n for n in THRESHOLDS if n > years]
    return birthday(born, min(ahead)) if ahead else None


def check_age_claims(claims: Mapping[str, Any]) -> dict[str, bool]:
    known = {f"age_over_{n}" for n in THRESHOLDS}
    unknown = sorted(set(claims) - known)
    if unknown or not all(isinstance(v, bool) for v in claims.values()) or "age_over_18" not in claims:
        raise InvalidClaims(
            f"age claims are booleans age_over_NN with age_over_18 present; unknown: {unknown}"
        )
    return dict(claims)
