"""Lists of trusted entities (ETSI TS 119 602 V1.1.1, JSON binding), signed as a compact JWS.

A list names its scheme operator, a sequence number, its issue time and its next update, and a set
of trusted entities (PID providers, wallet providers, relying-party access CAs, ...) each with
services: a service type, a status and the certificates that are its digital identity.

The list is distributed as a JAdES baseline-B compact JWS: protected header with ``alg`` (ES256),
``x5c`` (the operator's certificate) and ``sigT`` (claimed signing time, TS 119 182-1 section
5.2.1); the payload is the LoTE JSON. :func:`verify_lote` believes a list only when its signer is a
pinned operator certificate whose organisation is the list's scheme operator, the list is not past
its next update, and its sequence number is not lower than the one already in force.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import encode_jws, parse_jws, x5c_certificates, x5c_header
from trust_list.errors import InvalidTrustList, RollbackError, StaleTrustList, UntrustedSigner
from trust_list.x509 import subject_organization

__all__ = [
    "LOTE_TYPE_PID_PROVIDERS",
    "LOTE_TYPE_WALLET_PROVIDERS",
    "LOTE_TYPE_WRPAC_PROVIDERS",
    "PID_ISSUANCE",
    "STATUS_GRANTED",
    "STATUS_WITHDRAWN",
    "WRPAC_ISSUANCE",
    "TrustList",
    "TrustedEntity",
    "TrustedService",
    "build_lote",
    "sign_lote",
    "verify_lote",
]

_LOTE_TYPE = "http://uri.etsi.org/19602/LoTEType/"
LOTE_TYPE_PID_PROVIDERS = _LOTE_TYPE + "EUPIDProvidersList"
LOTE_TYPE_WALLET_PROVIDERS = _LOTE_TYPE + "EUWalletProvidersList"
LOTE_TYPE_WRPAC_PROVIDERS = _LOTE_TYPE + "EUWRPACProvidersList"

_SERVICE_TYPE = "http://uri.etsi.org/19602/SvcType/"
PID_ISSUANCE = _SERVICE_TYPE + "PID/Issuance"
WALLET_SOLUTION_ISSUANCE = _SERVICE_TYPE + "WalletSolution/Issuance"
WRPAC_ISSUANCE = _SERVICE_TYPE + "WRPAC/Issuance"

STATUS_GRANTED = "http://uri.etsi.org/19602/Svcstatus/granted"
STATUS_WITHDRAWN = "http://uri.etsi.org/19602/Svcstatus/withdrawn"

MAX_LIST_BYTES = 2 * 1024 * 1024
VERSION = 1


@dataclass(frozen=True)
class TrustedService:
    name: str
    service_type: str
    certificates: tuple[x509.Certificate, ...]
    status: str | None = STATUS_GRANTED

    @property
    def in_force(self) -> bool:
        return self.status in (None, STATUS_GRANTED)


@dataclass(frozen=True)
class TrustedEntity:
    name: str
    services: tuple[TrustedService, ...]
    country: str = "EU"
    information_uri: str = "https://example.invalid/"


@dataclass(frozen=True)
class TrustList:
    sequence_number: int
    issued: datetime
    next_update: datetime
    lote_type: str | None
    operator_name: str
    entities: tuple[TrustedEntity, ...]

    def anchors(self, service_type: str) -> list[x509.Certificate]:
        """Certificates of the services of ``service_type`` that are in force (granted)."""
        return [
            cert
            for entity in self.entities
            for service in entity.services
            if service.service_type == service_type and service.in_force
            for cert in service.certificates
        ]

    def vouching_entity(self, service_type: str, anchor: x509.Certificate) -> TrustedEntity | None:
        for entity in self.entities:
            for service in entity.services:
                if (
                    service.service_type == service_type
                    and service.in_force
                    and anchor in service.certificates
                ):
                    return entity
        return None


def _text(value: str, lang: str = "en") -> list[dict[str, str]]:
    return [{"lang": lang, "value": value}]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _der_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def build_lote(
    *,
    operator_name: str,
    country: str,
    sequence_number: int,
    issued: datetime,
    next_update: datetime,
    entities: Sequence[TrustedEntity],
    lote_type: str | None = None,
) -> dict[str, Any]:
    """The LoTE JSON document (TS 119 602 V1.1.1 JSON schema)."""
    scheme: dict[str, Any] = {
        "LoTEVersionIdentifier": VERSION,
        "LoTESequenceNumber": sequence_number,
        "SchemeOperatorName": _text(operator_name),
        "SchemeTerritory": country,
        "ListIssueDateTime": _time(issued),
        "NextUpdate": _time(next_update),
    }
    if lote_type is not None:
        scheme["LoTEType"] = lote_type
    entries = []
    for entity in entities:
        services = []
        for service in entity.services:
            information: dict[str, Any] = {
                "ServiceName": _text(service.name),
                "ServiceDigitalIdentity": {
                    "X509Certificates": [{"val": _der_b64(cert)} for cert in service.certificates]
                },
                "ServiceTypeIdentifier": service.service_type,
            }
            if service.status is not None:
                information["ServiceStatus"] = service.status
                information["StatusStartingTime"] = _time(issued)
            services.append({"ServiceInformation": information})
        entries.append(
            {
                "TrustedEntityInformation": {
                    "TEName": _text(entity.name),
                    "TEAddress": {
                        "TEPostalAddress": [{"lang": "en", "StreetAddress": "-", "Country": entity.country}],
                        "TEElectronicAddress": [{"lang": "en", "uriValue": entity.information_uri}],
                    },
                    "TEInformationURI": [{"lang": "en", "uriValue": entity.information_uri}],
                },
                "TrustedEntityServices": services,
            }
        )
    document: dict[str, Any] = {"ListAndSchemeInformation": scheme}
    if entries:
        document["TrustedEntitiesList"] = entries
    return {"LoTE": document}


def sign_lote(
    lote: Mapping[str, Any],
    *,
    key: ec.EllipticCurvePrivateKey,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
) -> str:
    """JAdES baseline-B compact JWS over the LoTE JSON."""
    return encode_jws({"x5c": x5c_header(chain), "sigT": _time(signing_time)}, dict(lote), key)


def _first_text(value: Any, what: str) -> str:
    if (
        isinstance(value, list)
        and value
        and isinstance(value[0], dict)
        and isinstance(value[0].get("value"), str)
    ):
        return str(value[0]["value"])
    raise InvalidTrustList(f"{what} is missing or malformed")


def _datetime(value: Any, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidTrustList(f"{what} is not a date-time") from exc
    if moment.tzinfo is None:
        raise InvalidTrustList(f"{what} has no time zone")
    return moment


def _certificates(identity: Any) -> tuple[x509.Certificate, ...]:
    items = identity.get("X509Certificates", []) if isinstance(identity, dict) else []
    certs = []
    for item in items:
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(item["val"], validate=True)))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise InvalidTrustList("a service certificate is not base64 DER") from exc
    return tuple(certs)


def _parse(document: Any) -> TrustList:
    try:
        lote = document["LoTE"]
        scheme = lote["ListAndSchemeInformation"]
        sequence = scheme["LoTESequenceNumber"]
        if not isinstance(sequence, int) or isinstance(sequence, bool):
            raise InvalidTrustList("LoTESequenceNumber is not an integer")
        entities = []
        for entry in lote.get("TrustedEntitiesList", []):
            information = entry["TrustedEntityInformation"]
            services = []
            for service in entry["TrustedEntityServices"]:
                info = service["ServiceInformation"]
                services.append(
                    TrustedService(
                        name=_first_text(info["ServiceName"], "ServiceName"),
                        service_type=str(info.get("ServiceTypeIdentifier", "")),
                        certificates=_certificates(info["ServiceDigitalIdentity"]),
                        status=info.get("ServiceStatus"),
                    )
                )
            entities.append(
                TrustedEntity(name=_first_text(information["TEName"], "TEName"), services=tuple(services))
            )
        return TrustList(
            sequence_number=sequence,
            issued=_datetime(scheme["ListIssueDateTime"], "ListIssueDateTime"),
            next_update=_datetime(scheme["NextUpdate"], "NextUpdate"),
            lote_type=scheme.get("LoTEType"),
            operator_name=_first_text(scheme["SchemeOperatorName"], "SchemeOperatorName"),
            entities=tuple(entities),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidTrustList(f"not a LoTE document: missing {exc}") from exc


def verify_lote(
    jws: str,
    *,
    pinned: Sequence[x509.Certificate],
    now: datetime,
    previous: TrustList | None = None,
) -> TrustList:
    """Believe a signed list only from a pinned operator, while fresh, and never an older one."""
    try:
        parsed = parse_jws(jws, max_bytes=MAX_LIST_BYTES)
        signer = x5c_certificates(parsed.header)[0]
    except InvalidInput as exc:
        raise InvalidTrustList(f"not a signed trust list: {exc}") from exc
    if signer not in pinned:
        raise UntrustedSigner("the trust list is not signed by a pinned scheme operator")
    key = signer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UntrustedSigner("the operator certificate does not hold an EC key")
    try:
        parsed.verify(key)
    except CryptoError as exc:
        raise InvalidTrustList("the trust list signature does not verify") from exc
    try:
        document = parsed.claims(max_depth=16)
    except InvalidInput as exc:
        raise InvalidTrustList(f"the trust list is not JSON: {exc}") from exc
    trust_list = _parse(document)
    if subject_organization(signer) != trust_list.operator_name:
        raise UntrustedSigner("the signer is not the list's scheme operator")
    if trust_list.next_update <= now:
        raise StaleTrustList(
            f"the trust list's next update ({trust_list.next_update:%Y-%m-%d %H:%M}) has passed"
        )
    if previous is not None and trust_list.sequence_number < previous.sequence_number:
        raise RollbackError(
            f"trust list sequence {trust_list.sequence_number} is older than {previous.sequence_number}"
        )
    return trust_list
