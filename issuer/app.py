"""The issuer as an ASGI app: routes translate HTTP to :class:`IssuerService` calls and back.

Endpoints (OpenID4VCI 1.0 unless noted):

- ``GET /.well-known/openid-credential-issuer`` — credential issuer metadata (section 12.2)
- ``GET /.well-known/oauth-authorization-server`` — RFC 8414 metadata
- ``GET /credential-offer/{id}`` — the offer behind a ``credential_offer_uri`` (section 4.1.3)
- ``POST /token`` — pre-authorized code grant (section 6)
- ``POST /nonce`` — ``c_nonce`` (section 7)
- ``POST /credential`` — credential endpoint (section 8)
- ``POST /offers`` — not a standard endpoint: the issuer's own back office makes an offer for a
  citizen of the register (the demo and ``eudi issuer offer`` use it)
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from common.asgi import (
    NO_STORE,
    access_token,
    install_error_handlers,
    read_form,
    read_json,
    read_json_or,
    require_bearer,
)
from common.clock import Clock, SystemClock
from common.db import create_engine
from common.errors import EudiError, InvalidInput
from issuer.register import Register
from issuer.service import IssuerService
from issuer.settings import IssuerSettings
from issuer.status import MAX_ENTRY
from issuer.store import IssuerStore
from openid4vc.encryption import JWT_MEDIA_TYPE, encrypt_message
from openid4vc.errors import InvalidCredentialRequest, InvalidEncryptionParameters
from openid4vc.issuance import parse_credential_request, parse_token_request

__all__ = ["create_app"]


def create_app(
    settings: IssuerSettings,
    *,
    clock: Clock | None = None,
    register: Register | None = None,
    rng: Callable[[int], bytes] = os.urandom,
) -> FastAPI:
    clock = clock or SystemClock()
    store = IssuerStore(create_engine(settings.database_url, schema=settings.database_schema))
    store.create_schema()
    register = register or Register.seeded(
        seed=settings.register_seed, country=settings.country, issued=clock.datetime().date()
    )
    service = IssuerService(settings, store, register, clock, rng)

    app = FastAPI(title="EUDI reference issuer (OpenID4VCI 1.0)", version="0.1.0")
    app.state.service = service
    install_error_handlers(app)

    # the documents a wallet or relying party fetches answer HEAD too (RFC 9110 section 9.3.2)
    @app.get("/.well-known/openid-credential-issuer")
    @app.head("/.well-known/openid-credential-issuer", include_in_schema=False)
    async def credential_issuer_metadata() -> dict[str, Any]:
        return service.credential_issuer_metadata()

    @app.get("/.well-known/jwt-vc-issuer")
    @app.head("/.well-known/jwt-vc-issuer", include_in_schema=False)
    async def jwt_vc_issuer_metadata() -> JSONResponse:
        # public, as the status lists: a verifier in a web page may resolve the key
        return JSONResponse(service.jwt_vc_issuer_metadata(), headers={"Access-Control-Allow-Origin": "*"})

    @app.get("/.well-known/oauth-authorization-server")
    @app.head("/.well-known/oauth-authorization-server", include_in_schema=False)
    async def authorization_server_metadata() -> dict[str, Any]:
        return service.authorization_server_metadata()

    @app.get("/credential-offer/{offer_id}")
    @app.head("/credential-offer/{offer_id}", include_in_schema=False)
    async def credential_offer(offer_id: str) -> JSONResponse:
        offer = service.offer(offer_id)
        if offer is None:
            return JSONResponse(
                {"error": "not_found", "error_description": "no such offer, or it expired"},
                status_code=404,
                headers=NO_STORE,
            )
        return JSONResponse(offer, headers=NO_STORE)

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await read_form(request)
        proof = service.dpop(request.headers.getlist("dpop"), url=f"{settings.public_url}/token")
        answer = service.token(parse_token_request(form), jkt=None if proof is None else proof.jkt)
        return JSONResponse(answer, headers=NO_STORE)

    @app.post("/nonce")
    async def nonce() -> JSONResponse:
        return JSONResponse(service.nonce(), headers=NO_STORE)

    @app.post("/credential")
    async def credential(request: Request) -> Response:
        """Credential endpoint: a JSON request, or one encrypted to the issuer (OpenID4VCI 1.0
        section 10); the response encrypted where the request asks for that."""
        scheme, token = access_token(request)
        url = settings.credential_endpoint
        grant = service.access_grant(scheme, token, request.headers.getlist("dpop"), url=url)
        try:
            try:
                document, encrypted = await read_json_or(request, JWT_MEDIA_TYPE)
                if encrypted:
                    document = service.decrypt_request(document)
            except InvalidInput as exc:  # a malformed request has its own code here (section 8.3.1.2)
                raise InvalidCredentialRequest(f"credential request: {exc}") from exc
            body = parse_credential_request(document, max_proofs=settings.batch_size)
            answer = body.response_encryption
            if answer is not None and not encrypted:  # else the key could be anybody's (section 8.2)
                raise InvalidEncryptionParameters(
                    "a request that asks for an encrypted response must be encrypted"
                )
            issued = service.credential(grant, body)
            if answer is None:
                return JSONResponse(issued, headers=NO_STORE)
            return Response(
                encrypt_message(issued, answer.jwk, answer.enc), media_type=JWT_MEDIA_TYPE, headers=NO_STORE
            )
        except EudiError as exc:
            if grant.jkt is not None:  # a challenge (403 insufficient_scope) names the token's scheme
                exc.auth_scheme = "DPoP"
            raise

    def check_admin(request: Request) -> None:
        require_bearer(request, settings.admin_token, "the issuer's back-office API")

    @app.post("/offers")
    async def make_offer(request: Request) -> JSONResponse:
        check_admin(request)
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("citizen_id"), str):
            raise InvalidInput('expected {"citizen_id": ..., "credential_configuration_ids": [...]}')
        ids = body.get("credential_configuration_ids")
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
            raise InvalidInput("credential_configuration_ids must be an array of strings")
        made = service.make_offer(
            body["citizen_id"],
            None if ids is None else tuple(ids),
            with_tx_code=body.get("tx_code", True) is not False,
        )
        return JSONResponse(
            {
                "credential_offer_uri": made.credential_offer_uri,
                "credential_offer": made.link,
                "tx_code": made.tx_code,
                "expires_at": made.expires_at,
            },
            status_code=201,
            headers=NO_STORE,
        )

    @app.get("/status-lists/{number}")
    @app.head("/status-lists/{number}", include_in_schema=False)
    async def status_list(number: str, request: Request) -> Response:
        """Token status list ``number`` (from 1) of the credentials this issuer issued:
        ``statuslist+jwt``, or ``statuslist+cwt`` when the Accept header prefers that form (draft -21
        section 8.1)."""
        # public and signed: any web page may read it (section 8.1 asks for CORS), and a GET with an
        # Accept header is a simple request, which needs no preflight
        anyone = {"Access-Control-Allow-Origin": "*"}
        listed = _LIST_NUMBER.fullmatch(number) is not None and int(number) <= service.status.lists()
        if not listed:
            return JSONResponse(
                {"error": "not_found", "error_description": "no such status list"},
                status_code=404,
                headers={**NO_STORE, **anyone},
            )
        list_number = int(number)
        if "time" in request.query_params:  # historical resolution (section 8.4) is not kept here
            return JSONResponse(
                {"error": "not_implemented", "error_description": "no historical status lists"},
                status_code=501,
                headers={**NO_STORE, **anyone},
            )
        headers = {"Vary": "Accept, Accept-Encoding", **anyone}  # the answer depends on both (section 8.1)
        if _wants_cwt(request.headers.get("accept", "")):
            return Response(
                service.status.cwt(list_number), media_type="application/statuslist+cwt", headers=headers
            )
        token = service.status.token(list_number).encode("ascii")
        # section 8.2: a JWT list SHOULD go with a content coding (its base64url text shrinks by about
        # a quarter; the CWT carries the compressed list as bytes already)
        codings = _weights(", ".join(request.headers.getlist("accept-encoding")))
        if codings.get("gzip", codings.get("x-gzip", codings.get("*", 0.0))) > 0:
            token, headers = gzip.compress(token, mtime=0), {**headers, "Content-Encoding": "gzip"}
        return Response(token, media_type="application/statuslist+jwt", headers=headers)

    @app.post("/status")
    async def set_status(request: Request) -> Response:
        """Back office: ``{"index": n, "status": "revoked" | "suspended" | "valid"}``, where ``n`` is
        the credential's ``status_index`` as ``/issued/<citizen>`` gives it (its entry across the lists)."""
        check_admin(request)
        body = await read_json(request)
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("index"), int)
            or isinstance(body["index"], bool)
            or not 0 <= body["index"] <= MAX_ENTRY
        ):
            raise InvalidInput(
                f'expected {{"index": <0 to {MAX_ENTRY}>, "status": "revoked" | "suspended" | "valid"}}'
            )
        service.status.set_status(body["index"], str(body.get("status")))
        return Response(status_code=204)

    @app.get("/issued/{citizen_id}")
    async def issued_to(citizen_id: str, request: Request) -> JSONResponse:
        """Back office: what was issued to a citizen, with the status index to revoke it by and the
        ``status_list`` reference its credential carries."""
        check_admin(request)
        issued = service.store.issued_to(citizen_id)
        for row in issued:
            if row["status_index"] is not None:
                row["status_list"] = service.status.reference(row["status_index"])
        return JSONResponse({"issued": issued}, headers=NO_STORE)

    @app.get("/citizens")
    async def citizens(request: Request) -> dict[str, Any]:
        """Back office: the register's citizen ids (synthetic people only)."""
        check_admin(request)
        return {"citizens": [c.citizen_id for c in register]}

    return app


_LIST_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
"""A status list's number in its URL: from 1, no sign, no leading zero (one list, one URL)."""
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
"""RFC 9110 section 12.4.2: a weight from 0 to 1 with at most three decimals; any other reads as 0."""


def _wants_cwt(accept: str) -> bool:
    """Whether an Accept header prefers the CWT form of the status list over the JWT form."""
    weights = _weights(accept)
    cwt = weights.get("application/statuslist+cwt", 0.0)
    return cwt > 0 and cwt > weights.get("application/statuslist+jwt", 0.0)


def _weights(header: str) -> dict[str, float]:
    """The quality of each value of an Accept or Accept-Encoding header (the parameter name ``q`` is
    case-insensitive, RFC 9110 section 12.4.2; a malformed weight counts as 0)."""
    weights: dict[str, float] = {}
    for part in header.split(",")[:16]:
        value, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, weight = param.strip().partition("=")
            if name.strip().lower() == "q":
                weight = weight.strip()
                quality = float(weight) if _QVALUE.fullmatch(weight) else 0.0
        weights[value.strip().lower()] = quality
    return weights
