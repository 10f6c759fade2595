"""Every Token Status List example of draft-ietf-oauth-status-list-21, read from the example files.

- ``status_list_encoding*_json.md`` / ``*_cbor.md``: each decodes (JSON: section 4.2, CBOR: section
  4.3) to the byte array it states (``byte_array = [...]``, section 4.1), or, for the 2^20-entry
  vectors, to exactly the entries the draft lists in "Test vectors for Status List encoding"
  (appendix, as ``tests/credentials/data/status_list_statuses.json`` records them) and zero
  everywhere else.
- ``status_list_jwt_raw.md`` / ``status_list_cwt.md``: verify with the published key (kid "12") at an
  instant inside their validity; ``status_list_jwt.md`` shows the same claims.
- ``referenced_token_cwt.md``: its claim 65535 yields ``(idx, uri)`` pointing at that list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import cbor2
import pytest

from common.jose import Algorithm, b64url_decode, private_key_from_jwk
from credentials.errors import StatusListExpired
from credentials.status_list import (
    Status,
    StatusList,
    check_status,
    status_reference_cwt,
    verify_status_list_jwt,
)
from credentials.status_list_cwt import verify_status_list_cwt
from tests.conftest import VECTORS

FOLDER = VECTORS / "token-status-list"
EXAMPLES = FOLDER / "examples"
URI = "https://example.com/statuslists/1"
IAT = 1686920170
EXP = 2291720170
LONG_SIZE = 2**20

# The draft's appendix "Test vectors for Status List encoding": the listed entries of each long list.
STATEMENTS = json.loads((Path(__file__).parent / "data" / "status_list_statuses.json").read_text())
LONG_TABLES = {
    int(bits): {int(idx): value for idx, value in entry["statuses"].items()}
    for bits, entry in STATEMENTS["lists"].items()
}
LONG_FILES = {entry["file"]: int(bits) for bits, entry in STATEMENTS["lists"].items()}
assert all(entry["size"] == LONG_SIZE for entry in STATEMENTS["lists"].values())


def _encoding_files() -> list[Path]:
    files = sorted(EXAMPLES.glob("status_list_encoding*.md"))
    return [path for path in files if not path.stem.endswith("_diag")]


def _parse_encoding(path: Path) -> tuple[StatusList, bytes | None]:
    """The list a file encodes, and its ``byte_array`` when the file states one."""
    text = path.read_text()
    stated = re.search(r"byte_array\s*=\s*\[([^\]]*)\]", text)
    expected = bytes(int(b, 16) for b in stated.group(1).split(",")) if stated else None
    body = text.split("encoded:", 1)[1] if "encoded:" in text else text
    if path.stem.endswith("_json"):
        bits = re.search(r'"bits"\s*:\s*(\d+)', body)
        lst = re.search(r'"lst"\s*:\s*"([^"]*)"', body)
        assert bits and lst, path
        # the draft wraps long strings over lines; whitespace is no part of base64url
        obj = {"bits": int(bits.group(1)), "lst": re.sub(r"\s", "", lst.group(1))}
        return StatusList.from_json(obj), expected
    cbor = bytes.fromhex(re.sub(r"\s", "", body))
    return StatusList.from_cbor(cbor2.loads(cbor)), expected


def _bits_of(path: Path) -> int:
    match = re.match(r"status_list_encoding(\d?)", path.stem)
    assert match
    return int(match.group(1) or 1)


def test_every_encoding_file_is_covered() -> None:
    names = {path.name for path in _encoding_files()}
    assert len(names) == 12
    assert {_bits_of(path) for path in _encoding_files()} == {1, 2, 4, 8}


@pytest.mark.parametrize("path", _encoding_files(), ids=lambda p: p.stem)
def test_encoding_vector_decodes_to_stated_statuses(path: Path) -> None:
    status_list, expected = _parse_encoding(path)
    bits = _bits_of(path)
    assert status_list.bits == bits
    if expected is not None:
        assert bytes(status_list.data) == expected
        return
    stem = path.stem.removesuffix("_json").removesuffix("_cbor")
    assert LONG_FILES[f"{stem}_json.md"] == bits
    table = LONG_TABLES[bits]
    assert status_list.size == LONG_SIZE
    reference = StatusList.new(LONG_SIZE, bits)
    for idx, value in table.items():
        reference.set(idx, value)
        assert status_list.get(idx) == value
    assert status_list.data == reference.data  # every entry not listed is 0 (VALID)


def test_short_vectors_entry_by_entry() -> None:
    """Section 4.1's worked examples, read entry by entry (LSB first within each byte)."""
    one, _ = _parse_encoding(EXAMPLES / "status_list_encoding_json.md")
    assert [one.get(i) for i in range(16)] == [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
    two, _ = _parse_encoding(EXAMPLES / "status_list_encoding2_json.md")
    assert [two.get(i) for i in range(12)] == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def _key() -> Any:
    jwk = json.loads((FOLDER / "example_signing_key.jwk.json").read_text())
    assert jwk["kid"] == "12"
    return private_key_from_jwk(jwk).public_key()


def _hex(path: Path) -> bytes:
    return bytes.fromhex(re.sub(r"\s", "", path.read_text()))


def test_jwt_example_verifies_with_published_key() -> None:
    token = re.sub(r"\s", "", (EXAMPLES / "status_list_jwt_raw.md").read_text())
    seen: list[dict[str, Any]] = []

    def resolve(header: Any) -> Any:
        seen.append(dict(header))
        return _key()

    result = verify_status_list_jwt(token, uri=URI, now=IAT + 1, resolve_key=resolve)
    assert seen == [{"alg": "ES256", "kid": "12", "typ": "statuslist+jwt"}]
    assert (result.sub, result.iat, result.exp, result.ttl) == (URI, IAT, EXP, 43200)
    assert bytes(result.status_list.data) == bytes([0xB9, 0xA3])
    assert check_status(result, 0) is Status.INVALID
    assert check_status(result, 1) is Status.VALID
    with pytest.raises(StatusListExpired):
        verify_status_list_jwt(token, uri=URI, now=EXP, resolve_key=lambda _: _key())


def test_jwt_display_matches_raw_token() -> None:
    header_text, claims_text = (EXAMPLES / "status_list_jwt.md").read_text().split("\n.\n")
    token = re.sub(r"\s", "", (EXAMPLES / "status_list_jwt_raw.md").read_text())
    header_b64, payload_b64, _ = token.split(".")
    assert json.loads(b64url_decode(header_b64)) == json.loads(header_text)
    raw_claims = json.loads(b64url_decode(payload_b64))
    assert {k: v for k, v in raw_claims.items() if k != "iss"} == json.loads(claims_text)


def test_cwt_example_verifies_with_published_key() -> None:
    data = _hex(EXAMPLES / "status_list_cwt.md")
    seen: list[dict[Any, Any]] = []

    def resolve(headers: Any) -> Any:
        seen.append(dict(headers))
        return _key()

    result = verify_status_list_cwt(data, uri=URI, now=IAT + 1, resolve_key=resolve)
    assert seen == [{1: -7, 16: "application/statuslist+cwt", 4: b"12"}]
    assert (result.sub, result.iat, result.exp, result.ttl) == (URI, IAT, EXP, 43200)
    assert bytes(result.status_list.data) == bytes([0xB9, 0xA3])
    with pytest.raises(StatusListExpired):
        verify_status_list_cwt(data, uri=URI, now=EXP + 1, resolve_key=lambda _: _key())


def test_cwt_diag_matches_hex() -> None:
    for stem in ("status_list_cwt", "referenced_token_cwt"):
        diag = (EXAMPLES / f"{stem}_diag.md").read_text()
        hex_from_diag = "".join(line.split("#")[0].replace(" ", "") for line in diag.splitlines())
        assert bytes.fromhex(hex_from_diag) == _hex(EXAMPLES / f"{stem}.md")


def test_referenced_token_cwt_points_at_the_list() -> None:
    message = cbor2.loads(_hex(EXAMPLES / "referenced_token_cwt.md"))
    assert message.tag == 18
    protected, unprotected, payload, signature = message.value
    assert cbor2.loads(protected) == {1: -7} and unprotected == {4: b"12"}
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    Algorithm.ES256.verify(_key(), to_be_signed, signature)
    claims = cbor2.loads(payload)
    assert status_reference_cwt(claims) == (0, URI)
