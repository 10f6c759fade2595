"""Credential-format throughput, ours against the peers, in one run on one core.

SD-JWT VC PID (12 selectively disclosable claims, ``typ`` ``dc+sd-jwt``, ``x5c``, ``cnf``) against
PyPI ``sd-jwt`` on the same claims and keys: issue, present (3 claims + KB-JWT) and verify (issuer
signature, every digest, KB-JWT). Ours also checks ``typ``, ``exp``/``nbf``/``iat``, the KB-JWT
``iat`` window and the never-disclosable claims; the peer does not. The floor is the two bare ES256
verifications that an SD-JWT VC verification cannot avoid.

Each figure is the median of ``--runs`` runs (default 7) of ``--seconds`` each; the last line printed
is one JSON object with the ratios (ours / peer) and the absolute ops/s beside them.

    .venv/bin/python benchmarks/formats.py [--runs 7] [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.jose import Algorithm, b64url_encode, public_jwk
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc, verify_sd_jwt_vc

NOW = int(time.time())
VCT = "urn:eudi:pid:1"
ISSUER = "https://pid.example.nl"
AUD = "x509_san_dns:verifier.example"
NONCE = "bench-nonce-0123456789"
PID = {
    "given_name": "Sophie",
    "family_name": "Visser",
    "birthdate": "1990-11-05",
    "place_of_birth": "Amsterdam",
    "nationalities": "NL",
    "street_address": "Lindenlaan 12",
    "locality": "Amsterdam",
    "postal_code": "1011 AB",
    "country": "NL",
    "issuing_authority": "Demo PID Provider NL",
    "issuing_country": "NL",
    "date_of_expiry": "2031-01-01",
}
DISCLOSE = ("given_name", "family_name", "birthdate")


def measure(operation: Callable[[], object], seconds: float, runs: int) -> float:
    """Median ops/s over ``runs`` runs of about ``seconds`` each."""
    rates = []
    for _ in range(runs):
        count, started = 0, time.perf_counter()
        deadline = started + seconds
        while True:
            operation()
            count += 1
            if count % 8 == 0 and time.perf_counter() >= deadline:
                break
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def leaf_certificate(issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench PID Issuer")])
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench PID CA")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(issuer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )


def ours(
    issuer_key: ec.EllipticCurvePrivateKey, holder_key: ec.EllipticCurvePrivateKey, cert: x509.Certificate
) -> dict[str, Callable[[], object]]:
    holder_jwk = public_jwk(holder_key)

    def issue() -> str:
        return issue_sd_jwt_vc(
            PID,
            vct=VCT,
            issuer=ISSUER,
            signing_key=issuer_key,
            x5c=[cert],
            holder_jwk=holder_jwk,
            iat=NOW,
            exp=NOW + 86400,
        )

    issued = issue()
    paths = [(name,) for name in DISCLOSE]

    def present() -> str:
        return present_sd_jwt_vc(issued, paths, holder_key=holder_key, audience=AUD, nonce=NONCE, iat=NOW)

    presentation = present()
    public = issuer_key.public_key()

    def verify() -> object:
        return verify_sd_jwt_vc(
            presentation,
            resolve_issuer_key=lambda header, payload: public,
            now=NOW,
            key_binding=KeyBindingCheck(audience=AUD, nonce=NONCE, now=NOW),
            vct_values=(VCT,),
        )

    return {"issue": issue, "present": present, "verify": verify}


def peer(
    issuer_key: ec.EllipticCurvePrivateKey, holder_key: ec.EllipticCurvePrivateKey, cert: x509.Certificate
) -> dict[str, Callable[[], object]]:
    import base64

    from cryptography.hazmat.primitives import serialization
    from jwcrypto import jwk as jwk_module
    from sd_jwt.common import SDObj
    from sd_jwt.holder import SDJWTHolder
    from sd_jwt.issuer import SDJWTIssuer
    from sd_jwt.verifier import SDJWTVerifier

    def jwk(key: ec.EllipticCurvePrivateKey, private: bool) -> Any:
        value: dict[str, str] = dict(public_jwk(key))
        if private:
            value["d"] = b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
        return jwk_module.JWK.from_json(json.dumps(value))

    issuer_jwk, holder_private, holder_public = (
        jwk(issuer_key, True),
        jwk(holder_key, True),
        jwk(holder_key, False),
    )
    issuer_public = jwk(issuer_key, False)
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    claims: dict[Any, Any] = {"iss": ISSUER, "iat": NOW, "exp": NOW + 86400, "vct": VCT}
    claims.update({SDObj(name): value for name, value in PID.items()})

    def issue() -> str:
        issuer = SDJWTIssuer(
            claims, issuer_jwk, holder_public, extra_header_parameters={"typ": "dc+sd-jwt", "x5c": x5c}
        )
        return str(issuer.sd_jwt_issuance)

    issued = issue()
    choice = {name: True for name in DISCLOSE}

    def present() -> str:
        holder = SDJWTHolder(issued)
        holder.create_presentation(choice, NONCE, AUD, holder_private)
        return str(holder.sd_jwt_presentation)

    presentation = present()

    def verify() -> object:
        return SDJWTVerifier(
            presentation, lambda iss, header: issuer_public, AUD, NONCE
        ).get_verified_payload()

    return {"issue": issue, "present": present, "verify": verify}


def floor(
    issuer_key: ec.EllipticCurvePrivateKey, holder_key: ec.EllipticCurvePrivateKey
) -> Callable[[], object]:
    """The two ES256 verifications (issuer JWT, KB-JWT) every SD-JWT VC verification needs."""
    data_1, data_2 = os.urandom(700), os.urandom(200)
    sig_1, sig_2 = Algorithm.ES256.sign(issuer_key, data_1), Algorithm.ES256.sign(holder_key, data_2)
    issuer_public, holder_public = issuer_key.public_key(), holder_key.public_key()

    def two_verifies() -> None:
        Algorithm.ES256.verify(issuer_public, data_1, sig_1)
        Algorithm.ES256.verify(holder_public, data_2, sig_2)

    return two_verifies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the figures are stated

    issuer_key, holder_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    cert = leaf_certificate(issuer_key)
    mine, theirs = ours(issuer_key, holder_key, cert), peer(issuer_key, holder_key, cert)
    result: dict[str, float] = {}
    for name in ("issue", "present", "verify"):
        result[f"sdjwt_{name}_ours_per_s"] = round(measure(mine[name], args.seconds, args.runs), 1)
        result[f"sdjwt_{name}_peer_per_s"] = round(measure(theirs[name], args.seconds, args.runs), 1)
        result[f"sdjwt_{name}_ratio"] = round(
            result[f"sdjwt_{name}_ours_per_s"] / result[f"sdjwt_{name}_peer_per_s"], 2
        )
        print(
            f"sd-jwt vc {name:8s} ours {result[f'sdjwt_{name}_ours_per_s']:9.1f}/s  "
            f"peer {result[f'sdjwt_{name}_peer_per_s']:9.1f}/s  ratio {result[f'sdjwt_{name}_ratio']:.2f}"
        )
    result["es256_two_verifies_per_s"] = round(
        measure(floor(issuer_key, holder_key), args.seconds, args.runs), 1
    )
    result["sdjwt_verify_floor_share"] = round(
        result["sdjwt_verify_ours_per_s"] / result["es256_two_verifies_per_s"], 2
    )
    print(
        f"floor (two ES256 verifies) {result['es256_two_verifies_per_s']:.1f}/s; "
        f"our verify reaches {result['sdjwt_verify_floor_share']:.2f} of it"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
