"""``eudi wallet ...``: the headless wallet commands."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from common.cli import fail
from common.clock import SystemClock
from common.errors import EudiError
from trust_list.x509 import subject_organization
from wallet.agent import redirect_of
from wallet.config import TrustedList, WalletConfig, open_wallet, write_wallet_config
from wallet.errors import NoMatchingCredential
from wallet.store import FolderStore

__all__ = ["add_commands"]


def _wallet_dir(args: argparse.Namespace) -> Path:
    return Path(args.wallet or os.environ.get("EUDI_WALLET_HOME") or Path.home() / ".eudi-wallet")


def _init(args: argparse.Namespace) -> int:
    if len(args.trust_list) != len(args.operator):
        return fail("give one --operator per --trust-list, in the same order")
    trusted = tuple(
        TrustedList(location, Path(operator))
        for location, operator in zip(args.trust_list, args.operator, strict=True)
    )
    try:
        write_wallet_config(
            _wallet_dir(args),
            WalletConfig(
                trusted,
                allow_http_loopback=args.allow_http_loopback,
                registration_policy=args.registration_policy,
            ),
        )
    except (EudiError, OSError) as exc:
        return fail(str(exc))
    print(f"wallet ready in {_wallet_dir(args)}")
    return 0


def _receive(args: argparse.Namespace) -> int:
    async def run() -> list[Any]:
        agent = open_wallet(_wallet_dir(args), SystemClock())
        try:
            return await agent.receive(args.link, tx_code=args.tx_code)
        finally:
            await agent.fetcher.aclose()

    try:
        received = asyncio.run(run())
    except (EudiError, OSError) as exc:
        return fail(str(exc))
    for credential in received:
        if args.json:
            print(
                json.dumps(
                    {
                        "credential_id": credential.credential_id,
                        "type": credential.attestation_type,
                        "format": credential.format,
                        "issuer": credential.issuer,
                    }
                )
            )
        else:
            issuer = credential.issuer_name or credential.issuer
            print(f"received {credential.attestation_type} from {issuer} ({credential.credential_id})")
    return 0


def _present(args: argparse.Namespace) -> int:
    async def run() -> dict[str, Any]:
        agent = open_wallet(_wallet_dir(args), SystemClock())
        try:
            proposal = await agent.fetch_request(args.link)
            who = proposal.verifier_name or proposal.request.client_id
            registration = proposal.registration
            if registration is not None:
                registrar = subject_organization(registration.registrar) if registration.registrar else None
                print(
                    f"{who}, registered as {registration.name!r} by {registrar or 'a trusted registrar'} "
                    f"for: {registration.purpose() or 'no stated purpose'}",
                    file=sys.stderr,
                )
            for item in proposal.excess:
                print(f"warning: beyond the registration: {item}", file=sys.stderr)
            print(f"{who} asks for: {json.dumps(proposal.disclosed_paths())}", file=sys.stderr)
            return await agent.respond(proposal, accept=args.accept)
        finally:
            await agent.fetcher.aclose()

    try:
        answer = asyncio.run(run())
    except NoMatchingCredential as exc:
        if exc.redirect_uri is not None:
            print(f"continue in your browser or app: {exc.redirect_uri}")
        return fail(str(exc))
    except (EudiError, OSError) as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(answer))
        return 0
    print("presented" if args.accept else "declined")
    redirect = redirect_of(answer)
    if redirect is not None:  # the verifier continues in the citizen's browser (OpenID4VP 1.0 8.2)
        print(f"continue in your browser or app: {redirect}")
    return 0


def _list(args: argparse.Namespace) -> int:
    credentials = FolderStore(_wallet_dir(args)).credentials()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "credential_id": c.credential_id,
                        "format": c.format,
                        "type": c.attestation_type,
                        "issuer": c.issuer,
                    }
                    for c in credentials
                ]
            )
        )
    else:
        for c in credentials:
            print(f"{c.credential_id}  {c.format:9}  {c.attestation_type}  {c.issuer_name or c.issuer}")
    return 0


def _log(args: argparse.Namespace) -> int:
    for entry in FolderStore(_wallet_dir(args)).log():
        print(json.dumps(entry, ensure_ascii=False))
    return 0


def add_commands(subparsers: Any) -> None:
    wallet = subparsers.add_parser("wallet", help="the citizen's wallet (headless commands)")
    wallet.add_argument("--wallet", help="wallet folder (default $EUDI_WALLET_HOME or ~/.eudi-wallet)")
    commands = wallet.add_subparsers(dest="wallet_command", required=True)

    init = commands.add_parser("init", help="create a wallet folder that trusts the given trust lists")
    init.add_argument(
        "--trust-list", required=True, action="append", help="signed trust list: URL or file (repeatable)"
    )
    init.add_argument(
        "--operator", required=True, action="append", help="PEM of that list's scheme operator, pinned"
    )
    init.add_argument(
        "--registration-policy",
        choices=("refuse", "warn"),
        default="refuse",
        help="a request asking more than the relying party registered, or carrying no registration: "
        "refuse it and tell the verifier (default) or warn",
    )
    init.add_argument(
        "--allow-http-loopback",
        action="store_true",
        help="allow plain http to 127.0.0.1/localhost (demo only)",
    )
    init.set_defaults(func=_init)

    receive = commands.add_parser(
        "receive", help="receive credentials from an openid-credential-offer:// link"
    )
    receive.add_argument("link")
    receive.add_argument(
        "--tx-code", help="the transaction code the issuer gave you, when the offer asks one"
    )
    receive.add_argument("--json", action="store_true")
    receive.set_defaults(func=_receive)

    present = commands.add_parser("present", help="answer an openid4vp:// presentation request")
    present.add_argument("link")
    present.add_argument(
        "--accept", action="store_true", help="consent: disclose what is asked (else decline)"
    )
    present.add_argument("--json", action="store_true")
    present.set_defaults(func=_present)

    listing = commands.add_parser("list", help="the credentials in the wallet")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)

    log = commands.add_parser("log", help="everything the wallet received and shared, one JSON line each")
    log.set_defaults(func=_log)
