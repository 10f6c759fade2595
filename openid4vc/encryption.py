"""Encrypted credential requests and responses (OpenID4VCI 1.0 section 10).

A message is its JSON object as the claims of an encrypted JWT: a compact JWE (``ECDH-ES``, ``enc``
``A128GCM`` or ``A256GCM``, see :mod:`common.jwe`) whose plaintext is that object, sent as
``application/jwt``. The issuer publishes the keys requests are encrypted to
(``credential_request_encryption``) and what it can encrypt responses with
(``credential_response_encryption``); a request names the key its response is encrypted to. A
request that asks for an encrypted response must itself be encrypted (section 8.2: otherwise an
attacker could put in a key of its own). Compression (``zip``) is not supported.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from common import jwe
from common.errors import EudiError, InvalidInput
from common.jose import canonical_json, parse_json, public_jwk, public_key_from_jwk
from openid4vc._checks import json_object
from openid4vc.errors import InvalidEncryptionParameters, InvalidRequest

__all__ = [
    "ENC_VALUES",
    "JWT_MEDIA_TYPE",
    "RequestEncryption",
    "ResponseEncryption",
    "ResponseEncryptionSupport",
    "decrypt_message",
    "encrypt_message",
    "parse_request_encryption",
    "parse_response_encryption",
    "parse_response_encryption_support",
    "request_encryption_metadata",
    "response_encryption_metadata",
]

JWT_MEDIA_TYPE = "application/jwt"
ENC_VALUES = tuple(jwe.CONTENT_ENCRYPTION)
"""The ``enc`` values implemented (``A128GCM``, ``A256GCM``)."""
MAX_KEYS = 16


@dataclass(frozen=True)
class RequestEncryption:
    """An issuer's ``credential_request_encryption`` (section 12.2.4), as a wallet reads it."""

    keys: tuple[dict[str, Any], ...]
    enc_values: tuple[str, ...]
    required: bool

    def key(self) -> dict[str, Any] | None:
        """The first key a request can be encrypted to here: EC P-256 with ``alg`` ``ECDH-ES``, for
        encryption (``use`` and ``key_ops``, see :func:`_for_encryption`) and with its ``kid``
        (section 12.2.4 requires one)."""
        for key in self.keys:
            usable = key.get("alg") == jwe.ECDH_ES and _for_encryption(key)
            if usable and isinstance(key.get("kid"), str) and key.get("crv") == "P-256":
                try:
                    public_key_from_jwk(key)
                except EudiError:
                    continue
                return key
        return None

    def enc(self) -> str | None:
        return _preferred(self.enc_values)


@dataclass(frozen=True)
class ResponseEncryptionSupport:
    """An issuer's ``credential_response_encryption`` (section 12.2.4), as a wallet reads it."""

    alg_values: tuple[str, ...]
    enc_values: tuple[str, ...]
    required: bool

    def usable(self) -> bool:
        return jwe.ECDH_ES in self.alg_values and _preferred(self.enc_values) is not None

    def enc(self) -> str | None:
        return _preferred(self.enc_values)


@dataclass(frozen=True)
class ResponseEncryption:
    """A request's ``credential_response_encryption`` (section 8.2): the key and ``enc`` its
    response is encrypted with."""

    jwk: dict[str, Any]
    enc: str

    def to_json(self) -> dict[str, Any]:
        return {"jwk": dict(self.jwk), "enc": self.enc}


def _for_encryption(jwk: Mapping[str, Any]) -> bool:
    """Whether a JWK may be encrypted to by key agreement: ``use`` absent or ``enc``, ``key_ops``
    absent or naming ``deriveKey`` or ``deriveBits`` (RFC 7517 sections 4.2 and 4.3)."""
    ops = jwk.get("key_ops")
    agreed = ops is None or (isinstance(ops, list) and bool({"deriveKey", "deriveBits"} & set(map(str, ops))))
    return jwk.get("use", "enc") == "enc" and agreed


def _preferred(values: Collection[str]) -> str | None:
    """``A256GCM`` where offered, else ``A128GCM``, else None."""
    return next((enc for enc in ("A256GCM", "A128GCM") if enc in values), None)


def request_encryption_metadata(
    key: ec.EllipticCurvePrivateKey, kid: str, *, required: bool = False
) -> dict[str, Any]:
    """``credential_request_encryption`` for an issuer that decrypts requests with ``key``."""
    jwk = {**public_jwk(key), "kid": kid, "use": "enc", "alg": jwe.ECDH_ES}
    return {
        "jwks": {"keys": [jwk]},
        "enc_values_supported": list(ENC_VALUES),
        "encryption_required": required,
    }


