"""Checking a credential's status in its issuer's token status list (draft -21 section 8).

Lists are fetched through the bounded fetcher (redirects followed, at most :data:`MAX_REDIRECTS`, each
checked as the first URL; any 2xx answer), verified (``statuslist+jwt`` or ``statuslist+cwt``, signed
with ES256, ES384 or ES512 by a certificate that chains to an anchor of the trusted entity that
vouched for the credential's own issuer, section 11.3's "cryptographically linked" keys; ``sub`` equal
to the ``uri``, within ``exp`` and ``nbf``), and cached, per list and per set of anchors, until their
``ttl`` (at most a day) or ``exp`` runs out. When the status cannot be established, the credential is
refused: the check fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import Clock
from common.errors import EudiError
from common.jose import x5c_certificates
from common.net import Fetcher
from credentials.cose import x5chain_from_headers
from credentials.status_list import (
    RELYING_PARTY_ALGORITHMS,
    Status,
    StatusListToken,
    check_status,
    verify_status_list_jwt,
)
from credentials.status_list_cwt import verify_status_list_cwt
from trust_list.x509 import validate_chain
from verifier.errors import CredentialRevoked, CredentialSuspended, StatusUnavailable

__all__ = ["StatusChecker"]

JWT_MEDIA_TYPE = "application/statuslist+jwt"
CWT_MEDIA_TYPE = "application/statuslist+cwt"
DEFAULT_TTL = 300
MAX_TTL = 24 * 3600
"""Longest a list is kept, whatever its ``ttl`` says."""
MAX_LIST_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5
RETRY_AFTER = 10
"""Seconds during which a list that could not be fetched or verified is not asked for again: a response
of many presentations naming one failing list waits for it once, not once per presentation."""


class StatusChecker:
    def __init__(self, fetcher: Fetcher, clock: Clock) -> None:
        self.fetcher = fetcher
        self.clock = clock
        self._cache: dict[tuple[str, bool, frozenset[x509.Certificate]], tuple[StatusListToken, float]] = {}
        self._failed: dict[tuple[str, bool, frozenset[x509.Certificate]], tuple[str, float]] = {}

    async def check(
        self, reference: tuple[int, str], anchors: Sequence[x509.Certificate], *, prefer_cwt: bool = False
    ) -> None:
        """Refuse a credential whose status is not VALID, or whose status cannot be established.

        ``reference`` is ``(idx, uri)`` of the credential's ``status_list``; ``anchors`` those the
        list's signer must chain to (the anchors of the entity that vouched for the credential's
        issuer; a list verified against other anchors is not reused); ``prefer_cwt`` asks for the
        CWT form and takes either (an mdoc's relying party), else only the JWT form is asked for and
        accepted (an SD-JWT VC's ``status`` must reference a JWT Status List Token, SD-JWT VC
        section 3.2.2.2).
        """
        idx, uri = reference
        try:
            token = await self._token(uri, anchors, prefer_cwt)
            status = check_status(token, idx)
        except EudiError as exc:
            if isinstance(exc, CredentialRevoked | CredentialSuspended):
                raise
            raise StatusUnavailable(f"the credential's status cannot be established: {exc}") from exc
        if status == Status.INVALID:
            raise CredentialRevoked("the issuer has revoked this credential")
        if status == Status.SUSPENDED:
            raise CredentialSuspended("the issuer has suspended this credential")
        if status != Status.VALID:
            raise StatusUnavailable(
                f"the credential has status {status}, which this verifier does not accept"
            )

    async def _token(
        self, uri: str, anchors: Sequence[x509.Certificate], prefer_cwt: bool
    ) -> StatusListToken:
        now = self.clock.now()
        key = (uri, prefer_cwt, frozenset(anchors))  # certificates compare and hash by their DER
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        failed = self._failed.get(key)
        if failed is not None and failed[1] > now:
            raise StatusUnavailable(f"the status list failed moments ago: {failed[0]}")
        try:
            token = await self._fetch(uri, anchors, prefer_cwt, now)
        except EudiError as exc:
            self._failed = {k: entry for k, entry in self._failed.items() if entry[1] > now}
            self._failed[key] = (str(exc), now + RETRY_AFTER)  # its message, not its frames
            raise
        # the list's ttl, bounded (section 11.5: a revocation must not stay unseen for days)
        fresh_until = now + min(token.ttl if token.ttl is not None else DEFAULT_TTL, MAX_TTL)
        if token.exp is not None:
            fresh_until = min(fresh_until, token.exp)
        # lists gone stale leave, so that rotated anchors and lists no longer referenced do not pile up
        self._cache = {k: entry for k, entry in self._cache.items() if entry[1] > now}
        self._cache[key] = (token, fresh_until)
        return token

    async def _fetch(
        self, uri: str, anchors: Sequence[x509.Certificate], prefer_cwt: bool, now: int
    ) -> StatusListToken:
        accept = f"{CWT_MEDIA_TYPE}, {JWT_MEDIA_TYPE};q=0.5" if prefer_cwt else JWT_MEDIA_TYPE
        answer = await self.fetcher.get(
            uri, headers={"Accept": accept}, max_bytes=MAX_LIST_BYTES, max_redirects=MAX_REDIRECTS
        )
        if not 200 <= answer.status_code < 300:
            raise StatusUnavailable(f"the status list answered HTTP {answer.status_code}")
        if answer.content_type == CWT_MEDIA_TYPE and prefer_cwt:
            token = verify_status_list_cwt(
                answer.content,
                uri=uri,
                now=now,
                resolve_key=lambda headers: _signing_key(x5chain_from_headers(headers), anchors, now),
                algorithms=RELYING_PARTY_ALGORITHMS,
            )
        elif answer.content_type == JWT_MEDIA_TYPE:
            token = verify_status_list_jwt(
                answer.content.decode("ascii", "replace").strip(),
                uri=uri,
                now=now,
                resolve_key=lambda header: _signing_key(x5c_certificates(header), anchors, now),
                algorithms=RELYING_PARTY_ALGORITHMS,
            )
        else:
            raise StatusUnavailable(f"the status list answered {answer.content_type or 'no content type'}")
        return token


def _signing_key(
    chain: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate], now: int
) -> ec.EllipticCurvePublicKey:
    """The list signer's key, its chain validated to ``anchors`` (without them, as HAIP 1.0 asks of
    every ``x5c`` and ``x5chain``)."""
    key = validate_chain(chain, anchors, at=datetime.fromtimestamp(now, UTC)).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise StatusUnavailable("the status list signer does not hold an EC key")
    return key
