"""What the services' command lines share: serving only on loopback while a service's own API is open."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.cli import is_loopback_host, serve
from eudi.__main__ import main
from tests.issuer.test_settings import settings_file
from trust_list.pki import make_dev_pki, write_dev_pki


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LocalHost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "issuer.example", "", "127.0.0.1.nip.io"]
)
def test_other_hosts(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """uvicorn.run replaced: records the host it was asked to serve on instead of serving."""
    import uvicorn

    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, *, host, **_: served.append(host))
    return served


def test_an_open_api_is_served_on_loopback_only(
    no_server: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    def run(host: str, guard: tuple[str, str | None] | None) -> int:
        return serve(object(), public_url="", host=host, port=1, default_port=1, guard=guard)

    assert run("0.0.0.0", ("admin_token", None)) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: 0.0.0.0 is not a loopback address: set admin_token")
    assert error.count("\n") == 1 and no_server == []
    assert run("127.0.0.1", ("admin_token", None)) == 0
    assert run("0.0.0.0", ("admin_token", "0123456789abcdef")) == 0
    assert run("0.0.0.0", None) == 0  # a service without an API of its own (the trust-list server)
    assert no_server == ["127.0.0.1", "0.0.0.0", "0.0.0.0"]


def test_issuer_serve_beyond_loopback_needs_the_admin_token(
    tmp_path: Path, no_server: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    write_dev_pki(make_dev_pki(now=datetime.now(UTC)), tmp_path)
    config = settings_file(tmp_path, f'database_url = "sqlite:///{tmp_path / "issuer.sqlite"}"\n')
    assert main(["issuer", "serve", "--config", str(config), "--host", "0.0.0.0"]) == 1
    assert "set admin_token" in capsys.readouterr().err and no_server == []
    config.write_text(config.read_text() + 'admin_token = "0123456789abcdef"\n', encoding="utf-8")
    assert main(["issuer", "serve", "--config", str(config), "--host", "0.0.0.0"]) == 0
    assert no_server == ["0.0.0.0"]
