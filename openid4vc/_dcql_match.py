"""DCQL evaluation: claims path pointers (section 7), selecting claims and credentials (6.4) for
the wallet, and the verifier's re-check of a response (section 8.6)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openid4vc._checks import is_number
from openid4vc._dcql_query import (
    MSO_MDOC,
    SD_JWT_VC,
    ClaimPath,
    ClaimsQuery,
    CredentialQuery,
    DcqlQuery,
)
from openid4vc.errors import QueryNotSatisfied

MAX_SELECTED = 10_000


@dataclass(frozen=True)
class Candidate:
    """A credential as DCQL sees it.

    ``claims``: for SD-JWT VC the processed JSON (every disclosable claim, on the wallet side; only
    what was disclosed, on the verifier side); for mdoc ``{namespace: {element: value}}`` with CBOR
    values converted to JSON as RFC 8949 section 6.1 advises. ``authorities``: the trusted
    authority values the credential matches, per type (``{"aki": {...}}``), or None when unknown
    (then ``trusted_authorities`` does not filter it, nor do entries of types it does not name).
    ``holder_binding``: whether a presentation of it carries a cryptographic holder binding proof.
    ``aka_vcts``: the other types an SD-JWT VC says it is of (SD-JWT VC section 3.2.2.1.1).
    """

    id: str
    format: str
    vct: str | None
    doctype: str | None
    claims: Mapping[str, Any] = field(repr=False)
    authorities: Mapping[str, Collection[str]] | None = None
    holder_binding: bool = True
    aka_vcts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A candidate that satisfies a credential query, with the claims paths to disclose.

    ``paths == ()`` is deliberate when the query has no ``claims``: section 6.4.1 then asks for no
    selectively disclosable claim, so the presentation holds only what is always presented.
    """

    query_id: str
    candidate: Candidate
    paths: tuple[ClaimPath, ...]


def claim_values(claims: Any, path: ClaimPath) -> list[Any]:
    """Process a claims path pointer (section 7.1.1): the selected values, or ``[]`` wherever the
    specification says to abort with an error (a string against a non-object, null or an index
    against a non-array, or an empty selection)."""
    return [value for _, value in _locate(claims, path)]


def _locate(claims: Any, path: ClaimPath) -> list[tuple[ClaimPath, Any]]:
    """:func:`claim_values`, each value with the concrete path (indexes for ``null``) it was found at."""
    selected: list[tuple[ClaimPath, Any]] = [((), claims)]
    for component in path:
        following: list[tuple[ClaimPath, Any]] = []
        for where, node in selected:
            if isinstance(component, str):
                if not isinstance(node, Mapping):
                    return []
                if component in node:
                    following.append(((*where, component), node[component]))
            elif component is None:
                if not isinstance(node, list):
                    return []
                following.extend(((*where, index), item) for index, item in enumerate(node))
            elif isinstance(component, int) and not isinstance(component, bool) and component >= 0:
                if not isinstance(node, list):
                    return []
                if component < len(node):
                    following.append(((*where, component), node[component]))
            else:
                return []
        if not following or len(following) > MAX_SELECTED:
            return []
        selected = following
    return selected


