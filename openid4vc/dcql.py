"""Digital Credentials Query Language (OpenID4VP 1.0 sections 6 and 7).

- :func:`parse_dcql_query`: the query and every rule of section 6 (ids, ``meta``, claims paths,
  ``claim_sets``, ``credential_sets``); unknown properties are ignored.
- Wallet: :func:`match` finds the candidates that satisfy each credential query and the claims paths
  to disclose; :func:`select` chooses credentials that satisfy the query as a whole (section 6.4.2).
- Verifier: :func:`check_response_against_query` re-checks what was presented against the query.

A credential query without ``claims`` asks for no selectively disclosable claim (section 6.1): the
match discloses nothing beyond what is always sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openid4vc.errors import InvalidRequest

__all__ = [
    "Candidate",
    "ClaimsQuery",
    "CredentialQuery",
    "CredentialSetQuery",
    "DcqlQuery",
    "Match",
    "check_response_against_query",
    "claim_values",
    "match",
    "parse_dcql_query",
    "select",
]

ClaimPath = tuple[str | int | None, ...]
_ID = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_QUERIES = 50
MAX_CLAIMS = 100


@dataclass(frozen=True)
class ClaimsQuery:
    id: str | None
    path: ClaimPath
    values: tuple[Any, ...] | None = None
    intent_to_retain: bool | None = None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"path": list(self.path)}
        if self.id is not None:
            result["id"] = self.id
        if self.values is not None:
            result["values"] = list(self.values)
        if self.intent_to_retain is not None:
            result["intent_to_retain"] = self.intent_to_retain
        return result


@dataclass(frozen=True)
class CredentialQuery:
    id: str
    format: str
    meta: dict[str, Any]
    claims: tuple[ClaimsQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    multiple: bool = False
    require_cryptographic_holder_binding: bool = True
    trusted_authorities: tuple[dict[str, Any], ...] | None = None

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
            result["trusted_authorities"] = [dict(a) for a in self.trusted_authorities]
        return result


@dataclass(frozen=True)
class CredentialSetQuery:
    options: tuple[tuple[str, ...], ...]
    required: bool = True


@dataclass(frozen=True)
class DcqlQuery:
    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"credentials": [c.to_json() for c in self.credentials]}
        if self.credential_sets is not None:
            result["credential_sets"] = [
                {"options": [list(o) for o in s.options], "required": s.required}
                for s in self.credential_sets
            ]
        return result


def _fail(message: str) -> InvalidRequest:
    return InvalidRequest(f"DCQL: {message}")


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _fail(f"{what} must be a non-empty string of A-Z a-z 0-9 _ -")
    return value


def _bool(value: Any, default: bool, what: str) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(f"{what} must be a boolean")
    return value


def _path(value: Any) -> ClaimPath:
    if not isinstance(value, list) or not value:
        raise _fail("claims path must be a non-empty array")
    for item in value:
        valid = (
            item is None
            or isinstance(item, str)
            or (isinstance(item, int) and not isinstance(item, bool) and item >= 0)
        )
        if not valid:
            raise _fail("claims path elements are strings, non-negative integers or null")
    return tuple(value)


def _claim(value: Any, format_: str) -> ClaimsQuery:
    if not isinstance(value, dict):
        raise _fail("a claims query must be an object")
    claim_id = None if value.get("id") is None else _identifier(value["id"], "claim id")
    path = _path(value.get("path"))
    if format_ == "mso_mdoc" and (len(path) != 2 or not all(isinstance(p, str) for p in path)):
        raise _fail("an mso_mdoc claims path is [namespace, element identifier]")
    values = value.get("values")
    if values is not None:
        if not isinstance(values, list) or not values:
            raise _fail("values must be a non-empty array")
        if not all(isinstance(v, str | int | bool) for v in values):
            raise _fail("values must be strings, integers or booleans")
    retain = value.get("intent_to_retain")
    if retain is not None and not isinstance(retain, bool):
        raise _fail("intent_to_retain must be a boolean")
    return ClaimsQuery(claim_id, path, None if values is None else tuple(values), retain)


def _credential(value: Any) -> CredentialQuery:
    if not isinstance(value, dict):
        raise _fail("a credential query must be an object")
    query_id = _identifier(value.get("id"), "credential query id")
    format_ = value.get("format")
    if not isinstance(format_, str) or not format_:
        raise _fail(f"credential query {query_id!r} needs a format")
    meta = value.get("meta")
    if not isinstance(meta, dict):
        raise _fail(f"credential query {query_id!r} needs a meta object")
    if format_ == "dc+sd-jwt":
        vcts = meta.get("vct_values")
        if not isinstance(vcts, list) or not vcts or not all(isinstance(v, str) for v in vcts):
            raise _fail("meta.vct_values must be a non-empty array of strings for dc+sd-jwt")
    if format_ == "mso_mdoc" and not isinstance(meta.get("doctype_value"), str):
        raise _fail("meta.doctype_value must be a string for mso_mdoc")
    claims = None
    if "claims" in value:
        raw = value["claims"]
        if not isinstance(raw, list) or not raw or len(raw) > MAX_CLAIMS:
            raise _fail(f"claims must be a non-empty array of at most {MAX_CLAIMS}")
        claims = tuple(_claim(item, format_) for item in raw)
        ids = [c.id for c in claims if c.id is not None]
        if len(ids) != len(set(ids)):
            raise _fail(f"claim ids repeat in credential query {query_id!r}")
    claim_sets = None
    if "claim_sets" in value:
        if claims is None:
            raise _fail("claim_sets needs claims")
        raw_sets = value["claim_sets"]
        if not isinstance(raw_sets, list) or not raw_sets:
            raise _fail("claim_sets must be a non-empty array")
        known = {c.id for c in claims}
        if None in known:
            raise _fail("with claim_sets every claims query needs an id")
        parsed_sets = []
        for option in raw_sets:
            if not isinstance(option, list) or not option or not all(isinstance(i, str) for i in option):
                raise _fail("each claim set is a non-empty array of claim ids")
            unknown = set(option) - known
            if unknown:
                raise _fail(f"claim set refers to unknown claim ids {sorted(unknown)}")
            parsed_sets.append(tuple(option))
        claim_sets = tuple(parsed_sets)
    authorities = value.get("trusted_authorities")
    if authorities is not None and (
        not isinstance(authorities, list)
        or not authorities
        or not all(isinstance(a, dict) for a in authorities)
    ):
        raise _fail("trusted_authorities must be a non-empty array of objects")
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
        trusted_authorities=None if authorities is None else tuple(authorities),
    )


def parse_dcql_query(value: Any) -> DcqlQuery:
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
    if "credential_sets" in value:
        raw_sets = value["credential_sets"]
        if not isinstance(raw_sets, list) or not raw_sets:
            raise _fail("credential_sets must be a non-empty array")
        parsed = []
        for item in raw_sets:
            if not isinstance(item, dict):
                raise _fail("a credential set query must be an object")
            options = item.get("options")
            if not isinstance(options, list) or not options:
                raise _fail("credential set options must be a non-empty array")
            for option in options:
                if not isinstance(option, list) or not option or not all(isinstance(i, str) for i in option):
                    raise _fail("each credential set option is a non-empty array of credential query ids")
                unknown = set(option) - set(ids)
                if unknown:
                    raise _fail(f"credential set refers to unknown ids {sorted(unknown)}")
            parsed.append(
                CredentialSetQuery(
                    tuple(tuple(o) for o in options), _bool(item.get("required"), True, "required")
                )
            )
        sets = tuple(parsed)
    return DcqlQuery(credentials, sets)


# -- matching -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A credential as DCQL sees it: format, type, and its claims (disclosable ones included)."""

    id: str
    format: str
    vct: str | None
    doctype: str | None
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class Match:
    query_id: str
    candidate: Candidate
    paths: tuple[ClaimPath, ...]


