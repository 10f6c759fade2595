from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from cryptography.hazmat.primitives import hashes

from common.jose import b64url_decode, b64url_encode, encode_jws, x5c_header
from trust_list.cli import skeleton_entities
from trust_list.errors import InvalidTrustList, RollbackError, StaleTrustList, UntrustedSigner
from trust_list.lote import (
    JWS_TYP,
    LOTE_TYPE_PID_PROVIDERS,
    LOTE_TYPE_WALLET_PROVIDERS,
    MAX_LIST_BYTES,
    PID_ISSUANCE,
    STATUS_GRANTED,
    STATUS_WITHDRAWN,
    WRPAC_ISSUANCE,
    TrustedEntity,
    TrustedService,
    build_lote,
    sign_lote,
    verify_lote,
)
from trust_list.pki import DevPki

from .conftest import NOW, issue

OPERATOR = "Demo Trust List Operator NL"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def document(pki: DevPki, *, sequence: int = 1, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "operator_name": OPERATOR,
        "country": "NL",
        "sequence_number": sequence,
        "issued": NOW,
        "next_update": NOW + timedelta(days=30),
        "entities": skeleton_entities(pki),
    }
    arguments.update(overrides)
    return build_lote(**arguments)


def signed(pki: DevPki, *, sequence: int = 1, **overrides: Any) -> str:
    return sign_lote(
        document(pki, sequence=sequence, **overrides), key=pki.operator_key, chain=[pki.operator_cert]
    )


def schema_validator(vectors: Path) -> jsonschema.protocols.Validator:
    schema = json.loads((vectors / "etsi-119602-lote" / "1960201_json_schema.json").read_text())
    checker = jsonschema.FormatChecker()
    # jsonschema checks these two formats only with optional packages; the rules we rely on are short.
    checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(RFC3339.match(value)))
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(urlsplit(value).scheme))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


def payload(jws: str) -> dict[str, Any]:
    value = json.loads(b64url_decode(jws.split(".")[1]))
    assert isinstance(value, dict)
    return value


def test_skeleton_list_validates_against_the_etsi_schema(pki: DevPki, vectors: Path) -> None:
    schema_validator(vectors).validate(payload(signed(pki)))


def test_typed_list_with_statuses_validates_against_the_etsi_schema(pki: DevPki, vectors: Path) -> None:
    entity = TrustedEntity(
        "Demo PID Provider NL",
        (
            TrustedService("PID", PID_ISSUANCE, (pki.pid_ca_cert,), STATUS_GRANTED),
            TrustedService("Old PID", PID_ISSUANCE, (pki.issuer_cert,), STATUS_WITHDRAWN),
        ),
        country="NL",
        information_uri="https://pid.example/about",
    )
    lote = document(pki, lote_type=LOTE_TYPE_PID_PROVIDERS, entities=[entity])
    schema_validator(vectors).validate(lote)


def test_the_schema_check_has_teeth(pki: DevPki, vectors: Path) -> None:
    lote = document(pki)
    lote["LoTE"]["ListAndSchemeInformation"]["NextUpdate"] = "next month"
    with pytest.raises(jsonschema.ValidationError):
        schema_validator(vectors).validate(lote)


def test_protected_header_is_jades_compact(pki: DevPki) -> None:
    header = json.loads(b64url_decode(signed(pki).split(".")[0]))
    thumbprint = b64url_encode(pki.operator_cert.fingerprint(hashes.SHA256()))
    assert header == {
        "alg": "ES256",
        "typ": JWS_TYP,
        "x5c": x5c_header([pki.operator_cert]),
        "x5t#S256": thumbprint,  # the signing certificate reference of baseline-B
        "iat": int(NOW.timestamp()),  # TS 119 182-1 v1.2.1: the claimed signing time, in place of sigT
    }


def _resigned(pki: DevPki, **header: Any) -> str:
    full = {"typ": JWS_TYP, "x5c": x5c_header([pki.operator_cert]), **header}
    return encode_jws({k: v for k, v in full.items() if v is not None}, document(pki), pki.operator_key)


