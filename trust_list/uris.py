"""Identifiers of lists of trusted entities: LoTE types, service types, service statuses.

LoTE types and service types are those of ETSI TS 119 602 V1.1.1 (the EU-specific annexes: lists of
PID providers, wallet providers, WRPAC and WRPRC providers, public EAA providers, registrars). TS 119
602 leaves service status to each scheme and the EU profiles omit it; when a list carries one we read
the TS 119 612 clause 5.5.4 vocabulary, in which only ``granted`` is in force.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "LOTE_TYPE_PID_PROVIDERS",
    "LOTE_TYPE_PUB_EAA_PROVIDERS",
    "LOTE_TYPE_REGISTRARS_AND_REGISTERS",
    "LOTE_TYPE_WALLET_PROVIDERS",
    "LOTE_TYPE_WRPAC_PROVIDERS",
    "LOTE_TYPE_WRPRC_PROVIDERS",
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
]

_LOTE_TYPE = "http://uri.etsi.org/19602/LoTEType/"
LOTE_TYPE_PID_PROVIDERS = _LOTE_TYPE + "EUPIDProvidersList"
LOTE_TYPE_WALLET_PROVIDERS = _LOTE_TYPE + "EUWalletProvidersList"
LOTE_TYPE_WRPAC_PROVIDERS = _LOTE_TYPE + "EUWRPACProvidersList"
LOTE_TYPE_WRPRC_PROVIDERS = _LOTE_TYPE + "EUWRPRCProvidersList"
LOTE_TYPE_PUB_EAA_PROVIDERS = _LOTE_TYPE + "EUPubEAAProvidersList"
LOTE_TYPE_REGISTRARS_AND_REGISTERS = _LOTE_TYPE + "EURegistrarsAndRegistersList"

_SERVICE_TYPE = "http://uri.etsi.org/19602/SvcType/"
PID_ISSUANCE = _SERVICE_TYPE + "PID/Issuance"
PID_REVOCATION = _SERVICE_TYPE + "PID/Revocation"
WALLET_SOLUTION_ISSUANCE = _SERVICE_TYPE + "WalletSolution/Issuance"
WALLET_SOLUTION_REVOCATION = _SERVICE_TYPE + "WalletSolution/Revocation"
WRPAC_ISSUANCE = _SERVICE_TYPE + "WRPAC/Issuance"
WRPAC_REVOCATION = _SERVICE_TYPE + "WRPAC/Revocation"
WRPRC_ISSUANCE = _SERVICE_TYPE + "WRPRC/Issuance"
WRPRC_REVOCATION = _SERVICE_TYPE + "WRPRC/Revocation"
PUB_EAA_ISSUANCE = _SERVICE_TYPE + "PubEAA/Issuance"
PUB_EAA_REVOCATION = _SERVICE_TYPE + "PubEAA/Revocation"
REGISTER = _SERVICE_TYPE + "Register"

SERVICE_TYPES: Mapping[str, frozenset[str]] = {
    LOTE_TYPE_PID_PROVIDERS: frozenset({PID_ISSUANCE, PID_REVOCATION}),
    LOTE_TYPE_WALLET_PROVIDERS: frozenset({WALLET_SOLUTION_ISSUANCE, WALLET_SOLUTION_REVOCATION}),
    LOTE_TYPE_WRPAC_PROVIDERS: frozenset({WRPAC_ISSUANCE, WRPAC_REVOCATION}),
    LOTE_TYPE_WRPRC_PROVIDERS: frozenset({WRPRC_ISSUANCE, WRPRC_REVOCATION}),
    LOTE_TYPE_PUB_EAA_PROVIDERS: frozenset({PUB_EAA_ISSUANCE, PUB_EAA_REVOCATION}),
    LOTE_TYPE_REGISTRARS_AND_REGISTERS: frozenset({REGISTER}),
}
"""The service types each EU LoTE type may list (TS 119 602 EU annexes); a list of another type: any."""

STATUS_GRANTED = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
STATUS_WITHDRAWN = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"
