"""A wallet folder's settings (``wallet.toml``): which trust lists it believes, what it may fetch, and
what it does when a relying party asks more than it registered.

::

    allow_http_loopback = false
    registration_policy = "refuse"    # or "warn"
    trust_list_refresh = 300

    [[trust_lists]]
    location = "https://tl.example.nl/lists/nl.jws"   # or a file
    operator = "/path/to/nl-operator.pem"
    label = "NL"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.clock import Clock
from common.config import ConfigFile
from common.errors import InvalidInput
from common.net import Fetcher, FetchPolicy
from trust_list.loader import FileFloors, TrustListLoader
from trust_list.sources import DEFAULT_REFRESH, refresh_interval, trust_list_sources
from wallet.agent import REFUSE, WARN, WalletAgent
from wallet.store import FolderStore

__all__ = ["TrustedList", "WalletConfig", "open_wallet", "write_wallet_config"]

CONFIG_NAME = "wallet.toml"
FLOORS_NAME = "trust-list-floors.json"
"""The highest sequence number accepted per trust list, kept against rollback across restarts."""


@dataclass(frozen=True)
class TrustedList:
    """One list the wallet believes: a URL or a file, and the PEM of its pinned scheme operator."""

    location: str
    operator: Path
    label: str = ""


@dataclass(frozen=True)
class WalletConfig:
    trust_lists: tuple[TrustedList, ...]
    allow_http_loopback: bool = False
    registration_policy: str = REFUSE
    trust_list_refresh: float = DEFAULT_REFRESH


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_wallet_config(directory: Path, config: WalletConfig) -> None:
    if config.registration_policy not in (REFUSE, WARN):
        raise InvalidInput(f"registration_policy is {REFUSE!r} or {WARN!r}")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = [
        f"allow_http_loopback = {'true' if config.allow_http_loopback else 'false'}",
        f"registration_policy = {_toml_string(config.registration_policy)}",
        f"trust_list_refresh = {config.trust_list_refresh}",
    ]
    for trusted in config.trust_lists:
        location = trusted.location
        if not location.startswith(("https://", "http://")):
            location = str(Path(location).resolve())
        lines += [
            "",
            "[[trust_lists]]",
            f"location = {_toml_string(location)}",
            f"operator = {_toml_string(str(trusted.operator.resolve()))}",
            f"label = {_toml_string(trusted.label)}",
        ]
    (directory / CONFIG_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")


def open_wallet(directory: Path, clock: Clock) -> WalletAgent:
    """The agent over the wallet folder ``directory`` (which must hold a ``wallet.toml``)."""
    config = ConfigFile(directory / CONFIG_NAME)
    policy = config.get("registration_policy", REFUSE)
    if policy not in (REFUSE, WARN):
        raise InvalidInput(f"{config.path}: registration_policy is {REFUSE!r} or {WARN!r}")
    fetcher = Fetcher(FetchPolicy(allow_loopback=bool(config.get("allow_http_loopback", False))))
    loader = TrustListLoader(
        trust_list_sources(config),
        fetcher,
        clock,
        refresh_interval=refresh_interval(config),
        floors=FileFloors(directory / FLOORS_NAME),
    )
    return WalletAgent(FolderStore(directory), fetcher, clock, loader, registration_policy=str(policy))
