"""Trust-list sources as a TOML configuration names them: one list, or several with labels and types."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.config import ConfigFile
from common.errors import InvalidInput
from tests.trust_list.conftest import NOW
from trust_list.pki import make_dev_pki, pem_certificate
from trust_list.sources import DEFAULT_REFRESH, refresh_interval, trust_list_sources


@pytest.fixture(scope="module")
def operator_pem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("op") / "operator.pem"
    path.write_bytes(pem_certificate(make_dev_pki(now=NOW).operator_cert))
    return path


def config(tmp_path: Path, text: str) -> ConfigFile:
    path = tmp_path / "service.toml"
    path.write_text(text, encoding="utf-8")
    return ConfigFile(path)


def test_one_list_shorthand(tmp_path: Path, operator_pem: Path) -> None:
    [source] = trust_list_sources(
        config(tmp_path, f'trust_list = "list.jws"\ntrust_list_operator = "{operator_pem}"\n')
    )
    assert source.location == str(tmp_path / "list.jws") and not source.is_url and len(source.operators) == 1
    assert refresh_interval(config(tmp_path, "")) == DEFAULT_REFRESH


def test_several_lists(tmp_path: Path, operator_pem: Path) -> None:
    text = (
        "trust_list_refresh = 30\n"
        '[[trust_lists]]\nlocation = "https://tl.example.nl/lists/nl.jws"\n'
        f'operator = "{operator_pem}"\nlabel = "NL"\n'
        f'[[trust_lists]]\nlocation = "lists/de.jws"\noperator = "{operator_pem}"\nlabel = "DE"\n'
        'lote_type = "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList"\n'
    )
    parsed = config(tmp_path, text)
    nl, de = trust_list_sources(parsed)
    assert nl.is_url and nl.name == "NL" and nl.lote_type is None
    assert de.location == str(tmp_path / "lists" / "de.jws")
    assert de.lote_type is not None and de.lote_type.endswith("EUPIDProvidersList")
    assert refresh_interval(parsed) == 30.0


@pytest.mark.parametrize(
    "text",
    [
        "trust_lists = []\n",
        "trust_lists = [1]\n",
        '[[trust_lists]]\nlocation = "x.jws"\n',
        '[[trust_lists]]\noperator = "op.pem"\n',
        '[[trust_lists]]\nlocation = "ftp://tl.example/x"\noperator = "OP"\n',
        '[[trust_lists]]\nlocation = "x.jws"\noperator = "OP"\nlabel = 3\n',
    ],
)
def test_malformed_sources_are_refused(tmp_path: Path, operator_pem: Path, text: str) -> None:
    with pytest.raises(InvalidInput):
        trust_list_sources(config(tmp_path, text.replace("OP", str(operator_pem))))


@pytest.mark.parametrize("value", ["0", "-1", "true", '"soon"'])
def test_refresh_must_be_positive_seconds(tmp_path: Path, value: str) -> None:
    with pytest.raises(InvalidInput):
        refresh_interval(config(tmp_path, f"trust_list_refresh = {value}\n"))
