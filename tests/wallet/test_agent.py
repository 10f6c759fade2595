"""The wallet agent's judgement of a relying party's registration, without the services around it
(the flows themselves run end to end in tests/e2e)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.clock import FixedClock
from common.jose import b64url_encode, encode_jws, public_jwk, x5c_header
from common.net import Fetcher
from credentials.mdoc import issue_mdoc
from credentials.sdjwt_vc import issue_sd_jwt_vc
from openid4vc.dcql import parse_dcql_query
from openid4vc.request_object import AuthorizationRequest
from trust_list.errors import InvalidRegistration, NotRegistered
from trust_list.loader import TrustListLoader
from trust_list.pki import make_dev_pki
from wallet.agent import REFUSE, WARN, WalletAgent, _authorities, _cose_meets, _meets, _offered
from wallet.store import FolderStore, StoredCredential

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


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.fromtimestamp(NOW - 86400, UTC))
        .not_valid_after(datetime.fromtimestamp(NOW + 86400, UTC))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def test_aki_follows_the_issuer_path_only() -> None:
    """DCQL trusted_authorities (OpenID4VP 1.0 section 6.1.1): the AKIs of the credential's own
    path count; a certificate sent beside it, whatever AKI it states, does not."""
    root_key, ca_key, leaf_key, junk_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
    ca = _certificate("CA", ca_key, ("Root", root_key))
    leaf = _certificate("Issuer", leaf_key, ("CA", ca_key))
    junk = _certificate("Junk", junk_key, ("Elsewhere", ec.generate_private_key(ec.SECP256R1())))

    def authorities(chain: list[x509.Certificate]) -> object:
        raw = encode_jws({"typ": "dc+sd-jwt", "x5c": x5c_header(chain)}, {"vct": "x"}, leaf_key) + "~"
        credential = StoredCredential("c", "dc+sd-jwt", raw, "x", "https://i.example", None, "k", NOW, {})
        return _authorities(credential)

    def aki(issuer_key: ec.EllipticCurvePrivateKey) -> str:
        identifier = x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()
        ).key_identifier
        assert identifier is not None
        return b64url_encode(identifier)

    assert authorities([leaf]) == {"aki": {aki(ca_key)}}
    assert authorities([leaf, ca]) == {"aki": {aki(ca_key), aki(root_key)}}
    assert authorities([leaf, junk, ca]) == {"aki": {aki(ca_key)}}  # the path breaks at the stranger
    unreadable = StoredCredential("c", "mso_mdoc", "AAAA", None, "https://i.example", None, "k", NOW, {}, "d")
    assert _authorities(unreadable) is None


def _held(format_: str, signer: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> StoredCredential:
    """A credential of ``format_`` signed by ``signer`` (its algorithm follows the key's curve)."""
    holder = ec.generate_private_key(ec.SECP256R1())
    if format_ == "mso_mdoc":
        when = datetime.fromtimestamp(NOW, UTC)
        raw = b64url_encode(
            issue_mdoc(
                "eu.europa.ec.eudi.pid.1",
                {"eu.europa.ec.eudi.pid.1": {"given_name": "Emma"}},
                signing_key=signer,
                x5chain=[cert],
                device_key=holder.public_key(),
                signed=when,
                valid_from=when,
                valid_until=when + timedelta(days=1),
            )
        )
    else:
        raw = issue_sd_jwt_vc(
            {"given_name": "Emma"},
            vct="urn:eudi:pid:1",
            issuer=None,
            signing_key=signer,
            x5c=[cert],
            holder_jwk=public_jwk(holder),
            iat=NOW,
        )
    return StoredCredential("c", format_, raw, None, "https://issuer.example", None, "k", NOW, {})


@pytest.mark.parametrize(
    ("format_", "wanted", "met"),
    [
        ("dc+sd-jwt", None, True),  # nothing asked of the format
        ("dc+sd-jwt", {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256", "ES384"]}, True),
        ("dc+sd-jwt", {"sd-jwt_alg_values": ["ES384"]}, False),  # the issuer signed ES256
        ("dc+sd-jwt", {"kb-jwt_alg_values": ["EdDSA"]}, False),  # this wallet signs ES256
        ("mso_mdoc", {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]}, True),
        ("mso_mdoc", {"issuerauth_alg_values": [-9], "deviceauth_alg_values": [-9]}, True),  # ESP256
        ("mso_mdoc", {"issuerauth_alg_values": [-51, -35]}, False),  # P-384 only
        ("mso_mdoc", {"deviceauth_alg_values": [-65537]}, False),  # a MAC the wallet does not make
        ("dc+sd-jwt", {"sd-jwt_alg_values": "ES256"}, False),  # not the non-empty array it must be
        ("mso_mdoc", {"issuerauth_alg_values": []}, False),
    ],
)
def test_a_credential_is_offered_only_where_its_algorithms_are_taken(
    format_: str, wanted: dict[str, object] | None, met: bool
) -> None:
    # OpenID4VP 1.0 B.2.2 and B.3.4: -7 by a P-256 key meets -9, the fully specified ES256
    assert _meets(_held(format_, PKI.issuer_key, PKI.issuer_cert), wanted) is met


def test_a_credential_of_a_format_the_verifier_does_not_list_is_not_offered() -> None:
    sd_jwt, mdoc = (
        _held("dc+sd-jwt", PKI.issuer_key, PKI.issuer_cert),
        _held("mso_mdoc", PKI.issuer_key, PKI.issuer_cert),
    )
    assert _offered([sd_jwt, mdoc], {"mso_mdoc": {}}) == [mdoc]
    assert _offered([sd_jwt, mdoc], None) == [sd_jwt, mdoc]  # no formats named: no constraint
    assert _offered([sd_jwt, mdoc], {"dc+sd-jwt": {"kb-jwt_alg_values": ["ES384"]}, "mso_mdoc": {}}) == [mdoc]


def test_a_fully_specified_algorithm_names_its_curve() -> None:
    # an ES384 (-35) issuerAuth by a P-384 key meets ESP384 (-51), not ESP256 (-9); our own mdocs are
    # ES256 only, so this is the rule itself
    assert _cose_meets([-51], -35, "secp384r1") and _cose_meets([-35], -35, "secp384r1")
    assert not _cose_meets([-9, -7], -35, "secp384r1")
    assert not _cose_meets([-9], -7, "secp384r1")  # ES256 on another curve is not ESP256
    assert not _cose_meets([True], 1, "secp256r1")  # a JSON true is no algorithm