def test_jades_headers_as_other_signers_write_them(pki: DevPki) -> None:
    """DSS lists its JAdES parameters in crit and may still claim the time with sigT: what we check,
    a crit may name; anything else critical, or a header that contradicts itself, is refused."""
    thumbprint = b64url_encode(pki.operator_cert.fingerprint(hashes.SHA256()))
    for header in (
        {"sigT": "2026-09-21T12:00:00Z", "crit": ["sigT"]},
        {"sigT": "2026-09-21T12:00:00Z", "x5t#S256": thumbprint},
        {"iat": int(NOW.timestamp()), "x5t#S256": thumbprint, "crit": ["iat"]},
        {},
    ):
        assert (
            verify_lote(_resigned(pki, **header), pinned=[pki.operator_cert], now=NOW).operator_name
            == OPERATOR
        )
    for header in (
        {"sigT": "2026-09-21T12:00:00Z", "b64": False, "crit": ["b64"]},  # RFC 7797: not understood
        {"crit": ["sigT"]},  # names a parameter the header does not carry
        {"sigT": "2026-09-21T12:00:00Z", "crit": []},
        {"sigT": "2026-09-21T12:00:00Z", "iat": int(NOW.timestamp())},  # the time claimed twice
        {"iat": "2026-09-21T12:00:00Z"},
        {"x5t#S256": b64url_encode(pki.pid_ca_cert.fingerprint(hashes.SHA256()))},  # another certificate
    ):
        with pytest.raises(InvalidTrustList):
            verify_lote(_resigned(pki, **header), pinned=[pki.operator_cert], now=NOW)


def test_round_trip(pki: DevPki) -> None:
    trust_list = verify_lote(signed(pki, sequence=7), pinned=[pki.operator_cert], now=NOW)
    assert trust_list.anchors(PID_ISSUANCE) == [pki.pid_ca_cert]
    assert trust_list.anchors(WRPAC_ISSUANCE) == [pki.rp_ca_cert]
    assert trust_list.entities == tuple(skeleton_entities(pki))
    assert (trust_list.sequence_number, trust_list.operator_name) == (7, OPERATOR)
    assert (trust_list.issued, trust_list.next_update) == (NOW, NOW + timedelta(days=30))
    assert trust_list.lote_type is None and trust_list.territory == "NL"
    assert trust_list.vouching_entity(PID_ISSUANCE, pki.pid_ca_cert) == skeleton_entities(pki)[0]
    assert trust_list.vouching_entity(WRPAC_ISSUANCE, pki.pid_ca_cert) is None


def test_tampered_signature_refused(pki: DevPki) -> None:
    head, body, signature = signed(pki).split(".")
    with pytest.raises(InvalidTrustList, match="signature"):
        verify_lote(f"{head}.{body}.{signature[:-4]}AAAA", pinned=[pki.operator_cert], now=NOW)


def test_tampered_payload_refused(pki: DevPki) -> None:
    head, _, signature = signed(pki).split(".")
    _, other_body, _ = signed(pki, sequence=99).split(".")
    with pytest.raises(InvalidTrustList, match="signature"):
        verify_lote(f"{head}.{other_body}.{signature}", pinned=[pki.operator_cert], now=NOW)


def test_unpinned_signer_refused(pki: DevPki) -> None:
    stranger = issue(OPERATOR, organization=OPERATOR)
    with pytest.raises(UntrustedSigner, match="pinned"):
        verify_lote(signed(pki), pinned=[stranger.cert], now=NOW)


def test_signer_must_be_the_scheme_operator(pki: DevPki) -> None:
    with pytest.raises(UntrustedSigner, match="scheme operator"):
        verify_lote(signed(pki, operator_name="Somebody Else"), pinned=[pki.operator_cert], now=NOW)


def test_signer_issued_by_a_pinned_ca(pki: DevPki) -> None:
    root = issue("Operator Root", ca=True, digital_signature=False)
    signer = issue(OPERATOR, by=root)  # CN matches the operator name
    jws = sign_lote(document(pki), key=signer.key, chain=[signer.cert])
    assert verify_lote(jws, pinned=[root.cert], now=NOW).operator_name == OPERATOR
    other_root = issue("Other Root", ca=True, digital_signature=False)
    with pytest.raises(UntrustedSigner):
        verify_lote(jws, pinned=[other_root.cert], now=NOW)


