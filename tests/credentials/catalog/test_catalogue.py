from __future__ import annotations

from datetime import date

import pytest

from credentials.catalog import CATALOGUE
from credentials.catalog.age import age_claims, check_age_claims
from credentials.catalog.diploma import diploma_claims
from credentials.catalog.mdl import check_driving_privileges
from credentials.catalog.pid import PID_DOCTYPE, pid_mdoc_elements
from credentials.errors import InvalidClaims

PID_RECORD = {
    "given_name": "Emma",
    "family_name": "de Vries",
    "birthdate": "1990-02-28",
    "place_of_birth": {"locality": "Utrecht", "country": "NL"},
    "nationalities": ["NL"],
    "address": {
        "street_address": "Hoofdstraat",
        "house_number": "12",
        "locality": "Utrecht",
        "country": "NL",
    },
    "issuing_authority": "Demo PID Provider NL",
    "issuing_country": "NL",
    "date_of_expiry": "2031-01-01",
    "email": "emma@example.org",
}


def test_every_type_has_labels_in_english_and_dutch() -> None:
    assert set(CATALOGUE) == {"pid", "av", "diploma", "mdl"}
    for attestation in CATALOGUE.values():
        assert set(attestation.display) == {"en", "nl"}
        for definition in attestation.sd_jwt_claims + attestation.mdoc_elements:
            assert set(definition.display) == {"en", "nl"} and all(definition.display.values())
        if attestation.doctype:
            assert all(len(d.path) == 2 for d in attestation.mdoc_elements)


def test_credential_metadata_shape() -> None:
    metadata = CATALOGUE["diploma"].credential_metadata("mso_mdoc")
    assert metadata["display"][0] == {"name": "Diploma", "locale": "en"}
    first = metadata["claims"][0]
    assert first["path"] == ["eu.europa.ec.eudi.diploma.1", "family_name"] and first["mandatory"] is True


def test_pid_mdoc_names_differ_from_sd_jwt_names() -> None:
    elements = pid_mdoc_elements(PID_RECORD)
    assert elements["birth_date"] == date(1990, 2, 28) and elements["expiry_date"] == date(2031, 1, 1)
    assert elements["nationality"] == ["NL"] and elements["email_address"] == "emma@example.org"
    assert elements["resident_street"] == "Hoofdstraat" and elements["resident_city"] == "Utrecht"
    assert "birthdate" not in elements and "address" not in elements
    assert CATALOGUE["pid"].namespaces == (PID_DOCTYPE,)


def test_age_thresholds() -> None:
    claims = age_claims("2008-11-23", on=date(2026, 11, 22))
    assert claims["age_over_16"] is True and claims["age_over_18"] is False
    assert age_claims("2008-11-22", on=date(2026, 11, 22))["age_over_18"] is True
    assert age_claims("2008-02-29", on=date(2026, 2, 28))["age_over_18"] is False
    assert check_age_claims({"age_over_18": True}) == {"age_over_18": True}
    for bad in ({"age_over_17": True}, {"age_over_18": "yes"}, {"age_over_21": True}):
        with pytest.raises(InvalidClaims):
            check_age_claims(bad)
    with pytest.raises(InvalidClaims):
        age_claims("2030-01-01", on=date(2026, 1, 1))


def test_diploma_checks() -> None:
    record = {
        "family_name": "Jansen",
        "given_name": "Daan",
        "qualification_title": "MSc Computer Science",
        "awarding_institution": "Universiteit Utrecht",
        "awarding_country": "NL",
        "date_awarded": "2024-07-01",
        "eqf_level": 7,
        "field_of_study": "0613",
        "grade": "cum laude",
    }
    assert diploma_claims(record) == record
    for change in (
        {"eqf_level": 9},
        {"awarding_country": "Netherlands"},
        {"date_awarded": "1 July"},
        {"x": 1},
    ):
        with pytest.raises(InvalidClaims):
            diploma_claims({**record, **change})
    with pytest.raises(InvalidClaims):
        diploma_claims({k: v for k, v in record.items() if k != "qualification_title"})


def test_driving_privileges() -> None:
    assert check_driving_privileges([{"vehicle_category_code": "B", "issue_date": "2010-01-01"}])
    for bad in ([], [{"vehicle_category_code": "Z"}], [{"vehicle_category_code": "B", "x": 1}], "B"):
        with pytest.raises(InvalidClaims):
            check_driving_privileges(bad)
