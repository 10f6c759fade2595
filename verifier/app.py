"""The verifier as an ASGI app.

Relying-party API (ours, not a standard):

- ``POST /transactions`` — body ``{"dcql_query": {...}}`` or ``{"preset": "pid_basic"}``, and for a
  wallet on the same device the relying party's page as ``"redirect_uri"``; answers the
  ``openid4vp://`` link to show as a QR code (or open), its ``request_uri`` and the ``result_url``
- ``GET /transactions/{id}`` — ``pending``, ``verified`` with the verified claims, or ``failed`` with
  the reason; a same-device transaction's verified claims only with ``?response_code=`` from the
  fragment of the redirect the wallet followed (OpenID4VP 1.0 sections 8.2 and 13.3)
- ``GET /presets`` — the named queries
- ``GET /trust-lists`` — the lists of trusted entities in force, and why a source has none

Wallet-facing (OpenID4VP 1.0):

- ``GET /request/{id}`` — the signed request object, ``application/oauth-authz-req+jwt`` (section 5.10)
- ``POST /request/{id}`` — the same with the ``wallet_nonce`` the wallet posts (request URI method
  ``post``, section 5.10), whether the link invited it or not
- ``POST /response`` — the ``direct_post`` response endpoint (section 8.2)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from common.asgi import NO_STORE, install_error_handlers, read_form, read_json, require_bearer
from common.clock import Clock, SystemClock
from common.db import create_engine
from common.errors import InvalidInput
from common.net import Fetcher, FetchPolicy
from trust_list.loader import TrustListLoader
from verifier.errors import PresentationRejected
from verifier.policy import PRESETS, preset_query
from verifier.service import VerifierService
from verifier.settings import VerifierSettings
from verifier.status import StatusChecker
from verifier.store import VerifierStore

__all__ = ["create_app"]


def create_app(
    settings: VerifierSettings,
    *,
    clock: Clock | None = None,
    rng: Callable[[int], bytes] = os.urandom,
) -> FastAPI:
    clock = clock or SystemClock()
    store = VerifierStore(create_engine(settings.database_url))
    store.create_schema()
    fetcher = Fetcher(FetchPolicy(allow_loopback=settings.allow_http_loopback))
    loader = TrustListLoader(
        settings.trust_lists, fetcher, clock, refresh_interval=settings.trust_list_refresh, floors=store
    )
    loader.refresh_files()  # file lists are in force at once; URL lists after the lifespan's first refresh
    service = VerifierService(settings, store, loader.lists, clock, StatusChecker(fetcher, clock), rng)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await loader.start()
        try:
            yield
        finally:
            await loader.stop()
            await fetcher.aclose()

    app = FastAPI(title="EUDI reference verifier (OpenID4VP 1.0)", version="0.1.0", lifespan=lifespan)
    app.state.trust = loader
    app.state.service = service
    install_error_handlers(app)

    def check_api_token(request: Request) -> None:
        require_bearer(request, settings.api_token, "the verifier's relying-party API")

    @app.get("/trust-lists")
    async def trust_lists(request: Request) -> dict[str, Any]:
        check_api_token(request)  # operators' view: it names the sources, file paths included
        return {"sources": [status.to_json() for status in loader.status()]}

    @app.get("/presets")
    async def presets() -> dict[str, Any]:
        return {"presets": PRESETS}

    @app.post("/transactions")
    async def create_transaction(request: Request) -> JSONResponse:
        check_api_token(request)
        body = await read_json(request)
        if not isinstance(body, dict) or ("dcql_query" in body) == ("preset" in body):
            raise InvalidInput('expected exactly one of {"dcql_query": {...}} or {"preset": "..."}')
        query = body["dcql_query"] if "dcql_query" in body else preset_query(str(body["preset"]))
        redirect_uri = body.get("redirect_uri")
        if redirect_uri is not None and not isinstance(redirect_uri, str):
            raise InvalidInput("redirect_uri must be a string")
        made = service.create_transaction(query, redirect_uri)
        return JSONResponse(made, status_code=201, headers=NO_STORE)

    @app.get("/transactions/{transaction_id}")
    async def transaction_result(transaction_id: str, request: Request) -> JSONResponse:
        check_api_token(request)
        code = request.query_params.get("response_code")
        return JSONResponse(service.result(transaction_id, code), headers=NO_STORE)

    @app.get("/request/{request_id}")
    async def request_object(request_id: str) -> Response:
        return Response(
            service.request_object(request_id),
            media_type="application/oauth-authz-req+jwt",
            headers=NO_STORE,
        )

    @app.post("/request/{request_id}")
    async def request_object_posted(request_id: str, request: Request) -> Response:
        return Response(
            service.request_object_posted(request_id, await read_form(request)),
            media_type="application/oauth-authz-req+jwt",
            headers=NO_STORE,
        )

    @app.post("/response")
    async def direct_post(request: Request) -> JSONResponse:
        try:
            body = await service.receive_response(await read_form(request))
        except PresentationRejected as exc:
            return JSONResponse(
                {
                    "error": "invalid_request",
                    "error_description": exc.description,
                    "reason": exc.failed_check,
                },
                status_code=400,
                headers=NO_STORE,
            )
        return JSONResponse(body, headers=NO_STORE)

    return app
