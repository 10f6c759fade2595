"""Digital Credentials Query Language (OpenID4VP 1.0 sections 6 and 7).

- :func:`parse_dcql_query` parses a query into frozen dataclasses and applies every rule of
  section 6 (identifiers, required ``meta`` and its format-specific members, claims paths,
  ``claim_sets``, ``credential_sets``, ``trusted_authorities``); unknown properties are ignored.
- Wallet: :func:`match` finds, per credential query, the credentials that satisfy it and the claims
  paths to disclose; :func:`select` chooses credentials that answer the query as a whole (6.4.2).
- Verifier: :func:`check_response_against_query` re-checks what was presented (section 8.6).
- :func:`claim_values` processes a claims path pointer (section 7).

A credential query without ``claims`` asks for no selectively disclosable claim (section 6.4.1):
its :class:`Match` has ``paths == ()`` and the presentation discloses nothing beyond what is
always presented.
"""

from __future__ import annotations

from openid4vc._dcql_match import (
    Candidate,
    Match,
    check_response_against_query,
    claim_values,
    match,
    select,
)
from openid4vc._dcql_query import (
    MSO_MDOC,
    SD_JWT_VC,
    ClaimPath,
    ClaimsQuery,
    CredentialQuery,
    CredentialSetQuery,
    DcqlQuery,
    TrustedAuthoritiesQuery,
    parse_dcql_query,
)

__all__ = [
    "MSO_MDOC",
    "SD_JWT_VC",
    "Candidate",
    "ClaimPath",
    "ClaimsQuery",
    "CredentialQuery",
    "CredentialSetQuery",
    "DcqlQuery",
    "Match",
    "TrustedAuthoritiesQuery",
    "check_response_against_query",
    "claim_values",
    "match",
    "parse_dcql_query",
    "select",
]
