"""One trust decision: which entity on which list vouches for an attestation's signer, or why none does.

A PID is vouched for only by a PID provider (service type ``PID/Issuance``); any other attestation
type only by a public or qualified EAA provider (``PubEAA/Issuance``) whose service lists that type
(``TrustedService.attestation_types``), never by a wallet provider or a relying-party CA. A
verifier may hold several member states' lists at once: the decision looks at all of them and names
the list whose entity vouches.

Pure: lists and time come in, a :class:`Vouch` or :class:`UntrustedIssuer` comes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from trust_list.errors import ChainError, UntrustedIssuer
from trust_list.lote import TrustedEntity, TrustedService, TrustList
from trust_list.uris import PID_ISSUANCE, PUB_EAA_ISSUANCE
from trust_list.x509 import validate_chain

__all__ = [
    "PID_TYPES",
    "Vouch",
    "issuer_anchors",
    "issuer_service_type",
    "list_name",
    "service_anchors",
    "types_vouched_for",
    "vouch_for_issuer",
]

PID_TYPES = frozenset({"urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"})
"""The PID's ``vct`` (SD-JWT VC) and docType (mdoc), PID rulebook v1.7; national PID types extend
``urn:eudi:pid:`` (e.g. ``urn:eudi:pid:de:1``)."""


@dataclass(frozen=True)
class Vouch:
    """The entity (and its service, on a named list) that vouches for a signer certificate."""

    list_name: str
    entity: TrustedEntity
    service: TrustedService
    signer: x509.Certificate


def is_pid(attestation_type: str) -> bool:
    return attestation_type in PID_TYPES or attestation_type.startswith("urn:eudi:pid:")


def issuer_service_type(attestation_type: str) -> str:
    """The service type that may issue ``attestation_type`` (a ``vct`` or an mdoc docType)."""
    return PID_ISSUANCE if is_pid(attestation_type) else PUB_EAA_ISSUANCE


def list_name(trust_list: TrustList) -> str:
    """How a reason names a list: its operator, and its territory when it has one."""
    if trust_list.territory:
        return f"{trust_list.operator_name} ({trust_list.territory})"
    return trust_list.operator_name


def _allows(service: TrustedService, attestation_type: str) -> bool:
    """A PID provider may issue any PID type; an EAA provider only the types its service lists."""
    return service.service_type == PID_ISSUANCE or attestation_type in service.attestation_types


def _candidates(
    lists: Sequence[TrustList], attestation_type: str
) -> list[tuple[str, TrustedEntity, TrustedService]]:
    service_type = issuer_service_type(attestation_type)
    return [
        (list_name(trust_list), entity, service)
        for trust_list in lists
        for entity in trust_list.entities
        for service in entity.services
        if service.service_type == service_type and service.in_force and _allows(service, attestation_type)
    ]


def service_anchors(lists: Sequence[TrustList], service_type: str) -> list[x509.Certificate]:
    """The certificates of every in-force service of ``service_type`` on any of ``lists`` (e.g. the
    RP access CAs, ``WRPAC/Issuance``, or the registrars, ``WRPRC/Issuance``)."""
    return [cert for trust_list in lists for cert in trust_list.anchors(service_type)]


def issuer_anchors(lists: Sequence[TrustList], attestation_type: str) -> list[x509.Certificate]:
    """Every in-force certificate that may anchor an issuer of ``attestation_type``, on any list."""
    return [cert for _, _, service in _candidates(lists, attestation_type) for cert in service.certificates]


def vouch_for_issuer(
    lists: Sequence[TrustList],
    attestation_type: str,
    chain: Sequence[x509.Certificate],
    *,
    at: datetime,
) -> Vouch:
    """The entity that vouches for ``chain`` (leaf first) as an issuer of ``attestation_type``.

    Raises :class:`UntrustedIssuer` naming the lists consulted and why none vouches.
    """
    service_type = issuer_service_type(attestation_type)
    what = (
        "PID provider"
        if service_type == PID_ISSUANCE
        else f"attestation (EAA) provider allowed {attestation_type!r}"
    )
    names = ", ".join(list_name(trust_list) for trust_list in lists) or "none"
    if not chain:
        raise UntrustedIssuer("the attestation carries no certificate chain")
    top_issuer = chain[-1].issuer
    reasons = []
    for name, entity, service in _candidates(lists, attestation_type):
        anchors = [cert for cert in service.certificates if cert.subject == top_issuer]
        if not anchors:
            continue
        try:
            signer = validate_chain(chain, anchors, at=at)
        except ChainError as exc:
            reasons.append(f"{entity.name} on {name}: {exc}")
            continue
        return Vouch(name, entity, service, signer)
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    raise UntrustedIssuer(f"no {what} on the trusted lists [{names}] vouches for this signer{detail}")


def types_vouched_for(
    lists: Sequence[TrustList],
    attestation_types: Sequence[str],
    chain: Sequence[x509.Certificate],
    *,
    at: datetime,
) -> tuple[str, ...]:
    """Those of ``attestation_types`` that an entity on ``lists`` vouches for ``chain`` to issue: what
    a credential's ``aka_vcts`` may count as (a diploma registry's credential is no PID for saying so)."""
    vouched = []
    for attestation_type in attestation_types:
        try:
            vouch_for_issuer(lists, attestation_type, chain, at=at)
        except UntrustedIssuer:
            continue
        vouched.append(attestation_type)
    return tuple(vouched)
