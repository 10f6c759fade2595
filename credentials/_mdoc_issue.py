"""Issuing an mdoc's IssuerSigned (ISO/IEC 18013-5 8.3.2.1.2.2, 9.1.2): the IssuerSignedItems, their
digests in an MSO, the MSO signed as COSE_Sign1. Reading and verifying them is :mod:`._mdoc_issuer`.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import cbor, cose
from credentials._mdoc_issuer import _key_authorizations
from credentials.errors import InvalidClaims

__all__ = ["RANDOM_BYTES", "Rng", "issue_mdoc"]

RANDOM_BYTES = 32
Rng = Callable[[int], bytes]


def _tdate(moment: datetime.datetime) -> datetime.datetime:
    """tdate without fractional seconds, in UTC (9.1.2.4: "fraction of seconds shall not be used")."""
    if moment.tzinfo is None:
        raise InvalidClaims("datetimes must be timezone-aware")
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _tdate_tag(moment: datetime.datetime) -> cbor2.CBORTag:
    """``tdate = #6.0(tstr)`` (9.1.2.4) of a :func:`_tdate`, as the tag it is: the bytes cbor2 writes
    for the datetime, which costs it ~12K instructions more each."""
    return cbor2.CBORTag(0, moment.isoformat().replace("+00:00", "Z"))


def _digest_ids(count: int, rng: Rng) -> list[int]:
    """A random permutation of 0..count-1, so digestIDs leak nothing of element order (9.1.2.5)."""
    pool = rng(16 * count)  # one call: os.urandom is a system call
    keys = [pool[start : start + 16] for start in range(0, 16 * count, 16)]
    order = sorted(range(count), key=keys.__getitem__)
    ids = [0] * count
    for digest_id, index in enumerate(order):
        ids[index] = digest_id
    return ids


# IssuerSignedItem (9.1.2.5) keys, encoded, in the order cbor.encode sorts them (shorter first)
_ITEM_HEAD = b"\xa4\x66random"  # a map of four, then the first key
_DIGEST_ID_KEY = b"\x68digestID"
_ELEMENT_VALUE_KEY = b"\x6celementValue"
_ELEMENT_IDENTIFIER_KEY = b"\x71elementIdentifier"
# IssuerSigned (8.3.2.1.2.2): a map of two, its first key; its second
_ISSUER_SIGNED_HEAD = b"\xa2\x6aissuerAuth"
_NAME_SPACES_KEY = b"\x6anameSpaces"


def _issuer_signed_item(digest_id: int, random: bytes, identifier: str, value: Any) -> bytes:
    """``cbor.encode`` of the IssuerSignedItem, written around the encoded value: cbor2 takes ~23K
    instructions to encode the map, ~2K a text value alone."""
    return (
        _ITEM_HEAD
        + cbor.encode_bstr(random)
        + _DIGEST_ID_KEY
        + cbor.encode_uint(digest_id)
        + _ELEMENT_VALUE_KEY
        + cbor.encode(value)
        + _ELEMENT_IDENTIFIER_KEY
        + cbor.encode_tstr(identifier)
    )


def issue_mdoc(
    doctype: str,
    namespaces: Mapping[str, Mapping[str, Any]],
    *,
    signing_key: ec.EllipticCurvePrivateKey,
    x5chain: Sequence[x509.Certificate],
    device_key: ec.EllipticCurvePublicKey,
    signed: datetime.datetime,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime,
    status: Mapping[str, Any] | None = None,
    key_authorizations: Mapping[str, Any] | None = None,
    rng: Rng = os.urandom,
) -> bytes:
    """CBOR IssuerSigned ``{nameSpaces, issuerAuth}`` (8.3.2.1.2.2) with an MSO signed by
    ``signing_key`` (COSE_Sign1 ES256 over ``#6.24(bstr .cbor MSO)``, x5chain unprotected, 9.1.2.4).

    ``status`` is the 2nd-edition MSO status (e.g. ``{"status_list": {"idx": 7, "uri": ...}}``);
    ``key_authorizations`` the optional ``{"nameSpaces": [...], "dataElements": {ns: [...]}}``.
    """
    if not doctype or not namespaces or not x5chain:
        raise InvalidClaims("doctype, namespaces and x5chain are required")
    signed, valid_from, valid_until = _tdate(signed), _tdate(valid_from), _tdate(valid_until)
    if not signed <= valid_from < valid_until:
        raise InvalidClaims("need signed <= validFrom < validUntil")
    name_spaces: list[tuple[bytes, bytes]] = []  # encoded, as the map entries of IssuerSigned
    value_digests: dict[str, dict[int, bytes]] = {}
    for namespace, elements in namespaces.items():
        if not elements:
            raise InvalidClaims(f"namespace {namespace!r} is empty")
        ids = _digest_ids(len(elements), rng)
        randoms = rng(RANDOM_BYTES * len(elements))  # one call: os.urandom is a system call
        items = [  # each IssuerSignedItemBytes (9.1.2.5)
            cbor.wrapped24(
                _issuer_signed_item(digest_id, randoms[RANDOM_BYTES * n : RANDOM_BYTES * (n + 1)], *element)
            )
            for n, (digest_id, element) in enumerate(zip(ids, elements.items(), strict=True))
        ]
        value_digests[namespace] = {
            digest_id: hashlib.sha256(item).digest() for digest_id, item in zip(ids, items, strict=True)
        }
        name_spaces.append((cbor.encode_tstr(namespace), cbor.encode_array(items)))
    device_key_info: dict[str, Any] = {"deviceKey": cose.cose_key_from_public(device_key)}
    if key_authorizations is not None:
        _key_authorizations(key_authorizations)  # refuse a shape verifiers would refuse
        device_key_info["keyAuthorizations"] = dict(key_authorizations)
    validity = {
        "signed": _tdate_tag(signed),
        "validFrom": _tdate_tag(valid_from),
        "validUntil": _tdate_tag(valid_until),
    }
    mso: dict[str, Any] = {
        "version": "1.0",
        "digestAlgorithm": "SHA-256",
        "valueDigests": value_digests,
        "deviceKeyInfo": device_key_info,
        "docType": doctype,
        "validityInfo": validity,
    }
    if status is not None:
        mso["status"] = dict(status)
    ders = [cert.public_bytes(serialization.Encoding.DER) for cert in x5chain]
    issuer_auth = cose.sign1(
        cbor.encode24(mso),
        signing_key,
        unprotected={cose.X5CHAIN: ders[0] if len(ders) == 1 else ders},
        tag=False,
    )
    # cbor.encode of {"nameSpaces": ..., "issuerAuth": ...}, the parts as encoded above
    return _ISSUER_SIGNED_HEAD + issuer_auth + _NAME_SPACES_KEY + cbor.encode_map(name_spaces)
