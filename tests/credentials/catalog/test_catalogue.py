from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from credentials.catalog import CATALOGUE
from credentials.catalog.age import age_claims, check_age_claims
from credentials.catalog.diploma import diploma_claims
from credentials.catalog.mdl import MDL_TYPE, check_driving_privileges, mdl_elements
from credentials.catalog.pid import PID_DOCTYPE, pid_mdoc_elements
from credentials.errors import InvalidClaims

PID_RECORD = {
    "given_name": "Emma",
    "family_name": "de Vries",
    "birthdate": "1990-02-28",
    "place_of_birth": {"locality": "Utrecht", "country": "NL"},
    "nationalities": ["NL"],
    "address": {
        "street_address": "Hoofdstraat 12",
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
    assert elements["resident_street"] == "Hoofdstraat 12" and elements["resident_city"] == "Utrecht"
    # the attribute identifiers of the PID rulebook v1.7 section 3.1.2, and no other (helper 40: the
    # house number had its own element, which rulebook v1.6 removed)
    rulebook = {
        *("family_name", "given_name", "birth_date", "place_of_birth", "nationality", "resident_address"),
        *("resident_country", "resident_state", "resident_city", "resident_postal_code", "resident_street"),
        *("personal_administrative_number", "portrait", "family_name_birth", "given_name_birth", "sex"),
        *("email_address", "mobile_phone_number", "expiry_date", "issuing_authority", "issuing_country"),
        *("document_number", "issuing_jurisdiction", "issuance_date", "trust_anchor"),
        "attestation_legal_category",
    }
    assert {element.path[1] for element in CATALOGUE["pid"].mdoc_elements} <= rulebook
    assert set(elements) <= rulebook
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
    coded = {
        "vehicle_category_code": "C",
        "codes": [{"code": "78"}, {"code": "01", "sign": "=", "value": "02"}],
    }
    assert check_driving_privileges([coded]) == [coded]
    for bad in (
        [],
        [{"vehicle_category_code": "Z"}],
        [{"vehicle_category_code": "B", "x": 1}],
        "B",
        [{"vehicle_category_code": "B", "issue_date": "1st May"}],
        [{"vehicle_category_code": "B", "codes": []}],
        [{"vehicle_category_code": "B", "codes": ["78"]}],
        [{"vehicle_category_code": "B", "codes": [{"sign": "="}]}],
        [{"vehicle_category_code": "B", "codes": [{"code": 78}]}],
        [{"vehicle_category_code": "B", "codes": [{"code": "78", "note": "x"}]}],
    ):
        with pytest.raises(InvalidClaims):
            check_driving_privileges(bad)


MDL_RECORD = {
    "family_name": "Müller",
    "given_name": "Jörg",
    "birth_date": "1980-04-02",
    "issue_date": "2020-05-01",
    "expiry_date": "2030-04-30",
    "issuing_country": "DE",
    "issuing_authority": "Kraftfahrt-Bundesamt",
    "document_number": "B072RRE2I55",
    "portrait": "data:image/jpeg;base64,/9j/4AAQ",
    "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2020-05-01"}],
    "un_distinguishing_sign": "D",
}