def _typed(value: Any) -> tuple[str, Any] | None:
    """A scalar with its JSON type: values match when type and value match exactly (section 6.3; a
    number matches a number of equal value), found by set lookup, as a query may list a thousand
    values and a path select ten thousand. None for what no query value can equal."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return ("string", value)
    if is_number(value):
        return ("number", value)  # 1 and 1.0 are equal and hash alike
    return None


def _wanted(values: Sequence[Any]) -> set[tuple[str, Any] | None]:
    return {_typed(value) for value in values} - {None}


def _satisfied(claim: ClaimsQuery, candidate: Candidate, *, presented: bool = False) -> bool:
    path = claim.path
    if presented and candidate.format == SD_JWT_VC:
        # undisclosed array elements are gone from a presentation, and the positions of those disclosed
        # with them: an index the wallet applied to the whole credential can only be read as any element
        path = tuple(None if type(component) is int else component for component in path)
    found = claim_values(candidate.claims, path)
    if not found:
        return False
    if claim.values is None:
        return True
    wanted = _wanted(claim.values)
    return any(_typed(value) in wanted for value in found)


def _disclosed(claim: ClaimsQuery, candidate: Candidate) -> list[ClaimPath]:
    """What to disclose for a satisfied claims query: its path, or, where ``values`` restricts a path
    with ``null`` (every element), the path of each element whose value matches, as a claim whose
    value does not match is treated as absent (section 6.4.1)."""
    if claim.values is None or None not in claim.path:
        return [claim.path]
    wanted = _wanted(claim.values)
    return [where for where, value in _locate(candidate.claims, claim.path) if _typed(value) in wanted]


def _meta_matches(query: CredentialQuery, candidate: Candidate) -> bool:
    """Format and type; only ``dc+sd-jwt`` (its ``vct`` or one of its ``aka_vcts``, which the
    credential may be treated as, SD-JWT VC section 3.2.2.1.1; ``extends`` of Type Metadata is not
    followed) and ``mso_mdoc`` can match, since ``meta`` of other formats cannot be evaluated here."""
    if candidate.format != query.format:
        return False
    if query.format == SD_JWT_VC:
        values = query.vct_values or ()
        return candidate.vct is not None and (
            candidate.vct in values or any(aka in values for aka in candidate.aka_vcts)
        )
    if query.format == MSO_MDOC:
        return candidate.doctype is not None and candidate.doctype == query.doctype_value
    return False


def _authority_matches(query: CredentialQuery, candidate: Candidate) -> bool:
    """Section 6.1.1: a match with one value of one entry. The entries are alternatives, so one of a
    type the candidate cannot be judged by might be the one it matches: then the query does not
    filter it (the verifier checks trust itself; the filter is a SHOULD, for data minimisation)."""
    authorities = candidate.authorities
    if query.trusted_authorities is None or authorities is None:
        return True
    if any(entry.type not in authorities for entry in query.trusted_authorities):
        return True
    return any(set(entry.values) & set(authorities[entry.type]) for entry in query.trusted_authorities)


def _unique(paths: Sequence[ClaimPath]) -> tuple[ClaimPath, ...]:
    """Duplicate claims queries are ignored (section 6.1)."""
    return tuple(dict.fromkeys(paths))


def _paths(
    query: CredentialQuery, candidate: Candidate, *, presented: bool = False
) -> tuple[ClaimPath, ...] | None:
    """The claims to disclose for ``query`` (section 6.4.1), or None when it cannot be satisfied; with
    ``presented``, judged on a verified presentation rather than on a whole credential."""
    if query.claims is None:
        return ()
    options: list[Sequence[ClaimsQuery]] = [query.claims]
    if query.claim_sets is not None:
        by_id = {claim.id: claim for claim in query.claims}
        options = [[by_id[claim_id] for claim_id in option] for option in query.claim_sets]
    for claims in options:
        if all(_satisfied(claim, candidate, presented=presented) for claim in claims):
            return _unique([path for claim in claims for path in _disclosed(claim, candidate)])
    return None


def _eligible(query: CredentialQuery, candidate: Candidate) -> bool:
    return (
        _meta_matches(query, candidate)
        and _authority_matches(query, candidate)
        and (candidate.holder_binding or not query.require_cryptographic_holder_binding)
    )


def match(query: DcqlQuery, candidates: Sequence[Candidate]) -> dict[str, list[Match]]:
    """Per credential query id, the candidates that satisfy it, with the claims paths to disclose;
    with ``claim_sets``, the first option the candidate satisfies (the verifier's preference)."""
    result: dict[str, list[Match]] = {}
    for credential_query in query.credentials:
        found = []
        for candidate in candidates:
            paths = _paths(credential_query, candidate) if _eligible(credential_query, candidate) else None
            if paths is not None:
                found.append(Match(credential_query.id, candidate, paths))
        result[credential_query.id] = found
    return result


def select(query: DcqlQuery, matches: Mapping[str, Sequence[Match]]) -> dict[str, list[Match]] | None:
    """Credentials that answer the whole query (section 6.4.2), or None when it cannot be answered.

    Without ``credential_sets`` every credential query needs a match; with them, every required set
    needs one option whose queries all match (the first such option), and an optional set is
    answered when it can be. A query takes its first match, or all of them with ``multiple``. When
    only optional sets were asked and none can be answered, there is nothing to present (a
    ``vp_token`` holds at least one presentation), and that too is None.
    """
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
    return chosen or None


def check_response_against_query(query: DcqlQuery, presented: Mapping[str, Sequence[Candidate]]) -> None:
    """The verifier's own check that a vp_token answers its query (sections 6.4, 8.1 and 8.6).

    ``presented`` maps each vp_token key to the verified presentations under it, each as a
    :class:`Candidate` holding only the disclosed claims. Raises :class:`QueryNotSatisfied` when a
    key is not a credential query id, an array is empty or holds several presentations without
    ``multiple``, a presentation has the wrong format, ``vct`` or doctype, lacks holder binding
    that was required, or lacks requested claims (honouring ``claim_sets`` and ``values``), or
    when the set of answered queries does not satisfy the query: all queries without
    ``credential_sets``; with them, every required set, and no answer outside a satisfied option.
    """
    for query_id, candidates in presented.items():
        credential_query = query.credential(query_id)
        if credential_query is None:
            raise QueryNotSatisfied(f"vp_token answers {query_id!r}, which was not asked")
        if not candidates:
            raise QueryNotSatisfied(f"vp_token has no presentation for {query_id!r}")
        if len(candidates) > 1 and not credential_query.multiple:
            raise QueryNotSatisfied(f"{query_id!r} allows one presentation, got {len(candidates)}")
        for candidate in candidates:
            if not _meta_matches(credential_query, candidate):
                raise QueryNotSatisfied(
                    f"the credential presented for {query_id!r} is not of the requested type"
                )
            if credential_query.require_cryptographic_holder_binding and not candidate.holder_binding:
                raise QueryNotSatisfied(
                    f"the presentation for {query_id!r} lacks the required holder binding"
                )
            if _paths(credential_query, candidate, presented=True) is None:
                raise QueryNotSatisfied(f"the credential for {query_id!r} lacks requested claims")
    if query.credential_sets is None:
        missing = [c.id for c in query.credentials if c.id not in presented]
        if missing:
            raise QueryNotSatisfied(f"vp_token lacks the requested credentials {missing}")
        return
    answered: set[str] = set()
    for credential_set in query.credential_sets:
        satisfied = [option for option in credential_set.options if all(q in presented for q in option)]
        if credential_set.required and not satisfied:
            raise QueryNotSatisfied("vp_token satisfies no option of a required credential set")
        answered.update(q for option in satisfied for q in option)
    stray = sorted(set(presented) - answered)
    if stray:
        raise QueryNotSatisfied(f"vp_token answers {stray} outside any satisfied credential set option")
