"""IssuerSigned and the Mobile Security Object, ISO/IEC 18013-5:2021 sections 8.3.2.1.2.2 and 9.1.2.

Read and verify (:func:`verify_issuer_signed`, the checks of 9.3.1) and release chosen elements
(:func:`select_elements`); issuing is :mod:`._mdoc_issue`. The MSO ``status`` of the 2nd edition
is carried as given.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import cbor, cose
from credentials.errors import (
    DigestMismatch,
    DuplicateDigest,
    Expired,
    InvalidClaims,
    InvalidValidity,
    MalformedMdoc,
    NotYetValid,
    UnsupportedAlgorithm,
    WrongType,
)

MAX_ISSUER_SIGNED_BYTES = 4 << 20
MIN_RANDOM_BYTES = 16
_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
_DIGEST_SIZES = {"SHA-256": 32, "SHA-384": 48, "SHA-512": 64}
_ITEM_KEYS = ("digestID", "random", "elementIdentifier", "elementValue")
_ITEM_SHAPE = "IssuerSignedItem must hold exactly digestID, random, elementIdentifier, elementValue"

ValidateChain = Callable[[Sequence[x509.Certificate]], x509.Certificate]


class Validity(NamedTuple):
    """ValidityInfo (9.1.2.4): aware UTC datetimes.

    This, :class:`Mso` and :class:`VerifiedIssuerSigned` are named tuples rather than frozen
    dataclasses, as they are made on every verify: immutable alike, and made in a third of the time
    (a frozen dataclass sets each field through ``object.__setattr__``). The verifier makes them with
    positional arguments, in field order: keywords cost ~3K instructions more a call.
    """

    signed: datetime.datetime
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    expected_update: datetime.datetime | None = None


@dataclass(frozen=True)
class KeyAuthorizations:
    """keyAuthorizations (9.1.2.4): whole namespaces, or single elements, the device key may sign."""

    namespaces: frozenset[str]
    data_elements: Mapping[str, frozenset[str]]

    def allows(self, namespace: str, element: str) -> bool:
        return namespace in self.namespaces or element in self.data_elements.get(namespace, frozenset())


class Mso(NamedTuple):
    """MobileSecurityObject (9.1.2.4), parsed."""

    version: str
    digest_algorithm: str
    value_digests: Mapping[str, Mapping[int, bytes]]
    device_key: ec.EllipticCurvePublicKey
    key_authorizations: KeyAuthorizations
    doctype: str
    validity: Validity
    status: Mapping[str, Any] | None


class VerifiedIssuerSigned(NamedTuple):
    """An IssuerSigned whose issuerAuth, digests and validity were verified (9.3.1)."""

    doctype: str
    namespaces: Mapping[str, Mapping[str, Any]]
    mso: Mso
    device_key: ec.EllipticCurvePublicKey
    validity: Validity
    status: Mapping[str, Any] | None
    signer: x509.Certificate


# --- parsing ---------------------------------------------------------------------------------------


def _map(value: Any, what: str) -> Mapping[Any, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise MalformedMdoc(f"{what} must be a map")
    return value


_ARRAYS = (list, tuple)  # a tuple: a union in isinstance is built on every call


def _seq(value: Any, what: str) -> Sequence[Any]:
    if not isinstance(value, _ARRAYS):
        raise MalformedMdoc(f"{what} must be an array")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedMdoc(f"{what} must be a non-empty tstr")
    return value


def _time(value: Any, what: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise MalformedMdoc(f"{what} must be a tdate (tag 0)")
    return value


def _validity(value: Any) -> Validity:
    info = _map(value, "validityInfo")
    expected = info.get("expectedUpdate")
    return Validity(  # signed, valid_from, valid_until, expected_update
        _time(info.get("signed"), "signed"),
        _time(info.get("validFrom"), "validFrom"),
        _time(info.get("validUntil"), "validUntil"),
        None if expected is None else _time(expected, "expectedUpdate"),
    )


_NO_KEY_AUTHORIZATIONS = KeyAuthorizations(frozenset(), MappingProxyType({}))
"""What an MSO without keyAuthorizations grants (nothing): immutable, so one serves every MSO."""


def _key_authorizations(value: Any) -> KeyAuthorizations:
    if value is None:
        return _NO_KEY_AUTHORIZATIONS
    auth = _map(value, "keyAuthorizations")
    namespaces = frozenset(_text(ns, "namespace") for ns in _seq(auth.get("nameSpaces", []), "nameSpaces"))
    elements = {
        _text(ns, "namespace"): frozenset(_text(e, "element") for e in _seq(ids, "dataElements"))
        for ns, ids in _map(auth.get("dataElements", {}), "dataElements").items()
    }
    return KeyAuthorizations(namespaces, elements)


def _digest_ids_map(digests: Mapping[Any, Any], size: int) -> dict[int, bytes]:
    """DigestIDs (9.1.2.4): uint -> bstr of the digest's ``size``."""
    entries = dict(digests)
    for digest_id, digest in entries.items():
        if type(digest_id) is not int or digest_id < 0 or not isinstance(digest, bytes):
            raise MalformedMdoc("valueDigests entries must be uint -> bstr")
        if len(digest) != size:
            raise MalformedMdoc("digest of the wrong length")
    return entries


