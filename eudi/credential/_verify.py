"""``eudi credential verify``: verify an SD-JWT VC or an mdoc offline against signed trust lists."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.cli import fail
from common.errors import EudiError, InvalidInput
from common.jose import (
    b64url_decode,
    public_jwk,
    x5c_certificates,
)
from common.net import Fetcher, FetchError, FetchPolicy
from credentials import cose
from credentials.errors import MalformedMdoc, MissingClaim
from credentials.mdoc import (
    openid4vp_session_transcript,
    verify_device_response,
    verify_issuer_signed_object,
)
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import verify_sd_jwt_vc
from credentials.status_list import (
    MAX_TOKEN_BYTES,
    RELYING_PARTY_ALGORITHMS,
    Status,
    StatusListToken,
    check_status,
    status_reference,
    status_reference_mdoc,
    verify_status_list_jwt,
)
from credentials.status_list_cwt import verify_status_list_cwt
from eudi.credential._inspect import mso_of
from eudi.credential._io import (
    HEX,
    JWS,
    MSO_MDOC,
    SD_JWT,
    Credential,
    certificate_key,
    decode,
    epoch,
    instant,
    plain,
    print_claims,
    read,
    thumbprint,
    type_name,
)
from trust_list.decision import Vouch, vouch_for_issuer
from trust_list.errors import UntrustedIssuer
from trust_list.lote import MAX_LIST_BYTES, TrustList, verify_lote
from trust_list.x509 import load_pem_certificates, subject_organization
from verifier.errors import CredentialRevoked, CredentialSuspended, StatusUnavailable

# --- verify -----------------------------------------------------------------------------------------


def _fetch_text(url: str, *, allow_http_loopback: bool) -> str:
    async def get() -> bytes:
        fetcher = Fetcher(FetchPolicy(allow_loopback=allow_http_loopback, max_bytes=MAX_LIST_BYTES))
        try:
            answer = await fetcher.get(url)
        finally:
            await fetcher.aclose()
        if answer.status_code != 200:
            raise FetchError(f"{url} answered HTTP {answer.status_code}")
        return answer.content

    return asyncio.run(get()).decode("ascii", "replace")


def _trust_lists(args: argparse.Namespace, at: datetime) -> list[TrustList]:
    """Every ``--trust-list``, believed only when signed by a pinned ``--operator`` and fresh at ``at``."""
    pinned = []
    for path in args.operator:
        try:
            pinned.extend(load_pem_certificates(read(path, what="operator certificate")))
        except ValueError as exc:
            raise InvalidInput(f"{path} holds no PEM certificate") from exc
    lists = []
    for source in args.trust_list:
        if source.startswith(("https://", "http://")):
            text = _fetch_text(source, allow_http_loopback=args.allow_http_loopback)
        else:
            text = read(source, what="trust list", limit=MAX_LIST_BYTES).decode("ascii", "replace")
        lists.append(verify_lote(text.strip(), pinned=pinned, now=at))
    return lists


def _status_token(
    path: str,
    *,
    uri: str,
    at: datetime,
    signer: Callable[[Sequence[x509.Certificate]], Any],
    jwt_only: bool,
) -> StatusListToken:
    """The status list file, JWT (``statuslist+jwt``) or, unless ``jwt_only``, CWT (raw, hex or
    base64url)."""
    data = read(path, what="status list", limit=MAX_TOKEN_BYTES)
    now = int(at.timestamp())
    text = data.decode("ascii", "replace").strip()
    if jwt_only and not JWS.fullmatch(text):
        raise StatusUnavailable("an SD-JWT VC's status list is a JWT (SD-JWT VC section 3.2.2.2), not a CWT")
    if JWS.fullmatch(text):
        return verify_status_list_jwt(
            text,
            uri=uri,
            now=now,
            resolve_key=lambda header: signer(x5c_certificates(header)),
            algorithms=RELYING_PARTY_ALGORITHMS,
        )
    raw = data
    if HEX.fullmatch(text):
        raw = bytes.fromhex(text)
    elif text and not data.startswith(b"\xd2"):
        with contextlib.suppress(InvalidInput):
            raw = b64url_decode(text.rstrip("="))
    return verify_status_list_cwt(
        raw,
        uri=uri,
        now=now,
        resolve_key=lambda headers: signer(cose.x5chain_from_headers(headers)),
        algorithms=RELYING_PARTY_ALGORITHMS,
    )


def _check_status(
    reference: Mapping[str, Any] | None,
    *,
    mdoc: bool,
    type_id: str,
    vouch: Vouch,
    lists: Sequence[TrustList],
    at: datetime,
    path: str | None,
) -> str:
    """``valid``, ``not checked`` (no ``--status-list``) or ``none`` (no reference); else an error.

    The status list must be signed by a certificate that the entity vouching for the credential's
    issuer also vouches for, as an issuer of the same type."""
    if reference is None:
        return "none"
    idx, uri = status_reference_mdoc(reference) if mdoc else status_reference({"status": reference})
    if path is None:
        return "not checked"

    def signer(chain: Sequence[x509.Certificate]) -> ec.EllipticCurvePublicKey:
        found = vouch_for_issuer(lists, type_id, chain, at=at)
        if (found.list_name, found.entity.name) != (vouch.list_name, vouch.entity.name):
            raise StatusUnavailable(
                f"the status list is signed under {found.entity.name}, not under the credential's "
                f"issuer {vouch.entity.name}"
            )
        return certificate_key(found.signer)

    status = check_status(_status_token(path, uri=uri, at=at, signer=signer, jwt_only=not mdoc), idx)
    if status == Status.INVALID:
        raise CredentialRevoked(f"the issuer has revoked this credential (index {idx} of {uri})")
    if status == Status.SUSPENDED:
        raise CredentialSuspended(f"the issuer has suspended this credential (index {idx} of {uri})")
    if status != Status.VALID:
        raise StatusUnavailable(f"the credential has status {status} (index {idx} of {uri})")
    return "valid"


def _result(
    format_: str, type_id: str, issuer: str | None, vouch: Vouch, claims: Any, **extra: Any
) -> dict[str, Any]:
    return {
        "valid": True,
        "format": format_,
        "type": type_id,
        "type_name": type_name(type_id),
        "issuer": issuer or subject_organization(vouch.signer),
        "signer": vouch.signer.subject.rfc4514_string(),
        "vouched_by": {"entity": vouch.entity.name, "list": vouch.list_name, "service": vouch.service.name},
        "claims": plain(claims),
        **extra,
    }


def _verify_sd_jwt(
    credential: Credential, args: argparse.Namespace, lists: Sequence[TrustList], at: datetime
) -> list[dict[str, Any]]:
    now = int(at.timestamp())
    audience = args.audience or args.client_id
    key_binding = None
    if credential.presentation or audience or args.nonce:
        if not (audience and args.nonce):
            raise InvalidInput("an SD-JWT VC presentation is verified with --audience and --nonce")
        key_binding = KeyBindingCheck(audience=audience, nonce=args.nonce, now=now)
    vouches: list[Vouch] = []

    def resolve(header: Mapping[str, Any], payload: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
        vct = payload.get("vct")
        if not isinstance(vct, str) or not vct:
            raise MissingClaim("vct is missing or not a string")
        try:
            chain = x5c_certificates(header)
        except InvalidInput as exc:
            raise UntrustedIssuer(f"the issuer-signed JWT carries no usable x5c: {exc}") from exc
        vouches.append(vouch_for_issuer(lists, vct, chain, at=at))
        return certificate_key(vouches[-1].signer)

    verified = verify_sd_jwt_vc(credential.text, resolve_issuer_key=resolve, now=now, key_binding=key_binding)
    status = _check_status(
        verified.status,
        mdoc=False,
        type_id=verified.vct,
        vouch=vouches[0],
        lists=lists,
        at=at,
        path=args.status_list,
    )
    kb = verified.key_binding
    return [
        _result(
            SD_JWT,
            verified.vct,
            None,  # with x5c the Issuer is the leaf's subject (SD-JWT VC section 3.5), not iss
            vouches[0],
            verified.claims,
            kind="presentation" if kb else "issued",
            iss=verified.issuer,
            validity={"iat": epoch(verified.iat), "exp": epoch(verified.exp)},
            holder_key_thumbprint=thumbprint(verified.cnf_jwk),
            key_binding={"aud": kb.get("aud"), "nonce": kb.get("nonce"), "iat": epoch(kb.get("iat"))}
            if kb
            else None,
            status=status,
        )
    ]


def _mdoc_result(
    doctype: str,
    issuer_signed: Any,
    vouch: Vouch,
    args: argparse.Namespace,
    lists: Sequence[TrustList],
    at: datetime,
    *,
    kind: str,
) -> dict[str, Any]:
    status = _check_status(
        issuer_signed.status,
        mdoc=True,
        type_id=doctype,
        vouch=vouch,
        lists=lists,
        at=at,
        path=args.status_list,
    )
    validity = issuer_signed.validity
    return _result(
        MSO_MDOC,
        doctype,
        None,
        vouch,
        issuer_signed.namespaces,
        kind=kind,
        validity={
            "valid_from": validity.valid_from.isoformat(),
            "valid_until": validity.valid_until.isoformat(),
        },
        holder_key_thumbprint=thumbprint(public_jwk(issuer_signed.device_key)),
        status=status,
    )


def _verify_mdoc(
    credential: Credential, args: argparse.Namespace, lists: Sequence[TrustList], at: datetime
) -> list[dict[str, Any]]:
    if not credential.presentation:
        if args.nonce or args.client_id or args.response_uri:
            raise InvalidInput(
                "an mdoc IssuerSigned carries no device signature; --client-id, --nonce and "
                "--response-uri apply to a DeviceResponse"
            )
        doctype = mso_of(credential.value)[1].doctype
        vouches: list[Vouch] = []

        def validate(chain: Sequence[x509.Certificate]) -> x509.Certificate:
            vouches.append(vouch_for_issuer(lists, doctype, chain, at=at))
            return vouches[-1].signer

        verified = verify_issuer_signed_object(
            credential.value, doctype=doctype, now=at, validate_chain=validate
        )
        return [_mdoc_result(doctype, verified, vouches[0], args, lists, at, kind="issued")]
    if not (args.client_id and args.nonce and args.response_uri):
        raise InvalidInput(
            "an mdoc DeviceResponse is verified with --client-id, --nonce and --response-uri "
            "(its OpenID4VP handover SessionTranscript)"
        )
    transcript = openid4vp_session_transcript(
        client_id=args.client_id,
        nonce=args.nonce,
        jwk_thumbprint=b64url_decode(args.jwk_thumbprint) if args.jwk_thumbprint else None,
        response_uri=args.response_uri,
    )
    documents = credential.value.get("documents")
    if not isinstance(documents, list) or not all(isinstance(d, Mapping) for d in documents):
        raise MalformedMdoc("DeviceResponse documents must be an array of maps")
    pending = [str(document.get("docType")) for document in documents]
    decided: list[tuple[str, Vouch]] = []

    def validate_next(chain: Sequence[x509.Certificate]) -> x509.Certificate:
        # the library validates one chain per document, in order; the check below holds it to that
        if len(decided) >= len(pending):
            raise MalformedMdoc("more document signers than documents")
        doctype = pending[len(decided)]
        decided.append((doctype, vouch_for_issuer(lists, doctype, chain, at=at)))
        return decided[-1][1].signer

    results = []
    verified_documents = verify_device_response(
        credential.data, session_transcript=transcript, now=at, validate_chain=validate_next
    )
    if len(verified_documents) != len(decided):
        raise UntrustedIssuer("a document was verified without a trust decision")
    for document, (doctype, vouch) in zip(verified_documents, decided, strict=True):
        if document.doctype != doctype or document.issuer_signed.signer != vouch.signer:
            raise UntrustedIssuer("the trust decision does not match the document verified")
        results.append(
            _mdoc_result(doctype, document.issuer_signed, vouch, args, lists, at, kind="presentation")
        )
    return results


def run_verify(args: argparse.Namespace) -> int:
    try:
        at = instant(args.at)
        credential = decode(read(args.file, what="credential file"))
        lists = _trust_lists(args, at)
        verify = _verify_sd_jwt if credential.format == SD_JWT else _verify_mdoc
        results = verify(credential, args, lists, at)
    except (EudiError, OSError, ValueError, x509.InvalidVersion) as exc:
        if args.json:
            reason = (
                exc.reason
                if isinstance(exc, EudiError)
                else "unreadable_file"
                if isinstance(exc, OSError)
                else "invalid_input"
            )
            print(json.dumps({"valid": False, "error": str(exc), "reason": reason}))
        return fail(str(exc))
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {"valid": True, "documents": results}))
        return 0
    for result in results:
        vouched = result["vouched_by"]
        print(f"valid: {result['type']} from {vouched['entity']} on {vouched['list']}")
        status = result["status"]
        if status == "not checked":
            status = "not checked (no --status-list given)"
        elif status == "none":
            status = "none (the credential has no status reference)"
        print(f"  {credential.label}; issuer {result['issuer']}; status: {status}")
        if result.get("key_binding"):
            print(f"  holder binding: KB-JWT for {result['key_binding']['aud']}")
        elif credential.format == MSO_MDOC and credential.presentation:
            print(f"  holder binding: deviceSignature over the OpenID4VP handover for {args.client_id}")
        print("  claims:")
        for name, value in result["claims"].items():
            if credential.format == MSO_MDOC and isinstance(value, Mapping):
                print(f"    {name}:")
                print_claims(value, "      ")
            else:
                print_claims({name: value}, "    ")
    return 0
