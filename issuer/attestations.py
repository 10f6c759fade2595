"""What an issuer offers: one credential configuration per attestation type and format, and the
claims of each drawn from the register.

An issuer is configured with catalogue keys (``pid``, ``av``, ``diploma``, ``mdl``); each type is
offered as ``dc+sd-jwt`` and as ``mso_mdoc`` where the catalogue defines that format (the mDL is
mdoc-only). Configuration identifiers follow the EUDI reference issuers' convention:
``<type>_dc_sd_jwt`` and ``<type>_mso_mdoc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from credentials.catalog import CATALOGUE, mdoc_namespaces, sd_jwt_claims
from credentials.catalog.age import age_claims, age_in_years, statements_hold_until
from credentials.catalog.attestation import AttestationType
from credentials.catalog.mdl import SEX_CODES, is_latin1
from issuer.register import Citizen
from openid4vc.errors import CredentialRequestDenied

__all__ = ["MSO_MDOC", "SD_JWT", "Offering", "offerings"]

SD_JWT = "dc+sd-jwt"
MSO_MDOC = "mso_mdoc"

_PREFIX = {
    "pid": "eu.europa.ec.eudi.pid",
    "av": "eu.europa.ec.av",
    "diploma": "eu.europa.ec.eudi.diploma",
    "mdl": "org.iso.18013.5.1.mDL",
}
_SUFFIX = {SD_JWT: "dc_sd_jwt", MSO_MDOC: "mso_mdoc"}


@dataclass(frozen=True)
class Offering:
    """One credential configuration: an attestation type in one format."""

    configuration_id: str
    attestation: AttestationType
    format: str

    def metadata(self) -> dict[str, Any]:
        """The ``credential_configurations_supported`` entry (OpenID4VCI 1.0 appendix A)."""
        entry: dict[str, Any] = {"format": self.format, "scope": self.configuration_id}
        if self.format == SD_JWT:
            entry["vct"] = self.attestation.vct
            entry["cryptographic_binding_methods_supported"] = ["jwk"]
            entry["credential_signing_alg_values_supported"] = ["ES256"]
        else:
            entry["doctype"] = self.attestation.doctype
            entry["cryptographic_binding_methods_supported"] = ["cose_key"]
            entry["credential_signing_alg_values_supported"] = [-7]  # ES256 (IANA COSE, A.2.2)
        entry["proof_types_supported"] = {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}}
        entry["credential_metadata"] = self.attestation.credential_metadata(self.format)
        return entry

    def sd_jwt_claims(self, citizen: Citizen, *, today: date) -> dict[str, Any]:
        """The subject claims of the SD-JWT VC for ``citizen``."""
        return sd_jwt_claims(self.attestation.key, _record(self.attestation.key, citizen, today))

    def mdoc_namespaces(self, citizen: Citizen, *, today: date) -> dict[str, dict[str, Any]]:
        """The data elements of the mdoc for ``citizen``, by namespace."""
        return mdoc_namespaces(self.attestation.key, _record(self.attestation.key, citizen, today))

    def expiry(self, citizen: Citizen, *, today: date) -> date | None:
        """The day the credential must end on, if any: the document's own end of validity (PID, mDL),
        and for statements of age issued ``today`` (proof of age, mDL) the day the first of them
        stops being true."""
        key = self.attestation.key
        ends = []
        if key in ("av", "mdl"):
            born = date.fromisoformat(str(citizen.attributes["birthdate"]))
            ends.append(statements_hold_until(born, on=today, every_birthday=key == "mdl"))
        if key == "pid":
            ends.append(_day(citizen.attributes.get("date_of_expiry")))
        elif key == "mdl":
            ends.append(_day((citizen.driving_licence or {}).get("expiry_date")))
        known = [end for end in ends if end is not None]
        return min(known) if known else None


def _record(key: str, citizen: Citizen, today: date) -> Mapping[str, Any]:
    """The register's record of type ``key`` for ``citizen``, in the catalogue's names."""
    attributes = citizen.attributes
    if key == "pid":
        return attributes
    if key == "av":
        return age_claims(str(attributes["birthdate"]), on=today)
    if key == "diploma":
        if citizen.diploma is None:
            raise CredentialRequestDenied("the register holds no diploma for this citizen")
        return citizen.diploma
    if key == "mdl":
        return _mdl_record(citizen, today)
    raise CredentialRequestDenied(f"the register holds no {key!r} records")


def _mdl_record(citizen: Citizen, today: date) -> dict[str, Any]:
    """The mDL elements from the licence record, with what the PID register knows of the holder:
    names (unless the licence record spells them), birth date and place, age statements, nationality,
    sex (ISO/IEC 5218 codes only) and residence. Names outside Latin-1 are also given in national
    characters; the licence record must then spell them in Latin-1 itself (clause 7.2.1)."""
    licence = citizen.driving_licence
    if licence is None:
        raise CredentialRequestDenied("the register holds no driving licence for this citizen")
    attributes = citizen.attributes
    born = date.fromisoformat(str(attributes["birthdate"]))
    record: dict[str, Any] = {
        "family_name": attributes["family_name"],
        "given_name": attributes["given_name"],
        "birth_date": born,
        **age_claims(born, on=today),
        "age_in_years": age_in_years(born, on=today),
        "age_birth_year": born.year,
    }
    for name in ("family_name", "given_name"):
        if not is_latin1(record[name]):
            record[f"{name}_national_character"] = record[name]
    nationalities = attributes.get("nationalities") or ()
    if nationalities:
        record["nationality"] = nationalities[0]
    if attributes.get("sex") in SEX_CODES:
        record["sex"] = attributes["sex"]
    # the optional text elements are Latin-1 only (table 5): what the PID register spells otherwise
    # (Łódź, say) is left out rather than transliterated
    birth_place: Mapping[str, Any] = attributes.get("place_of_birth") or {}
    if is_latin1(birth_place.get("locality")):
        record["birth_place"] = birth_place["locality"]
    address: Mapping[str, Any] = attributes.get("address") or {}
    for element, member in _RESIDENCE:
        if is_latin1(address.get(member)):
            record[element] = address[member]
    record.update(licence)
    unspelled = [name for name in ("family_name", "given_name") if not is_latin1(record[name])]
    if unspelled:
        raise CredentialRequestDenied(
            f"the driving licence record must spell {unspelled} in Latin-1 (ISO/IEC 18013-5 7.2.1)"
        )
    return record


_RESIDENCE = (
    ("resident_address", "formatted"),
    ("resident_city", "locality"),
    ("resident_state", "region"),
    ("resident_postal_code", "postal_code"),
    ("resident_country", "country"),
)
"""mDL residence elements and the PID ``address`` members they come from."""


def _day(value: object) -> date | None:
    """A register's date, or the UTC day of a date-time (an mDL's expiry_date may be a tdate)."""
    if not isinstance(value, str):
        return None
    if len(value) <= 10:
        return date.fromisoformat(value)
    parsed = datetime.fromisoformat(value)
    return (parsed.astimezone(UTC) if parsed.tzinfo else parsed).date()


def offerings(keys: tuple[str, ...]) -> dict[str, Offering]:
    """The credential configurations of an issuer of the catalogue types ``keys``, by identifier."""
    result = {}
    for key in keys:
        attestation = CATALOGUE.get(key)
        if attestation is None or key not in _PREFIX:
            raise ValueError(f"unknown attestation type {key!r}; known: {sorted(_PREFIX)}")
        for format_ in (SD_JWT, MSO_MDOC):
            if (attestation.vct if format_ == SD_JWT else attestation.doctype) is None:
                continue
            configuration_id = f"{_PREFIX[key]}_{_SUFFIX[format_]}"
            result[configuration_id] = Offering(configuration_id, attestation, format_)
    return result
