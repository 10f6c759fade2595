"""Reading what ``eudi credential`` is given (files, keys, certificates, credentials in either format)
and printing what it found."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import SystemClock
from common.errors import InvalidInput
from common.jose import (
    b64url_decode,
    b64url_encode,
    jwk_thumbprint,
)
from credentials import cbor, cose
from credentials.catalog import CATALOGUE
from credentials.errors import MalformedCbor, UnsupportedAlgorithm
from credentials.sdjwt import SdJwt
from credentials.sdjwt_vc import NEVER_DISCLOSABLE
from trust_list.x509 import load_pem_certificates

SD_JWT = "dc+sd-jwt"
MSO_MDOC = "mso_mdoc"
MAX_INPUT_BYTES = 1 << 20
"""Credentials, attribute files, keys and certificates above 1 MiB are refused before parsing."""

SUBJECT_EXCLUDED = frozenset({*NEVER_DISCLOSABLE, "iat", "aud", "_sd", "_sd_alg"})
COSE_ALGS = {cose.ES256: "ES256", cose.ESP256: "ESP256"}
HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")


# --- input ------------------------------------------------------------------------------------------


def read(path: str, *, what: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """At most ``limit`` bytes of ``path`` (``-`` is stdin); a larger file is refused, not truncated."""
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"the {what} {path} is larger than {limit} bytes")
    return data


def instant(text: str | None) -> datetime:
    """``--at`` (ISO 8601; without an offset it is UTC), or the system clock."""
    if text is None:
        return SystemClock().datetime()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--at {text!r} is not an ISO 8601 date and time") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def private_key(path: str) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(read(path, what="key file"), password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UnsupportedAlgorithm(f"{path} does not hold an EC private key")
    return key


def public_key(path: str) -> ec.EllipticCurvePublicKey:
    """The public key in a PEM public key, private key or certificate; only its public part is used."""
    data = read(path, what="key file")
    key: object
    if b"-----BEGIN CERTIFICATE-----" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
    elif b"PRIVATE KEY-----" in data:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{path} is not an unencrypted PEM private key") from exc
    else:
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise InvalidInput(f"{path} holds no PEM public key, private key or certificate") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UnsupportedAlgorithm(f"{path} does not hold an EC key")
    return key


def certificates(spec: str) -> list[x509.Certificate]:
    """``LEAF.pem[,CHAIN.pem...]``: every certificate of every file, in order, leaf first."""
    chain = []
    for path in filter(None, (part.strip() for part in spec.split(","))):
        try:
            chain.extend(load_pem_certificates(read(path, what="certificate file")))
        except ValueError as exc:
            raise InvalidInput(f"{path} holds no PEM certificate") from exc
    if not chain:
        raise InvalidInput("--cert names no certificate file")
    return chain


@dataclass(frozen=True)
class Credential:
    """What the input turned out to be: an SD-JWT (``text``) or an mdoc (``data``, decoded ``value``)."""

    format: str
    presentation: bool
    text: str = ""
    data: bytes = b""
    value: Any = None

    @property
    def label(self) -> str:
        if self.format == SD_JWT:
            return "SD-JWT VC presentation with KB-JWT" if self.presentation else "SD-JWT VC"
        return "mdoc DeviceResponse" if self.presentation else "mdoc IssuerSigned"


def decode(data: bytes) -> Credential:
    """Detect the format: SD-JWT text (compact or JSON), or CBOR as raw bytes, hex or base64url."""
    try:
        text: str | None = data.decode("ascii").strip()
    except UnicodeDecodeError:
        text = None
    if text is not None and (text.startswith("{") or "~" in text):
        parsed = SdJwt.parse(text)
        return Credential(SD_JWT, parsed.key_binding_jwt is not None, text=text)
    candidates = []
    if text is not None:
        compact = "".join(text.split())
        if HEX.fullmatch(compact):
            candidates.append(bytes.fromhex(compact))
        with contextlib.suppress(InvalidInput):
            candidates.append(b64url_decode(compact.rstrip("=")))
    candidates.append(data)
    for raw in candidates:
        try:
            value = cbor.decode(raw, max_bytes=MAX_INPUT_BYTES)
        except MalformedCbor:
            continue
        if isinstance(value, Mapping) and "issuerAuth" in value:
            return Credential(MSO_MDOC, False, data=raw, value=value)
        if isinstance(value, Mapping) and "documents" in value:
            return Credential(MSO_MDOC, True, data=raw, value=value)
    raise InvalidInput(
        "neither an SD-JWT VC (compact or JSON) nor an mdoc IssuerSigned or DeviceResponse "
        "(CBOR as raw bytes, hex or base64url)"
    )


# --- output -----------------------------------------------------------------------------------------


def plain(value: Any, *, brief: bool = False) -> Any:
    """A JSON value for CBOR or JSON data: dates in ISO 8601, bytes base64url (or their size, ``brief``)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v, brief=brief) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, brief=brief) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>" if brief else b64url_encode(value)
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": plain(value.value, brief=brief)}
    if brief and isinstance(value, str) and len(value) > 100:
        return value[:60] + f"... ({len(value)} characters)"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def epoch(value: Any) -> str | None:
    """A NumericDate as ISO 8601 text; None for what is not one, or not one of years 1 to 9999."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # beyond a double, the platform's time_t, or year 9999
        return None


def thumbprint(jwk: Any) -> str | None:
    try:
        return b64url_encode(jwk_thumbprint(jwk))
    except (KeyError, TypeError):
        return None


def type_name(type_id: str) -> str | None:
    for attestation in CATALOGUE.values():
        if type_id in (attestation.vct, attestation.doctype):
            return attestation.display.get("en")
    return None


def print_claims(claims: Mapping[str, Any], indent: str = "  ") -> None:
    for name, value in claims.items():
        print(f"{indent}{name}: {json.dumps(plain(value, brief=True), ensure_ascii=False)}")


def certificate_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UnsupportedAlgorithm("the signer certificate does not hold an EC key")
    return key
