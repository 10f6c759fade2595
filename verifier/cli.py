"""``eudi verifier ...``: run the verifier, make presentation requests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from common.cli import ServiceError, call_service, fail, serve
from common.qr import qr_text
from verifier.policy import PRESETS

__all__ = ["add_commands"]


def _serve(args: argparse.Namespace) -> int:
    from verifier.app import create_app
    from verifier.settings import load_verifier_settings

    settings = load_verifier_settings(Path(args.config))
    return serve(
        create_app(settings),
        public_url=settings.public_url,
        host=args.host,
        port=args.port,
        default_port=8001,
        guard=("api_token", settings.api_token),
    )


def _request(args: argparse.Namespace) -> int:
    url = f"{args.verifier.rstrip('/')}/transactions"
    try:
        made = call_service(url, {"preset": args.preset}, token=args.api_token)
    except ServiceError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(made))
    else:
        print(qr_text(made["authorization_request"]))
        print(made["authorization_request"])
        print(f"result: {made['result_url']}")
    return 0


def add_commands(subparsers: Any) -> None:
    verifier = subparsers.add_parser("verifier", help="the OpenID4VP verifier (relying-party backend)")
    commands = verifier.add_subparsers(dest="verifier_command", required=True)
    serve = commands.add_parser("serve", help="run the verifier under uvicorn")
    serve.add_argument("--config", required=True, help="verifier TOML file (see docs/configuration.md)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); beyond loopback only with api_token set",
    )
    serve.add_argument("--port", type=int, help="default: the port of public_url")
    serve.set_defaults(func=_serve)

    request = commands.add_parser("request", help="start a presentation request; prints link and QR")
    request.add_argument("--verifier", required=True, help="the verifier's base URL")
    request.add_argument("--preset", default="pid_basic", choices=sorted(PRESETS))
    request.add_argument("--api-token", help="the verifier's API token, when it has one")
    request.add_argument("--json", action="store_true")
    request.set_defaults(func=_request)
