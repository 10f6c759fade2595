"""The development lists, one per EU LoTE type: schema-valid, typed, and only their own service types."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.trust_list.conftest import NOW
from tests.trust_list.test_lote import payload, schema_validator
from trust_list.dev_lists import KINDS, dev_entities, dev_list
from trust_list.lote import SERVICE_TYPES, verify_lote
from trust_list.pki import DevPki


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_validates_against_the_etsi_schema_and_verifies(
    pki: DevPki, vectors: Path, kind: str
) -> None:
    signed = dev_list(pki, kind, now=NOW, sequence_number=4)
    schema_validator(vectors).validate(payload(signed))
    listed = verify_lote(signed, pinned=[pki.operator_cert], now=NOW, lote_type=KINDS[kind])
    assert listed.sequence_number == 4 and listed.lote_type == KINDS[kind]
    types = {service.service_type for entity in listed.entities for service in entity.services}
    lote_type = KINDS[kind]
    if lote_type is None:
        assert len(types) == 5  # PID, PubEAA, wallet, WRPAC, WRPRC
    else:
        assert types <= SERVICE_TYPES[lote_type] and len(types) == 1


def test_unknown_kind_and_withdrawn_entities(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="unknown list kind"):
        dev_list(pki, "passports", now=NOW)
    with pytest.raises(ValueError, match="unknown list kind"):
        dev_entities(pki, "passports")
    empty = dev_list(pki, "pid", now=NOW, sequence_number=2, entities=[])
    assert verify_lote(empty, pinned=[pki.operator_cert], now=NOW).entities == ()