def claim_values(claims: Any, path: ClaimPath) -> list[Any]:
    """Process a claims path pointer (section 7.1); an empty list when nothing is selected."""
    selected = [claims]
    for component in path:
        following: list[Any] = []
        for node in selected:
            if isinstance(component, str) and isinstance(node, Mapping) and component in node:
                following.append(node[component])
            elif component is None and isinstance(node, list):
                following.extend(node)
            elif isinstance(component, int) and isinstance(node, list) and component < len(node):
                following.append(node[component])
        selected = following
    return selected


def _meta_matches(query: CredentialQuery, candidate: Candidate) -> bool:
    if candidate.format != query.format:
        return False
    if query.format == "dc+sd-jwt":
        return candidate.vct in query.meta.get("vct_values", [])
    if query.format == "mso_mdoc":
        return candidate.doctype == query.meta.get("doctype_value")
    return True


def _satisfied(claim: ClaimsQuery, candidate: Candidate) -> bool:
    found = claim_values(candidate.claims, claim.path)
    if not found:
        return False
    return claim.values is None or any(value in claim.values for value in found)


def _paths(query: CredentialQuery, candidate: Candidate) -> tuple[ClaimPath, ...] | None:
    if query.claims is None:
        return ()
    if query.claim_sets is None:
        if all(_satisfied(claim, candidate) for claim in query.claims):
            return tuple(claim.path for claim in query.claims)
        return None
    by_id = {claim.id: claim for claim in query.claims}
    for option in query.claim_sets:
        if all(_satisfied(by_id[claim_id], candidate) for claim_id in option):
            return tuple(by_id[claim_id].path for claim_id in option)
    return None