def parse_mso(value: Any) -> Mso:
    """The MSO map (9.1.2.4) into :class:`Mso`; shapes and the digest algorithm are checked."""
    mso = _map(value, "MobileSecurityObject")
    version = _text(mso.get("version"), "version")
    if not version.startswith("1."):
        raise MalformedMdoc(f"MSO version {version!r} not supported")
    algorithm = mso.get("digestAlgorithm")
    if not isinstance(algorithm, str) or algorithm not in _DIGESTS:  # a map or array is unhashable
        raise UnsupportedAlgorithm(f"digestAlgorithm {algorithm!r} not supported")
    size = _DIGEST_SIZES[algorithm]
    value_digests: dict[str, dict[int, bytes]] = {}
    for ns, digests in _map(mso.get("valueDigests"), "valueDigests").items():
        value_digests[_text(ns, "namespace")] = _digest_ids_map(_map(digests, "DigestIDs"), size)
    device_key_info = _map(mso.get("deviceKeyInfo"), "deviceKeyInfo")
    status = mso.get("status")
    return Mso(  # in field order, as Validity
        version,
        algorithm,
        value_digests,
        cose.public_from_cose_key(device_key_info.get("deviceKey")),
        _key_authorizations(device_key_info.get("keyAuthorizations")),
        _text(mso.get("docType"), "docType"),
        _validity(mso.get("validityInfo")),
        None if status is None else dict(_map(status, "status")),
    )


def _element_identifier(tag: Any) -> str:
    return _checked_item(cbor.unwrap24(tag, max_bytes=MAX_ISSUER_SIGNED_BYTES))[1]


def _checked_item(item: Any) -> tuple[int, str, Any]:
    """An IssuerSignedItem (9.1.2.5) as decoded from its tag 24, its shape checked: its
    ``(digestID, elementIdentifier, elementValue)``."""
    if type(item) is not dict:
        if not isinstance(item, Mapping):
            raise MalformedMdoc(_ITEM_SHAPE)
        item = dict(item)
    # four entries, all four keys found: exactly _ITEM_KEYS, without comparing key sets
    if len(item) != len(_ITEM_KEYS):
        raise MalformedMdoc(_ITEM_SHAPE)
    try:
        digest_id, random = item["digestID"], item["random"]
        identifier, value = item["elementIdentifier"], item["elementValue"]
    except KeyError:
        raise MalformedMdoc(_ITEM_SHAPE) from None
    if type(digest_id) is not int or digest_id < 0:
        raise MalformedMdoc("digestID must be a uint")
    if not isinstance(random, bytes) or len(random) < MIN_RANDOM_BYTES:
        raise MalformedMdoc(f"random must be a bstr of at least {MIN_RANDOM_BYTES} bytes")
    if not isinstance(identifier, str) or not identifier:
        raise MalformedMdoc("elementIdentifier must be a non-empty tstr")
    return digest_id, identifier, value


