"""JSON views of mdoc element values (RFC 8949 section 6.1), as DCQL and the services see them."""

from __future__ import annotations

import datetime
import math

import cbor2
import pytest

from credentials.mdoc_json import json_value, namespaces_json


def test_values_convert_as_rfc_8949_advises() -> None:
    assert json_value(b"\x00\xff") == "AP8"
    assert json_value(datetime.date(2026, 2, 28)) == "2026-02-28"
    moment = datetime.datetime(2026, 9, 21, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert json_value(moment) == "2026-09-21T10:00:00Z"
    assert json_value([1, "a", None, True, 1.5]) == [1, "a", None, True, 1.5]
    assert json_value({"vehicle_category_code": "B", "issue_date": datetime.date(2020, 1, 1)}) == {
        "vehicle_category_code": "B",
        "issue_date": "2020-01-01",
    }


def test_values_without_a_faithful_json_form_become_null() -> None:
    assert json_value({1: "integer key"}) is None
    assert json_value(cbor2.CBORTag(9999, 1)) is None
    assert json_value(math.inf) is None and json_value(math.nan) is None


def test_namespaces() -> None:
    assert namespaces_json({"ns": {"portrait": b"\xff\xd8", "age_over_18": True}}) == {
        "ns": {"portrait": "_9g", "age_over_18": True}
    }


def test_integers_beyond_64_bits_have_no_json_form() -> None:
    assert json_value([2**64 - 1, -(2**64), 2**64, -(2**64) - 1, 10**5000]) == [
        2**64 - 1,
        -(2**64),
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"])
def test_a_moment_whose_utc_form_no_calendar_holds_keeps_its_offset(text: str) -> None:
    """Found by fuzzing: a tdate of year 1 or 9999 may have no UTC form in Python's calendar, and
    astimezone raised OverflowError."""
    moment = datetime.datetime.fromisoformat(text)
    assert json_value(moment) == text