def match(query: DcqlQuery, candidates: Sequence[Candidate]) -> dict[str, list[Match]]:
    """Per credential query id, the candidates that satisfy it, with the claims paths to disclose."""
    result: dict[str, list[Match]] = {}
    for credential_query in query.credentials:
        found = []
        for candidate in candidates:
            if not _meta_matches(credential_query, candidate):
                continue
            paths = _paths(credential_query, candidate)
            if paths is not None:
                found.append(Match(credential_query.id, candidate, paths))
        result[credential_query.id] = found
    return result


def select(query: DcqlQuery, matches: Mapping[str, Sequence[Match]]) -> dict[str, list[Match]] | None:
    """One credential per query (all of them for ``multiple``), satisfying the query; None if impossible."""
    multiple = {c.id: c.multiple for c in query.credentials}

    def pick(ids: Sequence[str]) -> dict[str, list[Match]]:
        return {qid: list(matches[qid]) if multiple[qid] else [matches[qid][0]] for qid in ids}

    if query.credential_sets is None:
        ids = [c.id for c in query.credentials]
        return pick(ids) if all(matches.get(qid) for qid in ids) else None
    chosen: dict[str, list[Match]] = {}
    for credential_set in query.credential_sets:
        option = next((o for o in credential_set.options if all(matches.get(qid) for qid in o)), None)
        if option is None:
            if credential_set.required:
                return None
            continue
        chosen.update(pick(option))
    return chosen


def check_response_against_query(query: DcqlQuery, presented: Mapping[str, Sequence[Candidate]]) -> None:
    """The verifier's own check that the vp_token answers the query (section 6.4 and 8.1)."""
    by_id = {c.id: c for c in query.credentials}
    for query_id, candidates in presented.items():
        credential_query = by_id.get(query_id)
        if credential_query is None:
            raise InvalidRequest(f"vp_token answers {query_id!r}, which was not asked")
        if not candidates:
            raise InvalidRequest(f"vp_token has an empty array for {query_id!r}")
        if len(candidates) > 1 and not credential_query.multiple:
            raise InvalidRequest(f"{query_id!r} allows one presentation, got {len(candidates)}")
        for candidate in candidates:
            if not _meta_matches(credential_query, candidate):
                raise InvalidRequest(
                    f"the credential presented for {query_id!r} is not of the requested type"
                )
            if _paths(credential_query, candidate) is None:
                raise InvalidRequest(f"the credential presented for {query_id!r} lacks requested claims")
    if query.credential_sets is None:
        missing = [c.id for c in query.credentials if c.id not in presented]
        if missing:
            raise InvalidRequest(f"vp_token lacks the requested credentials {missing}")
        return
    for credential_set in query.credential_sets:
        if credential_set.required and not any(
            all(q in presented for q in o) for o in credential_set.options
        ):
            raise InvalidRequest("vp_token satisfies no option of a required credential set")
