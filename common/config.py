"""Reading the services' TOML configuration files: paths relative to the file, keys and chains as PEM."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.errors import InvalidInput

__all__ = ["MIN_SECRET_LENGTH", "ConfigFile", "load_chain", "load_private_key"]

MAX_CONFIG_BYTES = 64 * 1024
MIN_SECRET_LENGTH = 16
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InvalidInput(f"{path.name}: not an EC private key")
    return key


def load_chain(path: Path) -> tuple[x509.Certificate, ...]:
    """PEM certificates, leaf first."""
    chain = tuple(x509.load_pem_x509_certificates(path.read_bytes()))
    if not chain:
        raise InvalidInput(f"{path.name}: no certificate")
    return chain


class ConfigFile:
    """A TOML file whose relative paths are read relative to the file itself."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        if len(data) > MAX_CONFIG_BYTES:
            raise InvalidInput(f"{path}: configuration larger than {MAX_CONFIG_BYTES} bytes")
        try:
            self.values: Mapping[str, Any] = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}: {exc}") from exc
        self.path = path

    def require(self, name: str) -> Any:
        if name not in self.values:
            raise InvalidInput(f"{self.path}: missing setting {name!r}")
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def secret(self, name: str) -> str | None:
        """An optional bearer token: at least :data:`MIN_SECRET_LENGTH` characters of the RFC 6750
        ``b64token`` syntax (section 2.1), so that a typo such as ``admin_token = ""`` cannot leave an
        API open, and no token is configured that a client could never send as it is (spaces,
        line breaks, characters beyond ASCII)."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH or not _B64TOKEN.fullmatch(value):
            raise InvalidInput(
                f"{self.path}: {name} must be at least {MIN_SECRET_LENGTH} characters of A-Z a-z 0-9 "
                "- . _ ~ + / (then optional '=')"
            )
        return value

    def file(self, name: str) -> Path:
        value = Path(str(self.require(name)))
        return value if value.is_absolute() else (self.path.parent / value)
