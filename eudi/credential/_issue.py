"""``eudi credential issue``: mint a test credential from a JSON attribute file."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from common.cli import fail
from common.errors import EudiError, InvalidInput
from common.jose import (
    b64url_encode,
    parse_json,
    public_jwk,
)
from credentials.catalog import CATALOGUE, mdoc_namespaces, sd_jwt_claims
from credentials.catalog.attestation import AttestationType
from credentials.mdoc import (
    issue_mdoc,
)
from credentials.sdjwt_vc import issue_sd_jwt_vc
from eudi.credential._io import (
    MAX_INPUT_BYTES,
    SD_JWT,
    certificate_key,
    certificates,
    instant,
    plain,
    private_key,
    public_key,
    read,
    thumbprint,
    type_name,
)

# --- issue ------------------------------------------------------------------------------------------


def _attestation(type_arg: str, format_: str) -> tuple[AttestationType | None, str]:
    """A catalogue type (by key, ``vct`` or doctype) and its identifier in ``format_``, or a custom one."""
    known = CATALOGUE.get(type_arg) or next(
        (t for t in CATALOGUE.values() if type_arg in (t.vct, t.doctype)), None
    )
    if known is None:
        return None, type_arg
    type_id = known.vct if format_ == SD_JWT else known.doctype
    if type_id is None:
        raise InvalidInput(f"{known.key} has no {format_} form")
    return known, type_id


def _sd_jwt_claims(attestation: AttestationType | None, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return sd_jwt_claims(attestation.key, attributes) if attestation else dict(attributes)


def _mdoc_namespaces(
    attestation: AttestationType | None, doctype: str, attributes: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    return mdoc_namespaces(attestation.key, attributes) if attestation else {doctype: dict(attributes)}


def run_issue(args: argparse.Namespace) -> int:
    try:
        at = instant(args.at)
        attributes = parse_json(read(args.attributes, what="attribute file"), max_bytes=MAX_INPUT_BYTES)
        if not isinstance(attributes, dict):
            raise InvalidInput(f"{args.attributes} is not a JSON object of attributes")
        if (args.status_uri is None) != (args.status_idx is None):
            raise InvalidInput("--status-uri and --status-idx go together")
        if args.valid_days < 1:
            raise InvalidInput("--valid-days must be at least 1")
        signing_key = private_key(args.key)
        chain = certificates(args.cert)
        if public_jwk(certificate_key(chain[0])) != public_jwk(signing_key):
            raise InvalidInput(f"{args.key} is not the key of the first certificate of --cert")
        holder = public_key(args.holder_key)
        attestation, type_id = _attestation(args.type, args.format)
        status = None
        if args.status_uri is not None:
            status = {"status_list": {"idx": args.status_idx, "uri": args.status_uri}}
        until = at + timedelta(days=args.valid_days)
        if args.format == SD_JWT:
            claims: Mapping[str, Any] = _sd_jwt_claims(attestation, attributes)
            credential = issue_sd_jwt_vc(
                claims,
                vct=type_id,
                issuer=args.iss,
                signing_key=signing_key,
                x5c=chain,
                holder_jwk=public_jwk(holder),
                iat=int(at.timestamp()),
                exp=int(until.timestamp()),
                status=status,
            )
        else:
            claims = _mdoc_namespaces(attestation, type_id, attributes)
            credential = b64url_encode(
                issue_mdoc(
                    type_id,
                    claims,
                    signing_key=signing_key,
                    x5chain=chain,
                    device_key=holder,
                    signed=at,
                    valid_from=at,
                    valid_until=until,
                    status=status,
                )
            )
        if args.out:
            Path(args.out).write_text(credential + "\n", encoding="ascii")
    except (EudiError, OSError, ValueError) as exc:
        return fail(str(exc))
    summary = {
        "format": args.format,
        "type": type_id,
        "type_name": type_name(type_id),
        "signer": chain[0].subject.rfc4514_string(),
        "valid_from": at.replace(microsecond=0).isoformat(),
        "valid_until": until.replace(microsecond=0).isoformat(),
        "status": status,
        "holder_key_thumbprint": thumbprint(public_jwk(holder)),
        "claims": plain(claims),
        "out": args.out,
        "credential": credential,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    elif args.out:
        print(
            f"{args.format} {type_id} for holder key {summary['holder_key_thumbprint']} written to {args.out}"
        )
    else:
        print(credential)
    return 0