CLOCK_SKEW = datetime.timedelta(seconds=60)
"""How far the clocks of issuer and verifier may differ: an MSO valid from the moment it was signed (as
ours and most are) must not be refused by a verifier whose clock is a second behind. The SD-JWT checks'
default leeway."""


def _check_validity(validity: Validity, signer: x509.Certificate, now: datetime.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidClaims("now must be timezone-aware")
    if validity.valid_from >= validity.valid_until:  # validUntil later than validFrom (9.1.2.4)
        raise InvalidValidity("validUntil is not later than validFrom")
    if now + CLOCK_SKEW < validity.valid_from:
        raise NotYetValid("MSO validFrom is in the future")
    if now - CLOCK_SKEW > validity.valid_until:
        raise Expired("MSO validUntil has passed")
    if not signer.not_valid_before_utc <= validity.signed <= signer.not_valid_after_utc:
        raise InvalidValidity("MSO signed outside the signer certificate validity")


def _verified_elements(
    ns: str, tags: Sequence[Any], expected: Mapping[int, bytes], hash_function: Callable[[bytes], Any]
) -> dict[str, Any]:
    """The elements of one namespace's IssuerSignedItems, each item's shape checked, its digestID
    used once and present in the MSO, its IssuerSignedItemBytes digested to the MSO's value (9.3.1).

    Items are decoded only once each digest is found among the MSO's: what the issuer did not sign
    costs a hash, never a decoding."""
    contents = cbor.tag24_contents(tags)
    # all hashed at once: hashing between the items' checks cost 3K more instruction-cache misses
    # (12 items), as the hash and the checks evict each other's code
    digests = [hash_function(cbor.wrapped24(content)).digest() for content in contents]
    signed = set(expected.values())
    if not signed.issuperset(digests):
        raise DigestMismatch(f"an IssuerSignedItem of {ns} has a digest the MSO does not hold")
    decoded = cbor.decode_each(contents, max_bytes=MAX_ISSUER_SIGNED_BYTES)
    unused = dict(expected)  # each digestID leaves it when used: a second use finds it gone
    elements: dict[str, Any] = {}
    for content, digest in zip(decoded, digests, strict=True):
        digest_id, identifier, value = _checked_item(content)
        wanted = unused.pop(digest_id, None)
        if wanted is None:
            if digest_id in expected:
                raise DuplicateDigest(f"digestID {digest_id} used twice in {ns}")
            raise DigestMismatch(f"digestID {digest_id} of {ns} is not in the MSO")
        if digest != wanted:
            raise DigestMismatch(f"digest of {ns}/{identifier} does not match the MSO")
        if identifier in elements:
            raise MalformedMdoc(f"element {identifier!r} twice in {ns}")
        elements[identifier] = value
    return elements


def verify_issuer_signed_object(
    issuer_signed: Any,
    *,
    doctype: str | None,
    now: datetime.datetime,
    validate_chain: ValidateChain,
) -> VerifiedIssuerSigned:
    """The checks of 9.3.1 on an already (strictly) decoded IssuerSigned map."""
    obj = _map(issuer_signed, "IssuerSigned")
    if "issuerAuth" not in obj:
        raise MalformedMdoc("IssuerSigned without issuerAuth")
    message = cose.decode_sign1(list(_seq(obj["issuerAuth"], "issuerAuth")))
    signer = validate_chain(cose.x5chain(message))
    cose.verify_sign1(message, cose.certificate_key(signer))
    if message.payload is None:
        raise MalformedMdoc("issuerAuth payload is detached")
    mso = parse_mso(cbor.decode24(message.payload, max_bytes=MAX_ISSUER_SIGNED_BYTES))
    if doctype is not None and mso.doctype != doctype:
        raise WrongType(f"MSO docType {mso.doctype!r} is not {doctype!r}")
    _check_validity(mso.validity, signer, now)
    hash_function = _DIGESTS[mso.digest_algorithm]
    namespaces: dict[str, dict[str, Any]] = {}
    for ns, tags in _map(obj.get("nameSpaces", {}), "nameSpaces").items():
        expected = mso.value_digests.get(_text(ns, "namespace"), {})
        namespaces[ns] = _verified_elements(ns, _seq(tags, "IssuerSignedItems"), expected, hash_function)
    return VerifiedIssuerSigned(  # in field order, as Validity
        mso.doctype, namespaces, mso, mso.device_key, mso.validity, mso.status, signer
    )


def verify_issuer_signed(
    data: bytes,
    *,
    doctype: str | None,
    now: datetime.datetime,
    validate_chain: ValidateChain,
) -> VerifiedIssuerSigned:
    """Verify CBOR IssuerSigned bytes (9.3.1): ``validate_chain`` judges the x5chain and returns the
    leaf (the document signer), whose key must verify issuerAuth; then every present item's digest,
    the docType and the validity at ``now`` are checked."""
    return verify_issuer_signed_object(
        cbor.decode(data, max_bytes=MAX_ISSUER_SIGNED_BYTES),
        doctype=doctype,
        now=now,
        validate_chain=validate_chain,
    )


def issuer_signed_chain(issuer_signed: bytes) -> list[x509.Certificate]:
    """The ``x5chain`` of an IssuerSigned's issuerAuth, leaf first, as it stands: nothing is verified
    (a holder reads it of a credential it checked when it received it)."""
    return cose.x5chain(_issuer_auth(issuer_signed))


def issuer_auth_algorithm(issuer_signed: bytes) -> tuple[Any, str]:
    """The ``alg`` of an IssuerSigned's issuerAuth and the curve of its signer's key, as they stand:
    what a verifier's ``issuerauth_alg_values`` is matched against (OpenID4VP 1.0 appendix B.2.2)."""
    message = _issuer_auth(issuer_signed)
    return message.protected.get(cose.ALG), cose.certificate_key(cose.x5chain(message)[0]).curve.name


def _issuer_auth(issuer_signed: bytes) -> cose.CoseSign1:
    obj = _map(cbor.decode(issuer_signed, max_bytes=MAX_ISSUER_SIGNED_BYTES), "IssuerSigned")
    if "issuerAuth" not in obj:
        raise MalformedMdoc("IssuerSigned without issuerAuth")
    return cose.decode_sign1(list(_seq(obj["issuerAuth"], "issuerAuth")))


def select_elements(issuer_signed: bytes, wanted: Mapping[str, Collection[str]]) -> bytes:
    """The IssuerSigned with only the items named in ``wanted`` (holder release, 8.3.2.1.2.2).

    Items are passed on byte for byte; elements asked for but not held are simply absent.
    """
    obj = _map(cbor.decode(issuer_signed, max_bytes=MAX_ISSUER_SIGNED_BYTES), "IssuerSigned")
    if "issuerAuth" not in obj:
        raise MalformedMdoc("IssuerSigned without issuerAuth")
    kept: dict[str, list[Any]] = {}
    for ns, tags in _map(obj.get("nameSpaces", {}), "nameSpaces").items():
        names = wanted.get(ns)
        if not names:
            continue
        chosen = [tag for tag in _seq(tags, "IssuerSignedItems") if _element_identifier(tag) in names]
        if chosen:
            kept[ns] = chosen
    result: dict[str, Any] = {"issuerAuth": obj["issuerAuth"]}
    if kept:
        result["nameSpaces"] = kept
    return cbor.encode(result)
