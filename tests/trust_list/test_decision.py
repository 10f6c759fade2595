"""The one trust decision: which entity on which list vouches for an attestation's signer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.trust_list.conftest import NOW, Issued, issue
from trust_list.decision import issuer_anchors, issuer_service_type, types_vouched_for, vouch_for_issuer
from trust_list.errors import UntrustedIssuer
from trust_list.lote import (
    PID_ISSUANCE,
    PUB_EAA_ISSUANCE,
    STATUS_WITHDRAWN,
    WALLET_SOLUTION_ISSUANCE,
    TrustedEntity,
    TrustedService,
    TrustList,
)
from trust_list.pki import DEV_EAA_TYPES, DevPki


def trust_list(operator: str, territory: str, *entities: TrustedEntity) -> TrustList:
    return TrustList(
        sequence_number=1,
        issued=NOW,
        next_update=NOW + timedelta(days=1),
        lote_type=None,
        operator_name=operator,
        entities=entities,
        territory=territory,
    )


def entity(
    name: str, service_type: str, anchor: Issued, status: str | None = None, types: tuple[str, ...] = ()
) -> TrustedEntity:
    return TrustedEntity(name, (TrustedService(name, service_type, (anchor.cert,), status, types),))


@pytest.fixture(scope="module")
def federation() -> dict[str, Issued]:
    pid_ca = issue("PID CA", ca=True)
    eaa_ca = issue("EAA CA", ca=True)
    wallet_ca = issue("Wallet provider CA", ca=True)
    return {
        "pid_ca": pid_ca,
        "pid_issuer": issue("PID issuer", by=pid_ca),
        "eaa_ca": eaa_ca,
        "eaa_issuer": issue("Diploma issuer", by=eaa_ca),
        "wallet_ca": wallet_ca,
        "wallet_signer": issue("Wallet provider", by=wallet_ca),
    }


@pytest.fixture(scope="module")
def lists(federation: dict[str, Issued]) -> list[TrustList]:
    return [
        trust_list("NL operator", "NL", entity("NL PID provider", PID_ISSUANCE, federation["pid_ca"])),
        trust_list(
            "DE operator",
            "DE",
            entity(
                "DE diploma registry",
                PUB_EAA_ISSUANCE,
                federation["eaa_ca"],
                types=("eu.europa.ec.eudi.diploma.1", "urn:eudi:diploma:1"),
            ),
            entity("DE wallet provider", WALLET_SOLUTION_ISSUANCE, federation["wallet_ca"]),
        ),
    ]


def test_service_type_by_attestation_type() -> None:
    assert issuer_service_type("urn:eudi:pid:1") == PID_ISSUANCE
    assert issuer_service_type("eu.europa.ec.eudi.pid.1") == PID_ISSUANCE
    assert issuer_service_type("urn:eudi:pid:de:1") == PID_ISSUANCE
    assert issuer_service_type("urn:eudi:diploma:1") == PUB_EAA_ISSUANCE
    assert issuer_service_type("org.iso.18013.5.1.mDL") == PUB_EAA_ISSUANCE


def test_pid_vouched_by_the_pid_provider_on_its_list(
    lists: list[TrustList], federation: dict[str, Issued]
) -> None:
    vouch = vouch_for_issuer(lists, "urn:eudi:pid:1", [federation["pid_issuer"].cert], at=NOW)
    assert vouch.entity.name == "NL PID provider"
    assert vouch.list_name == "NL operator (NL)"
    assert vouch.signer == federation["pid_issuer"].cert


def test_other_types_vouched_by_an_eaa_provider_on_any_list(
    lists: list[TrustList], federation: dict[str, Issued]
) -> None:
    vouch = vouch_for_issuer(lists, "eu.europa.ec.eudi.diploma.1", [federation["eaa_issuer"].cert], at=NOW)
    assert vouch.entity.name == "DE diploma registry"
    assert vouch.list_name == "DE operator (DE)"


def test_pid_signed_by_a_diploma_issuer_is_refused(
    lists: list[TrustList], federation: dict[str, Issued]
) -> None:
    with pytest.raises(UntrustedIssuer, match=r"no PID provider .*NL operator \(NL\), DE operator \(DE\)"):
        vouch_for_issuer(lists, "urn:eudi:pid:1", [federation["eaa_issuer"].cert], at=NOW)


def test_a_wallet_provider_cannot_vouch_for_a_pid_or_an_attestation(
    lists: list[TrustList], federation: dict[str, Issued]
) -> None:
    for attestation_type in ("urn:eudi:pid:1", "urn:eudi:diploma:1"):
        with pytest.raises(UntrustedIssuer):
            vouch_for_issuer(lists, attestation_type, [federation["wallet_signer"].cert], at=NOW)


def test_a_withdrawn_service_vouches_for_nothing(federation: dict[str, Issued]) -> None:
    lists = [trust_list("NL", "NL", entity("PID", PID_ISSUANCE, federation["pid_ca"], STATUS_WITHDRAWN))]
    assert issuer_anchors(lists, "urn:eudi:pid:1") == []
    with pytest.raises(UntrustedIssuer):
        vouch_for_issuer(lists, "urn:eudi:pid:1", [federation["pid_issuer"].cert], at=NOW)


def test_the_reason_names_the_chain_failure(lists: list[TrustList], federation: dict[str, Issued]) -> None:
    with pytest.raises(UntrustedIssuer, match="expired"):
        vouch_for_issuer(
            lists, "urn:eudi:pid:1", [federation["pid_issuer"].cert], at=NOW + timedelta(days=400)
        )


def test_empty_chain_and_no_lists_are_refused(federation: dict[str, Issued]) -> None:
    with pytest.raises(UntrustedIssuer, match="no certificate chain"):
        vouch_for_issuer([], "urn:eudi:pid:1", [], at=NOW)
    with pytest.raises(UntrustedIssuer, match=r"\[none\]"):
        vouch_for_issuer([], "urn:eudi:pid:1", [federation["pid_issuer"].cert], at=NOW)


def test_an_eaa_provider_vouches_only_for_the_types_it_lists(
    lists: list[TrustList], federation: dict[str, Issued]
) -> None:
    with pytest.raises(UntrustedIssuer, match=r"allowed 'org\.iso\.18013\.5\.1\.mDL'"):
        vouch_for_issuer(lists, "org.iso.18013.5.1.mDL", [federation["eaa_issuer"].cert], at=NOW)
    assert issuer_anchors(lists, "org.iso.18013.5.1.mDL") == []
    assert issuer_anchors(lists, "urn:eudi:diploma:1") == [federation["eaa_ca"].cert]


def test_the_types_a_chain_may_count_as(lists: list[TrustList], federation: dict[str, Issued]) -> None:
    # what a credential's aka_vcts may count as: the types its issuer is vouched for
    types = ("urn:eudi:pid:1", "urn:eudi:diploma:1", "org.iso.18013.5.1.mDL", "urn:eudi:pid:de:1")
    eaa, pid = [federation["eaa_issuer"].cert], [federation["pid_issuer"].cert]
    assert types_vouched_for(lists, types, eaa, at=NOW) == ("urn:eudi:diploma:1",)
    assert types_vouched_for(lists, types, pid, at=NOW) == ("urn:eudi:pid:1", "urn:eudi:pid:de:1")
    assert types_vouched_for(lists, (), pid, at=NOW) == ()


def test_dev_pki_eaa_issuer_chains_to_its_ca(pki: DevPki) -> None:
    service = TrustedService("EAA", PUB_EAA_ISSUANCE, (pki.eaa_ca_cert,), attestation_types=DEV_EAA_TYPES)
    lists = [trust_list("op", "NL", TrustedEntity("EAA", (service,)))]
    assert vouch_for_issuer(lists, "urn:eudi:diploma:1", [pki.eaa_issuer_cert], at=NOW).signer == (
        pki.eaa_issuer_cert
    )