def response_encryption_metadata(*, required: bool = False) -> dict[str, Any]:
    """``credential_response_encryption`` for an issuer that encrypts responses as implemented here."""
    return {
        "alg_values_supported": [jwe.ECDH_ES],
        "enc_values_supported": list(ENC_VALUES),
        "encryption_required": required,
    }


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise InvalidRequest(f"{what} must be a non-empty array of strings")
    return tuple(value)


def _required(obj: Mapping[str, Any], what: str) -> bool:
    required = obj.get("encryption_required")
    if not isinstance(required, bool):
        raise InvalidRequest(f"{what}.encryption_required must be a boolean")
    return required


def parse_request_encryption(value: Any) -> RequestEncryption:
    """An issuer metadata ``credential_request_encryption`` object."""
    what = "credential_request_encryption"
    obj = json_object(value, what)
    keys = json_object(obj.get("jwks"), f"{what}.jwks").get("keys")
    if not isinstance(keys, list) or not keys or len(keys) > MAX_KEYS:
        raise InvalidRequest(f"{what}.jwks.keys must be a non-empty array of at most {MAX_KEYS} keys")
    if not all(isinstance(key, dict) for key in keys):
        raise InvalidRequest(f"{what}.jwks.keys must hold JWK objects")
    return RequestEncryption(
        tuple(keys),
        _strings(obj.get("enc_values_supported"), f"{what}.enc_values_supported"),
        _required(obj, what),
    )


def parse_response_encryption_support(value: Any) -> ResponseEncryptionSupport:
    """An issuer metadata ``credential_response_encryption`` object."""
    what = "credential_response_encryption"
    obj = json_object(value, what)
    return ResponseEncryptionSupport(
        _strings(obj.get("alg_values_supported"), f"{what}.alg_values_supported"),
        _strings(obj.get("enc_values_supported"), f"{what}.enc_values_supported"),
        _required(obj, what),
    )


def parse_response_encryption(value: Any) -> ResponseEncryption:
    """A request's ``credential_response_encryption``, as the issuer takes it: a public EC JWK whose
    ``alg`` (required, section 10) is ``ECDH-ES``, an ``enc`` implemented here, and no ``zip``.
    ``invalid_encryption_parameters`` otherwise (section 8.3.1.2)."""
    if not isinstance(value, dict):
        raise InvalidEncryptionParameters("credential_response_encryption must be an object")
    jwk, enc = value.get("jwk"), value.get("enc")
    if not isinstance(jwk, dict) or jwk.get("alg") != jwe.ECDH_ES:
        raise InvalidEncryptionParameters(
            f"credential_response_encryption.jwk must be a JWK with alg {jwe.ECDH_ES}"
        )
    if not _for_encryption(jwk):
        raise InvalidEncryptionParameters("credential_response_encryption.jwk is not a key for encryption")
    try:
        public_key_from_jwk(jwk)
    except EudiError as exc:
        raise InvalidEncryptionParameters(f"credential_response_encryption.jwk is not usable: {exc}") from exc
    if enc not in ENC_VALUES:
        raise InvalidEncryptionParameters(
            f"credential_response_encryption.enc must be one of {list(ENC_VALUES)}"
        )
    if "zip" in value:
        raise InvalidEncryptionParameters("compression (zip) of credential responses is not supported")
    return ResponseEncryption(dict(jwk), enc)


def encrypt_message(message: Mapping[str, Any], jwk: Mapping[str, Any], enc: str) -> str:
    """``message`` as an encrypted JWT to ``jwk`` (its ``kid`` copied into the header)."""
    return jwe.encrypt(canonical_json(dict(message)), jwk, enc=enc)


def decrypt_message(
    token: str, key: ec.EllipticCurvePrivateKey, *, kid: str | None, encs: Sequence[str] = ENC_VALUES
) -> dict[str, Any]:
    """The JSON object an encrypted JWT to ``key`` holds. ``InvalidInput`` when it is malformed, not
    to this key or of another ``enc``; ``CryptoError`` when it does not decrypt."""
    _, plaintext = jwe.decrypt(token, key, kid=kid, encs=encs)
    # the plaintext is no longer than the JWE, which its reader bounded (a request body, a response)
    message = parse_json(plaintext, max_bytes=len(plaintext))
    if not isinstance(message, dict):
        raise InvalidInput("the encrypted message is not a JSON object")
    return message
