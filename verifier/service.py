"""What the verifier does, between its routes and the libraries (OpenID4VP 1.0 with DCQL).

A transaction is made from a DCQL query: a fresh ``state`` and ``nonce``, and a request object
signed with the relying party's access certificate (client id ``x509_san_dns:<host>``) that is
served unchanged at its ``request_uri`` for as long as the transaction lives. The wallet's
``direct_post`` claims the transaction by ``state`` exactly once; every presentation is then checked
(issuer signature, chain to the trust list, holder binding with ``aud``/``nonce``/``sd_hash``/``iat``,
validity, the DCQL query) and only the disclosed, verified claims are kept as the result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import Clock
from common.errors import EudiError
from common.jose import b64url_encode, x5c_certificates
from credentials.catalog.pid import PID_VCT
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import verify_sd_jwt_vc
from openid4vc.dcql import Candidate, DcqlQuery, check_response_against_query, parse_dcql_query
from openid4vc.errors import InvalidRequest
from openid4vc.presentation import (
    authorization_request_link,
    build_request_object,
    parse_authorization_response,
    sign_request_object,
)
from trust_list.errors import TrustError
from trust_list.lote import PID_ISSUANCE, TrustList
from trust_list.x509 import subject_organization, x5c_signing_key
from verifier.errors import PresentationRejected, UnknownTransaction
from verifier.settings import VerifierSettings
from verifier.status import StatusChecker
from verifier.store import FAILED, PENDING, VERIFIED, Transaction, VerifierStore

__all__ = ["VerifierService"]

SD_JWT_FORMAT = "dc+sd-jwt"


class VerifierService:
    def __init__(
        self,
        settings: VerifierSettings,
        store: VerifierStore,
        trust_list: Callable[[], TrustList],
        clock: Clock,
        status: StatusChecker,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.settings = settings
        self.store = store
        self.trust_list = trust_list
        self.clock = clock
        self.status = status
        self.rng = rng

    def client_metadata(self) -> dict[str, Any]:
        return {
            "vp_formats_supported": {
                SD_JWT_FORMAT: {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}
            }
        }

    # -- transactions -----------------------------------------------------------------------------

    def create_transaction(self, dcql_query: Mapping[str, Any]) -> dict[str, Any]:
        query = parse_dcql_query(dcql_query)
        now = self.clock.now()
        transaction_id = b64url_encode(self.rng(16))
        state = b64url_encode(self.rng(16))
        nonce = b64url_encode(self.rng(16))
        claims = build_request_object(
            client_id=self.settings.client_id,
            response_uri=self.settings.response_uri,
            nonce=nonce,
            state=state,
            dcql_query=query.to_json(),
            client_metadata=self.client_metadata(),
            iat=now,
            exp=now + self.settings.transaction_ttl,
        )
        request_object = sign_request_object(
            claims, key=self.settings.signing_key, x5c=self.settings.certificate_chain
        )
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
            )
        )
        request_uri = f"{self.settings.public_url}/request/{transaction_id}"
        return {
            "transaction_id": transaction_id,
            "client_id": self.settings.client_id,
            "request_uri": request_uri,
            "authorization_request": authorization_request_link(
                client_id=self.settings.client_id, request_uri=request_uri
            ),
            "result_url": f"{self.settings.public_url}/transactions/{transaction_id}",
            "expires_at": now + self.settings.transaction_ttl,
        }

    def request_object(self, transaction_id: str) -> str:
        transaction = self.store.get(transaction_id)
        if transaction is None or transaction.expires_at <= self.clock.now() or transaction.status != PENDING:
            raise UnknownTransaction("no pending request with that id")
        return transaction.request_object

    def result(self, transaction_id: str) -> dict[str, Any]:
        transaction = self.store.get(transaction_id)
        if transaction is None:
            raise UnknownTransaction("no transaction with that id")
        body: dict[str, Any] = {"transaction_id": transaction_id, "status": transaction.status}
        if transaction.result is not None:
            body.update(transaction.result)
        return body

    # -- responses --------------------------------------------------------------------------------

    async def receive_response(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The ``direct_post`` response endpoint (OpenID4VP 1.0 section 8.2)."""
        response = parse_authorization_response(form)
        if response.state is None:
            raise InvalidRequest("the response carries no state")
        now = self.clock.now()
        transaction = self.store.claim_response(response.state, now=now)
        if transaction is None:
            raise InvalidRequest("state is unknown, expired or already answered")
        if response.error is not None:
            self.store.finish(
                transaction.transaction_id,
                status=FAILED,
                result={"error": response.error, "error_description": response.error_description or ""},
            )
            return {}
        try:
            verified = await self._verify(transaction, response.vp_token, now)
        except EudiError as exc:
            self.store.finish(
                transaction.transaction_id,
                status=FAILED,
                result={"error": exc.error, "reason": exc.reason, "error_description": exc.description},
            )
            raise PresentationRejected(exc.description, reason=exc.reason) from exc
        self.store.finish(transaction.transaction_id, status=VERIFIED, result={"credentials": verified})
        return {}

    async def _verify(
        self, transaction: Transaction, vp_token: Mapping[str, list[str]], now: int
    ) -> dict[str, list[dict[str, Any]]]:
        query: DcqlQuery = parse_dcql_query(transaction.dcql_query)
        formats = {credential.id: credential for credential in query.credentials}
        presented: dict[str, list[Candidate]] = {}
        results: dict[str, list[dict[str, Any]]] = {}
        for query_id, presentations in vp_token.items():
            credential_query = formats.get(query_id)
            if credential_query is None:
                raise InvalidRequest(f"vp_token answers {query_id!r}, which was not asked")
            for presentation in presentations:
                if credential_query.format != SD_JWT_FORMAT or not isinstance(presentation, str):
                    raise InvalidRequest(f"format {credential_query.format!r} is not supported")
                vct_values = credential_query.meta.get("vct_values")
                verified = verify_sd_jwt_vc(
                    presentation,
                    resolve_issuer_key=self._issuer_key_resolver(now),
                    now=now,
                    key_binding=KeyBindingCheck(
                        audience=self.settings.client_id,
                        nonce=transaction.nonce,
                        now=now,
                        max_age=self.settings.key_binding_max_age,
                    ),
                    vct_values=vct_values if isinstance(vct_values, list) else None,
                    leeway=self.settings.leeway,
                )
                if verified.status is not None:
                    await self.status.check({"status": verified.status}, self._anchors(verified.vct))
                presented.setdefault(query_id, []).append(
                    Candidate(
                        id=query_id,
                        format=SD_JWT_FORMAT,
                        vct=verified.vct,
                        doctype=None,
                        claims=verified.claims,
                    )
                )
                leaf = x5c_certificates(verified.header)[0]
                results.setdefault(query_id, []).append(
                    {
                        "format": SD_JWT_FORMAT,
                        "vct": verified.vct,
                        "issuer": verified.issuer,
                        "issuer_name": subject_organization(leaf),
                        "claims": verified.claims,
                    }
                )
        check_response_against_query(query, presented)
        return results

    def _issuer_key_resolver(
        self, now: int
    ) -> Callable[[Mapping[str, Any], Mapping[str, Any]], ec.EllipticCurvePublicKey]:
        """Validate the issuer's ``x5c`` to an anchor that the trust list allows for the ``vct``."""

        def resolve(header: Mapping[str, Any], payload: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
            anchors = self._anchors(payload.get("vct"))
            return x5c_signing_key(header, anchors, at=datetime.fromtimestamp(now, UTC))

        return resolve

    def _anchors(self, vct: object) -> list[x509.Certificate]:
        """The anchors of the entities the trust list allows to issue ``vct`` (a PID: PID providers only)."""
        if vct != PID_VCT:
            raise TrustError(f"no trusted entity is allowed to issue {vct!r}")
        return self.trust_list().anchors(PID_ISSUANCE)
