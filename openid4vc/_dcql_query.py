"""The DCQL query model and its parser (OpenID4VP 1.0 section 6 and appendix B)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from openid4vc._checks import is_int
from openid4vc.errors import InvalidDcqlQuery

ClaimPath = tuple[str | int | None, ...]

SD_JWT_VC = "dc+sd-jwt"
MSO_MDOC = "mso_mdoc"
W3C_FORMATS = ("jwt_vc_json", "ldp_vc")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\Z")  # \Z, not $: "$" also matches before a final "\n"
MAX_QUERIES = 50
MAX_CLAIMS = 100
MAX_PATH = 16
MAX_OPTIONS = 50
MAX_VALUES = 1000
"""Values a claims query or a trusted authorities entry may list: an ``aki`` entry may name every key
identifier of a trust list (HAIP 1.0 section 5)."""


@dataclass(frozen=True)
class ClaimsQuery:
    """A claims query (section 6.3): a claims path pointer (section 7), optionally with values."""

    id: str | None
    path: ClaimPath
    values: tuple[Any, ...] | None = None
    intent_to_retain: bool | None = None
    """mdoc only (appendix B.2): the verifier's ``IntentToRetain`` for this element."""

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.id is not None:
            result["id"] = self.id
        result["path"] = list(self.path)
        if self.values is not None:
            result["values"] = list(self.values)
        if self.intent_to_retain is not None:
            result["intent_to_retain"] = self.intent_to_retain
        return result


@dataclass(frozen=True)
class TrustedAuthoritiesQuery:
    """One entry of ``trusted_authorities`` (section 6.1.1): ``aki``, ``etsi_tl``,
    ``openid_federation`` or a type defined elsewhere."""

    type: str
    values: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "values": list(self.values)}


@dataclass(frozen=True)
class CredentialQuery:
    """A credential query (section 6.1). ``meta`` is kept as sent; its format-specific members
    (``vct_values``, ``doctype_value``, ``type_values``) have been checked."""

    id: str
    format: str
    meta: dict[str, Any]
    claims: tuple[ClaimsQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    multiple: bool = False
    require_cryptographic_holder_binding: bool = True
    trusted_authorities: tuple[TrustedAuthoritiesQuery, ...] | None = None

    @property
    def vct_values(self) -> tuple[str, ...] | None:
        values = self.meta.get("vct_values") if self.format == SD_JWT_VC else None
        return None if values is None else tuple(values)

    @property
    def doctype_value(self) -> str | None:
        value = self.meta.get("doctype_value") if self.format == MSO_MDOC else None
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "format": self.format, "meta": dict(self.meta)}
        if self.claims is not None:
            result["claims"] = [claim.to_json() for claim in self.claims]
        if self.claim_sets is not None:
            result["claim_sets"] = [list(option) for option in self.claim_sets]
        if self.multiple:
            result["multiple"] = True
        if not self.require_cryptographic_holder_binding:
            result["require_cryptographic_holder_binding"] = False
        if self.trusted_authorities is not None:
            result["trusted_authorities"] = [a.to_json() for a in self.trusted_authorities]
        return result


