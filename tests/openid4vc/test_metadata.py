from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common.jose import encode_jws, x5c_certificates, x5c_header
from openid4vc.errors import InvalidRequest
from openid4vc.issuance import (
    AuthorizationServerMetadata,
    authorization_server_metadata,
    credential_issuer_metadata,
    parse_authorization_server_metadata,
    parse_credential_issuer_metadata,
    parse_signed_credential_issuer_metadata,
    well_known_url,
)
from tests.openid4vc.conftest import NOW, VCI_EXAMPLES, Signer, make_signer, pinned_validator

ISSUER = "https://credential-issuer.example.com"
CONFIGURATION_EXAMPLES = sorted(VCI_EXAMPLES.glob("credential_metadata_*.json"))


def long_example() -> dict[str, Any]:
    document = json.loads((VCI_EXAMPLES / "credential_issuer_metadata_sd_jwt_long.json").read_text())
    assert isinstance(document, dict)
    return document


def test_the_full_metadata_example() -> None:
    metadata = parse_credential_issuer_metadata(long_example(), expected_issuer=ISSUER)
    assert metadata.credential_endpoint == f"{ISSUER}/credential"
    assert metadata.nonce_endpoint == f"{ISSUER}/nonce"
    assert metadata.deferred_credential_endpoint == f"{ISSUER}/deferred_credential"
    assert metadata.notification_endpoint == f"{ISSUER}/notification"
    assert metadata.authorization_servers == ("https://server.example.com",)
    assert metadata.batch_size == 10
    assert metadata.response_encryption is not None and metadata.response_encryption.required is True
    assert metadata.request_encryption is not None and metadata.request_encryption.required is True
    assert [d["locale"] for d in metadata.display] == ["en-US", "fr-FR"]
    assert (
        metadata.configurations["SD_JWT_VC_example_in_OpenID4VCI"]["vct"] == "SD_JWT_VC_example_in_OpenID4VCI"
    )


@pytest.mark.parametrize("path", CONFIGURATION_EXAMPLES, ids=[p.name for p in CONFIGURATION_EXAMPLES])
def test_every_configuration_example_parses(path: Path) -> None:
    configurations = json.loads(path.read_text())["credential_configurations_supported"]
    document = {
        "credential_issuer": ISSUER,
        "credential_endpoint": f"{ISSUER}/c",
        **{"credential_configurations_supported": configurations},
    }
    metadata = parse_credential_issuer_metadata(document, expected_issuer=ISSUER)
    assert metadata.configurations == configurations
    assert metadata.nonce_endpoint is None and metadata.authorization_servers == ()


def test_the_issuer_must_be_the_one_asked() -> None:
    for other in ("https://other.example", ISSUER + "/", ISSUER.upper()):
        with pytest.raises(InvalidRequest):
            parse_credential_issuer_metadata(long_example(), expected_issuer=other)


def changed(**changes: Any) -> dict[str, Any]:
    document = long_example()
    for name, value in changes.items():
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    return document


def configuration(**members: Any) -> dict[str, Any]:
    return changed(credential_configurations_supported={"x": members})


@pytest.mark.parametrize(
    "bad",
    [
        changed(credential_endpoint=None),
        changed(credential_endpoint="http://credential-issuer.example.com/credential"),
        changed(nonce_endpoint="not a url"),
        changed(credential_configurations_supported=None),
        changed(credential_configurations_supported=[]),
        changed(authorization_servers=[]),
        changed(authorization_servers="https://server.example.com"),
        changed(batch_credential_issuance={"batch_size": 1}),
        changed(batch_credential_issuance={"batch_size": "10"}),
        changed(display={"name": "x"}),
        changed(credential_response_encryption={"alg_values_supported": ["ECDH-ES"]}),
        configuration(),
        configuration(format=1),
        configuration(format="dc+sd-jwt"),
        configuration(format="mso_mdoc"),
        configuration(format="dc+sd-jwt", vct="v", proof_types_supported={"jwt": {}}),
        configuration(format="dc+sd-jwt", vct="v", cryptographic_binding_methods_supported=[]),
    ],
)
def test_bad_metadata(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequest):
        parse_credential_issuer_metadata(bad, expected_issuer=ISSUER)


def test_built_metadata_parses_back() -> None:
    configurations = {"pid": {"format": "dc+sd-jwt", "vct": "urn:eudi:pid:1"}}
    document = credential_issuer_metadata(
        credential_issuer=ISSUER,
        credential_endpoint=f"{ISSUER}/credential",
        nonce_endpoint=f"{ISSUER}/nonce",
        configurations=configurations,
        display=[{"name": "Issuer", "locale": "en"}],
        batch_size=5,
    )
    assert "authorization_servers" not in document and "deferred_credential_endpoint" not in document
    metadata = parse_credential_issuer_metadata(document, expected_issuer=ISSUER)
    assert metadata.batch_size == 5 and metadata.configurations == configurations


def signed_example() -> str:
    return "".join((VCI_EXAMPLES / "credential_issuer_metadata_sd_jwt_jwt.txt").read_text().split())


