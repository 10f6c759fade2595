"""JSON views of mdoc data elements, for DCQL matching, wallets' screens and relying parties' results.

RFC 8949 section 6.1 (converting CBOR to JSON) as OpenID4VP 1.0 section 7 asks of mdoc claims:
byte strings become base64url without padding, full-dates (tag 1004) and tdates (tag 0) their
RFC 3339 text, maps with text keys JSON objects, arrays arrays; integers, floats, booleans, null and
text stay as they are. A value that has no faithful JSON form (a map with non-text keys, an unknown
tag, a non-finite float, an integer beyond 64 bits) becomes ``null`` rather than an invented shape.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

from common.jose import b64url_encode

__all__ = ["json_value", "namespaces_json"]


def json_value(value: Any) -> Any:
    """The JSON form of one decoded CBOR data element value."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):  # a bignum (tags 2, 3) beyond 64 bits has no JSON number all parsers read
        return value if -(1 << 64) <= value < (1 << 64) else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes):
        return b64url_encode(value)
    if isinstance(value, datetime.datetime):
        try:
            return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        except OverflowError:  # a moment of year 1 or 9999 whose UTC form falls outside them
            return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            return None
        return {key: json_value(item) for key, item in value.items()}
    return None


def namespaces_json(namespaces: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{namespace: {element: JSON value}}``: how DCQL and the services see an mdoc's claims."""
    return {
        ns: {name: json_value(value) for name, value in elements.items()}
        for ns, elements in namespaces.items()
    }
