from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from common.jose import b64url_decode
from trust_list.cli import skeleton_entities
from trust_list.errors import InvalidTrustList, RollbackError, StaleTrustList, UntrustedSigner
from trust_list.lote import (
    PID_ISSUANCE,
    STATUS_WITHDRAWN,
    WRPAC_ISSUANCE,
    TrustedEntity,
    build_lote,
    sign_lote,
    verify_lote,
)
from trust_list.pki import DevPki, make_dev_pki

NOW = datetime(2026, 9, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return make_dev_pki(now=NOW)


def signed(
    pki: DevPki, *, sequence: int = 1, entities: list[TrustedEntity] | None = None, **kw: object
) -> str:
    document = build_lote(
        operator_name="Demo Trust List Operator NL",
        country="NL",
        sequence_number=sequence,
        issued=NOW,
        next_update=NOW + timedelta(days=30),
        entities=skeleton_entities(pki) if entities is None else entities,
        **kw,  # type: ignore[arg-type]
    )
    return sign_lote(document, key=pki.operator_key, chain=[pki.operator_cert], signing_time=NOW)


def test_list_validates_against_the_etsi_schema(pki: DevPki, vectors: Path) -> None:
    schema = json.loads((vectors / "etsi-119602-lote" / "1960201_json_schema.json").read_text())
    payload = json.loads(b64url_decode(signed(pki).split(".")[1]))
    jsonschema.validate(payload, schema)


def test_round_trip_gives_anchors_per_service_type(pki: DevPki) -> None:
    trust_list = verify_lote(signed(pki), pinned=[pki.operator_cert], now=NOW)
    assert trust_list.anchors(PID_ISSUANCE) == [pki.pid_ca_cert]
    assert trust_list.anchors(WRPAC_ISSUANCE) == [pki.rp_ca_cert]
    assert trust_list.sequence_number == 1


def test_bad_signature_refused(pki: DevPki) -> None:
    head, payload, signature = signed(pki).split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(InvalidTrustList):
        verify_lote(forged, pinned=[pki.operator_cert], now=NOW)


def test_unpinned_signer_refused(pki: DevPki) -> None:
    other = make_dev_pki(now=NOW)
    with pytest.raises(UntrustedSigner):
        verify_lote(signed(pki), pinned=[other.operator_cert], now=NOW)


def test_past_next_update_refused(pki: DevPki) -> None:
    with pytest.raises(StaleTrustList):
        verify_lote(signed(pki), pinned=[pki.operator_cert], now=NOW + timedelta(days=31))


def test_rollback_refused(pki: DevPki) -> None:
    newer = verify_lote(signed(pki, sequence=5), pinned=[pki.operator_cert], now=NOW)
    with pytest.raises(RollbackError):
        verify_lote(signed(pki, sequence=4), pinned=[pki.operator_cert], now=NOW, previous=newer)


def test_withdrawn_service_is_no_anchor(pki: DevPki) -> None:
    entities = skeleton_entities(pki)
    pid = entities[0]
    withdrawn = replace(pid, services=tuple(replace(s, status=STATUS_WITHDRAWN) for s in pid.services))
    trust_list = verify_lote(
        signed(pki, entities=[withdrawn, entities[1]]), pinned=[pki.operator_cert], now=NOW
    )
    assert trust_list.anchors(PID_ISSUANCE) == []


def test_not_a_list_refused(pki: DevPki) -> None:
    with pytest.raises(InvalidTrustList):
        verify_lote("not.a.jws", pinned=[pki.operator_cert], now=NOW)
