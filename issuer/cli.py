"""``eudi issuer ...``: run the issuer, make offers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from common.cli import ServiceError, call_service, fail, serve
from common.qr import qr_text

__all__ = ["add_commands"]


def _serve(args: argparse.Namespace) -> int:
    from issuer.app import create_app
    from issuer.settings import load_issuer_settings

    settings = load_issuer_settings(Path(args.config))
    return serve(
        create_app(settings),
        public_url=settings.public_url,
        host=args.host,
        port=args.port,
        default_port=8000,
        guard=("admin_token", settings.admin_token),
    )


def _offer(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"citizen_id": args.citizen}
    if args.configuration:
        body["credential_configuration_ids"] = args.configuration
    try:
        made = call_service(f"{args.issuer.rstrip('/')}/offers", body, token=args.admin_token)
    except ServiceError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(made))
    else:
        print(qr_text(made["credential_offer"]))
        print(made["credential_offer"])
        if made.get("tx_code"):
            print(f"transaction code: {made['tx_code']}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    body = {"index": args.index, "status": args.status}
    try:
        call_service(f"{args.issuer.rstrip('/')}/status", body, token=args.admin_token, expect=204)
    except ServiceError as exc:
        return fail(str(exc))
    print(f"status index {args.index}: {args.status}")
    return 0


def add_commands(subparsers: Any) -> None:
    issuer = subparsers.add_parser("issuer", help="the OpenID4VCI credential issuer")
    commands = issuer.add_subparsers(dest="issuer_command", required=True)
    serve = commands.add_parser("serve", help="run the issuer under uvicorn")
    serve.add_argument("--config", required=True, help="issuer TOML file (see docs/configuration.md)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); beyond loopback only with admin_token set",
    )
    serve.add_argument("--port", type=int, help="default: the port of public_url")
    serve.set_defaults(func=_serve)

    offer = commands.add_parser("offer", help="make a credential offer for a citizen; prints link and QR")
    offer.add_argument("--issuer", required=True, help="the issuer's base URL")
    offer.add_argument("--citizen", default="nl-0001", help="citizen id in the issuer's register")
    offer.add_argument(
        "--configuration", action="append", default=None, help="credential configuration id (repeatable)"
    )
    offer.add_argument("--admin-token", help="the issuer's admin token, when it has one")
    offer.add_argument("--json", action="store_true")
    offer.set_defaults(func=_offer)

    revoke = commands.add_parser(
        "revoke",
        help="revoke, suspend or reinstate an issued credential by its status index",
        description="Sets the credential's entry in the issuer's token status lists; relying parties see "
        "the change when their cached copy of the list expires (its ttl). GET {issuer}/issued/{citizen_id} "
        "gives each credential of a citizen its status_index and the status_list reference it carries.",
    )
    revoke.add_argument("--issuer", required=True, help="the issuer's base URL")
    revoke.add_argument(
        "--index",
        type=int,
        required=True,
        help="the credential's status_index from GET /issued/<citizen>: its entry number across the "
        "issuer's status lists (in list 2 and after, not the idx of its status claim)",
    )
    revoke.add_argument("--status", choices=("revoked", "suspended", "valid"), default="revoked")
    revoke.add_argument("--admin-token", help="the issuer's admin token, when it has one")
    revoke.set_defaults(func=_revoke)