def test_the_signed_metadata_example() -> None:
    from common.jose import parse_jws

    leaf = x5c_certificates(parse_jws(signed_example()).header)[0]
    metadata = parse_signed_credential_issuer_metadata(
        signed_example(), expected_issuer=ISSUER, validate_chain=pinned_validator(leaf), now=NOW
    )
    assert metadata.credential_endpoint == f"{ISSUER}/credential"
    with pytest.raises(InvalidRequest, match="not trusted"):
        parse_signed_credential_issuer_metadata(
            signed_example(),
            expected_issuer=ISSUER,
            validate_chain=pinned_validator(make_signer().certificate),
            now=NOW,
        )


@pytest.fixture(scope="module")
def metadata_signer() -> Signer:
    return make_signer("credential-issuer.example.com")


def signed(signer: Signer, claims: dict[str, Any], typ: str = "openidvci-issuer-metadata+jwt") -> str:
    return encode_jws({"typ": typ, "x5c": x5c_header([signer.certificate])}, claims, signer.key)


@pytest.mark.parametrize(
    ("typ", "changes"),
    [
        ("JWT", {}),
        ("openidvci-issuer-metadata+jwt", {"sub": "https://other.example"}),
        ("openidvci-issuer-metadata+jwt", {"iat": None}),
        ("openidvci-issuer-metadata+jwt", {"iat": NOW + 3600}),
        ("openidvci-issuer-metadata+jwt", {"exp": NOW - 1}),
    ],
)
def test_signed_metadata_rejections(metadata_signer: Signer, typ: str, changes: dict[str, Any]) -> None:
    claims: dict[str, Any] = {"sub": ISSUER, "iat": NOW, **long_example()}
    claims.update(changes)
    token = signed(metadata_signer, {k: v for k, v in claims.items() if v is not None}, typ)
    with pytest.raises(InvalidRequest):
        parse_signed_credential_issuer_metadata(
            token,
            expected_issuer=ISSUER,
            validate_chain=pinned_validator(metadata_signer.certificate),
            now=NOW,
        )


@pytest.mark.parametrize(
    ("identifier", "suffix", "expected"),
    [
        (
            "https://issuer.example.com",
            "openid-credential-issuer",
            "https://issuer.example.com/.well-known/openid-credential-issuer",
        ),
        (
            "https://issuer.example.com/tenant",
            "openid-credential-issuer",
            "https://issuer.example.com/.well-known/openid-credential-issuer/tenant",
        ),
        (
            "https://tenant.issuer.example.com",
            "openid-credential-issuer",
            "https://tenant.issuer.example.com/.well-known/openid-credential-issuer",
        ),
        (
            "https://as.example.com/issuer1/",
            "oauth-authorization-server",
            "https://as.example.com/.well-known/oauth-authorization-server/issuer1",
        ),
        # OpenID4VCI 1.0 section 12.2.2 inserts the suffix and drops nothing (helper 39)
        (
            "https://issuer.example.com/tenant/",
            "openid-credential-issuer",
            "https://issuer.example.com/.well-known/openid-credential-issuer/tenant/",
        ),
        (
            "https://issuer.example.com/",
            "openid-credential-issuer",
            "https://issuer.example.com/.well-known/openid-credential-issuer",
        ),
        (
            "http://127.0.0.1:8080/a/b",
            "oauth-authorization-server",
            "http://127.0.0.1:8080/.well-known/oauth-authorization-server/a/b",
        ),
    ],
)
def test_well_known_path_insertion(identifier: str, suffix: str, expected: str) -> None:
    assert well_known_url(identifier, suffix) == expected


@pytest.mark.parametrize(
    "identifier",
    [
        "https://i.example?x=1",
        "https://i.example#f",
        "http://i.example",
        "i.example",
        # helper 43: a client removes dot segments, and the document is then looked for anywhere
        "https://i.example/x/../../uploads/evil.json",
        "https://i.example/t/.",
        "https://i.example/%2e%2E/x",
        "https://i.example/..",
    ],
)
def test_well_known_needs_an_identifier(identifier: str) -> None:
    with pytest.raises(InvalidRequest):
        well_known_url(identifier, "openid-credential-issuer")


def test_authorization_server_metadata() -> None:
    document = authorization_server_metadata(issuer=ISSUER, token_endpoint=f"{ISSUER}/token")
    assert parse_authorization_server_metadata(
        document, expected_issuer=ISSUER
    ) == AuthorizationServerMetadata(
        issuer=ISSUER,
        token_endpoint=f"{ISSUER}/token",
        pre_authorized_grant_anonymous_access_supported=True,
        grant_types_supported=("urn:ietf:params:oauth:grant-type:pre-authorized_code",),
    )
    minimal = parse_authorization_server_metadata(
        {"issuer": ISSUER, "token_endpoint": f"{ISSUER}/token"}, expected_issuer=ISSUER
    )
    assert minimal.pre_authorized_grant_anonymous_access_supported is False
    for bad in (
        {"issuer": "https://other.example", "token_endpoint": f"{ISSUER}/token"},
        {"issuer": ISSUER},
        {
            "issuer": ISSUER,
            "token_endpoint": f"{ISSUER}/token",
            "pre-authorized_grant_anonymous_access_supported": "yes",
        },
        {"issuer": ISSUER, "token_endpoint": f"{ISSUER}/token", "grant_types_supported": "x"},
    ):
        with pytest.raises(InvalidRequest):
            parse_authorization_server_metadata(bad, expected_issuer=ISSUER)
