"""``eudi credential inspect``: decode an SD-JWT VC or an mdoc without trusting it."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from cryptography import x509

from common.cli import fail
from common.errors import EudiError, InvalidInput
from common.jose import (
    parse_jws,
    public_jwk,
    x5c_certificates,
)
from credentials import cbor, cose
from credentials.errors import MalformedMdoc
from credentials.mdoc import (
    parse_mso,
)
from credentials.sdjwt import SdJwt, fully_disclosed
from eudi.credential._io import (
    COSE_ALGS,
    MAX_INPUT_BYTES,
    MSO_MDOC,
    SD_JWT,
    SUBJECT_EXCLUDED,
    Credential,
    decode,
    epoch,
    plain,
    print_claims,
    read,
    thumbprint,
    type_name,
)

# --- inspect ----------------------------------------------------------------------------------------


def _x5c_subjects(header: Mapping[str, Any]) -> list[str]:
    try:
        return [cert.subject.rfc4514_string() for cert in x5c_certificates(header)]
    except InvalidInput:
        return []


def _inspect_sd_jwt(credential: Credential) -> dict[str, Any]:
    parsed = SdJwt.parse(credential.text)
    header = dict(parse_jws(parsed.issuer_jwt).header)
    payload = fully_disclosed(parsed)
    subjects = _x5c_subjects(header)
    if "x5c" in header:
        header["x5c"] = subjects
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    result: dict[str, Any] = {
        "format": SD_JWT,
        "kind": credential.label,
        "header": header,
        "type": payload.get("vct"),
        "type_name": type_name(str(payload.get("vct"))),
        "issuer": payload.get("iss"),
        "validity": {name: epoch(payload.get(name)) for name in ("iat", "nbf", "exp") if name in payload},
        "status": payload.get("status"),
        "holder_key_thumbprint": thumbprint(jwk),
        "disclosures": len(parsed.disclosures),
        "claims": {name: value for name, value in payload.items() if name not in SUBJECT_EXCLUDED},
    }
    if isinstance(jwk, dict) and "d" in jwk:
        result["warning"] = "cnf.jwk carries private key material (not shown)"
    if parsed.key_binding_jwt is not None:
        kb = parse_jws(parsed.key_binding_jwt)
        claims = kb.claims(max_depth=8)
        result["key_binding"] = {
            "typ": kb.header.get("typ"),
            "alg": kb.header.get("alg"),
            "aud": claims.get("aud"),
            "nonce": claims.get("nonce"),
            "iat": epoch(claims.get("iat")),
            "sd_hash": claims.get("sd_hash"),
        }
    return result


def mso_of(issuer_signed: Any) -> tuple[cose.CoseSign1, Any]:
    """The issuerAuth and its (unverified) MSO."""
    if not isinstance(issuer_signed, Mapping) or not isinstance(issuer_signed.get("issuerAuth"), list):
        raise MalformedMdoc("IssuerSigned without an issuerAuth array")
    message = cose.decode_sign1(issuer_signed["issuerAuth"])
    if message.payload is None:
        raise MalformedMdoc("issuerAuth payload is detached")
    return message, parse_mso(cbor.unwrap24(cbor.decode(message.payload, max_bytes=MAX_INPUT_BYTES)))


def _elements(issuer_signed: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    namespaces = issuer_signed.get("nameSpaces", {})
    if not isinstance(namespaces, Mapping):
        raise MalformedMdoc("nameSpaces must be a map")
    result: dict[str, dict[str, Any]] = {}
    for namespace, tags in namespaces.items():
        if not isinstance(tags, list):
            raise MalformedMdoc("IssuerSignedItems must be an array")
        items = [cbor.unwrap24(tag, max_bytes=MAX_INPUT_BYTES) for tag in tags]
        if not all(isinstance(item, Mapping) and "elementIdentifier" in item for item in items):
            raise MalformedMdoc("an IssuerSignedItem without elementIdentifier")
        result[str(namespace)] = {str(item["elementIdentifier"]): item.get("elementValue") for item in items}
    return result


def _inspect_issuer_signed(issuer_signed: Any) -> dict[str, Any]:
    message, mso = mso_of(issuer_signed)
    try:
        chain = [cert.subject.rfc4514_string() for cert in cose.x5chain(message)]
    except (EudiError, x509.InvalidVersion):
        chain = []
    alg = message.protected.get(cose.ALG)
    validity = mso.validity
    return {
        "header": {"alg": COSE_ALGS.get(alg, alg) if isinstance(alg, int) else alg, "x5chain": chain},
        "type": mso.doctype,
        "type_name": type_name(mso.doctype),
        "validity": {
            "signed": validity.signed.isoformat(),
            "valid_from": validity.valid_from.isoformat(),
            "valid_until": validity.valid_until.isoformat(),
        },
        "digest_algorithm": mso.digest_algorithm,
        "status": plain(mso.status),
        "holder_key_thumbprint": thumbprint(public_jwk(mso.device_key)),
        "claims": _elements(issuer_signed),
    }


def _inspect_mdoc(credential: Credential) -> dict[str, Any]:
    value = credential.value
    if not credential.presentation:
        return {"format": MSO_MDOC, "kind": credential.label, **_inspect_issuer_signed(value)}
    documents = value.get("documents")
    if not isinstance(documents, list):
        raise MalformedMdoc("DeviceResponse documents must be an array")
    inspected = []
    for document in documents:
        if not isinstance(document, Mapping):
            raise MalformedMdoc("a Document must be a map")
        device_signed = document.get("deviceSigned")
        device_auth = device_signed.get("deviceAuth") if isinstance(device_signed, Mapping) else None
        inspected.append(
            {
                "doctype": document.get("docType"),
                **_inspect_issuer_signed(document.get("issuerSigned")),
                "device_auth": sorted(map(str, device_auth)) if isinstance(device_auth, Mapping) else None,
            }
        )
    return {
        "format": MSO_MDOC,
        "kind": credential.label,
        "version": value.get("version"),
        "status": value.get("status"),
        "documents": inspected,
    }


def _print_inspected(result: Mapping[str, Any], indent: str = "") -> None:
    for name, value in result.items():
        if name == "claims":
            print(f"{indent}claims:")
            for claim, claim_value in value.items():
                if result.get("format") != SD_JWT and isinstance(claim_value, Mapping):
                    print(f"{indent}  {claim}:")
                    print_claims(claim_value, indent + "    ")
                else:
                    print_claims({claim: claim_value}, indent + "  ")
        elif name == "documents":
            for number, document in enumerate(value, 1):
                print(f"{indent}document {number}:")
                _print_inspected({"format": MSO_MDOC, **document}, indent + "  ")
        elif name != "format" or not indent:
            print(f"{indent}{name}: {json.dumps(plain(value, brief=True), ensure_ascii=False)}")


def run_inspect(args: argparse.Namespace) -> int:
    try:
        credential = decode(read(args.file, what="credential file"))
        result = _inspect_sd_jwt(credential) if credential.format == SD_JWT else _inspect_mdoc(credential)
    except (EudiError, OSError, ValueError, x509.InvalidVersion) as exc:
        return fail(str(exc))
    except (TypeError, KeyError, AttributeError) as exc:  # a shape the decoding above did not foresee
        return fail(f"the credential has an unexpected structure ({type(exc).__name__}: {exc})")
    if args.json:
        print(json.dumps(plain(result), ensure_ascii=False))
    else:
        print(f"{credential.label} (not verified)")
        _print_inspected(result)
    return 0
