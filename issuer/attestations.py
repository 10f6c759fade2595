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
from datetime import date
from typing import Any

from credentials.catalog import CATALOGUE, mdoc_namespaces, sd_jwt_claims
from credentials.catalog.age import age_claims
from credentials.catalog.attestation import AttestationType
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

    def expiry(self, citizen: Citizen) -> date | None:
        """The document's own end of validity, when the register has one (PID, mDL)."""
        key = self.attestation.key
        if key == "pid":
            value = citizen.attributes.get("date_of_expiry")
        elif key == "mdl":
            value = (citizen.driving_licence or {}).get("expiry_date")
        else:
            return None
        return date.fromisoformat(value) if isinstance(value, str) else None


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
    licence = citizen.driving_licence
    if licence is None:
        raise CredentialRequestDenied("the register holds no driving licence for this citizen")
    attributes = citizen.attributes
    ages = age_claims(str(attributes["birthdate"]), on=today)
    address: Mapping[str, Any] = attributes.get("address") or {}
    record: dict[str, Any] = {
        "family_name": attributes["family_name"],
        "given_name": attributes["given_name"],
        "birth_date": attributes["birthdate"],
        **licence,
        "age_over_18": ages["age_over_18"],
        "age_over_21": ages["age_over_21"],
    }
    if "locality" in address:
        record["resident_city"] = address["locality"]
    if "country" in address:
        record["resident_country"] = address["country"]
    return record


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
