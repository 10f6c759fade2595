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

from credentials.catalog import CATALOGUE
from credentials.catalog.age import AV_DOCTYPE, age_claims
from credentials.catalog.attestation import AttestationType
from credentials.catalog.diploma import DIPLOMA_DOCTYPE, diploma_claims
from credentials.catalog.mdl import MDL_NAMESPACE, check_driving_privileges
from credentials.catalog.pid import PID_DOCTYPE, pid_claims, pid_mdoc_elements
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
        return _claims(self.attestation.key, citizen, today)

    def mdoc_namespaces(self, citizen: Citizen, *, today: date) -> dict[str, dict[str, Any]]:
        """The data elements of the mdoc for ``citizen``, by namespace."""
        key = self.attestation.key
        if key == "pid":
            return {PID_DOCTYPE: pid_mdoc_elements(citizen.attributes)}
        if key == "av":
            return {AV_DOCTYPE: _claims(key, citizen, today)}
        if key == "diploma":
            elements: dict[str, Any] = dict(_claims(key, citizen, today))
            for name in ("birth_date", "date_awarded"):
                if name in elements:
                    elements[name] = date.fromisoformat(elements[name])
            return {DIPLOMA_DOCTYPE: elements}
        if key == "mdl":
            return {MDL_NAMESPACE: _mdl_elements(citizen, today)}
        raise CredentialRequestDenied(f"no mdoc form of {key!r}")

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


def _claims(key: str, citizen: Citizen, today: date) -> dict[str, Any]:
    if key == "pid":
        return pid_claims(citizen.attributes)
    if key == "av":
        return age_claims(str(citizen.attributes["birthdate"]), on=today)
    if key == "diploma":
        if citizen.diploma is None:
            raise CredentialRequestDenied("the register holds no diploma for this citizen")
        return diploma_claims(citizen.diploma)
    raise CredentialRequestDenied(f"no SD-JWT VC form of {key!r}")


def _mdl_elements(citizen: Citizen, today: date) -> dict[str, Any]:
    licence = citizen.driving_licence
    if licence is None:
        raise CredentialRequestDenied("the register holds no driving licence for this citizen")
    attributes = citizen.attributes
    ages = age_claims(str(attributes["birthdate"]), on=today)
    address: Mapping[str, Any] = attributes.get("address") or {}
    elements: dict[str, Any] = {
        "family_name": attributes["family_name"],
        "given_name": attributes["given_name"],
        "birth_date": date.fromisoformat(str(attributes["birthdate"])),
        "issue_date": date.fromisoformat(licence["issue_date"]),
        "expiry_date": date.fromisoformat(licence["expiry_date"]),
        "issuing_country": licence["issuing_country"],
        "issuing_authority": licence["issuing_authority"],
        "document_number": licence["document_number"],
        "portrait": licence["portrait"],
        "driving_privileges": [
            {
                key: date.fromisoformat(value) if key.endswith("_date") else value
                for key, value in privilege.items()
            }
            for privilege in check_driving_privileges(list(licence["driving_privileges"]))
        ],
        "un_distinguishing_sign": licence["un_distinguishing_sign"],
        "age_over_18": ages["age_over_18"],
        "age_over_21": ages["age_over_21"],
    }
    if "locality" in address:
        elements["resident_city"] = address["locality"]
    if "country" in address:
        elements["resident_country"] = address["country"]
    return elements


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
