"""The attestation catalogue: types in both formats, claim names, labels (en, nl), checks.

PID (``pid``), age verification (``av``), diploma (``diploma``) and the mobile driving licence
(``mdl``); :data:`CATALOGUE` lists them by key. :func:`sd_jwt_claims` and :func:`mdoc_namespaces`
turn a record of a type into checked claims of each format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.catalog.age import AV_DOCTYPE, AV_TYPE, check_age_claims
from credentials.catalog.attestation import AttestationType
from credentials.catalog.diploma import DIPLOMA_DOCTYPE, DIPLOMA_TYPE, diploma_claims, diploma_mdoc_elements
from credentials.catalog.mdl import MDL_NAMESPACE, MDL_TYPE, mdl_elements
from credentials.catalog.pid import PID_DOCTYPE, PID_TYPE, pid_claims, pid_mdoc_elements
from credentials.errors import InvalidClaims

__all__ = ["CATALOGUE", "mdoc_namespaces", "sd_jwt_claims"]

CATALOGUE: dict[str, AttestationType] = {t.key: t for t in (PID_TYPE, AV_TYPE, DIPLOMA_TYPE, MDL_TYPE)}


def sd_jwt_claims(key: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Checked SD-JWT VC claims of catalogue type ``key`` from a record keyed by its claim names."""
    if key == "pid":
        return pid_claims(record)
    if key == "av":
        return check_age_claims(record)
    if key == "diploma":
        return diploma_claims(record)
    raise InvalidClaims(f"{key!r} has no SD-JWT VC form in the catalogue")


def mdoc_namespaces(key: str, record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Checked mdoc data elements of catalogue type ``key``, by namespace. The record uses the SD-JWT
    VC claim names for the PID, the proof of age and the diploma, the element identifiers for the mDL."""
    if key == "pid":
        return {PID_DOCTYPE: pid_mdoc_elements(record)}
    if key == "av":
        return {AV_DOCTYPE: check_age_claims(record)}
    if key == "diploma":
        return {DIPLOMA_DOCTYPE: diploma_mdoc_elements(record)}
    if key == "mdl":
        return {MDL_NAMESPACE: mdl_elements(record)}
    raise InvalidClaims(f"{key!r} has no mdoc form in the catalogue")
