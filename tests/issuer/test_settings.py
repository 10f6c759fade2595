"""Issuer settings from TOML: the attestation types and the database schema are checked on load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from common.db import create_engine
from common.errors import InvalidInput
from issuer.app import _wants_cwt
from issuer.settings import load_issuer_settings
from tests.conftest import POSTGRES_URL
from trust_list.pki import make_dev_pki, write_dev_pki


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pki")
    write_dev_pki(make_dev_pki(now=datetime.now(UTC)), folder)
    return folder


def settings_file(pki_dir: Path, extra: str) -> Path:
    path = pki_dir / "issuer.toml"
    path.write_text(
        'public_url = "https://issuer.example"\n'
        'signing_key = "issuer.key"\n'
        'certificate_chain = "issuer.pem"\n' + extra,
        encoding="utf-8",
    )
    return path


def test_attestations_default_and_configured(pki_dir: Path) -> None:
    assert load_issuer_settings(settings_file(pki_dir, "")).attestations == ("pid",)
    configured = load_issuer_settings(settings_file(pki_dir, 'attestations = ["diploma", "av", "diploma"]\n'))
    assert configured.attestations == ("diploma", "av")


@pytest.mark.parametrize(
    "line",
    [
        'attestations = "pid"\n',
        "attestations = []\n",
        'attestations = ["passport"]\n',
        "database_schema = 3\n",
        "status_list_ttl = 0\n",
        "status_list_ttl = -5\n",
        'status_list_ttl = "300"\n',
        'admin_token = ""\n',
        'admin_token = "short"\n',
        "admin_token = 12345678901234567890\n",
        'admin_token = " back-office-token-0123 "\n',
        'admin_token = "jeton-de-bureau-très-secret"\n',
        'admin_token = """\nback-office-token-0123\n"""\n',
    ],
)
def test_bad_settings_are_refused(pki_dir: Path, line: str) -> None:
    with pytest.raises(InvalidInput):
        load_issuer_settings(settings_file(pki_dir, line))


def test_the_request_encryption_key_is_read(pki_dir: Path) -> None:
    assert load_issuer_settings(settings_file(pki_dir, "")).encryption_key is None
    for curve, accepted in ((ec.SECP256R1(), True), (ec.SECP384R1(), False)):
        key = ec.generate_private_key(curve)
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        (pki_dir / "encryption.key").write_bytes(pem)
        if accepted:
            loaded = load_issuer_settings(settings_file(pki_dir, 'encryption_key = "encryption.key"\n'))
            assert loaded.encryption_key is not None
            assert loaded.encryption_key.private_numbers() == key.private_numbers()
        else:
            with pytest.raises(InvalidInput, match="P-256"):
                load_issuer_settings(settings_file(pki_dir, 'encryption_key = "encryption.key"\n'))


def test_admin_token_is_read(pki_dir: Path) -> None:
    assert load_issuer_settings(settings_file(pki_dir, "")).admin_token is None
    configured = load_issuer_settings(settings_file(pki_dir, 'admin_token = "0123456789abcdef"\n'))
    assert configured.admin_token == "0123456789abcdef"


@pytest.mark.parametrize(
    "url", ["https://issuer.example/tenant", "https://issuer.example?x=1", "ftp://issuer.example", "no url"]
)
def test_public_url_is_an_origin(pki_dir: Path, url: str) -> None:
    # the endpoints and well-known documents are served at the root (OpenID4VCI 1.0 section 12.2.2)
    path = settings_file(pki_dir, "")
    path.write_text(path.read_text().replace("https://issuer.example", url), encoding="utf-8")
    with pytest.raises(InvalidInput, match="public_url"):
        load_issuer_settings(path)
    path.write_text(path.read_text().replace(url, "https://issuer.example:8443/"), encoding="utf-8")
    assert load_issuer_settings(path).public_url == "https://issuer.example:8443"


def test_schema_name_is_checked() -> None:
    with pytest.raises(InvalidInput):
        create_engine("postgresql://nobody@127.0.0.1:1/none", schema='x"; DROP TABLE offers; --')


@pytest.mark.skipif(POSTGRES_URL is None, reason="EUDI_TEST_POSTGRES_URL not set (scripts/test sets it)")
def test_two_schemas_keep_their_tables_apart(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("schemas are a PostgreSQL matter")
    table = sa.Table("probe", sa.MetaData(), sa.Column("n", sa.Integer))
    for schema, value in (("one", 1), ("two", 2)):
        engine = create_engine(database_url, schema=schema)
        table.metadata.create_all(engine)
        with engine.begin() as db:
            db.execute(table.insert().values(n=value))
    for schema, value in (("one", 1), ("two", 2)):
        with create_engine(database_url, schema=schema).connect() as db:
            assert db.execute(sa.select(table.c.n)).scalars().all() == [value]


@pytest.mark.parametrize(
    ("accept", "cwt"),
    [
        ("", False),
        ("application/statuslist+jwt", False),
        ("application/statuslist+cwt", True),
        ("application/statuslist+jwt;q=0.5, application/statuslist+cwt", True),
        ("application/statuslist+cwt;q=0.2, application/statuslist+jwt", False),
        ("application/statuslist+cwt;q=bad", False),
        ("application/statuslist+cwt;Q=0.1, application/statuslist+jwt;q=0.5", False),
        ("application/statuslist+jwt;Q=0.1, application/statuslist+cwt;q=0.5", True),
        ("application/statuslist+cwt;q=inf", False),
        ("application/statuslist+cwt;q=1.5, application/statuslist+jwt;q=0.9", False),
        ("*/*", False),
    ],
)
def test_status_list_form_by_accept_header(accept: str, cwt: bool) -> None:
    assert _wants_cwt(accept) is cwt
