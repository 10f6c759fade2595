"""What an issuer offers per catalogue type and format, and the claims it draws from the register."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pytest

from credentials.catalog.age import AV_DOCTYPE, age_claims, age_in_years, birthday, check_age_claims
from credentials.catalog.diploma import DIPLOMA_DOCTYPE, diploma_claims
from credentials.catalog.mdl import MDL_NAMESPACE, check_driving_privileges
from credentials.catalog.pid import PID_DOCTYPE, pid_claims
from credentials.mdoc_json import namespaces_json
from issuer.attestations import MSO_MDOC, SD_JWT, offerings
from issuer.register import PORTRAIT, Citizen, Register
from openid4vc.errors import CredentialRequestDenied

TODAY = date(2026, 9, 21)
REGISTER = Register.seeded(issued=TODAY)
CITIZEN = REGISTER.get("nl-0001")


def test_configuration_ids_per_type_and_format() -> None:
    assert sorted(offerings(("pid", "av", "diploma", "mdl"))) == [
        "eu.europa.ec.av_dc_sd_jwt",
        "eu.europa.ec.av_mso_mdoc",
        "eu.europa.ec.eudi.diploma_dc_sd_jwt",
        "eu.europa.ec.eudi.diploma_mso_mdoc",
        "eu.europa.ec.eudi.pid_dc_sd_jwt",
        "eu.europa.ec.eudi.pid_mso_mdoc",
        "org.iso.18013.5.1.mDL_mso_mdoc",  # the mDL is mdoc-only
    ]
    with pytest.raises(ValueError, match="unknown attestation type"):
        offerings(("passport",))


def test_metadata_of_each_format() -> None:
    offered = offerings(("pid",))
    sd_jwt = offered["eu.europa.ec.eudi.pid_dc_sd_jwt"].metadata()
    mdoc = offered["eu.europa.ec.eudi.pid_mso_mdoc"].metadata()
    assert sd_jwt["format"] == SD_JWT and sd_jwt["vct"] == "urn:eudi:pid:1" and "doctype" not in sd_jwt
    assert sd_jwt["cryptographic_binding_methods_supported"] == ["jwk"]
    assert mdoc["format"] == MSO_MDOC and mdoc["doctype"] == PID_DOCTYPE and "vct" not in mdoc
    assert mdoc["credential_signing_alg_values_supported"] == [-7]
    paths = [claim["path"] for claim in mdoc["credential_metadata"]["claims"]]
    assert [PID_DOCTYPE, "birth_date"] in paths and [PID_DOCTYPE, "resident_city"] in paths
    for entry in (sd_jwt, mdoc):
        assert entry["proof_types_supported"] == {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}}
        assert {d["locale"] for d in entry["credential_metadata"]["display"]} == {"en", "nl"}


def test_claims_of_every_type_pass_the_catalogue_checks() -> None:
    assert CITIZEN is not None
    offered = offerings(("pid", "av", "diploma", "mdl"))
    pid = offered["eu.europa.ec.eudi.pid_dc_sd_jwt"].sd_jwt_claims(CITIZEN, today=TODAY)
    assert pid == pid_claims(CITIZEN.attributes)
    age = offered["eu.europa.ec.av_dc_sd_jwt"].sd_jwt_claims(CITIZEN, today=TODAY)
    assert check_age_claims(age) == age
    diploma = offered["eu.europa.ec.eudi.diploma_dc_sd_jwt"].sd_jwt_claims(CITIZEN, today=TODAY)
    assert diploma_claims(diploma) == diploma and 1 <= diploma["eqf_level"] <= 8


def test_mdoc_elements_use_cbor_dates_and_their_namespace() -> None:
    assert CITIZEN is not None
    offered = offerings(("pid", "av", "diploma", "mdl"))
    pid = offered["eu.europa.ec.eudi.pid_mso_mdoc"].mdoc_namespaces(CITIZEN, today=TODAY)
    assert isinstance(pid[PID_DOCTYPE]["birth_date"], date) and "birthdate" not in pid[PID_DOCTYPE]
    age = offered["eu.europa.ec.av_mso_mdoc"].mdoc_namespaces(CITIZEN, today=TODAY)
    assert set(age) == {AV_DOCTYPE} and "age_over_18" in age[AV_DOCTYPE]
    diploma = offered["eu.europa.ec.eudi.diploma_mso_mdoc"].mdoc_namespaces(CITIZEN, today=TODAY)
    assert isinstance(diploma[DIPLOMA_DOCTYPE]["date_awarded"], date)
    mdl = offered["org.iso.18013.5.1.mDL_mso_mdoc"].mdoc_namespaces(CITIZEN, today=TODAY)[MDL_NAMESPACE]
    assert mdl["portrait"] == PORTRAIT and PORTRAIT.startswith(b"\xff\xd8\xff")  # a JPEG
    assert isinstance(mdl["expiry_date"], date) and mdl["un_distinguishing_sign"] == "NL"
    check_driving_privileges(namespaces_json({"ns": {"p": mdl["driving_privileges"]}})["ns"]["p"])
    assert all(isinstance(p["issue_date"], date) for p in mdl["driving_privileges"])


def test_mdl_draws_on_the_pid_register() -> None:
    assert CITIZEN is not None
    offering = offerings(("mdl",))["org.iso.18013.5.1.mDL_mso_mdoc"]
    mdl = offering.mdoc_namespaces(CITIZEN, today=TODAY)[MDL_NAMESPACE]
    pid = CITIZEN.attributes
    born = date.fromisoformat(pid["birthdate"])
    assert mdl["birth_date"] == born and mdl["age_birth_year"] == born.year
    years = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    assert mdl["age_in_years"] == years
    assert {name: mdl[name] for name in age_claims(born, on=TODAY)} == age_claims(born, on=TODAY)
    assert mdl["nationality"] == pid["nationalities"][0] and mdl["sex"] == pid["sex"]
    assert mdl["birth_place"] == pid["place_of_birth"]["locality"]
    address = pid["address"]
    assert (mdl["resident_address"], mdl["resident_city"], mdl["resident_state"]) == (
        address["formatted"],
        address["locality"],
        address["region"],
    )
    assert (mdl["resident_postal_code"], mdl["resident_country"]) == (
        address["postal_code"],
        address["country"],
    )
    assert "family_name_national_character" not in mdl

    # a PID sex code outside ISO/IEC 5218 is left out; a name outside Latin-1 needs the licence's spelling
    other = Citizen(
        "pl-0001",
        MappingProxyType({**pid, "sex": 5, "family_name": "Łukasiewicz"}),
        None,
        CITIZEN.driving_licence,
    )
    with pytest.raises(CredentialRequestDenied, match="Latin-1"):
        offering.mdoc_namespaces(other, today=TODAY)
    assert CITIZEN.driving_licence is not None
    spelled = Citizen(
        "pl-0001",
        other.attributes,
        None,
        MappingProxyType({**CITIZEN.driving_licence, "family_name": "Lukasiewicz"}),
    )
    mdl = offering.mdoc_namespaces(spelled, today=TODAY)[MDL_NAMESPACE]
    assert mdl["family_name"] == "Lukasiewicz" and mdl["family_name_national_character"] == "Łukasiewicz"
    assert "sex" not in mdl
    # optional Latin-1 elements the PID register spells otherwise are left out, not the whole mDL
    elsewhere = {
        **pid,
        "place_of_birth": {"locality": "Łódź", "country": "PL"},
        "address": {**pid["address"], "locality": "Wrocław", "formatted": "ul. Świdnicka 1, Wrocław"},
    }
    moved = Citizen("pl-0002", MappingProxyType(elsewhere), None, CITIZEN.driving_licence)
    mdl = offering.mdoc_namespaces(moved, today=TODAY)[MDL_NAMESPACE]
    assert "birth_place" not in mdl and "resident_city" not in mdl and "resident_address" not in mdl
    assert mdl["resident_country"] == pid["address"]["country"]


def test_document_expiry_bounds_the_credential() -> None:
    assert CITIZEN is not None and CITIZEN.driving_licence is not None
    offered = offerings(("pid", "mdl", "diploma"))
    pid, mdl = offered["eu.europa.ec.eudi.pid_mso_mdoc"], offered["org.iso.18013.5.1.mDL_mso_mdoc"]
    assert pid.expiry(CITIZEN, today=TODAY) == date.fromisoformat(CITIZEN.attributes["date_of_expiry"])
    assert offered["eu.europa.ec.eudi.diploma_dc_sd_jwt"].expiry(CITIZEN, today=TODAY) is None
    born = date.fromisoformat(CITIZEN.attributes["birthdate"])
    next_birthday = birthday(born, age_in_years(born, on=TODAY) + 1)
    licence_end = date.fromisoformat(CITIZEN.driving_licence["expiry_date"])
    assert mdl.expiry(CITIZEN, today=TODAY) == min(next_birthday, licence_end)  # age_in_years changes then
    timed = Citizen(
        "nl-0001",
        MappingProxyType({**CITIZEN.attributes, "birthdate": "1950-01-01"}),
        None,
        MappingProxyType({**CITIZEN.driving_licence, "expiry_date": "2026-12-30T23:30:00-02:00"}),
    )
    assert mdl.expiry(timed, today=TODAY) == date(2026, 12, 31)  # a tdate: its UTC day, before 1 January


@pytest.mark.parametrize(
    ("born", "end"),
    [
        ("2008-10-01", date(2026, 10, 1)),  # 17 now: age_over_18 turns true on the 18th birthday
        ("2008-02-29", date(2029, 3, 1)),  # 18 since 1 March 2026; 21 next, on 1 March 2029 (no 29 February)
        ("1950-01-01", None),  # past every threshold: nothing about age will change
    ],
)
def test_a_proof_of_age_ends_when_its_statements_would(born: str, end: date | None) -> None:
    assert CITIZEN is not None
    citizen = Citizen("nl-0001", MappingProxyType({**CITIZEN.attributes, "birthdate": born}))
    assert offerings(("av",))["eu.europa.ec.av_mso_mdoc"].expiry(citizen, today=TODAY) == end


def test_citizen_without_a_record_is_denied() -> None:
    assert CITIZEN is not None
    bare = Citizen("nl-9999", MappingProxyType(dict(CITIZEN.attributes)))
    offered = offerings(("diploma", "mdl"))
    with pytest.raises(CredentialRequestDenied, match="no diploma"):
        offered["eu.europa.ec.eudi.diploma_dc_sd_jwt"].sd_jwt_claims(bare, today=TODAY)
    with pytest.raises(CredentialRequestDenied, match="no driving licence"):
        offered["org.iso.18013.5.1.mDL_mso_mdoc"].mdoc_namespaces(bare, today=TODAY)


def test_register_is_deterministic_and_complete() -> None:
    again = Register.seeded(issued=TODAY)
    for citizen in REGISTER:
        twin = again.get(citizen.citizen_id)
        assert twin == citizen
        assert citizen.diploma is not None and citizen.driving_licence is not None
        assert date.fromisoformat(citizen.diploma["date_awarded"]) <= TODAY
