"""The PID catalogue: claim definitions, record validation, OpenID4VCI display metadata."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from credentials.catalog.pid import PID_CLAIMS, PID_VCT, display_metadata, pid_claims
from credentials.errors import InvalidClaims
from tests.conftest import VECTORS

RECORD: dict[str, Any] = {
    "given_name": "Daan",
    "family_name": "Jansen",
    "birthdate": "1971-06-30",
    "place_of_birth": {"locality": "Groningen", "region": "Groningen", "country": "NL"},
    "nationalities": ["NL"],
    "address": {
        "formatted": "Hoofdstraat 7, 9712 AB Groningen",
        "street_address": "Hoofdstraat 7",
        "house_number": "7",
        "postal_code": "9712 AB",
        "locality": "Groningen",
        "region": "Groningen",
        "country": "NL",
    },
    "sex": 1,
    "personal_administrative_number": "123456782",
    "issuing_authority": "Demo PID Provider NL",
    "issuing_country": "NL",
    "date_of_issuance": "2026-09-21",
    "date_of_expiry": "2031-09-20",
}
MANDATORY = {
    "family_name",
    "given_name",
    "birthdate",
    "place_of_birth",
    "nationalities",
    "issuing_authority",
    "issuing_country",
    "date_of_expiry",
}


def test_vct() -> None:
    assert PID_VCT == "urn:eudi:pid:1"


def test_a_complete_record_is_issued_as_is() -> None:
    assert pid_claims(RECORD) == RECORD


def test_empty_values_are_dropped() -> None:
    record = {
        **RECORD,
        "email": None,
        "birth_family_name": "",
        "address": {**RECORD["address"], "region": None},
    }
    claims = pid_claims(record)
    assert "email" not in claims and "birth_family_name" not in claims
    assert "region" not in claims["address"]
    assert pid_claims({**RECORD, "address": {"formatted": None}}).keys() == RECORD.keys() - {"address"}


@pytest.mark.parametrize("name", sorted(MANDATORY))
def test_mandatory_claims_must_be_there(name: str) -> None:
    with pytest.raises(InvalidClaims, match=name):
        pid_claims({key: value for key, value in RECORD.items() if key != name})
    with pytest.raises(InvalidClaims):
        pid_claims({**RECORD, name: ""})


@pytest.mark.parametrize(
    "change",
    [
        {"age_over_18": True},
        {"birth_date": "1971-06-30"},
        {"birthdate": "30-06-1971"},
        {"birthdate": "19710630"},
        {"date_of_expiry": "2031-02-30"},
        {"nationalities": "NL"},
        {"nationalities": ["nl"]},
        {"nationalities": ["NLD"]},
        {"issuing_country": "Netherlands"},
        {"place_of_birth": "Groningen"},
        {"place_of_birth": {"city": "Groningen"}},
        {"place_of_birth": {"country": "Nederland"}},
        {"address": {"street": "Hoofdstraat"}},
        {"sex": 7},
        {"sex": "M"},
        {"sex": True},
        {"given_name": 42},
        {"picture": "https://example.com/me.png"},
    ],
)
def test_records_the_rulebook_does_not_allow(change: dict[str, Any]) -> None:
    with pytest.raises(InvalidClaims):
        pid_claims({**RECORD, **change})


def test_optional_claims_of_the_rulebook() -> None:
    extra = {
        "birth_family_name": "Bakker",
        "birth_given_name": "Daniël",
        "email": "daan@example.nl",
        "phone_number": "+31612345678",
        "picture": "data:image/jpeg;base64,/9j/4AAQ",
        "document_number": "NX1234567",
        "issuing_jurisdiction": "NL-GR",
        "sex": 9,
    }
    assert pid_claims({**RECORD, **extra}) == {**RECORD, **extra}


def test_definitions_use_the_sd_jwt_vc_names() -> None:
    top = {d.path[0] for d in PID_CLAIMS if len(d.path) == 1}
    assert {d.path[0] for d in PID_CLAIMS if d.mandatory} == MANDATORY
    assert {"birth_date", "nationality", "portrait", "expiry_date", "age_over_18"}.isdisjoint(top)
    assert {"address", "place_of_birth"} == {d.path[0] for d in PID_CLAIMS if len(d.path) == 2}
    assert all(set(d.display) == {"en", "nl"} and all(d.display.values()) for d in PID_CLAIMS)
    assert len({d.path for d in PID_CLAIMS}) == len(PID_CLAIMS)
    assert top >= set(RECORD)


def test_display_metadata_has_the_openid4vci_shape() -> None:
    metadata = display_metadata()
    assert len(metadata) == len(PID_CLAIMS)
    assert metadata[0] == {
        "path": ["family_name"],
        "mandatory": True,
        "display": [{"name": "Family name", "locale": "en"}, {"name": "Achternaam", "locale": "nl"}],
    }
    example = json.loads(
        Path(VECTORS / "openid4vci-1.0/examples/credential_metadata_sd_jwt_vc.json").read_text()
    )
    [configuration] = example["credential_configurations_supported"].values()
    allowed = {key for claim in configuration["credential_metadata"]["claims"] for key in claim} | {
        "mandatory"
    }
    for entry in metadata:
        assert set(entry) <= allowed
        assert all(isinstance(step, str) for step in entry["path"])
        assert {item["locale"] for item in entry["display"]} == {"en", "nl"}
        assert set(entry["display"][0]) == {"name", "locale"}
    json.dumps(metadata)


def test_dates_in_records_are_full_dates() -> None:
    claims = pid_claims(RECORD)
    for name in ("birthdate", "date_of_expiry", "date_of_issuance"):
        assert date.fromisoformat(claims[name]).isoformat() == claims[name]
