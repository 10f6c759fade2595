"""Which trust lists a service or a wallet believes, as its TOML configuration names them.

Either one list (``trust_list`` = URL or file, ``trust_list_operator`` = PEM) or several::

    trust_list_refresh = 300          # seconds between background refreshes

    [[trust_lists]]
    location = "https://tl.example.nl/lists/pid-providers.jws"   # or a file, relative to the TOML
    operator = "operators/nl.pem"                                # pinned scheme operator(s), PEM
    label = "NL"                                                 # names the list in reasons
    lote_type = "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList"   # optional
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.config import ConfigFile, load_chain
from common.errors import InvalidInput
from trust_list.loader import TrustListSource

__all__ = ["DEFAULT_REFRESH", "refresh_interval", "trust_list_sources"]

DEFAULT_REFRESH = 300.0


def _location(config: ConfigFile, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{config.path}: {name} must be a URL or a file path")
    if value.startswith(("https://", "http://")):
        return value
    if "://" in value:
        raise InvalidInput(f"{config.path}: {name} must be an https URL or a file path")
    return value if Path(value).is_absolute() else str(config.path.parent / value)


def trust_list_sources(config: ConfigFile) -> tuple[TrustListSource, ...]:
    """The sources of ``config`` (see the module docstring); at least one is required."""
    entries = config.get("trust_lists")
    if entries is None:
        location = _location(config, "trust_list", config.require("trust_list"))
        return (TrustListSource(location, tuple(load_chain(config.file("trust_list_operator")))),)
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput(f"{config.path}: trust_lists must be a non-empty array of tables")
    sources = []
    for number, entry in enumerate(entries, 1):
        what = f"trust_lists[{number}]"
        operator = entry.get("operator")
        if not isinstance(operator, str):
            raise InvalidInput(f"{config.path}: {what}.operator must name a PEM file")
        label, lote_type = entry.get("label", ""), entry.get("lote_type")
        if not isinstance(label, str) or not (lote_type is None or isinstance(lote_type, str)):
            raise InvalidInput(f"{config.path}: {what}.label and .lote_type must be strings")
        try:
            sources.append(
                TrustListSource(
                    _location(config, f"{what}.location", entry.get("location")),
                    tuple(load_chain(config.path.parent / operator)),
                    label=label,
                    lote_type=lote_type,
                )
            )
        except ValueError as exc:
            raise InvalidInput(f"{config.path}: {what}: {exc}") from exc
    return tuple(sources)


def refresh_interval(config: ConfigFile) -> float:
    value = config.get("trust_list_refresh", DEFAULT_REFRESH)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInput(f"{config.path}: trust_list_refresh must be a positive number of seconds")
    return float(value)
