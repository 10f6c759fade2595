"""The trust-list publisher: every signed list (``*.jws``) of a folder over HTTP, with caching headers.

Endpoints:

- ``GET /lists/{name}`` — the signed list as published, JAdES compact JWS (ETSI TS 119 182-1, the
  signature TS 119 602 clause 6.8 prescribes for the JSON binding) under the media type
  ``application/jose`` (RFC 7515 section 9.2.1, the compact serialisation; the JWS ``typ`` of the
  list is ``JOSE``, RFC 7515 section 4.1.9). ``ETag`` is the SHA-256 of the bytes, ``Last-Modified``
  the ``ListIssueDateTime``, ``Cache-Control: public, max-age`` the seconds until ``NextUpdate``
  (capped); ``If-None-Match`` is answered ``304`` (RFC 9110 section 13.1.2, weak comparison).
- ``GET /lists`` — a JSON index: name, ``LoTEType``, sequence number, issue and next update of each
  list. Read from the payload without trusting it, unless operator certificates are pinned, in which
  case each list is verified and the index says whether it passed (a publisher that shows which of
  its own lists a relying party would refuse).
- ``GET /openapi.json`` — this API.

Every request reads its file again (bounded; lists are small), so signing a new list into the folder,
in place or by rename, republishes it at once; the parse and the hash are cached by content. (File
times alone are not enough: two writes within one kernel tick leave size and times unchanged.)
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from common.asgi import install_error_handlers
from common.clock import Clock, SystemClock
from common.errors import EudiError, InvalidInput
from common.jose import b64url_encode, parse_jws
from trust_list.errors import TrustError
from trust_list.lote import MAX_LIST_BYTES, verify_lote

__all__ = ["JWS_MEDIA_TYPE", "MAX_AGE_CAP", "NAME_PATTERN", "UnknownList", "create_app"]

JWS_MEDIA_TYPE = "application/jose"
MAX_AGE_CAP = 3600
"""Seconds: a relying party revalidates at least hourly even when NextUpdate is weeks away, so that a
withdrawn entity leaves its cache within the hour (the list is re-signed, the ETag changes)."""
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.jws")
"""A list's name in the URL (matched whole): a file name of the folder, no separators, no leading dot."""

log = logging.getLogger("eudi.trust_list.service")


class UnknownList(TrustError):
    """No published list by that name."""

    error = "not_found"
    status_code = 404


@dataclass(frozen=True)
class _Published:
    """One file as read, with what its payload claims (unverified unless operators are pinned)."""

    content: bytes
    etag: str
    issued: datetime | None
    next_update: datetime | None
    lote_type: str | None
    sequence_number: int | None
    operator: str | None
    territory: str | None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # in UTC here, where a date at the edge of the range (year 1 or 9999 with an offset) overflows
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _peek(content: bytes) -> dict[str, Any]:
    """``ListAndSchemeInformation`` read without verifying the signature (for headers and the index
    only; nothing here decides trust)."""
    try:
        claims = parse_jws(content.decode("ascii").strip(), max_bytes=MAX_LIST_BYTES).claims(max_depth=16)
        scheme = claims["LoTE"]["ListAndSchemeInformation"]
    except (EudiError, UnicodeDecodeError, KeyError, TypeError):
        return {}
    return scheme if isinstance(scheme, dict) else {}


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        content = handle.read(MAX_LIST_BYTES + 1)
    if len(content) > MAX_LIST_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_LIST_BYTES} bytes")
    return content


def _publish(content: bytes) -> _Published:
    scheme = _peek(content)
    sequence = scheme.get("LoTESequenceNumber")
    operator = scheme.get("SchemeOperatorName")
    operator_name = (
        operator[0].get("value")
        if isinstance(operator, list) and operator and isinstance(operator[0], dict)
        else None
    )

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    return _Published(
        content=content,
        etag='"' + b64url_encode(hashlib.sha256(content).digest()) + '"',
        issued=_moment(scheme.get("ListIssueDateTime")),
        next_update=_moment(scheme.get("NextUpdate")),
        lote_type=text(scheme.get("LoTEType")),
        sequence_number=sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else None,
        operator=text(operator_name),
        territory=text(scheme.get("SchemeTerritory")),
    )


