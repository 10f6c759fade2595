"""Presentation presets: named DCQL queries a relying party can ask for without writing one."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from credentials.catalog.age import AV_DOCTYPE
from credentials.catalog.diploma import DIPLOMA_VCT
from credentials.catalog.mdl import MDL_DOCTYPE, MDL_NAMESPACE
from credentials.catalog.pid import PID_DOCTYPE, PID_VCT
from trust_list.registration import RegisteredCredential
from verifier.errors import UnknownPreset

__all__ = ["PRESETS", "preset_query", "registered_credentials"]


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
    """A copy of the named query, the caller's to change."""
    if name not in PRESETS:
        raise UnknownPreset(f"no preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    return copy.deepcopy(PRESETS[name])


def registered_credentials(queries: Sequence[Mapping[str, Any]] | None = None) -> list[RegisteredCredential]:
    """What a relying party that asks the ``queries`` (default: every preset) registers: per
    credential type, the union of the claims asked (a registration certificate's ``credentials``)."""
    claims: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = {}
    for query in PRESETS.values() if queries is None else queries:
        for credential in query["credentials"]:
            meta = credential["meta"]
            types = tuple(meta["vct_values"]) if "vct_values" in meta else (meta["doctype_value"],)
            paths = claims.setdefault((credential["format"], types), [])
            for claim in credential.get("claims", []):
                if tuple(claim["path"]) not in paths:
                    paths.append(tuple(claim["path"]))
    return [
        RegisteredCredential.mdoc(types[0], paths)
        if format_ == "mso_mdoc"
        else RegisteredCredential.sd_jwt_vc(*types, claims=paths)
        for (format_, types), paths in claims.items()
    ]
