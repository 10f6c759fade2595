"""``eudi``: one command composed of the subcommands each package exposes in its ``cli.py``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from eudi import credential, demo
from issuer import cli as issuer_cli
from trust_list import cli as trust_list_cli
from verifier import cli as verifier_cli
from wallet import cli as wallet_cli

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eudi",
        description="EUDI wallet reference implementation: issuer (OpenID4VCI 1.0), wallet, "
        "verifier (OpenID4VP 1.0) and trust lists.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    demo.add_commands(subparsers)
    trust_list_cli.add_commands(subparsers)
    issuer_cli.add_commands(subparsers)
    verifier_cli.add_commands(subparsers)
    wallet_cli.add_commands(subparsers)
    credential.add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
