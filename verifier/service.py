"""What the verifier does, between its routes and the libraries (OpenID4VP 1.0 with DCQL).

A transaction is made from a DCQL query: a fresh ``state`` and ``nonce``, and a request object
signed with the relying party's access certificate (client id ``x509_san_dns:<host>`` or
``x509_hash:<hash>``) that is served unchanged at its ``request_uri`` for as long as the transaction
lives, or signed again with the ``wallet_nonce`` a wallet posts there. With ``direct_post.jwt``, each
transaction has its own P-256 key for the wallet to encrypt its response to, named by a random
``kid`` in ``client_metadata.jwks`` and kept until the response is claimed; the mdoc handover then
carries that key's thumbprint. The wallet's
``direct_post`` claims the transaction by ``state`` exactly once; every presentation is then checked
(issuer signature, chain to an entity that the trust list allows for the credential's type, holder
binding: the KB-JWT's ``aud``/``nonce``/``sd_hash``/``iat`` for an SD-JWT VC, the device signature over
the OpenID4VP handover SessionTranscript for an mdoc, unless the query waives it and none is sent;
validity; status). A presentation that fails is discarded, and what remains must answer the DCQL
query (section 8.6); only the disclosed, verified claims are kept as the result.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from common import jwe
from common.clock import Clock
from common.errors import CryptoError, EudiError, InvalidInput
from common.jose import (
    b64url_decode,
    b64url_encode,
    jwk_thumbprint,
    parse_json,
    parse_jws,
    public_jwk,
    x5c_certificates,
)
from common.jwe import CONTENT_ENCRYPTION, ECDH_ES
from credentials.mdoc import openid4vp_session_transcript, verify_device_response
from credentials.mdoc_json import namespaces_json
from credentials.sdjwt import KeyBindingCheck, SdJwt
from credentials.sdjwt_vc import verify_sd_jwt_vc
from credentials.status_list import status_reference, status_reference_mdoc
from openid4vc.dcql import (
    Candidate,
    CredentialQuery,
    DcqlQuery,
    check_response_against_query,
    parse_dcql_query,
)
from openid4vc.errors import InvalidRequest
from openid4vc.presentation import (
    DIRECT_POST_JWT,
    AuthorizationResponse,
    authorization_request_link,
    build_request_object,
    check_url,
    parse_authorization_response,
    parse_decrypted_response,
    parse_request_uri_form,
    sign_request_object,
)
from trust_list.decision import Vouch, types_vouched_for, vouch_for_issuer
from trust_list.errors import TrustError
from trust_list.lote import TrustList
from trust_list.registration import verifier_info_entry
from trust_list.x509 import subject_organization
from verifier.errors import PresentationRejected, ResponseCodeRequired, UnknownTransaction
from verifier.settings import VerifierSettings
from verifier.status import StatusChecker
from verifier.store import FAILED, PENDING, VERIFIED, Transaction, VerifierStore

__all__ = ["VerifierService"]

SD_JWT_FORMAT = "dc+sd-jwt"
MDOC_FORMAT = "mso_mdoc"


class VerifierService:
    def __init__(
        self,
        settings: VerifierSettings,
        store: VerifierStore,
        trust_lists: Callable[[], Sequence[TrustList]],
        clock: Clock,
        status: StatusChecker,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.settings = settings
        self.store = store
        self.trust_lists = trust_lists
        self.clock = clock
        self.status = status
        self.rng = rng

    def client_metadata(self) -> dict[str, Any]:
        return {
            "vp_formats_supported": {
                SD_JWT_FORMAT: {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
                # ES256 and its fully specified ESP256 (RFC 9864), which the COSE checks take alike
                MDOC_FORMAT: {"issuerauth_alg_values": [-7, -9], "deviceauth_alg_values": [-7, -9]},
            }
        }

    # -- transactions -----------------------------------------------------------------------------

    def create_transaction(
        self, dcql_query: Mapping[str, Any], redirect_uri: str | None = None
    ) -> dict[str, Any]:
        """A transaction for ``dcql_query``. With ``redirect_uri`` (the relying party's page, for a
        wallet on the same device), the response endpoint sends the wallet there with a fresh
        ``response_code`` in the fragment, and the result is read only with that code (section 8.2)."""
        query = parse_dcql_query(dcql_query)
        if redirect_uri is not None:
            redirect_uri = check_url(redirect_uri, "redirect_uri")
        unsupported = sorted({c.format for c in query.credentials} - {SD_JWT_FORMAT, MDOC_FORMAT})
        if unsupported:  # refused now, not after the citizen has answered
            raise InvalidRequest(f"this verifier checks dc+sd-jwt and mso_mdoc only, not {unsupported}")
        now = self.clock.now()
        transaction_id = b64url_encode(self.rng(16))
        state = b64url_encode(self.rng(16))
        nonce = b64url_encode(self.rng(16))
        metadata = self.client_metadata()
        response_key = None
        if self.settings.response_mode == DIRECT_POST_JWT:
            response_key = ec.generate_private_key(ec.SECP256R1()), b64url_encode(self.rng(16))
            jwk = {**public_jwk(response_key[0]), "kid": response_key[1], "use": "enc", "alg": ECDH_ES}
            metadata["jwks"] = {"keys": [jwk]}
            metadata["encrypted_response_enc_values_supported"] = list(CONTENT_ENCRYPTION)
        claims = build_request_object(
            client_id=self.settings.client_id,
            response_uri=self.settings.response_uri,
            nonce=nonce,
            state=state,
            dcql_query=query.to_json(),
            client_metadata=metadata,
            response_mode=self.settings.response_mode,
            iat=now,
            exp=now + self.settings.transaction_ttl,
        )
        if self.settings.registration_certificate is not None:
            claims["verifier_info"] = [verifier_info_entry(self.settings.registration_certificate)]
        request_object = sign_request_object(
            claims, key=self.settings.signing_key, x5c=self.settings.certificate_chain
        )
        request_id = b64url_encode(self.rng(16))  # not the transaction id: see verifier.store.request_ids
        self.store.add(
            Transaction(
                transaction_id=transaction_id,
                state=state,
                nonce=nonce,
                dcql_query=query.to_json(),
                request_object=request_object,
                status=PENDING,
                result=None,
                created_at=now,
                expires_at=now + self.settings.transaction_ttl,
            ),
            request_id=request_id,
        )
        if redirect_uri is not None:
            self.store.add_redirect(transaction_id, redirect_uri)
        if response_key is not None:
            private, kid = response_key
            pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")
            self.store.add_response_key(
                transaction_id, kid, pem, expires_at=now + self.settings.transaction_ttl, now=now
            )
        request_uri = f"{self.settings.public_url}/request/{request_id}"
        return {
            "transaction_id": transaction_id,
            "client_id": self.settings.client_id,
            "request_uri": request_uri,
            "authorization_request": self._link(request_uri),
            "result_url": f"{self.settings.public_url}/transactions/{transaction_id}",
            "expires_at": now + self.settings.transaction_ttl,
        }

    def _link(self, request_uri: str) -> str:
        # inviting a POST, the verifier's capabilities go in the link, for the wallet to answer to (5.1)
        post = self.settings.request_uri_method == "post"
        return authorization_request_link(
            client_id=self.settings.client_id,
            request_uri=request_uri,
            request_uri_method="post" if post else None,
            client_metadata=self.client_metadata() if post else None,
        )

    def request_object(self, request_id: str) -> str:
        """The signed request object, as made with the transaction (a GET of the request URI)."""
        transaction = self.store.by_request_id(request_id)
        if transaction is None or transaction.expires_at <= self.clock.now() or transaction.status != PENDING:
            raise UnknownTransaction("no pending request with that id")
        return transaction.request_object

    def request_object_posted(self, request_id: str, form: Mapping[str, str]) -> str:
        """The request object for a wallet's POST to the request URI (OpenID4VP 1.0 section 5.10):
        signed again with the ``wallet_nonce`` it sent, when it sent one. ``wallet_metadata`` must be a
        JSON object; what it says changes nothing, as this verifier's one request suits every wallet
        that can answer it."""
        posted = parse_request_uri_form(form)
        stored = self.request_object(request_id)
        if posted.wallet_nonce is None:
            return stored
        claims = {**parse_jws(stored).claims(), "wallet_nonce": posted.wallet_nonce}
        return sign_request_object(claims, key=self.settings.signing_key, x5c=self.settings.certificate_chain)

    def result(self, transaction_id: str, response_code: str | None = None) -> dict[str, Any]:
        """The state of a transaction and, once answered, its result; the verified claims of a
        same-device transaction only with the ``response_code`` of its redirect (section 13.3: whoever
        fixed the session in their browser never gets the code, which goes to the wallet's device)."""
        transaction = self.store.get(transaction_id)
        if transaction is None:
            raise UnknownTransaction("no transaction with that id")
        redirect = self.store.redirect(transaction_id)
        if redirect is not None and transaction.status == VERIFIED:
            digest = redirect[1] or ""
            given = _code_digest(response_code) if response_code is not None else "-"
            if not hmac.compare_digest(given.encode("ascii"), digest.encode("ascii")):
                raise ResponseCodeRequired("this same-device transaction's result needs its response_code")
        body: dict[str, Any] = {"transaction_id": transaction_id, "status": transaction.status}
        if transaction.result is not None:
            body.update(transaction.result)
        return body

    # -- responses --------------------------------------------------------------------------------

    async def receive_response(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The ``direct_post`` response endpoint (OpenID4VP 1.0 section 8.2), also for
        ``direct_post.jwt`` (section 8.3.1): a transaction that asked for an encrypted response takes
        its presentations encrypted only (an error may come in the clear, as the wallet may be unable
        to encrypt)."""
        response = parse_authorization_response(form)
        now = self.clock.now()
        thumbprint = None
        if response.response is not None:
            response, thumbprint = self._decrypt(response.response, now)
        if response.state is None:
            raise InvalidRequest("the response carries no state")
        if thumbprint is None and response.error is None and self._encrypted_only(response.state):
            raise InvalidRequest("this transaction takes its presentations encrypted (direct_post.jwt)")
        transaction = self.store.claim_response(response.state, now=now)
        if transaction is None:
            raise InvalidRequest("state is unknown, expired or already answered")
        if response.error is not None:
            self.store.finish(
                transaction.transaction_id,
                status=FAILED,
                result={"error": response.error, "error_description": response.error_description or ""},
            )
            return self._redirect(transaction.transaction_id)
        try:
            verified = await self._verify(transaction, response.vp_token, now, thumbprint)
            self.store.finish(transaction.transaction_id, status=VERIFIED, result={"credentials": verified})
        except EudiError as exc:
            self.store.finish(
                transaction.transaction_id,
                status=FAILED,
                result={"error": exc.error, "reason": exc.reason, "error_description": exc.description},
            )
            raise PresentationRejected(exc.description, reason=exc.reason) from exc
        except BaseException:  # a defect of ours, or a cancelled request: the relying party must not wait
            with contextlib.suppress(Exception):  # the first error is the one to raise
                self.store.finish(
                    transaction.transaction_id,
                    status=FAILED,
                    result={
                        "error": "server_error",
                        "error_description": "the verifier could not check the response",
                    },
                )
            raise
        return self._redirect(transaction.transaction_id)

    def _redirect(self, transaction_id: str) -> dict[str, Any]:
        """The answer to the wallet (section 8.2): for a same-device transaction, ``redirect_uri``
        with a fresh 128-bit ``response_code`` in its fragment; else nothing."""
        redirect = self.store.redirect(transaction_id)
        if redirect is None:
            return {}
        code = b64url_encode(self.rng(16))
        self.store.set_response_code(transaction_id, _code_digest(code))
        return {"redirect_uri": f"{redirect[0]}#response_code={code}"}

    def _encrypted_only(self, state: str) -> bool:
        """Whether the request of the transaction of ``state`` asked for ``direct_post.jwt``, as its
        own request object says (whatever became of its key)."""
        transaction = self.store.by_state(state)
        if transaction is None:
            return False
        return parse_jws(transaction.request_object).claims().get("response_mode") == DIRECT_POST_JWT

    def _decrypt(self, token: str, now: int) -> tuple[AuthorizationResponse, bytes]:
        """The parameters of an encrypted response, found by the ``kid`` it names among the keys of
        live transactions, and that key's JWK thumbprint; its ``state`` must be that transaction's."""
        try:
            header = parse_json(b64url_decode(token.partition(".")[0]), max_depth=4)
        except InvalidInput as exc:
            raise InvalidRequest(f"the encrypted response is not a JWE: {exc}") from exc
        kid = header.get("kid") if isinstance(header, dict) else None
        found = self.store.response_key(kid, now=now) if isinstance(kid, str) else None
        if found is None:
            raise InvalidRequest("the encrypted response names no key of a pending transaction (kid)")
        transaction_id, pem = found
        key = load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):  # create_transaction stores only these
            raise TypeError("a response key is not an EC key")
        try:
            _, plaintext = jwe.decrypt(token, key, kid=kid)
        except (InvalidInput, CryptoError) as exc:
            raise InvalidRequest(f"the encrypted response: {exc}") from exc
        response = parse_decrypted_response(plaintext)
        transaction = self.store.get(transaction_id)
        if transaction is None or response.state != transaction.state:
            raise InvalidRequest("the encrypted response's state is not that of the transaction of its key")
        return response, jwk_thumbprint(public_jwk(key))

    async def _verify(
        self, transaction: Transaction, vp_token: Mapping[str, list[str]], now: int, thumbprint: bytes | None
    ) -> dict[str, list[dict[str, Any]]]:
        """Every presentation verified; one that fails is discarded and the rest must still answer
        the query (OpenID4VP 1.0 section 8.6). When they do not, the first failure is the reason."""
        query: DcqlQuery = parse_dcql_query(transaction.dcql_query)
        queries = {credential.id: credential for credential in query.credentials}
        presented: dict[str, list[Candidate]] = {}
        results: dict[str, list[dict[str, Any]]] = {}
        failures: list[EudiError] = []
        for query_id, presentations in vp_token.items():  # the shape first (section 8.1), before any check
            credential_query = queries.get(query_id)
            if credential_query is None:
                raise InvalidRequest(f"vp_token answers {query_id!r}, which was not asked")
            if len(presentations) > 1 and not credential_query.multiple:
                raise InvalidRequest(f"vp_token holds {len(presentations)} presentations for {query_id!r}")
        for query_id, presentations in vp_token.items():
            credential_query = queries[query_id]
            for presentation in presentations:
                if not isinstance(presentation, str):
                    raise InvalidRequest("a presentation must be a string")
                try:
                    verified = await self._verify_presentation(
                        presentation, credential_query, transaction, now, thumbprint
                    )
                except EudiError as exc:
                    failures.append(exc)
                    continue
                for candidate, result in verified:
                    presented.setdefault(query_id, []).append(replace(candidate, id=query_id))
                    results.setdefault(query_id, []).append(result)
        try:
            check_response_against_query(query, presented)
        except EudiError:
            if failures:
                raise failures[0] from None
            raise
        return results

    async def _verify_presentation(
        self,
        presentation: str,
        credential_query: CredentialQuery,
        transaction: Transaction,
        now: int,
        thumbprint: bytes | None,
    ) -> list[tuple[Candidate, dict[str, Any]]]:
        if credential_query.format == SD_JWT_FORMAT:
            return [
                await self._verify_sd_jwt(
                    presentation,
                    credential_query.meta,
                    transaction,
                    now,
                    binding_required=credential_query.require_cryptographic_holder_binding,
                )
            ]
        if credential_query.format == MDOC_FORMAT:
            return await self._verify_mdoc(presentation, credential_query.meta, transaction, now, thumbprint)
        raise InvalidRequest(f"format {credential_query.format!r} is not supported")

    async def _verify_sd_jwt(
        self,
        presentation: str,
        meta: Mapping[str, Any],
        transaction: Transaction,
        now: int,
        *,
        binding_required: bool = True,
    ) -> tuple[Candidate, dict[str, Any]]:
        """An SD-JWT VC with its KB-JWT: issuer chain to an entity that the trust lists allow for its
        ``vct``, digests, validity, holder binding to this transaction, and status. A query with
        ``require_cryptographic_holder_binding: false`` (OpenID4VP 1.0 section 6.1) also takes one
        without a KB-JWT; a KB-JWT that is sent is checked in full all the same."""
        at = datetime.fromtimestamp(now, UTC)
        lists = self.trust_lists()
        vouches: list[Vouch] = []
        chains: list[list[x509.Certificate]] = []

        def resolve(header: Mapping[str, Any], payload: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
            chains.append(x5c_certificates(header))
            vouch = vouch_for_issuer(lists, str(payload.get("vct")), chains[-1], at=at)
            vouches.append(vouch)
            return _ec_key(vouch.signer)

        vct_values = meta.get("vct_values")
        check: KeyBindingCheck | None = KeyBindingCheck(
            audience=self.settings.client_id,
            nonce=transaction.nonce,
            now=now,
            max_age=self.settings.key_binding_max_age,
        )
        bound = binding_required or SdJwt.parse(presentation).key_binding_jwt is not None
        verified = verify_sd_jwt_vc(
            presentation,
            resolve_issuer_key=resolve,
            now=now,
            key_binding=check if bound else None,
            vct_values=vct_values if isinstance(vct_values, list) else None,
            leeway=self.settings.leeway,
            audience=self.settings.client_id,  # an aud of the credential, KB-JWT or not (RFC 7519 4.1.3)
        )
        vouch = vouches[-1]
        if verified.status is not None:
            # the list's signer must chain to an anchor of the entity that vouched for the issuer
            # (Token Status List section 11.3: keys of the issuer and the status issuer linked)
            await self.status.check(status_reference({"status": verified.status}), vouch.service.certificates)
        candidate = Candidate(
            id="",
            format=SD_JWT_FORMAT,
            vct=verified.vct,
            doctype=None,
            # a query may name the registered claims too (iss, vct...), which are always presented
            claims={**verified.registered_claims(), **verified.claims},
            holder_binding=bound,
            # another type it says it is of counts only where the lists allow its issuer that type too
            aka_vcts=types_vouched_for(lists, verified.aka_vcts, chains[-1], at=at),
        )
        return candidate, {
            "format": SD_JWT_FORMAT,
            "vct": verified.vct,
            # the Issuer is the subject of the x5c leaf (SD-JWT VC section 3.5), which the trust list
            # vouched for; an iss claim beside it is bound to nothing and is not handed on
            "issuer": vouch.signer.subject.rfc4514_string(),
            "issuer_name": subject_organization(vouch.signer),
            "vouched_by": {"entity": vouch.entity.name, "list": vouch.list_name},
            "claims": verified.claims,
        }

    async def _verify_mdoc(
        self,
        presentation: str,
        meta: Mapping[str, Any],
        transaction: Transaction,
        now: int,
        thumbprint: bytes | None,
    ) -> list[tuple[Candidate, dict[str, Any]]]:
        """A base64url DeviceResponse: per document, issuerAuth chain to an entity that the trust lists
        allow for the requested docType, digests, validity, the device signature over this
        transaction's OpenID4VP handover SessionTranscript (appendix B.2.6.1, with the thumbprint of
        the key the response was encrypted to, if it was), and the MSO status."""
        doctype = meta.get("doctype_value")
        if not isinstance(doctype, str):
            raise InvalidRequest("an mso_mdoc query needs meta.doctype_value")
        at = datetime.fromtimestamp(now, UTC)
        lists = self.trust_lists()
        vouches: list[Vouch] = []

        def validate(chain: Sequence[x509.Certificate]) -> x509.Certificate:
            vouch = vouch_for_issuer(lists, doctype, chain, at=at)
            vouches.append(vouch)
            return vouch.signer

        transcript = openid4vp_session_transcript(
            client_id=self.settings.client_id,
            nonce=transaction.nonce,
            jwk_thumbprint=thumbprint,
            response_uri=self.settings.response_uri,
        )
        documents = verify_device_response(
            b64url_decode(presentation),
            session_transcript=transcript,
            now=at,
            validate_chain=validate,
            doctypes=(doctype,),
        )
        verified = []
        for document, vouch in zip(documents, vouches, strict=True):
            status = document.issuer_signed.status
            if status is not None:
                await self.status.check(
                    status_reference_mdoc(status), vouch.service.certificates, prefer_cwt=True
                )
            claims = namespaces_json(document.namespaces)
            candidate = Candidate(
                id="", format=MDOC_FORMAT, vct=None, doctype=document.doctype, claims=claims
            )
            verified.append(
                (
                    candidate,
                    {
                        "format": MDOC_FORMAT,
                        "doctype": document.doctype,
                        "issuer": vouch.signer.subject.rfc4514_string(),
                        "issuer_name": subject_organization(vouch.signer),
                        "vouched_by": {"entity": vouch.entity.name, "list": vouch.list_name},
                        "claims": claims,
                    },
                )
            )
        return verified


def _code_digest(code: str) -> str:
    return b64url_encode(hashlib.sha256(code.encode("utf-8")).digest())


def _ec_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TrustError("the issuer certificate does not hold an EC key")
    return key
