from __future__ import annotations

from common.errors import EudiError, InvalidInput
from credentials.errors import InvalidKeyBinding


def test_wire_code_and_specific_reason() -> None:
    error = InvalidKeyBinding("KB-JWT nonce does not match this request")
    assert error.to_json() == {"error": "invalid_credential", "error_description": str(error)}
    assert error.reason == "invalid_key_binding"
    assert InvalidInput("x").reason == "invalid_input"
    assert EudiError("x", error="access_denied").error == "access_denied"