@dataclass(frozen=True)
class CredentialSetQuery:
    """A credential set query (section 6.2): one of ``options`` answers the use case."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"options": [list(option) for option in self.options], "required": self.required}


@dataclass(frozen=True)
class DcqlQuery:
    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] | None = None

    def credential(self, query_id: str) -> CredentialQuery | None:
        return next((c for c in self.credentials if c.id == query_id), None)

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"credentials": [c.to_json() for c in self.credentials]}
        if self.credential_sets is not None:
            result["credential_sets"] = [s.to_json() for s in self.credential_sets]
        return result


def _fail(message: str) -> InvalidDcqlQuery:
    return InvalidDcqlQuery(f"DCQL: {message}")


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) > 256 or not ID_PATTERN.match(value):
        raise _fail(f"{what} must be a non-empty string of A-Z a-z 0-9 _ -")
    return value


def _bool(value: Any, default: bool, what: str) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(f"{what} must be a boolean")
    return value


def _strings(value: Any, what: str, *, max_items: int = MAX_OPTIONS) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > max_items:
        raise _fail(f"{what} must be a non-empty array of at most {max_items} strings")
    if not all(isinstance(item, str) and item for item in value):
        raise _fail(f"{what} must hold non-empty strings")
    return tuple(value)


def _id_lists(value: Any, what: str, known: set[str]) -> tuple[tuple[str, ...], ...]:
    """A non-empty array of non-empty arrays of known identifiers (claim_sets, options)."""
    if not isinstance(value, list) or not value or len(value) > MAX_OPTIONS:
        raise _fail(f"{what} must be a non-empty array of at most {MAX_OPTIONS} arrays")
    lists = tuple(_strings(item, f"each entry of {what}") for item in value)
    for ids in lists:
        unknown = sorted(set(ids) - known)
        if unknown:
            raise _fail(f"{what} refers to unknown ids {unknown}")
    return lists


def _path(value: Any) -> ClaimPath:
    if not isinstance(value, list) or not value or len(value) > MAX_PATH:
        raise _fail(f"a claims path must be a non-empty array of at most {MAX_PATH} elements")
    for item in value:
        if not (item is None or isinstance(item, str) or (is_int(item) and item >= 0)):
            raise _fail("claims path elements are strings, non-negative integers or null")
    return tuple(value)


def _claim(value: Any, format_: str) -> ClaimsQuery:
    if not isinstance(value, dict):
        raise _fail("a claims query must be an object")
    claim_id = None if value.get("id") is None else _identifier(value["id"], "a claim id")
    path = _path(value.get("path"))
    if format_ == MSO_MDOC and (len(path) != 2 or not all(isinstance(p, str) for p in path)):
        raise _fail("an mso_mdoc claims path is [namespace, data element identifier]")
    values = value.get("values")
    if values is not None:
        if not isinstance(values, list) or not values or len(values) > MAX_VALUES:
            raise _fail(f"values must be a non-empty array of at most {MAX_VALUES}")
        if not all(isinstance(v, str | bool) or is_int(v) for v in values):
            raise _fail("values must be strings, integers or booleans")
    retain = value.get("intent_to_retain")
    if retain is not None and not isinstance(retain, bool):
        raise _fail("intent_to_retain must be a boolean")
    return ClaimsQuery(claim_id, path, None if values is None else tuple(values), retain)


def _meta(value: Any, query_id: str, format_: str) -> dict[str, Any]:
    """``meta`` is REQUIRED; format-specific members per appendix B.1.1, B.2.3 and B.3.5."""
    if not isinstance(value, dict):
        raise _fail(f"credential query {query_id!r} needs a meta object")
    if format_ == SD_JWT_VC:
        _strings(value.get("vct_values"), "meta.vct_values (required for dc+sd-jwt)")
    elif format_ == MSO_MDOC:
        doctype = value.get("doctype_value")
        if not isinstance(doctype, str) or not doctype:
            raise _fail("meta.doctype_value (required for mso_mdoc) must be a non-empty string")
    elif format_ in W3C_FORMATS:
        types = value.get("type_values")
        if not isinstance(types, list) or not types:
            raise _fail(f"meta.type_values (required for {format_}) must be a non-empty array")
        for alternative in types:
            _strings(alternative, "each entry of meta.type_values")
    return copy.deepcopy(value)


def _trusted_authorities(value: Any) -> tuple[TrustedAuthoritiesQuery, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_OPTIONS:
        raise _fail("trusted_authorities must be a non-empty array")
    result = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str) or not entry["type"]:
            raise _fail("each trusted_authorities entry is an object with a type string")
        values = _strings(entry.get("values"), "values", max_items=MAX_VALUES)
        result.append(TrustedAuthoritiesQuery(entry["type"], values))
    return tuple(result)


def _credential(value: Any) -> CredentialQuery:
    if not isinstance(value, dict):
        raise _fail("a credential query must be an object")
    query_id = _identifier(value.get("id"), "a credential query id")
    format_ = value.get("format")
    if not isinstance(format_, str) or not format_:
        raise _fail(f"credential query {query_id!r} needs a format")
    meta = _meta(value.get("meta"), query_id, format_)
    claims = None
    if value.get("claims") is not None:
        raw = value["claims"]
        if not isinstance(raw, list) or not raw or len(raw) > MAX_CLAIMS:
            raise _fail(f"claims must be a non-empty array of at most {MAX_CLAIMS}")
        claims = tuple(_claim(item, format_) for item in raw)
        ids = [c.id for c in claims if c.id is not None]
        if len(ids) != len(set(ids)):
            raise _fail(f"claim ids repeat in credential query {query_id!r}")
    claim_sets = None
    if value.get("claim_sets") is not None:
        if claims is None:
            raise _fail("claim_sets must not be present without claims")
        if any(c.id is None for c in claims):
            raise _fail("with claim_sets every claims query needs an id")
        claim_sets = _id_lists(value["claim_sets"], "claim_sets", {c.id for c in claims if c.id})
    authorities = value.get("trusted_authorities")
    return CredentialQuery(
        id=query_id,
        format=format_,
        meta=meta,
        claims=claims,
        claim_sets=claim_sets,
        multiple=_bool(value.get("multiple"), False, "multiple"),
        require_cryptographic_holder_binding=_bool(
            value.get("require_cryptographic_holder_binding"), True, "require_cryptographic_holder_binding"
        ),
        trusted_authorities=None if authorities is None else _trusted_authorities(authorities),
    )


def parse_dcql_query(value: Any) -> DcqlQuery:
    """Parse a DCQL query and apply every rule of section 6; unknown properties are ignored.

    Raises :class:`InvalidDcqlQuery` (``invalid_request``).
    """
    if not isinstance(value, dict):
        raise _fail("the query must be an object")
    raw = value.get("credentials")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_QUERIES:
        raise _fail(f"credentials must be a non-empty array of at most {MAX_QUERIES}")
    credentials = tuple(_credential(item) for item in raw)
    ids = [c.id for c in credentials]
    if len(ids) != len(set(ids)):
        raise _fail("credential query ids repeat")
    sets = None
    if value.get("credential_sets") is not None:
        raw_sets = value["credential_sets"]
        if not isinstance(raw_sets, list) or not raw_sets or len(raw_sets) > MAX_OPTIONS:
            raise _fail("credential_sets must be a non-empty array")
        parsed = []
        for item in raw_sets:
            if not isinstance(item, dict):
                raise _fail("a credential set query must be an object")
            options = _id_lists(item.get("options"), "credential set options", set(ids))
            parsed.append(CredentialSetQuery(options, _bool(item.get("required"), True, "required")))
        sets = tuple(parsed)
    return DcqlQuery(credentials, sets)
