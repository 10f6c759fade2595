"""Reading the services' TOML configuration files: paths relative to the file, keys and chains as PEM."""

from __future__ import annotations

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
        """An optional bearer secret: a string of at least :data:`MIN_SECRET_LENGTH` characters, so that
        a typo such as ``admin_token = ""`` (or a number) cannot leave an API open or break it."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
            raise InvalidInput(
                f"{self.path}: {name} must be a string of at least {MIN_SECRET_LENGTH} characters"
            )
        return value

    def file(self, name: str) -> Path:
        value = Path(str(self.require(name)))
        return value if value.is_absolute() else (self.path.parent / value)
