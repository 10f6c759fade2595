"""ISO/IEC 18013-5:2021 mdoc (plus the MSO ``status`` of the 2nd edition), for OpenID4VP 1.0.

- issuer: :func:`issue_mdoc` — IssuerSigned with an MSO signed as COSE_Sign1 (8.3.2.1.2.2, 9.1.2);
- holder: :func:`select_elements`, :func:`device_response` (8.3.2.1.2.2, 9.1.3),
  :func:`issuer_signed_chain`, :func:`issuer_auth_algorithm`;
- verifier: :func:`verify_issuer_signed`, :func:`verify_device_response` (9.3.1);
- :func:`openid4vp_session_transcript` / :func:`openid4vp_dc_api_session_transcript` (OpenID4VP 1.0
  appendix B.2.6).

Every input is decoded by the strict, bounded :mod:`credentials.cbor`; the document signer chain is
judged by a caller-supplied ``validate_chain`` (this package imports no trust code). No clock: ``now``
is passed in; randomness is injectable.
"""

from __future__ import annotations

from credentials._mdoc_device import (
    MAX_DEVICE_RESPONSE_BYTES,
    VerifiedDocument,
    device_response,
    openid4vp_dc_api_session_transcript,
    openid4vp_session_transcript,
    verify_device_response,
)
from credentials._mdoc_issue import Rng, issue_mdoc
from credentials._mdoc_issuer import (
    MAX_ISSUER_SIGNED_BYTES,
    MIN_RANDOM_BYTES,
    KeyAuthorizations,
    Mso,
    ValidateChain,
    Validity,
    VerifiedIssuerSigned,
    issuer_auth_algorithm,
    issuer_signed_chain,
    parse_mso,
    select_elements,
    verify_issuer_signed,
    verify_issuer_signed_object,
)

__all__ = [
    "MAX_DEVICE_RESPONSE_BYTES",
    "MAX_ISSUER_SIGNED_BYTES",
    "MIN_RANDOM_BYTES",
    "KeyAuthorizations",
    "Mso",
    "Rng",
    "ValidateChain",
    "Validity",
    "VerifiedDocument",
    "VerifiedIssuerSigned",
    "device_response",
    "issue_mdoc",
    "issuer_auth_algorithm",
    "issuer_signed_chain",
    "openid4vp_dc_api_session_transcript",
    "openid4vp_session_transcript",
    "parse_mso",
    "select_elements",
    "verify_device_response",
    "verify_issuer_signed",
    "verify_issuer_signed_object",
]
