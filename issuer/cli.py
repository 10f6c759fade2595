"""``eudi issuer ...``: run the issuer, make offers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

from common.qr import qr_text

__all__ = ["add_commands"]


def _serve(args: argparse.Namespace) -> int:
    from issuer.app import create_app
    from issuer.settings import load_issuer_settings

    settings = load_issuer_settings(Path(args.config))
    port = args.port or urlsplit(settings.public_url).port or 8000
    uvicorn.run(create_app(settings), host=args.host, port=port, log_level="info", access_log=False)
    return 0


def _offer(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
    try:
        answer = httpx.post(
            f"{args.issuer.rstrip('/')}/offers",
            json={
                "citizen_id": args.citizen,
                **({"credential_configuration_ids": args.configuration} if args.configuration else {}),
            },
            headers=headers,
            timeout=10,
        )
    except httpx.HTTPError as exc:
        print(f"error: cannot reach the issuer: {exc}", file=sys.stderr)
        return 1
    body = answer.json()
    if answer.status_code != 201:
        print(f"error: {body.get('error')}: {body.get('error_description')}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(body))
    else:
        print(qr_text(body["credential_offer"]))
        print(body["credential_offer"])
        if body.get("tx_code"):
            print(f"transaction code: {body['tx_code']}")
    return 0


def add_commands(subparsers: Any) -> None:
    issuer = subparsers.add_parser("issuer", help="the OpenID4VCI credential issuer")
    commands = issuer.add_subparsers(dest="issuer_command", required=True)
    serve = commands.add_parser("serve", help="run the issuer under uvicorn")
    serve.add_argument("--config", required=True, help="issuer TOML file (see docs/configuration.md)")
    serve.add_argument("--host", default="127.0.0.1")
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
