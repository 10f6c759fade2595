"""Presentation presets: named DCQL queries a relying party can ask for without writing one."""

from __future__ import annotations

from typing import Any

from credentials.catalog.pid import PID_VCT
from verifier.errors import UnknownPreset

__all__ = ["PRESETS", "preset_query"]


def _pid(*claims: str) -> dict[str, Any]:
    return {
        "credentials": [
            {
                "id": "pid",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [PID_VCT]},
                "claims": [{"path": [name]} for name in claims],
            }
        ]
    }


PRESETS: dict[str, dict[str, Any]] = {
    "pid_basic": _pid("given_name", "family_name", "birthdate"),
    "pid_address": _pid("given_name", "family_name", "address"),
    "pid_nationality": _pid("nationalities"),
}


def preset_query(name: str) -> dict[str, Any]:
    if name not in PRESETS:
        raise UnknownPreset(f"no preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]
