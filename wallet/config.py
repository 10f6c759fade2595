"""A wallet folder's settings (``wallet.toml``): which trust list it believes and what it may fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common.clock import Clock
from common.config import ConfigFile, load_chain
from common.net import Fetcher, FetchPolicy
from trust_list.lote import TrustList, verify_lote
from wallet.agent import WalletAgent
from wallet.store import FolderStore

__all__ = ["WalletConfig", "open_wallet", "write_wallet_config"]

CONFIG_NAME = "wallet.toml"


@dataclass(frozen=True)
class WalletConfig:
    trust_list: Path
    trust_list_operator: Path
    allow_http_loopback: bool = False


def write_wallet_config(directory: Path, config: WalletConfig) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / CONFIG_NAME).write_text(
        f'trust_list = "{config.trust_list.resolve()}"\n'
        f'trust_list_operator = "{config.trust_list_operator.resolve()}"\n'
        f"allow_http_loopback = {'true' if config.allow_http_loopback else 'false'}\n",
        encoding="utf-8",
    )


def read_wallet_config(directory: Path) -> WalletConfig:
    config = ConfigFile(directory / CONFIG_NAME)
    return WalletConfig(
        trust_list=config.file("trust_list"),
        trust_list_operator=config.file("trust_list_operator"),
        allow_http_loopback=bool(config.get("allow_http_loopback", False)),
    )


def open_wallet(directory: Path, clock: Clock) -> WalletAgent:
    """The agent over the wallet folder ``directory`` (which must hold a ``wallet.toml``)."""
    config = read_wallet_config(directory)
    operators = load_chain(config.trust_list_operator)
    cached: list[TrustList] = []

    def trust_list() -> TrustList:
        if not cached:
            cached.append(
                verify_lote(
                    config.trust_list.read_text(encoding="utf-8").strip(),
                    pinned=operators,
                    now=datetime.fromtimestamp(clock.now(), UTC),
                )
            )
        return cached[0]

    fetcher = Fetcher(FetchPolicy(allow_loopback=config.allow_http_loopback))
    return WalletAgent(FolderStore(directory), fetcher, clock, trust_list)
