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
from common.errors import EudiError
from trust_list.lote import (
    PID_ISSUANCE,
    PUB_EAA_ISSUANCE,
    WRPAC_ISSUANCE,
    TrustedEntity,
    TrustedService,
    TrustList,
    build_lote,
    sign_lote,
    verify_lote,
)
from trust_list.pki import DEV_EAA_TYPES, FILES, DevPki, load_dev_pki, make_dev_pki, write_dev_pki
from trust_list.x509 import load_pem_certificates, subject_country, subject_organization

__all__ = ["add_commands", "skeleton_entities", "summary", "write_trust_list"]


def skeleton_entities(pki: DevPki) -> list[TrustedEntity]:
    """The entities of a development federation: its PID provider, its attestation (EAA) provider and
    its RP access CA (WRPAC)."""
    return [
        TrustedEntity(
            name=subject_organization(pki.pid_ca_cert) or "PID provider",
            services=(TrustedService("PID issuance", PID_ISSUANCE, (pki.pid_ca_cert,)),),
            country=subject_country(pki.pid_ca_cert) or "EU",
        ),
        TrustedEntity(
            name=subject_organization(pki.eaa_ca_cert) or "EAA provider",
            services=(
                TrustedService(
                    "Attestation issuance",
                    PUB_EAA_ISSUANCE,
                    (pki.eaa_ca_cert,),
                    attestation_types=DEV_EAA_TYPES,
                ),
            ),
            country=subject_country(pki.eaa_ca_cert) or "EU",
        ),
        TrustedEntity(
            name=subject_organization(pki.rp_ca_cert) or "RP access CA",
            services=(
                TrustedService("Relying-party access certificates", WRPAC_ISSUANCE, (pki.rp_ca_cert,)),
            ),
            country=subject_country(pki.rp_ca_cert) or "EU",
        ),
    ]


def write_trust_list(
    pki: DevPki,
    path: Path,
    *,
    now: datetime,
    sequence_number: int = 1,
    validity: timedelta = timedelta(days=30),
) -> TrustList:
    """Build, sign and write the development trust list; return it as a verifier reads it.

    One list carries the PID provider, the EAA provider and the RP access CA, so it has no
    ``LoTEType`` (each EU type admits one family of service types); the operator is the ``O`` of the
    operator certificate.
    """
    operator = subject_organization(pki.operator_cert) or "Trust list operator"
    document = build_lote(
        operator_name=operator,
        country=subject_country(pki.operator_cert) or "EU",
        sequence_number=sequence_number,
        issued=now,
        next_update=now + validity,
        entities=skeleton_entities(pki),
    )
    signed = sign_lote(document, key=pki.operator_key, chain=[pki.operator_cert])
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
    if any((directory / name).exists() for name in FILES.values()) and not args.force:
        return fail(f"{directory} already holds a PKI (use --force to replace it)")
    try:
        pki = make_dev_pki(now=_now(), rp_dns_name=args.rp_dns_name, country=args.country)
        write_dev_pki(pki, directory)
    except (OSError, ValueError) as exc:
        return fail(str(exc))
    print(f"development PKI written to {directory}: " + ", ".join(sorted(FILES.values())))
    return 0


def _build(args: argparse.Namespace) -> int:
    try:
        trust_list = write_trust_list(
            load_dev_pki(Path(args.pki)),
            Path(args.out),
            now=_now(),
            sequence_number=args.sequence,
            validity=timedelta(days=args.validity_days),
        )
    except (EudiError, OSError, ValueError) as exc:
        return fail(str(exc))
    print(
        f"trust list {args.out}: sequence {trust_list.sequence_number}, "
        f"{len(trust_list.entities)} entities, next update {trust_list.next_update:%Y-%m-%d}"
    )
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
        help="make a development PKI in DIR",
        description="PID-provider CA and issuer certificate, RP access CA and verifier access certificate "
        "(DNS SAN), and a trust-list operator certificate; P-256 keys, PEM files (keys mode 0600).",
    )
    init.add_argument("directory", metavar="DIR", help="folder to write the PEM files into")
    init.add_argument("--rp-dns-name", default="localhost", help="DNS SAN of the verifier access certificate")
    init.add_argument("--country", default="NL", help="country code in the subjects (default NL)")
    init.add_argument("--force", action="store_true", help="replace a PKI already in DIR")
    init.set_defaults(func=_pki_init)

    trust = subparsers.add_parser(
        "trust-list",
        help="signed lists of trusted entities (ETSI TS 119 602)",
        description="Build and verify signed lists of trusted entities (ETSI TS 119 602 LoTE, JAdES JWS).",
    )
    commands = trust.add_subparsers(dest="trust_list_command", required=True)
    build = commands.add_parser(
        "build",
        help="build and sign the trust list of a development PKI",
        description="List the PID provider and the RP access CA of a PKI folder, signed by its operator.",
    )
    build.add_argument("--pki", required=True, metavar="DIR", help="folder made by `eudi pki init`")
    build.add_argument("--out", required=True, metavar="FILE", help="where to write the signed list")
    build.add_argument("--sequence", type=int, default=1, help="LoTESequenceNumber (default 1)")
    build.add_argument("--validity-days", type=int, default=30, help="days until NextUpdate (default 30)")
    build.set_defaults(func=_build)
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