def test_expired_pinned_operator_refused(pki: DevPki) -> None:
    old = issue(OPERATOR, not_before=NOW - timedelta(days=60), not_after=NOW - timedelta(days=1))
    jws = sign_lote(document(pki), key=old.key, chain=[old.cert])
    with pytest.raises(UntrustedSigner, match="not valid now"):
        verify_lote(jws, pinned=[old.cert], now=NOW)


def test_past_next_update_refused(pki: DevPki) -> None:
    jws = signed(pki)
    assert verify_lote(jws, pinned=[pki.operator_cert], now=NOW + timedelta(days=30))
    with pytest.raises(StaleTrustList, match="next update"):
        verify_lote(jws, pinned=[pki.operator_cert], now=NOW + timedelta(days=30, seconds=1))


def test_lower_sequence_number_refused(pki: DevPki) -> None:
    newer = verify_lote(signed(pki, sequence=5), pinned=[pki.operator_cert], now=NOW)
    assert verify_lote(signed(pki, sequence=5), pinned=[pki.operator_cert], now=NOW, previous=newer)
    with pytest.raises(RollbackError, match="older"):
        verify_lote(signed(pki, sequence=4), pinned=[pki.operator_cert], now=NOW, previous=newer)


def test_only_services_in_force_are_anchors(pki: DevPki) -> None:
    pid, _eaa, _wallet, rp, _wrprc = skeleton_entities(pki)
    withdrawn = replace(pid, services=tuple(replace(s, status=STATUS_WITHDRAWN) for s in pid.services))
    unknown = replace(rp, services=tuple(replace(s, status="urn:example:suspended") for s in rp.services))
    trust_list = verify_lote(signed(pki, entities=[withdrawn, unknown]), pinned=[pki.operator_cert], now=NOW)
    assert trust_list.anchors(PID_ISSUANCE) == []
    assert trust_list.anchors(WRPAC_ISSUANCE) == []
    assert trust_list.vouching_entity(PID_ISSUANCE, pki.pid_ca_cert) is None
    granted = replace(pid, services=tuple(replace(s, status=STATUS_GRANTED) for s in pid.services))
    again = verify_lote(signed(pki, entities=[granted]), pinned=[pki.operator_cert], now=NOW)
    assert again.anchors(PID_ISSUANCE) == [pki.pid_ca_cert]


def test_lote_type_is_checked(pki: DevPki) -> None:
    pid_only = [skeleton_entities(pki)[0]]
    typed = signed(pki, lote_type=LOTE_TYPE_PID_PROVIDERS, entities=pid_only)
    trust_list = verify_lote(typed, pinned=[pki.operator_cert], now=NOW, lote_type=LOTE_TYPE_PID_PROVIDERS)
    assert trust_list.lote_type == LOTE_TYPE_PID_PROVIDERS
    with pytest.raises(InvalidTrustList, match="LoTEType"):
        verify_lote(typed, pinned=[pki.operator_cert], now=NOW, lote_type=LOTE_TYPE_WALLET_PROVIDERS)
    with pytest.raises(InvalidTrustList, match="LoTEType"):
        verify_lote(signed(pki), pinned=[pki.operator_cert], now=NOW, lote_type=LOTE_TYPE_PID_PROVIDERS)


def test_a_wallet_providers_list_cannot_carry_pid_providers(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="does not belong"):
        document(pki, lote_type=LOTE_TYPE_WALLET_PROVIDERS)
    lote = document(pki)
    lote["LoTE"]["ListAndSchemeInformation"]["LoTEType"] = LOTE_TYPE_WALLET_PROVIDERS
    jws = sign_lote(lote, key=pki.operator_key, chain=[pki.operator_cert])
    with pytest.raises(InvalidTrustList, match="does not belong"):
        verify_lote(jws, pinned=[pki.operator_cert], now=NOW)


