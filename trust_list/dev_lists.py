"""The lists of trusted entities of a development federation, one per EU LoTE type, or all in one.

Per country, the scheme operator of a development PKI (:mod:`trust_list.pki`) signs:

- ``pid``: the PID provider (``EUPIDProvidersList``, ``PID/Issuance``);
- ``eaa``: the attestation provider, allowed the catalogue's non-PID types (``EUPubEAAProvidersList``);
- ``wallet``: the wallet provider (``EUWalletProvidersList``);
- ``wrpac``: the relying-party access CA (``EUWRPACProvidersList``);
- ``wrprc``: the registrar that signs registration certificates (``EUWRPRCProvidersList``);
- ``all``: every one of them on one list without ``LoTEType`` (the single list of ``eudi demo``).

Pure: time comes in, signed JWS text comes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from trust_list.lote import TrustedEntity, TrustedService, build_lote, sign_lote
from trust_list.pki import DEV_EAA_TYPES, DevPki
from trust_list.uris import (
    LOTE_TYPE_PID_PROVIDERS,
    LOTE_TYPE_PUB_EAA_PROVIDERS,
    LOTE_TYPE_WALLET_PROVIDERS,
    LOTE_TYPE_WRPAC_PROVIDERS,
    LOTE_TYPE_WRPRC_PROVIDERS,
    PID_ISSUANCE,
    PUB_EAA_ISSUANCE,
    WALLET_SOLUTION_ISSUANCE,
    WRPAC_ISSUANCE,
    WRPRC_ISSUANCE,
)
from trust_list.x509 import subject_country, subject_organization

__all__ = ["KINDS", "dev_document", "dev_entities", "dev_list"]

KINDS: dict[str, str | None] = {
    "pid": LOTE_TYPE_PID_PROVIDERS,
    "eaa": LOTE_TYPE_PUB_EAA_PROVIDERS,
    "wallet": LOTE_TYPE_WALLET_PROVIDERS,
    "wrpac": LOTE_TYPE_WRPAC_PROVIDERS,
    "wrprc": LOTE_TYPE_WRPRC_PROVIDERS,
    "all": None,
}
"""List kinds and their ``LoTEType`` (``all`` mixes service types, so it has none)."""


def _entity(
    anchor: x509.Certificate, default: str, service: str, service_type: str, types: Sequence[str] = ()
) -> TrustedEntity:
    return TrustedEntity(
        name=subject_organization(anchor) or default,
        services=(TrustedService(service, service_type, (anchor,), attestation_types=tuple(types)),),
        country=subject_country(anchor) or "EU",
    )


def dev_entities(pki: DevPki, kind: str) -> list[TrustedEntity]:
    """The entities a development list of ``kind`` names (see the module docstring)."""
    entities = {
        "pid": _entity(pki.pid_ca_cert, "PID provider", "PID issuance", PID_ISSUANCE),
        "eaa": _entity(
            pki.eaa_ca_cert, "EAA provider", "Attestation issuance", PUB_EAA_ISSUANCE, DEV_EAA_TYPES
        ),
        "wallet": _entity(pki.wallet_ca_cert, "Wallet provider", "Wallet solution", WALLET_SOLUTION_ISSUANCE),
        "wrpac": _entity(pki.rp_ca_cert, "RP access CA", "Relying-party access certificates", WRPAC_ISSUANCE),
        "wrprc": _entity(
            pki.registrar_ca_cert, "Registrar", "Relying-party registration certificates", WRPRC_ISSUANCE
        ),
    }
    if kind == "all":
        return list(entities.values())
    if kind not in entities:
        raise ValueError(f"unknown list kind {kind!r}; known: {', '.join(KINDS)}")
    return [entities[kind]]


def dev_list(
    pki: DevPki,
    kind: str,
    *,
    now: datetime,
    sequence_number: int = 1,
    validity: timedelta = timedelta(days=30),
    entities: Sequence[TrustedEntity] | None = None,
) -> str:
    """The signed list of ``kind`` (``entities`` replaces the PKI's, e.g. to withdraw one)."""
    document = dev_document(
        pki, kind, now=now, sequence_number=sequence_number, validity=validity, entities=entities
    )
    return sign_lote(document, key=pki.operator_key, chain=[pki.operator_cert])


def dev_document(
    pki: DevPki,
    kind: str,
    *,
    now: datetime,
    sequence_number: int = 1,
    validity: timedelta = timedelta(days=30),
    entities: Sequence[TrustedEntity] | None = None,
) -> dict[str, Any]:
    """The LoTE JSON of ``kind``, not yet signed (``eudi trust-list build --unsigned``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown list kind {kind!r}; known: {', '.join(KINDS)}")
    return build_lote(
        operator_name=subject_organization(pki.operator_cert) or "Trust list operator",
        country=subject_country(pki.operator_cert) or "EU",
        sequence_number=sequence_number,
        issued=now,
        next_update=now + validity,
        entities=dev_entities(pki, kind) if entities is None else entities,
        lote_type=KINDS[kind],
    )