def _etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison (RFC 9110 section 13.1.2): ``W/`` is ignored."""
    if header.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == etag for candidate in header.split(","))


class _Folder:
    """The ``*.jws`` files of one folder, read at every request."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._cache: dict[str, _Published] = {}

    def names(self) -> list[str]:
        return sorted(
            path.name
            for path in self.folder.glob("*.jws")
            if NAME_PATTERN.fullmatch(path.name) and path.is_file()
        )

    def get(self, name: str) -> _Published:
        if not NAME_PATTERN.fullmatch(name):
            raise UnknownList("no such list")
        path = self.folder / name
        try:
            # A symbolic link may not lead out of the folder.
            if path.resolve().parent != self.folder or not path.is_file():
                raise UnknownList("no such list")
            content = _read(path)
        except OSError as exc:
            self._cache.pop(name, None)
            raise UnknownList("no such list") from exc
        except InvalidInput as exc:
            log.warning("not publishing %s: %s", name, exc)
            raise UnknownList("no such list") from exc
        cached = self._cache.get(name)
        if cached is not None and cached.content == content:
            return cached
        published = self._cache[name] = _publish(content)
        return published


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def create_app(
    folder: Path,
    clock: Clock | None = None,
    *,
    pinned: Sequence[x509.Certificate] = (),
    max_age_cap: int = MAX_AGE_CAP,
) -> FastAPI:
    """The publisher of the signed lists in ``folder``; ``pinned`` operator certificates, when given,
    make the index report whether each list verifies."""
    clock = clock or SystemClock()
    lists = _Folder(folder)
    app = FastAPI(
        title="EUDI trust-list publisher (ETSI TS 119 602 lists of trusted entities)", version="0.1.0"
    )
    install_error_handlers(app)

    def caching_headers(published: _Published) -> dict[str, str]:
        now = clock.datetime()
        if published.next_update is None:
            cache_control = "no-cache"
        else:
            remaining = int((published.next_update - now).total_seconds())
            cache_control = f"public, max-age={max(0, min(max_age_cap, remaining))}"
        headers = {"ETag": published.etag, "Cache-Control": cache_control}
        if published.issued is not None:
            headers["Last-Modified"] = _http_date(published.issued)
        return headers

    @app.get(
        "/lists/{name}",
        response_class=Response,
        responses={
            200: {"content": {JWS_MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "compact JWS"},
            304: {"description": "unchanged (If-None-Match matched the ETag)"},
            404: {"description": "no such list"},
        },
    )
    @app.head("/lists/{name}", response_class=Response, include_in_schema=False)
    async def signed_list(name: str, request: Request) -> Response:
        """The signed list (compact JWS) as published."""
        published = lists.get(name)
        headers = caching_headers(published)
        condition = request.headers.get("if-none-match")
        if condition is not None and _etag_matches(condition, published.etag):
            return Response(status_code=304, headers=headers)
        headers["X-Content-Type-Options"] = "nosniff"
        return Response(published.content, media_type=JWS_MEDIA_TYPE, headers=headers)

    @app.get("/lists")
    async def index() -> JSONResponse:
        """Every published list: name, LoTEType, sequence number, issue time and next update."""
        entries = []
        for name in lists.names():
            try:
                published = lists.get(name)
            except UnknownList:
                continue
            entries.append(describe(name, published))
        return JSONResponse({"lists": entries}, headers={"Cache-Control": "no-cache"})

    def describe(name: str, published: _Published) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        entry: dict[str, Any] = {
            "name": name,
            "path": f"/lists/{name}",
            "lote_type": published.lote_type,
            "sequence_number": published.sequence_number,
            "operator": published.operator,
            "territory": published.territory,
            "issued": moment(published.issued),
            "next_update": moment(published.next_update),
            "etag": published.etag,
        }
        if pinned:
            try:
                verify_lote(published.content.decode("ascii").strip(), pinned=pinned, now=clock.datetime())
            except (TrustError, UnicodeDecodeError) as exc:
                entry["verified"] = False
                entry["error"] = exc.reason if isinstance(exc, TrustError) else "invalid_trust_list"
                entry["error_description"] = str(exc)
            else:
                entry["verified"] = True
        return entry

    return app