def test_mdl_elements_of_table_5() -> None:
    full = {
        **MDL_RECORD,
        "administrative_number": "ABC123",
        "sex": 1,
        "height": 181,
        "weight": 80,
        "eye_colour": "hazel",
        "hair_colour": "blond",
        "birth_place": "Köln",
        "resident_address": "Hauptstraße 1, 50667 Köln",
        "portrait_capture_date": "2020-04-20T10:11:12.5+02:00",
        "age_in_years": 46,
        "age_birth_year": 1980,
        "age_over_18": True,
        "age_over_68": False,  # any two-digit NN (clause 7.2.5), catalogued or not
        "issuing_jurisdiction": "DE-NW",
        "nationality": "DE",
        "resident_city": "Köln",
        "resident_state": "Nordrhein-Westfalen",
        "resident_postal_code": "50667",
        "resident_country": "DE",
        "family_name_national_character": "Мюллер",
        "given_name_national_character": "Йорг",
        "signature_usual_mark": b"\x89PNG",
    }
    elements = mdl_elements(full)
    assert elements["birth_date"] == date(1980, 4, 2) and elements["portrait"] == b"\xff\xd8\xff\xe0\x00\x10"
    assert elements["portrait_capture_date"] == datetime(
        2020, 4, 20, 8, 11, 12, tzinfo=UTC
    )  # tdate: UTC, whole s
    assert elements["driving_privileges"][0]["issue_date"] == date(2020, 5, 1)
    assert elements["age_over_68"] is False and elements["sex"] == 1
    with_time = mdl_elements({**MDL_RECORD, "expiry_date": "2030-04-30T23:59:59Z"})
    assert with_time["expiry_date"] == datetime(2030, 4, 30, 23, 59, 59, tzinfo=UTC)  # tdate or full-date
    catalogued = {str(d.path[1]) for d in MDL_TYPE.mdoc_elements}
    assert set(full) - catalogued == {"age_over_68"} and "biometric_template_face" not in catalogued
    assert {d.path[1] for d in MDL_TYPE.mdoc_elements if d.mandatory} == set(MDL_RECORD)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"family_name": "Łukasiewicz"}, "Latin-1"),
        ({"resident_city": "Kraków", "given_name": "Jan"}, None),  # ó is Latin-1
        ({"sex": 3}, "ISO/IEC 5218"),
        ({"sex": True}, "ISO/IEC 5218"),
        ({"height": -1}, "non-negative"),
        ({"age_in_years": 46.0}, "non-negative"),
        ({"eye_colour": "Hazel"}, "eye_colour"),
        ({"hair_colour": "purple"}, "hair_colour"),
        ({"age_over_18": "yes"}, "true or false"),
        ({"age_over_180": True}, "not mDL elements"),
        ({"age_over_5": True}, "not mDL elements"),
        ({"biometric_template_face": b"x"}, "not mDL elements"),
        ({"nationality": "DEU"}, "alpha-2"),
        ({"un_distinguishing_sign": "de"}, "distinguishing sign"),
        ({"issuing_jurisdiction": "NL-NH"}, "ISO 3166-2"),
        ({"issuing_jurisdiction": "DE-NRW1"}, "ISO 3166-2"),
        ({"issuing_jurisdiction": "DE"}, "ISO 3166-2"),
        ({"portrait_capture_date": "2020-04-20T10:11:12"}, "offset"),
        ({"portrait_capture_date": "2020-04-20"}, "date-time"),
        ({"portrait_capture_date": "2020-04-20 10:11:12Z"}, "date-time"),
        ({"birth_date": "19800402"}, "full-date"),
        ({"birth_date": "1980-W14-3"}, "full-date"),
        ({"issuing_authority": "KBA\x85"}, "Latin-1"),
        ({"issuing_authority": "KBA\x00"}, "Latin-1"),
        ({"portrait_capture_date": "yesterday"}, "date-time"),
        ({"expiry_date": "30-04-2030"}, "full-date"),
        ({"expiry_date": "30 April 2030 noon"}, "date-time"),
        ({"signature_usual_mark": "not base64!"}, "base64"),
        ({"family_name_national_character": ""}, "non-empty"),
    ],
)
def test_mdl_elements_refuse_wrong_types(change: dict[str, object], message: str | None) -> None:
    if message is None:
        assert mdl_elements({**MDL_RECORD, **change})["resident_city"] == "Kraków"
        return
    with pytest.raises(InvalidClaims, match=message):
        mdl_elements({**MDL_RECORD, **change})
    with pytest.raises(InvalidClaims, match="mandatory mDL elements missing: \\['portrait'\\]"):
        mdl_elements({k: v for k, v in MDL_RECORD.items() if k != "portrait"})