def sign_raw(pki: DevPki, lote: Any, **header: Any) -> str:
    return encode_jws({"x5c": x5c_header([pki.operator_cert]), **header}, lote, pki.operator_key)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["LoTE"]["ListAndSchemeInformation"].update(LoTEVersionIdentifier=2), "Version"),
        (lambda d: d["LoTE"]["ListAndSchemeInformation"].update(LoTESequenceNumber="7"), "Sequence"),
        (lambda d: d["LoTE"]["ListAndSchemeInformation"].update(NextUpdate="soon"), "date-time"),
        (lambda d: d["LoTE"]["ListAndSchemeInformation"].update(NextUpdate="2026-09-20T00:00:00Z"), "after"),
        (lambda d: d["LoTE"]["ListAndSchemeInformation"].pop("SchemeOperatorName"), "SchemeOperatorName"),
        (lambda d: d["LoTE"]["TrustedEntitiesList"][0].pop("TrustedEntityServices"), "not a LoTE"),
        (
            lambda d: d["LoTE"]["TrustedEntitiesList"][0]["TrustedEntityServices"][0]["ServiceInformation"][
                "ServiceDigitalIdentity"
            ]["X509Certificates"][0].update(val="not base64!"),
            "base64 DER",
        ),
    ],
)
def test_malformed_documents_refused(pki: DevPki, change: Any, reason: str) -> None:
    lote = copy.deepcopy(document(pki))
    change(lote)
    with pytest.raises(InvalidTrustList, match=reason):
        verify_lote(sign_raw(pki, lote, typ=JWS_TYP), pinned=[pki.operator_cert], now=NOW)


def test_other_token_types_refused(pki: DevPki) -> None:
    with pytest.raises(InvalidTrustList, match="typ"):
        verify_lote(sign_raw(pki, document(pki), typ="statuslist+jwt"), pinned=[pki.operator_cert], now=NOW)
    assert verify_lote(sign_raw(pki, document(pki)), pinned=[pki.operator_cert], now=NOW)  # typ absent


def test_not_a_list_refused(pki: DevPki) -> None:
    for junk in ("not.a.jws", "", "a.b", sign_raw(pki, {"foo": 1})):
        with pytest.raises(InvalidTrustList):
            verify_lote(junk, pinned=[pki.operator_cert], now=NOW)


def test_size_is_bounded(pki: DevPki) -> None:
    with pytest.raises(InvalidTrustList, match="larger"):
        verify_lote("a" * (MAX_LIST_BYTES + 1), pinned=[pki.operator_cert], now=NOW)


def test_builder_refuses_what_the_schema_would(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="two-letter"):
        document(pki, country="NLD")
    with pytest.raises(ValueError, match="starts at 1"):
        document(pki, sequence=0)
    with pytest.raises(ValueError, match="after"):
        document(pki, next_update=NOW)


def test_naive_now_is_a_programming_error(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_lote(signed(pki), pinned=[pki.operator_cert], now=NOW.replace(tzinfo=None))


def test_explicit_signing_time(pki: DevPki) -> None:
    jws = sign_lote(
        document(pki),
        key=pki.operator_key,
        chain=[pki.operator_cert],
        signing_time=NOW + timedelta(minutes=5),
    )
    assert json.loads(b64url_decode(jws.split(".")[0]))["iat"] == int(
        (NOW + timedelta(minutes=5)).timestamp()
    )


@pytest.mark.parametrize("moment", ["0001-01-01T01:00:00+14:00", "9999-12-31T23:00:00-02:00"])
def test_a_date_time_with_no_utc_form_here_is_refused_as_out_of_range(pki: DevPki, moment: str) -> None:
    """Found by fuzzing: a NextUpdate in year 1 with a positive offset was found stale, and the message
    that said so overflowed (OverflowError) turning it into UTC."""
    document_ = document(pki)
    document_["LoTE"]["ListAndSchemeInformation"]["NextUpdate"] = moment
    jws = sign_lote(document_, key=pki.operator_key, chain=[pki.operator_cert])
    with pytest.raises(InvalidTrustList, match="out of range"):
        verify_lote(jws, pinned=[pki.operator_cert], now=NOW)
