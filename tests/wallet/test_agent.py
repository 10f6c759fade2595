"""The wallet agent's judgement of a relying party's registration, without the services around it
(the flows themselves run end to end in tests/e2e)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.clock import FixedClock
from common.net import Fetcher
from openid4vc.dcql import parse_dcql_query
from openid4vc.request_object import AuthorizationRequest
from trust_list.errors import InvalidRegistration, NotRegistered
from trust_list.loader import TrustListLoader
from trust_list.pki import make_dev_pki
from wallet.agent import REFUSE, WARN, WalletAgent
from wallet.store import FolderStore

NOW = 1_790_000_000
PKI = make_dev_pki(now=datetime.fromtimestamp(NOW, UTC))
QUERY = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}]}


def request(**claims: object) -> AuthorizationRequest:
    return AuthorizationRequest(
        client_id="x509_san_dns:verifier.example",
        client_id_prefix="x509_san_dns",
        response_type="vp_token",
        response_mode="direct_post",
        response_uri="https://verifier.example/response",
        nonce="n-0S6_WzA2Mj",
        state=None,
        dcql_query=parse_dcql_query(QUERY),
        client_metadata={},
        verifier_certificate=PKI.verifier_cert,
        claims=dict(claims),
    )


def agent(folder: Path, policy: str) -> WalletAgent:
    trust = TrustListLoader(sources=(), fetcher=Fetcher(), clock=FixedClock(NOW))
    return WalletAgent(FolderStore(folder), Fetcher(), FixedClock(NOW), trust, registration_policy=policy)


def test_verifier_info_is_optional(tmp_path: Path) -> None:
    # OpenID4VP 1.0 section 5.1: without it the relying party is unregistered, which the wallet's
    # policy judges, and the request itself is not malformed
    registration, excess = agent(tmp_path / "warn", WARN)._registration(request())
    assert registration is None and excess == ["the relying party presents no registration certificate"]
    with pytest.raises(NotRegistered):
        agent(tmp_path / "refuse", REFUSE)._registration(request())
    with pytest.raises(InvalidRegistration):  # present, it must be well formed
        agent(tmp_path / "bad", WARN)._registration(request(verifier_info=[]))
