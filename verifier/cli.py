"""``eudi verifier ...``: run the verifier, make presentation requests."""

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
from verifier.policy import PRESETS

__all__ = ["add_commands"]


def _serve(args: argparse.Namespace) -> int:
    from verifier.app import create_app
    from verifier.settings import load_verifier_settings

    settings = load_verifier_settings(Path(args.config))
    port = args.port or urlsplit(settings.public_url).port or 8001
    uvicorn.run(create_app(settings), host=args.host, port=port, log_level="info", access_log=False)
    return 0


def _request(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {args.api_token}"} if args.api_token else {}
    try:
        answer = httpx.post(
            f"{args.verifier.rstrip('/')}/transactions",
            json={"preset": args.preset},
            headers=headers,
            timeout=10,
        )
    except httpx.HTTPError as exc:
        print(f"error: cannot reach the verifier: {exc}", file=sys.stderr)
        return 1
    body = answer.json()
    if answer.status_code != 201:
        print(f"error: {body.get('error')}: {body.get('error_description')}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(body))
    else:
        print(qr_text(body["authorization_request"]))
        print(body["authorization_request"])
        print(f"result: {body['result_url']}")
    return 0


def add_commands(subparsers: Any) -> None:
    verifier = subparsers.add_parser("verifier", help="the OpenID4VP verifier (relying-party backend)")
    commands = verifier.add_subparsers(dest="verifier_command", required=True)
    serve = commands.add_parser("serve", help="run the verifier under uvicorn")
    serve.add_argument("--config", required=True, help="verifier TOML file (see docs/configuration.md)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, help="default: the port of public_url")
    serve.set_defaults(func=_serve)

    request = commands.add_parser("request", help="start a presentation request; prints link and QR")
    request.add_argument("--verifier", required=True, help="the verifier's base URL")
    request.add_argument("--preset", default="pid_basic", choices=sorted(PRESETS))
    request.add_argument("--api-token", help="the verifier's API token, when it has one")
    request.add_argument("--json", action="store_true")
    request.set_defaults(func=_request)
