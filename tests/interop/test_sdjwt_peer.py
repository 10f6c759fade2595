"""Interoperability with the IETF reference implementation of SD-JWT (PyPI ``sd-jwt`` 0.10.4).

Both directions, key binding and a token-status-list ``status`` claim included: an SD-JWT VC made and
presented by this library verifies with the peer's ``SDJWTVerifier``; one made by the peer's
``SDJWTIssuer`` and presented by its ``SDJWTHolder`` verifies with
:func:`credentials.sdjwt_vc.verify_sd_jwt_vc`, and its ``status`` reference is read by
:func:`credentials.status_list.status_reference`. Each side checks the disclosed claims, not just
that no exception was raised.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwk as jwk_module
from sd_jwt import common as sd_jwt_common
from sd_jwt import holder as sd_jwt_holder
from sd_jwt import issuer as sd_jwt_issuer
from sd_jwt import verifier as sd_jwt_verifier

from common.jose import b64url_encode, public_jwk
from credentials.catalog.pid import PID_VCT
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc, verify_sd_jwt_vc
from credentials.status_list import status_reference
from tests.credentials.support import HOLDER_KEY, ISSUER_KEY, certificate_chain

pytestmark = pytest.mark.interop

ISSUER = "https://pid.example.nl"
AUD = "x509_san_dns:verifier.example"
NONCE = "bUM3dU1v3T4"
STATUS = {"status_list": {"idx": 412, "uri": "https://pid.example.nl/status-lists/1"}}
PID = {
    "given_name": "Sophie",
    "family_name": "Visser",
    "birthdate": "1990-11-05",
    "address": {"street_address": "Lindenlaan", "locality": "Amsterdam", "country": "NL"},
    "nationalities": ["NL", "BE"],
}


def peer_jwk(key: ec.EllipticCurvePrivateKey, *, private: bool) -> Any:
    jwk = public_jwk(key)
    if private:
        jwk["d"] = b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
    return jwk_module.JWK.from_json(json.dumps(jwk))


def test_ours_verifies_with_the_peer() -> None:
    now = int(time.time())
    issued = issue_sd_jwt_vc(
        PID,
        vct=PID_VCT,
        issuer=ISSUER,
        signing_key=ISSUER_KEY,
        x5c=certificate_chain(),
        holder_jwk=public_jwk(HOLDER_KEY),
        iat=now,
        exp=now + 3600,
        status=STATUS,
        decoys=3,
    )
    presentation = present_sd_jwt_vc(
        issued,
        [("given_name",), ("address", "locality"), ("nationalities", 1)],
        holder_key=HOLDER_KEY,
        audience=AUD,
        nonce=NONCE,
        iat=now,
    )
    headers: dict[str, Any] = {}

    def issuer_key(issuer: str, header: dict[str, Any]) -> Any:
        headers.update(header)
        assert issuer == ISSUER
        return peer_jwk(ISSUER_KEY, private=False)

    verifier = sd_jwt_verifier.SDJWTVerifier(presentation, issuer_key, AUD, NONCE)
    claims = verifier.get_verified_payload()
    assert headers["typ"] == "dc+sd-jwt"
    assert claims == {
        "iss": ISSUER,
        "iat": now,
        "exp": now + 3600,
        "vct": PID_VCT,
        "cnf": {"jwk": public_jwk(HOLDER_KEY)},
        "status": STATUS,
        "given_name": "Sophie",
        "address": {"locality": "Amsterdam"},
        "nationalities": ["BE"],
    }
    tampered = presentation.replace(presentation.split("~")[1], presentation.split("~")[2], 1)
    with pytest.raises(ValueError):
        sd_jwt_verifier.SDJWTVerifier(tampered, issuer_key, AUD, NONCE)


def test_the_peers_credential_verifies_with_ours() -> None:
    sd = sd_jwt_common.SDObj
    issued_at = int(time.time())
    user_claims = {
        "iss": ISSUER,
        "iat": issued_at,
        "exp": issued_at + 3600,
        "vct": PID_VCT,
        "status": STATUS,
        sd("given_name"): "Sophie",
        sd("family_name"): "Visser",
        sd("address"): {sd("street_address"): "Lindenlaan", sd("locality"): "Amsterdam", "country": "NL"},
        sd("nationalities"): [sd("NL"), sd("BE")],
    }
    issuer = sd_jwt_issuer.SDJWTIssuer(
        user_claims,
        peer_jwk(ISSUER_KEY, private=True),
        peer_jwk(HOLDER_KEY, private=False),
        add_decoy_claims=True,
        extra_header_parameters={"typ": "dc+sd-jwt"},
    )
    holder = sd_jwt_holder.SDJWTHolder(issuer.sd_jwt_issuance)
    holder.create_presentation(
        {"family_name": True, "address": {"locality": True}, "nationalities": [False, True]},
        NONCE,
        AUD,
        peer_jwk(HOLDER_KEY, private=True),
    )
    seen: list[str] = []

    def resolve(header: Any, payload: Any) -> ec.EllipticCurvePublicKey:
        seen.append(payload["iss"])
        return ISSUER_KEY.public_key()

    now = int(time.time())
    result = verify_sd_jwt_vc(
        holder.sd_jwt_presentation,
        resolve_issuer_key=resolve,
        now=now,
        key_binding=KeyBindingCheck(audience=AUD, nonce=NONCE, now=now),
        vct_values=[PID_VCT],
    )
    assert seen == [ISSUER]
    assert result.claims == {
        "family_name": "Visser",
        "address": {"locality": "Amsterdam", "country": "NL"},
        "nationalities": ["BE"],
    }
    assert (result.vct, result.issuer, result.iat, result.exp) == (
        PID_VCT,
        ISSUER,
        issued_at,
        issued_at + 3600,
    )
    assert result.cnf_jwk == public_jwk(HOLDER_KEY)
    assert result.status == STATUS and status_reference({"status": result.status}) == (
        412,
        STATUS["status_list"]["uri"],
    )
    assert result.key_binding is not None and result.key_binding["nonce"] == NONCE
