"""``eudi trust-list serve`` (publish a folder of signed lists) and ``eudi trust-list show`` (load one
list the way a wallet or verifier does, and print it)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from common.cli import fail, serve
from common.clock import SystemClock
from common.net import Fetcher, FetchPolicy
from trust_list.loader import TrustListLoader, TrustListSource
from trust_list.lote import TrustList
from trust_list.x509 import load_pem_certificates

__all__ = ["add_commands", "show_list"]

DEFAULT_PORT = 8002


def _serve(args: argparse.Namespace) -> int:
    from trust_list.service import create_app

    folder = Path(args.folder)
    if not folder.is_dir():
        return fail(f"{folder} is not a folder")
    try:
        pinned = load_pem_certificates(Path(args.operator).read_bytes()) if args.operator else []
    except (OSError, ValueError) as exc:
        return fail(str(exc))
    app = create_app(folder, SystemClock(), pinned=pinned)
    return serve(app, public_url="", host=args.host, port=args.port, default_port=DEFAULT_PORT)


async def _load_once(source: TrustListSource, allow_http_loopback: bool) -> TrustListLoader:
    fetcher = Fetcher(FetchPolicy(allow_loopback=allow_http_loopback))
    loader = TrustListLoader([source], fetcher, SystemClock())
    try:
        await loader.refresh()
    finally:
        await fetcher.aclose()
    return loader


def show_list(trust_list: TrustList) -> dict[str, Any]:
    """The JSON of ``eudi trust-list show --json``: the verified list with its territory."""
    from trust_list.cli import summary  # trust_list.cli imports this module

    return {"territory": trust_list.territory, **summary(trust_list)}


def _show(args: argparse.Namespace) -> int:
    try:
        pinned = load_pem_certificates(Path(args.operator).read_bytes())
        location: str | Path = args.location
        if "://" not in args.location:
            location = Path(args.location)
        source = TrustListSource(location, tuple(pinned), label=args.location)
    except (OSError, ValueError) as exc:
        return fail(str(exc))
    # The loader logs each refusal; without logging configured that would print a second line
    # before the one-line reason (DESIGN section 7).
    quiet = logging.NullHandler()
    logging.getLogger("eudi.trust_list").addHandler(quiet)
    try:
        loader = asyncio.run(_load_once(source, args.allow_http_loopback))
    finally:
        logging.getLogger("eudi.trust_list").removeHandler(quiet)
    found = loader.lists()
    if not found:
        status = loader.status()[0]
        return fail(f"{status.error_description} ({status.reason})")
    trust_list = found[0]
    if args.json:
        print(json.dumps(show_list(trust_list)))
        return 0
    print(f"operator:    {trust_list.operator_name}")
    print(f"territory:   {trust_list.territory or '-'}")
    print(f"type:        {trust_list.lote_type or '- (mixed)'}")
    print(f"sequence:    {trust_list.sequence_number}")
    print(f"issued:      {trust_list.issued.isoformat()}")
    print(f"next update: {trust_list.next_update.isoformat()}")
    for entity in trust_list.entities:
        print(f"{entity.name} ({entity.country})")
        for service in entity.services:
            state = "in force" if service.in_force else f"not in force ({service.status})"
            print(f"  {service.name}: {service.service_type} [{state}]")
            for cert in service.certificates:
                print(f"    {cert.subject.rfc4514_string()}")
            if service.attestation_types:
                print(f"    may issue: {', '.join(service.attestation_types)}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve`` and ``show`` on the ``trust-list`` subcommands."""
    serve_parser = commands.add_parser(
        "serve",
        help="publish the signed lists (*.jws) of a folder over HTTP",
        description="Serve every signed list FOLDER/NAME.jws at /lists/NAME.jws (application/jose, ETag, "
        "Last-Modified, Cache-Control until NextUpdate, 304 on If-None-Match), an index at /lists and "
        "the OpenAPI document at /openapi.json. A list rewritten on disk is served at once.",
    )
    serve_parser.add_argument("--folder", required=True, metavar="DIR", help="folder of signed lists")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, help=f"default {DEFAULT_PORT}")
    serve_parser.add_argument(
        "--operator", metavar="PEM", help="pinned operator certificate(s): the index says which lists verify"
    )
    serve_parser.set_defaults(func=_serve)

    show = commands.add_parser(
        "show",
        help="load a trust list as a wallet or verifier does and print it",
        description="Fetch (bounded; https, or http to loopback with --allow-http-loopback) or read a "
        "signed list, verify it against the pinned operator certificate(s) and print its operator, "
        "territory, type, sequence number, next update, entities and services.",
    )
    show.add_argument("location", metavar="URL_OR_FILE", help="https URL or file of the signed list")
    show.add_argument(
        "--operator", required=True, metavar="PEM", help="pinned scheme-operator certificate(s)"
    )
    show.add_argument("--json", action="store_true", help="print the list as JSON")
    show.add_argument(
        "--allow-http-loopback", action="store_true", help="allow http:// to 127.0.0.1 and localhost"
    )
    show.set_defaults(func=_show)
