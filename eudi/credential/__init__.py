"""``eudi credential issue|inspect|verify``: mint a test credential, decode one, verify one offline.

Both formats, issued or presented: an SD-JWT VC (``dc+sd-jwt``, draft-ietf-oauth-sd-jwt-vc-24), with
or without a KB-JWT (RFC 9901 section 4.3), and an ISO/IEC 18013-5 mdoc (``mso_mdoc``): an IssuerSigned
or a DeviceResponse bound to the OpenID4VP 1.0 handover (appendix B.2.6.1). The trust decision is
:func:`trust_list.decision.vouch_for_issuer` over signed lists of trusted entities (ETSI TS 119 602);
the status is read from a token status list file (draft-ietf-oauth-status-list-21), never fetched.

The libraries do the work; this module reads files, fetches a trust list given by URL through the
bounded fetcher, reads the clock (or ``--at``) and prints.
"""

from __future__ import annotations

from typing import Any

from eudi.credential._inspect import run_inspect
from eudi.credential._io import MSO_MDOC, SD_JWT
from eudi.credential._issue import run_issue
from eudi.credential._verify import run_verify

__all__ = ["add_commands"]

# --- commands ---------------------------------------------------------------------------------------


def add_commands(subparsers: Any) -> None:
    """Register ``credential issue|inspect|verify`` on the ``eudi`` command."""
    credential = subparsers.add_parser(
        "credential",
        help="issue, inspect or verify an SD-JWT VC or an mdoc offline",
        description="Mint a test credential, decode one without trusting it, or verify one offline "
        "against signed trust lists: SD-JWT VC (dc+sd-jwt) and ISO 18013-5 mdoc (mso_mdoc), issued "
        "or presented.",
    )
    commands = credential.add_subparsers(dest="credential_command", required=True)

    issue = commands.add_parser(
        "issue",
        help="mint a test credential from a JSON attribute file",
        description="Sign a credential with a given issuer key and certificate, bound to a given holder "
        "key. Prints the SD-JWT VC in compact form (ending in '~'), or the mdoc IssuerSigned as "
        "base64url of its CBOR. Known types are checked by the catalogue (pid and av and diploma "
        "attributes use the SD-JWT VC claim names in both formats; mdl uses the ISO 18013-5 element "
        "names); any other vct or doctype takes the attributes as they are (an mdoc puts them in "
        "the namespace named like the doctype).",
    )
    issue.add_argument("--attributes", required=True, metavar="FILE.json", help="JSON object of attributes")
    issue.add_argument("--format", required=True, choices=(SD_JWT, MSO_MDOC))
    issue.add_argument(
        "--type", required=True, metavar="TYPE", help="pid, av, diploma, mdl, or a vct / doctype"
    )
    issue.add_argument("--key", required=True, metavar="ISSUER.key", help="issuer's PEM private key (P-256)")
    issue.add_argument(
        "--cert",
        required=True,
        metavar="ISSUER.pem[,CHAIN.pem...]",
        help="issuer's certificate, then any intermediates (not the trust anchor)",
    )
    issue.add_argument(
        "--holder-key",
        required=True,
        metavar="HOLDER.pem",
        help="the holder's key: PEM public key, private key (only its public part is used) or certificate",
    )
    issue.add_argument("--iss", metavar="URI", help="SD-JWT VC iss claim (default: none)")
    issue.add_argument(
        "--valid-days", type=int, default=365, metavar="N", help="validity in days (default 365)"
    )
    issue.add_argument("--status-uri", metavar="URI", help="token status list URI for the status reference")
    issue.add_argument("--status-idx", type=int, metavar="N", help="index in that status list")
    issue.add_argument("--at", metavar="ISO8601", help="issue as of this instant (default: now)")
    issue.add_argument("--out", metavar="FILE", help="write the credential here instead of printing it")
    issue.add_argument("--json", action="store_true", help="print the credential and a summary as JSON")
    issue.set_defaults(func=run_issue)

    inspect = commands.add_parser(
        "inspect",
        help="decode a credential or presentation without trusting it",
        description="Show format, header (alg, typ, x5c subjects), vct or doctype, issuer, validity, "
        "status reference, disclosed claims or elements and the holder key thumbprint. Nothing is "
        "verified. Input: SD-JWT text, or mdoc CBOR as raw bytes, hex or base64url (at most 1 MiB).",
    )
    inspect.add_argument("file", metavar="FILE", help="the credential ('-' for stdin)")
    inspect.add_argument("--json", action="store_true", help="print the decoded parts as JSON")
    inspect.set_defaults(func=run_inspect)

    verify = commands.add_parser(
        "verify",
        help="verify a credential or presentation offline against trust lists",
        description="Check signature, digests and disclosures, validity, the issuer through the trust "
        "lists (a PID only from a PID provider, other types from an EAA provider), the holder binding "
        "of a presentation and, given a status list file, the status. Everything is judged at --at "
        "(default now), the trust lists included. Prints 'valid: TYPE from ENTITY on LIST' and the "
        "claims, or exits 1 with 'error: REASON'.",
    )
    verify.add_argument("file", metavar="FILE", help="the credential or presentation ('-' for stdin)")
    verify.add_argument(
        "--trust-list",
        required=True,
        action="append",
        metavar="URL_OR_FILE",
        help="signed trust list (compact JWS); repeat for several lists",
    )
    verify.add_argument(
        "--operator",
        required=True,
        action="append",
        metavar="OPERATOR.pem",
        help="pinned scheme-operator certificate(s); repeatable",
    )
    verify.add_argument(
        "--allow-http-loopback",
        action="store_true",
        help="fetch a trust list URL over plain http from 127.0.0.1/localhost (demo only)",
    )
    verify.add_argument(
        "--status-list",
        metavar="FILE",
        help="token status list (statuslist+jwt; a CWT for an mdoc only) to check the credential's status "
        "against; without it the status is reported as not checked",
    )
    verify.add_argument("--at", metavar="ISO8601", help="verify at this instant (default: now)")
    verify.add_argument("--audience", metavar="AUD", help="expected KB-JWT aud (default: --client-id)")
    verify.add_argument("--nonce", help="expected KB-JWT nonce, or the nonce of the mdoc SessionTranscript")
    verify.add_argument("--client-id", metavar="ID", help="OpenID4VP client_id (mdoc SessionTranscript)")
    verify.add_argument(
        "--response-uri", metavar="URI", help="OpenID4VP response_uri (mdoc SessionTranscript)"
    )
    verify.add_argument(
        "--jwk-thumbprint",
        metavar="B64URL",
        help="for an mdoc response that was encrypted: the verifier key's JWK thumbprint in the handover",
    )
    verify.add_argument("--json", action="store_true", help="print the result (or the failure) as JSON")
    verify.set_defaults(func=run_verify)
