"""Selective Disclosure for JWTs, RFC 9901.

- issuer: :func:`issue` (sections 4.1, 4.2: Disclosures for object properties and array elements,
  recursive Disclosures, decoy digests, ``_sd_alg``, ``cnf``), with :class:`SD` marking what is
  selectively disclosable;
- holder: :func:`fully_disclosed`, :func:`select`, :func:`present` (sections 4.3, 7.2);
- verifier: :func:`verify` (sections 7.1, 7.3), compact and JWS JSON serializations (section 8);
- :class:`SdJwt` and :class:`Disclosure`: the serialized forms, parsed under size limits.

No clock, no network: time is passed in, randomness is injectable.
"""

from __future__ import annotations

from credentials._sdjwt_format import (
    MAX_DISCLOSURES,
    MAX_JSON_DEPTH,
    MAX_NESTING,
    MAX_SD_JWT_BYTES,
    SD_ALG,
    Disclosure,
    SdJwt,
    digest,
)
from credentials._sdjwt_holder import KB_JWT_TYP, fully_disclosed, present, select
from credentials._sdjwt_issue import SD, Rng, issue
from credentials._sdjwt_process import ClaimPath
from credentials._sdjwt_verify import IssuerKey, KeyBindingCheck, VerifiedSdJwt, check_validity, verify

__all__ = [
    "KB_JWT_TYP",
    "MAX_DISCLOSURES",
    "MAX_JSON_DEPTH",
    "MAX_NESTING",
    "MAX_SD_JWT_BYTES",
    "SD",
    "SD_ALG",
    "ClaimPath",
    "Disclosure",
    "IssuerKey",
    "KeyBindingCheck",
    "Rng",
    "SdJwt",
    "VerifiedSdJwt",
    "check_validity",
    "digest",
    "fully_disclosed",
    "issue",
    "present",
    "select",
    "verify",
]
