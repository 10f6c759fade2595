"""Where the wallet keeps credentials, holder keys and its transaction log.

:class:`WalletStore` is the interface the agent uses; :class:`FolderStore` keeps everything in one
folder, writing each file atomically (write, fsync, rename). A later issue puts encryption under a
PIN behind the same interface.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import InvalidInput
from common.files import write_atomic

__all__ = ["FolderStore", "StoredCredential", "WalletStore"]

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StoredCredential:
    credential_id: str
    format: str
    raw: str
    """SD-JWT VC compact form, or the base64url CBOR IssuerSigned of an mdoc."""
    vct: str | None
    issuer: str
    issuer_name: str | None
    key_id: str
    received_at: int
    claims: Mapping[str, Any]
    """SD-JWT VC: the processed claims; mdoc: ``{namespace: {element: JSON value}}``."""
    doctype: str | None = None
    aka_vcts: tuple[str, ...] = ()
    """The other types an SD-JWT VC says it is of (SD-JWT VC section 3.2.2.1.1)."""

    @property
    def attestation_type(self) -> str:
        """The ``vct`` of an SD-JWT VC, the docType of an mdoc."""
        return self.vct or self.doctype or ""


class WalletStore(Protocol):
    def add_credential(self, credential: StoredCredential, key: ec.EllipticCurvePrivateKey) -> None: ...
    def check_record(self, credential: StoredCredential) -> None:
        """Raise :class:`InvalidInput` when ``credential`` could not be kept (before any is)."""
        ...

    def credentials(self) -> list[StoredCredential]: ...
    def holder_key(self, key_id: str) -> ec.EllipticCurvePrivateKey: ...
    def append_log(self, entry: Mapping[str, Any]) -> None: ...
    def log(self) -> list[dict[str, Any]]: ...


def _record(credential: StoredCredential) -> bytes:
    """The stored form of a credential; it must fit the limit it is read back under, or the wallet
    could not read its credentials again."""
    record = asdict(credential)
    record["claims"] = dict(credential.claims)
    data = json.dumps(record, separators=(",", ":")).encode("ascii")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the credential is larger than the {MAX_FILE_BYTES} bytes a wallet record holds")
    return data


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_FILE_BYTES} bytes")
    return path.read_bytes()


class FolderStore:
    """Credentials, keys and log in ``directory`` (created 0700)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def add_credential(self, credential: StoredCredential, key: ec.EllipticCurvePrivateKey) -> None:
        """Keep a credential and its holder key. The record is written out first and must fit the
        limit :meth:`credentials` reads under: a credential the wallet could not read back would make
        every later presentation fail."""
        data = _record(credential)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_atomic(self.directory / "keys" / f"{credential.key_id}.pem", pem)
        write_atomic(self.directory / "credentials" / f"{credential.credential_id}.json", data)

    def check_record(self, credential: StoredCredential) -> None:
        _record(credential)

    def credentials(self) -> list[StoredCredential]:
        folder = self.directory / "credentials"
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.json")):
            record = json.loads(_read(path))
            record["aka_vcts"] = tuple(record.get("aka_vcts", ()))  # a JSON array
            found.append(StoredCredential(**record))
        return sorted(found, key=lambda c: (c.received_at, c.credential_id))

    def holder_key(self, key_id: str) -> ec.EllipticCurvePrivateKey:
        if not key_id.replace("-", "").replace("_", "").isalnum():
            raise InvalidInput("bad key id")
        key = serialization.load_pem_private_key(_read(self.directory / "keys" / f"{key_id}.pem"), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise InvalidInput("holder key is not an EC key")
        return key

    def append_log(self, entry: Mapping[str, Any]) -> None:
        # ASCII: no character of a verifier's or issuer's text can end a line early (U+2028, U+0085)
        # or fail to encode (a lone surrogate)
        line = json.dumps(dict(entry)) + "\n"
        with open(self.directory / "log.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def log(self) -> list[dict[str, Any]]:
        path = self.directory / "log.jsonl"
        if not path.exists():
            return []
        # lines end at "\n" only: splitlines() also splits at U+2028 and U+0085, which older entries
        # may hold raw
        return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
