"""``eudi pki ...`` and ``eudi trust-list ...``: the development PKI and the signed trust list.

The one place in this package that touches files and the wall clock; everything below it takes
bytes and a ``datetime``.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common.cli import fail
from common.clock import SystemClock
from common.config import load_private_key
from common.errors import EudiError, InvalidInput
from common.jose import parse_json
from trust_list import cli_serve
from trust_list.dev_lists import KINDS, dev_document, dev_entities, dev_list
from trust_list.lote import (
    MAX_LIST_BYTES,
    TrustedEntity,
    TrustList,
    sign_lote,
    verify_lote,
)
from trust_list.pki import FILES, DevPki, load_dev_pki, make_dev_pki, write_dev_pki
from trust_list.x509 import load_pem_certificates

__all__ = ["add_commands", "skeleton_entities", "summary", "write_trust_list"]


def skeleton_entities(pki: DevPki) -> list[TrustedEntity]:
    """The entities of a development federation on one list (see :mod:`trust_list.dev_lists`)."""
    return dev_entities(pki, "all")


def write_trust_list(
    pki: DevPki,
    path: Path,
    *,
    now: datetime,
    sequence_number: int = 1,
    validity: timedelta = timedelta(days=30),
    kind: str = "all",
) -> TrustList:
    """Build, sign and write a development list of ``kind``; return it as a verifier reads it."""
    signed = dev_list(pki, kind, now=now, sequence_number=sequence_number, validity=validity)
    trust_list = verify_lote(signed, pinned=[pki.operator_cert], now=now)
    path.write_text(signed + "\n", encoding="utf-8")
    return trust_list


def summary(trust_list: TrustList) -> dict[str, Any]:
    """A JSON view of a verified list (``eudi trust-list verify --json``)."""
    return {
        "operator": trust_list.operator_name,
        "lote_type": trust_list.lote_type,
        "sequence_number": trust_list.sequence_number,
        "issued": trust_list.issued.isoformat(),
        "next_update": trust_list.next_update.isoformat(),
        "entities": [
            {
                "name": entity.name,
                "country": entity.country,
                "services": [
                    {
                        "name": service.name,
                        "type": service.service_type,
                        "status": service.status,
                        "attestation_types": list(service.attestation_types),
                        "certificates": [cert.subject.rfc4514_string() for cert in service.certificates],
                    }
                    for service in entity.services
                ],
            }
            for entity in trust_list.entities
        ],
    }


def _now() -> datetime:
    return SystemClock().datetime()


def _pki_init(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    countries = [c.strip().upper() for c in args.countries.split(",")] if args.countries else None
    folders = {c: directory / c.lower() for c in countries} if countries else {args.country: directory}
    for folder in folders.values():
        if any((folder / name).exists() for name in FILES.values()) and not args.force:
            return fail(f"{folder} already holds a PKI (use --force to replace it)")
    try:
        for country, folder in folders.items():
            if len(country) != 2 or not country.isalpha():
                raise ValueError(f"{country!r} is not a two-letter country code")
            write_dev_pki(make_dev_pki(now=_now(), rp_dns_name=args.rp_dns_name, country=country), folder)
    except (OSError, ValueError) as exc:
        return fail(str(exc))
    for country, folder in folders.items():
        print(f"development PKI of {country} written to {folder}")
    return 0


def _build(args: argparse.Namespace) -> int:
    try:
        pki = load_dev_pki(Path(args.pki))
        now = _now()
        if args.unsigned:
            document = dev_document(
                pki,
                args.type,
                now=now,
                sequence_number=args.sequence,
                validity=timedelta(days=args.validity_days),
            )
            Path(args.out).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            print(f"unsigned {args.type} list {args.out}: sign it with `eudi trust-list sign`")
            return 0
        trust_list = write_trust_list(
            pki,
            Path(args.out),
            now=now,
            sequence_number=args.sequence,
            validity=timedelta(days=args.validity_days),
            kind=args.type,
        )
    except (EudiError, OSError, ValueError) as exc:
        return fail(str(exc))
    print(
        f"trust list {args.out}: sequence {trust_list.sequence_number}, "
        f"{len(trust_list.entities)} entities, next update {trust_list.next_update:%Y-%m-%d}"
    )
    return 0


def _sign(args: argparse.Namespace) -> int:
    try:
        document = parse_json(Path(args.file).read_bytes(), max_bytes=MAX_LIST_BYTES)
        if not isinstance(document, dict):
            raise InvalidInput(f"{args.file} is not a LoTE JSON object")
        chain = load_pem_certificates(Path(args.cert).read_bytes())
        signed = sign_lote(document, key=load_private_key(Path(args.key)), chain=chain)
        trust_list = verify_lote(signed, pinned=chain[:1], now=_now())  # refuse what no one would accept
        Path(args.out).write_text(signed + "\n", encoding="utf-8")
    except (EudiError, OSError, ValueError) as exc:
        return fail(str(exc))
    print(f"signed {args.out}: {trust_list.operator_name}, sequence {trust_list.sequence_number}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        pinned = load_pem_certificates(Path(args.operator).read_bytes())
        trust_list = verify_lote(
            Path(args.file).read_text(encoding="utf-8").strip(), pinned=pinned, now=_now()
        )
    except (EudiError, OSError, ValueError) as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(summary(trust_list)))
        return 0
    print(
        f"valid: {trust_list.operator_name}, sequence {trust_list.sequence_number}, "
        f"next update {trust_list.next_update:%Y-%m-%d}"
    )
    for entity in trust_list.entities:
        kinds = ", ".join(service.service_type.rsplit("/", 2)[-2] for service in entity.services)
        print(f"  {entity.name}: {kinds}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``pki init`` and ``trust-list build|verify`` on the ``eudi`` command."""
    pki = subparsers.add_parser("pki", help="development PKI", description="Development PKI.")
    pki_commands = pki.add_subparsers(dest="pki_command", required=True)
    init = pki_commands.add_parser(
        "init",
        help="make a development PKI in DIR (one folder per country with --countries)",
        description="Per country: a PID-provider CA and the PID issuer's certificate, an attestation "
        "(EAA) provider CA and its issuer's certificate, a wallet-provider CA and certificate, a "
        "registrar CA and certificate, an RP access CA and the verifier's access certificate (DNS SAN), "
        "and the trust-list scheme operator's certificate; P-256 keys, PEM files (keys mode 0600).",
    )
    init.add_argument("directory", metavar="DIR", help="folder to write the PEM files into")
    init.add_argument("--rp-dns-name", default="localhost", help="DNS SAN of the verifier access certificate")
    init.add_argument("--country", default="NL", help="country code in the subjects (default NL)")
    init.add_argument(
        "--countries", metavar="NL,DE,...", help="one PKI per country, in DIR/<country> (e.g. DIR/nl)"
    )
    init.add_argument("--force", action="store_true", help="replace a PKI already in DIR")
    init.set_defaults(func=_pki_init)

    trust = subparsers.add_parser(
        "trust-list",
        help="signed lists of trusted entities (ETSI TS 119 602)",
        description="Build and verify signed lists of trusted entities (ETSI TS 119 602 LoTE, JAdES JWS).",
    )
    commands = trust.add_subparsers(dest="trust_list_command", required=True)
    cli_serve.add_commands(commands)
    build = commands.add_parser(
        "build",
        help="build and sign a trust list of a development PKI",
        description="List the entities of one country's PKI folder, signed by its scheme operator: all "
        "on one list (--type all, no LoTEType), or one EU LoTE type: pid (PID providers), eaa (public "
        "EAA providers), wallet (wallet providers), wrpac (RP access CAs), wrprc (registrars).",
    )
    build.add_argument("--pki", required=True, metavar="DIR", help="folder made by `eudi pki init`")
    build.add_argument("--out", required=True, metavar="FILE", help="where to write the signed list")
    build.add_argument("--sequence", type=int, default=1, help="LoTESequenceNumber (default 1)")
    build.add_argument("--validity-days", type=int, default=30, help="days until NextUpdate (default 30)")
    build.add_argument("--type", choices=sorted(KINDS), default="all", help="which list (default all)")
    build.add_argument("--unsigned", action="store_true", help="write the LoTE JSON, to sign later")
    build.set_defaults(func=_build)
    sign = commands.add_parser(
        "sign",
        help="sign a LoTE JSON document as a JAdES compact JWS",
        description="Sign a list of trusted entities (TS 119 602 JSON) with the scheme operator's key; "
        "the result must verify against the operator certificate.",
    )
    sign.add_argument("file", metavar="FILE.json", help="the LoTE JSON document")
    sign.add_argument("--key", required=True, metavar="PEM", help="the scheme operator's private key")
    sign.add_argument("--cert", required=True, metavar="PEM", help="its certificate (chain), leaf first")
    sign.add_argument("--out", required=True, metavar="FILE", help="where to write the signed list")
    sign.set_defaults(func=_sign)
    verify = commands.add_parser(
        "verify",
        help="check a signed trust list against a pinned operator certificate",
        description="Verify signature, signer, freshness and structure of a signed trust list.",
    )
    verify.add_argument("file", metavar="FILE", help="the signed list (compact JWS)")
    verify.add_argument(
        "--operator", required=True, metavar="PEM", help="pinned scheme-operator certificate(s)"
    )
    verify.add_argument("--json", action="store_true", help="print the list as JSON")
    verify.set_defaults(func=_verify)
