"""Lists of trusted entities (ETSI TS 119 602 V1.1.1, JSON binding), signed as a compact JWS.

A list (``LoTE``) names its scheme operator, a sequence number, its issue time and its next update
(``ListAndSchemeInformation``), and trusted entities (PID providers, wallet providers,
relying-party access CAs, ...) each with services: a service type, an optional status and the
certificates that are its digital identity (``TrustedEntitiesList``), as TS 119 602 clause 6 and
its JSON schema (``vectors/etsi-119602-lote/``) lay out.

Signature: JAdES baseline-B compact JWS (ETSI TS 119 182-1): protected header ``alg`` ES256,
``typ`` ``JOSE`` (RFC 7515 section 4.1.9, compact serialisation), ``x5c`` (the operator's
certificate, leaf first), ``x5t#S256`` (its SHA-256 thumbprint, the signing certificate reference
baseline-B asks for) and ``iat`` (the claimed signing time, which TS 119 182-1 v1.2.1 puts in place of
the older ``sigT``); the payload is the LoTE JSON. On reading, ``sigT`` or ``iat`` and ``x5t#S256``
are checked, and a ``crit`` may name them (as JAdES signers such as DSS do) and nothing else.

:func:`verify_lote` believes a list only when its signer is a pinned operator certificate (direct
trust) or validates to a pinned CA (PKIX), the signer's ``O`` or ``CN`` is the list's scheme
operator, the list is not past its next update, and its sequence number is not lower than the one
already in force. Service status: the EU LoTE profiles leave ``ServiceStatus`` out (being listed is
being trusted); when present we read the TS 119 612 vocabulary, where only ``granted`` is in force.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import CryptoError, InvalidInput
from common.jose import (
    b64url_encode,
    encode_jws,
    has_typ,
    load_der_certificate,
    parse_jws,
    x5c_certificates,
    x5c_header,
)
from trust_list.errors import ChainError, InvalidTrustList, RollbackError, StaleTrustList, UntrustedSigner
from trust_list.uris import (
    LOTE_TYPE_PID_PROVIDERS,
    LOTE_TYPE_PUB_EAA_PROVIDERS,
    LOTE_TYPE_REGISTRARS_AND_REGISTERS,
    LOTE_TYPE_WALLET_PROVIDERS,
    LOTE_TYPE_WRPAC_PROVIDERS,
    LOTE_TYPE_WRPRC_PROVIDERS,
    PID_ISSUANCE,
    PID_REVOCATION,
    PUB_EAA_ISSUANCE,
    PUB_EAA_REVOCATION,
    REGISTER,
    SERVICE_TYPES,
    STATUS_GRANTED,
    STATUS_WITHDRAWN,
    WALLET_SOLUTION_ISSUANCE,
    WALLET_SOLUTION_REVOCATION,
    WRPAC_ISSUANCE,
    WRPAC_REVOCATION,
    WRPRC_ISSUANCE,
    WRPRC_REVOCATION,
)
from trust_list.x509 import require_aware, subject_common_name, subject_organization, validate_chain

__all__ = [
    "JWS_TYP",
    "LOTE_TYPE_PID_PROVIDERS",
    "LOTE_TYPE_PUB_EAA_PROVIDERS",
    "LOTE_TYPE_REGISTRARS_AND_REGISTERS",
    "LOTE_TYPE_WALLET_PROVIDERS",
    "LOTE_TYPE_WRPAC_PROVIDERS",
    "LOTE_TYPE_WRPRC_PROVIDERS",
    "MAX_LIST_BYTES",
    "PID_ISSUANCE",
    "PID_REVOCATION",
    "PUB_EAA_ISSUANCE",
    "PUB_EAA_REVOCATION",
    "REGISTER",
    "SERVICE_TYPES",
    "STATUS_GRANTED",
    "STATUS_WITHDRAWN",
    "WALLET_SOLUTION_ISSUANCE",
    "WALLET_SOLUTION_REVOCATION",
    "WRPAC_ISSUANCE",
    "WRPAC_REVOCATION",
    "WRPRC_ISSUANCE",
    "WRPRC_REVOCATION",
    "TrustList",
    "TrustedEntity",
    "TrustedService",
    "build_lote",
    "sign_lote",
    "verify_lote",
]

JWS_TYP = "JOSE"
MAX_LIST_BYTES = 2 * 1024 * 1024
LOTE_VERSION = 1
_TYPES_EXTENSION = "AttestationTypes"
_MAX_JSON_DEPTH = 16


@dataclass(frozen=True)
class TrustedService:
    """One service of a trusted entity (``ServiceInformation``, TS 119 602)."""

    name: str
    service_type: str
    certificates: tuple[x509.Certificate, ...]
    status: str | None = None
    attestation_types: tuple[str, ...] = ()
    """The attestation types (``vct`` or docType) an EAA provider's service may issue, carried in
    ``ServiceInformationExtensions`` as ``{"AttestationTypes": [...]}`` (our reading: TS 119 602
    leaves the extension's content open, DESIGN.md section 5 asks for the types)."""

    @property
    def in_force(self) -> bool:
        """Absent status (the EU profiles) or ``granted``; anything else, unknown included, is not."""
        return self.status in (None, STATUS_GRANTED)


@dataclass(frozen=True)
class TrustedEntity:
    """A trusted entity and its services (``TrustedEntityInformation``, TS 119 602)."""

    name: str
    services: tuple[TrustedService, ...]
    country: str = "EU"
    information_uri: str = "https://example.invalid/"


@dataclass(frozen=True)
class TrustList:
    """A verified list: what :func:`verify_lote` returns and callers keep as the list in force."""

    sequence_number: int
    issued: datetime
    next_update: datetime
    lote_type: str | None
    operator_name: str
    entities: tuple[TrustedEntity, ...]
    territory: str | None = None

    def _in_force(self, service_type: str) -> list[tuple[TrustedEntity, TrustedService]]:
        return [
            (entity, service)
            for entity in self.entities
            for service in entity.services
            if service.service_type == service_type and service.in_force
        ]

    def anchors(self, service_type: str) -> list[x509.Certificate]:
        """Certificates of the services of ``service_type`` that are in force."""
        return [cert for _, service in self._in_force(service_type) for cert in service.certificates]

    def vouching_entity(self, service_type: str, anchor: x509.Certificate) -> TrustedEntity | None:
        """The entity whose in-force service of ``service_type`` lists ``anchor``."""
        for entity, service in self._in_force(service_type):
            if anchor in service.certificates:
                return entity
        return None


def _text(value: str) -> list[dict[str, str]]:
    return [{"lang": "en", "value": value}]


def _uri(value: str) -> list[dict[str, str]]:
    return [{"lang": "en", "uriValue": value}]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _der_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def _service_json(service: TrustedService, issued: datetime) -> dict[str, Any]:
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
    if service.attestation_types:
        information["ServiceInformationExtensions"] = [{_TYPES_EXTENSION: list(service.attestation_types)}]
    return {"ServiceInformation": information}


def _entity_json(entity: TrustedEntity, issued: datetime) -> dict[str, Any]:
    return {
        "TrustedEntityInformation": {
            "TEName": _text(entity.name),
            "TEAddress": {
                "TEPostalAddress": [{"lang": "en", "StreetAddress": "-", "Country": entity.country}],
                "TEElectronicAddress": _uri(entity.information_uri),
            },
            "TEInformationURI": _uri(entity.information_uri),
        },
        "TrustedEntityServices": [_service_json(service, issued) for service in entity.services],
    }


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
    """The LoTE JSON document (TS 119 602 V1.1.1 clause 6 and its JSON schema).

    ``lote_type`` is optional in the schema: leave it out for a list that mixes service types (the
    development list does); with an EU type every service must be one of :data:`SERVICE_TYPES`.
    """
    require_aware(issued, "issued")
    require_aware(next_update, "next_update")
    if len(country) != 2:
        raise ValueError("country must be a two-letter code (SchemeTerritory)")
    if sequence_number < 1:
        raise ValueError("LoTESequenceNumber starts at 1")
    if next_update <= issued:
        raise ValueError("next_update must be after issued")
    _check_service_types(lote_type, entities, ValueError)
    scheme: dict[str, Any] = {
        "LoTEVersionIdentifier": LOTE_VERSION,
        "LoTESequenceNumber": sequence_number,
        "SchemeOperatorName": _text(operator_name),
        "SchemeTerritory": country,
        "ListIssueDateTime": _time(issued),
        "NextUpdate": _time(next_update),
    }
    if lote_type is not None:
        scheme["LoTEType"] = lote_type
    document: dict[str, Any] = {"ListAndSchemeInformation": scheme}
    if entities:
        document["TrustedEntitiesList"] = [_entity_json(entity, issued) for entity in entities]
    return {"LoTE": document}


def _check_service_types(
    lote_type: str | None, entities: Sequence[TrustedEntity], error: type[Exception]
) -> None:
    allowed = SERVICE_TYPES.get(lote_type or "")
    if allowed is None:
        return
    for entity in entities:
        for service in entity.services:
            if service.service_type not in allowed:
                raise error(f"service type {service.service_type} does not belong in a {lote_type}")


def sign_lote(
    lote: Mapping[str, Any],
    *,
    key: ec.EllipticCurvePrivateKey,
    chain: Sequence[x509.Certificate],
    signing_time: datetime | None = None,
) -> str:
    """JAdES baseline-B compact JWS over the LoTE JSON; the signing time (``iat``) defaults to
    ``ListIssueDateTime``."""
    if signing_time is None:
        try:
            claimed = _datetime(
                lote["LoTE"]["ListAndSchemeInformation"]["ListIssueDateTime"], "ListIssueDateTime"
            )
        except (KeyError, TypeError, InvalidTrustList) as exc:
            raise ValueError("pass signing_time: the document has no ListIssueDateTime") from exc
    else:
        require_aware(signing_time, "signing_time")
        claimed = signing_time
    header = {
        "typ": JWS_TYP,
        "x5c": x5c_header(chain),
        "x5t#S256": _thumbprint(chain[0]),
        "iat": int(claimed.timestamp()),
    }
    return encode_jws(header, dict(lote), key)


def _thumbprint(cert: x509.Certificate) -> str:
    return b64url_encode(cert.fingerprint(hashes.SHA256()))


_JADES_UNDERSTOOD = ("sigT", "iat", "x5t#S256")
"""The header parameters :func:`verify_lote` checks, which a ``crit`` may therefore name."""


def _check_jades_header(header: Mapping[str, Any], signer: x509.Certificate) -> None:
    """The claimed signing time (``sigT``, a date-time, or ``iat``, a NumericDate; not both) and the
    signing certificate reference ``x5t#S256``, when present, must be well formed and right."""
    if "sigT" in header:
        if "iat" in header:
            raise InvalidTrustList("the signing time is claimed twice (sigT and iat)")
        _datetime(header["sigT"], "sigT")
    if "iat" in header:
        iat = header["iat"]
        if isinstance(iat, bool) or not isinstance(iat, int | float):
            raise InvalidTrustList("iat is not a NumericDate")
    if "x5t#S256" in header and header["x5t#S256"] != _thumbprint(signer):
        raise InvalidTrustList("x5t#S256 is not the thumbprint of the signing certificate")


def _first(value: Any, member: str, what: str) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        item = value[0].get(member)
        if isinstance(item, str):
            return item
    raise InvalidTrustList(f"{what} is missing or malformed")


def _datetime(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidTrustList(f"{what} is not a date-time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidTrustList(f"{what} is not a date-time") from exc
    if moment.tzinfo is None:
        raise InvalidTrustList(f"{what} has no time zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 with an offset: no such moment in UTC here
        raise InvalidTrustList(f"{what} is out of range") from exc


def _certificates(identity: Any) -> tuple[x509.Certificate, ...]:
    items = identity.get("X509Certificates", []) if isinstance(identity, dict) else None
    if not isinstance(items, list):
        raise InvalidTrustList("ServiceDigitalIdentity is malformed")
    certs = []
    for item in items:
        try:
            certs.append(load_der_certificate(base64.b64decode(item["val"], validate=True)))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise InvalidTrustList("a service certificate is not base64 DER") from exc
    return tuple(certs)


def _service(info: Any) -> TrustedService:
    service_type = info.get("ServiceTypeIdentifier", "")
    status = info.get("ServiceStatus")
    if not isinstance(service_type, str) or not (status is None or isinstance(status, str)):
        raise InvalidTrustList("ServiceTypeIdentifier or ServiceStatus is not a string")
    return TrustedService(
        name=_first(info["ServiceName"], "value", "ServiceName"),
        service_type=service_type,
        certificates=_certificates(info["ServiceDigitalIdentity"]),
        status=status,
        attestation_types=_attestation_types(info.get("ServiceInformationExtensions", [])),
    )


def _attestation_types(extensions: Any) -> tuple[str, ...]:
    """The types of every ``AttestationTypes`` extension; other extensions are not ours to read."""
    if not isinstance(extensions, list):
        raise InvalidTrustList("ServiceInformationExtensions is not an array")
    found: list[str] = []
    for extension in extensions:
        if isinstance(extension, dict) and _TYPES_EXTENSION in extension:
            types = extension[_TYPES_EXTENSION]
            if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
                raise InvalidTrustList(f"{_TYPES_EXTENSION} is not an array of type identifiers")
            found.extend(types)
    return tuple(dict.fromkeys(found))


def _entity(entry: Any) -> TrustedEntity:
    information = entry["TrustedEntityInformation"]
    return TrustedEntity(
        name=_first(information["TEName"], "value", "TEName"),
        services=tuple(_service(service["ServiceInformation"]) for service in entry["TrustedEntityServices"]),
        country=_first(information["TEAddress"]["TEPostalAddress"], "Country", "TEPostalAddress"),
        information_uri=_first(information["TEInformationURI"], "uriValue", "TEInformationURI"),
    )


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse(document: Any) -> TrustList:
    try:
        scheme = document["LoTE"]["ListAndSchemeInformation"]
        if _integer(scheme["LoTEVersionIdentifier"]) != LOTE_VERSION:
            raise InvalidTrustList(f"LoTEVersionIdentifier is not {LOTE_VERSION}")
        sequence = _integer(scheme["LoTESequenceNumber"])
        if sequence is None or sequence < 1:
            raise InvalidTrustList("LoTESequenceNumber is not a positive integer")
        lote_type = scheme.get("LoTEType")
        territory = scheme.get("SchemeTerritory")
        if not (lote_type is None or isinstance(lote_type, str)) or not (
            territory is None or isinstance(territory, str)
        ):
            raise InvalidTrustList("LoTEType or SchemeTerritory is not a string")
        entries = document["LoTE"].get("TrustedEntitiesList", [])
        if not isinstance(entries, list):
            raise InvalidTrustList("TrustedEntitiesList is not an array")
        trust_list = TrustList(
            sequence_number=sequence,
            issued=_datetime(scheme["ListIssueDateTime"], "ListIssueDateTime"),
            next_update=_datetime(scheme["NextUpdate"], "NextUpdate"),
            lote_type=lote_type,
            operator_name=_first(scheme["SchemeOperatorName"], "value", "SchemeOperatorName"),
            entities=tuple(_entity(entry) for entry in entries),
            territory=territory,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidTrustList(f"not a LoTE document (missing or malformed {exc})") from exc
    if trust_list.next_update <= trust_list.issued:
        raise InvalidTrustList("NextUpdate is not after ListIssueDateTime")
    _check_service_types(trust_list.lote_type, trust_list.entities, InvalidTrustList)
    return trust_list


def _trusted_signer(
    chain: Sequence[x509.Certificate], pinned: Sequence[x509.Certificate], now: datetime
) -> x509.Certificate:
    """Direct trust (the signer is pinned) or PKIX (the chain validates to a pinned CA) at ``now``.

    A baseline-B signature carries no proof of existence, so the signer must be valid now (ETSI EN
    319 102-1 validation at the current time).
    """
    signer = chain[0]
    if signer in pinned:
        if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
            raise UntrustedSigner("the pinned operator certificate is not valid now")
        return signer
    try:
        return validate_chain(chain, pinned, at=now)
    except ChainError as exc:
        raise UntrustedSigner(f"the trust list is not signed by a pinned scheme operator: {exc}") from exc


def verify_lote(
    jws: str,
    *,
    pinned: Sequence[x509.Certificate],
    now: datetime,
    previous: TrustList | None = None,
    lote_type: str | None = None,
) -> TrustList:
    """Believe a signed list only from a pinned operator, while fresh, and never an older one.

    ``lote_type``, when given, must be the list's ``LoTEType`` (a wallet-providers list is no PID
    list). Raises :class:`InvalidTrustList`, :class:`UntrustedSigner`, :class:`StaleTrustList` or
    :class:`RollbackError`; callers keep their last good list on any of them (STANDARDS 3.28).
    """
    require_aware(now, "now")
    try:
        parsed = parse_jws(jws, max_bytes=MAX_LIST_BYTES, understood=_JADES_UNDERSTOOD)
        chain = x5c_certificates(parsed.header)
    except InvalidInput as exc:
        raise InvalidTrustList(f"not a signed trust list: {exc}") from exc
    typ = parsed.header.get("typ")
    if typ is not None and not has_typ(parsed.header, "jose"):
        raise InvalidTrustList(f"JWS typ {typ!r} is not a JAdES compact signature")
    signer = _trusted_signer(chain, pinned, now)
    key = signer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise UntrustedSigner("the operator certificate does not hold an EC key")
    try:
        parsed.verify(key)
    except CryptoError as exc:
        raise InvalidTrustList("the trust list signature does not verify") from exc
    _check_jades_header(parsed.header, chain[0])
    try:
        document = parsed.claims(max_depth=_MAX_JSON_DEPTH)
    except InvalidInput as exc:
        raise InvalidTrustList(f"the trust list is not JSON: {exc}") from exc
    trust_list = _parse(document)
    if trust_list.operator_name not in (subject_organization(signer), subject_common_name(signer)):
        raise UntrustedSigner("the signer is not the list's scheme operator")
    if lote_type is not None and trust_list.lote_type != lote_type:
        raise InvalidTrustList(f"LoTEType {trust_list.lote_type!r} is not {lote_type}")
    if now > trust_list.next_update:
        raise StaleTrustList(f"the trust list's next update ({_time(trust_list.next_update)}) has passed")
    if previous is not None and trust_list.sequence_number < previous.sequence_number:
        raise RollbackError(
            f"trust list sequence {trust_list.sequence_number} is older than {previous.sequence_number}"
        )
    return trust_list
