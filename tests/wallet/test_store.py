from __future__ import annotations

import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from wallet.store import FolderStore, StoredCredential


def credential(credential_id: str, received_at: int) -> StoredCredential:
    return StoredCredential(
        credential_id=credential_id,
        format="dc+sd-jwt",
        raw="jwt~",
        vct="urn:eudi:pid:1",
        issuer="https://issuer.example",
        issuer_name="Demo PID Provider NL",
        key_id=f"key-{credential_id}",
        received_at=received_at,
        claims={"given_name": "Emma", "address": {"locality": "Utrecht"}},
    )


def test_credentials_and_keys_round_trip(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "w")
    key = ec.generate_private_key(ec.SECP256R1())
    store.add_credential(credential("b", 2), key)
    store.add_credential(credential("a", 1), ec.generate_private_key(ec.SECP256R1()))
    assert [c.credential_id for c in store.credentials()] == ["a", "b"]
    assert store.credentials()[1].claims["address"] == {"locality": "Utrecht"}
    assert store.holder_key("key-b").private_numbers() == key.private_numbers()
    key_file = tmp_path / "w" / "keys" / "key-b.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not list((tmp_path / "w").rglob(".tmp-*"))


def test_log_appends(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "w")
    store.append_log({"event": "received"})
    store.append_log({"event": "presented", "shared": [["given_name"]]})
    assert [entry["event"] for entry in store.log()] == ["received", "presented"]
