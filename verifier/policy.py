"""Presentation presets: named DCQL queries a relying party can ask for without writing one."""

from __future__ import annotations

from typing import Any

from credentials.catalog.age import AV_DOCTYPE
from credentials.catalog.diploma import DIPLOMA_VCT
from credentials.catalog.mdl import MDL_DOCTYPE, MDL_NAMESPACE
from credentials.catalog.pid import PID_DOCTYPE, PID_VCT
from verifier.errors import UnknownPreset

__all__ = ["PRESETS", "preset_query"]


def _sd_jwt(query_id: str, vct: str, *claims: str) -> dict[str, Any]:
    return {
        "credentials": [
            {
                "id": query_id,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [vct]},
                "claims": [{"path": [name]} for name in claims],
            }
        ]
    }


def _mdoc(query_id: str, doctype: str, namespace: str, *elements: str) -> dict[str, Any]:
    return {
        "credentials": [
            {
                "id": query_id,
                "format": "mso_mdoc",
                "meta": {"doctype_value": doctype},
                "claims": [{"path": [namespace, name], "intent_to_retain": False} for name in elements],
            }
        ]
    }


PRESETS: dict[str, dict[str, Any]] = {
    "pid_basic": _sd_jwt("pid", PID_VCT, "given_name", "family_name", "birthdate"),
    "pid_address": _sd_jwt("pid", PID_VCT, "given_name", "family_name", "address"),
    "pid_nationality": _sd_jwt("pid", PID_VCT, "nationalities"),
    "pid_mdoc_basic": _mdoc("pid", PID_DOCTYPE, PID_DOCTYPE, "given_name", "family_name", "birth_date"),
    "age_over_18": _mdoc("age", AV_DOCTYPE, AV_DOCTYPE, "age_over_18"),
    "diploma": _sd_jwt(
        "diploma",
        DIPLOMA_VCT,
        "family_name",
        "given_name",
        "qualification_title",
        "awarding_institution",
        "date_awarded",
        "eqf_level",
    ),
    "driving_licence": _mdoc(
        "mdl", MDL_DOCTYPE, MDL_NAMESPACE, "family_name", "given_name", "driving_privileges", "expiry_date"
    ),
}


def preset_query(name: str) -> dict[str, Any]:
    if name not in PRESETS:
        raise UnknownPreset(f"no preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]
