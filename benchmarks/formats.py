"""Credential-format throughput, ours against the peers, in one run on one core.

Both sides get the same claims, the same keys and the same certificates (a throwaway IACA and, under
it, the document signer that also signs the SD-JWT VCs), and do the whole operation inside the timing:

- SD-JWT VC PID (12 selectively disclosable claims, ``typ`` ``dc+sd-jwt``, ``x5c``, ``cnf``) against
  PyPI ``sd-jwt``:
  - issue: salts, Disclosures, digests, the signed Issuer-signed JWT with ``x5c``, serialized;
  - present: parse the issued SD-JWT, keep 3 Disclosures, sign a KB-JWT (``aud``, ``nonce``,
    ``sd_hash``, ``iat``), serialized;
  - verify: parse, issuer signature with the key a resolver returns (the same ready key object on
    both sides), every digest, the KB-JWT signature with the key built from ``cnf.jwk``, its
    ``aud``, ``nonce`` and ``sd_hash``. Ours also checks ``typ``, ``exp``/``nbf``/``iat``, the KB-JWT
    ``iat`` window, ``vct`` and the never-disclosable claims; the peer does not.
- floor: the two bare ES256 verifications (issuer JWT, KB-JWT, ready key objects) that an SD-JWT VC
  verification cannot avoid; ``sdjwt_verify_floor_share`` is our verify rate over this one. Beside it,
  the same two with the KB-JWT key built from its JWK each time, as a verifier must from ``cnf.jwk``
  (``sdjwt_verify_share_of_verifies_key_from_jwk``): in cryptography the import and the first use of a
  new key cost about 130K instructions, a sixth of a P-256 verification.
- mdoc PID (12 elements, doctype and namespace ``eu.europa.ec.eudi.pid.1``) against PyPI
  ``pymdoccbor``:
  - issue: random salts, the tag-24 IssuerSignedItems and their digests, the MSO signed as
    COSE_Sign1 with the document signer in ``x5chain``, CBOR-encoded (ours
    :func:`credentials.mdoc.issue_mdoc`; the peer ``MdocCborIssuer.new`` and ``cbor2.dumps`` of its
    IssuerSigned);
  - verify, of the same DeviceResponse bytes (ours, holding all 12 elements and a deviceSignature):
    the x5chain's leaf checked against the IACA (signature and validity, the same check on both
    sides), the issuerAuth signature, every element digest. Ours
    (:func:`credentials.mdoc.verify_device_response`, including the OpenID4VP SessionTranscript it
    is given) also checks the deviceSignature by the MSO deviceKey, the docType, the MSO validity
    and keyAuthorizations, and decodes under strict bounds; the peer skips those.

Rounds: ``--runs`` of them (default 21), each running every operation once for ``--seconds`` (default
0.15), each of ours next to what it is compared with. An absolute figure (ops/s) is the median of its
runs. A ratio is paired: the median, over the rounds, of the ratio within each round. On a shared
machine a slow spell lasts a second or two and does not slow every kind of code alike (it may hit
OpenSSL's arithmetic and not the interpreter, or the reverse), so a ratio of two medians can pair a
quiet run of one side with a slow one of the other; the two runs of one round see the same machine.
The last line printed is one JSON object with the ratios (ours / peer) and the absolute ops/s beside
them.

    .venv/bin/python benchmarks/formats.py [--runs 21] [--seconds 0.15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.jose import Algorithm, b64url_encode, public_jwk, public_key_from_jwk
from credentials import cose, mdoc
from credentials.catalog.pid import PID_DOCTYPE, pid_mdoc_elements
from credentials.sdjwt import KeyBindingCheck
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc, verify_sd_jwt_vc

NOW = int(time.time())
VCT = "urn:eudi:pid:1"
ISSUER = "https://pid.example.nl"
AUD = "x509_san_dns:verifier.example"
NONCE = "bench-nonce-0123456789"
RESPONSE_URI = "https://verifier.example/response"
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
PID_RECORD = {
    "family_name": "Visser",
    "given_name": "Sophie",
    "birthdate": "1990-11-05",
    "place_of_birth": {"locality": "Amsterdam", "country": "NL"},
    "nationalities": ["NL"],
    "address": {
        "street_address": "Lindenlaan 12",
        "locality": "Amsterdam",
        "postal_code": "1011 AB",
        "country": "NL",
    },
    "date_of_expiry": "2031-01-01",
    "issuing_authority": "Demo PID Provider NL",
    "issuing_country": "NL",
}
"""The same person as :data:`PID`, as the rulebook's claims, from which the 12 mdoc elements come."""

Operation = Callable[[], object]


def rate(operation: Operation, seconds: float) -> float:
    """ops/s of ``operation`` run back to back for about ``seconds``."""
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        operation()
        count += 1
        if count % 8 == 0 and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - started)


def measure_all(operations: dict[str, Operation], seconds: float, runs: int) -> dict[str, list[float]]:
    """ops/s of every operation in each of ``runs`` rounds (in the order given), after a warm-up round."""
    for operation in operations.values():
        rate(operation, min(seconds, 0.1))
    rates: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(runs):
        for name, operation in operations.items():
            rates[name].append(rate(operation, seconds))
    return rates


def paired_ratio(ours: Sequence[float], other: Sequence[float]) -> float:
    """The median over the rounds of ``ours / other`` within each round."""
    return statistics.median(a / b for a, b in zip(ours, other, strict=True))


@dataclass(frozen=True)
class Pki:
    """A throwaway IACA and its document signer (which also signs the SD-JWT VCs); a holder key."""

    iaca: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey
    signer: x509.Certificate
    holder_key: ec.EllipticCurvePrivateKey

    def validate_chain(self, chain: Sequence[x509.Certificate]) -> x509.Certificate:
        """What the peer does with its ``trusted_root_certs``: the leaf is signed by the anchor and
        valid now."""
        leaf = chain[0]
        leaf.verify_directly_issued_by(self.iaca)
        now = datetime.now(UTC)
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise ValueError("document signer certificate not valid now")
        return leaf


def make_pki() -> Pki:
    now = datetime.now(UTC)
    iaca_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    iaca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench PID IACA")])
    signer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench PID Issuer")])

    def certificate(
        subject: x509.Name, key: ec.EllipticCurvePrivateKey, ca: bool, days: int
    ) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(iaca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .sign(iaca_key, hashes.SHA256())
        )

    return Pki(
        iaca=certificate(iaca_name, iaca_key, True, 3650),
        signer_key=signer_key,
        signer=certificate(signer_name, signer_key, False, 400),
        holder_key=ec.generate_private_key(ec.SECP256R1()),
    )


# --- SD-JWT VC --------------------------------------------------------------------------------------


def sdjwt_ours(pki: Pki) -> dict[str, Operation]:
    holder_jwk = public_jwk(pki.holder_key)

    def issue() -> str:
        return issue_sd_jwt_vc(
            PID,
            vct=VCT,
            issuer=ISSUER,
            signing_key=pki.signer_key,
            x5c=[pki.signer],
            holder_jwk=holder_jwk,
            iat=NOW,
            exp=NOW + 86400,
        )

    issued = issue()
    paths = [(name,) for name in DISCLOSE]

    def present() -> str:
        return present_sd_jwt_vc(issued, paths, holder_key=pki.holder_key, audience=AUD, nonce=NONCE, iat=NOW)

    presentation = present()
    public = pki.signer_key.public_key()

    def verify() -> object:
        return verify_sd_jwt_vc(
            presentation,
            resolve_issuer_key=lambda header, payload: public,
            now=NOW,
            key_binding=KeyBindingCheck(audience=AUD, nonce=NONCE, now=NOW),
            vct_values=(VCT,),
        )

    verified = verify()
    assert set(verified.claims) == set(DISCLOSE), verified.claims  # type: ignore[attr-defined]
    return {"issue": issue, "present": present, "verify": verify}


def sdjwt_peer(pki: Pki) -> dict[str, Operation]:
    import base64

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
        jwk(pki.signer_key, True),
        jwk(pki.holder_key, True),
        jwk(pki.holder_key, False),
    )
    issuer_public = jwk(pki.signer_key, False)
    x5c = [base64.b64encode(pki.signer.public_bytes(serialization.Encoding.DER)).decode()]
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

    verified = verify()
    assert all(name in verified for name in DISCLOSE), verified  # type: ignore[operator]
    return {"issue": issue, "present": present, "verify": verify}


def sdjwt_floor(pki: Pki, *, holder_key_from_jwk: bool = False) -> Operation:
    """The two ES256 verifications (issuer JWT, KB-JWT) every SD-JWT VC verification needs, with ready
    key objects; with ``holder_key_from_jwk``, the KB-JWT's key is built from its JWK for each
    verification, as a verifier must from ``cnf.jwk`` (an extra figure, not the floor of the targets)."""
    data_1, data_2 = os.urandom(1700), os.urandom(200)
    sig_1, sig_2 = Algorithm.ES256.sign(pki.signer_key, data_1), Algorithm.ES256.sign(pki.holder_key, data_2)
    issuer_public, holder_public = pki.signer_key.public_key(), pki.holder_key.public_key()
    holder_jwk = public_jwk(pki.holder_key)

    def two_verifies() -> None:
        Algorithm.ES256.verify(issuer_public, data_1, sig_1)
        Algorithm.ES256.verify(holder_public, data_2, sig_2)

    def two_verifies_holder_key_from_jwk() -> None:
        Algorithm.ES256.verify(issuer_public, data_1, sig_1)
        Algorithm.ES256.verify(public_key_from_jwk(holder_jwk), data_2, sig_2)

    return two_verifies_holder_key_from_jwk if holder_key_from_jwk else two_verifies


# --- mdoc -------------------------------------------------------------------------------------------


def mdoc_elements() -> dict[str, Any]:
    elements = pid_mdoc_elements(PID_RECORD)
    assert len(elements) == 12, sorted(elements)
    return elements


def session_transcript() -> list[Any]:
    return mdoc.openid4vp_session_transcript(
        client_id=AUD, nonce=NONCE, jwk_thumbprint=None, response_uri=RESPONSE_URI
    )


def mdoc_ours(pki: Pki) -> tuple[dict[str, Operation], bytes]:
    """Ours, and the DeviceResponse (all 12 elements, deviceSignature) that both sides verify."""
    elements = mdoc_elements()
    device_key = pki.holder_key.public_key()
    signed = datetime.now(UTC) - timedelta(minutes=5)

    def issue() -> bytes:
        return mdoc.issue_mdoc(
            PID_DOCTYPE,
            {PID_DOCTYPE: elements},
            signing_key=pki.signer_key,
            x5chain=[pki.signer],
            device_key=device_key,
            signed=signed,
            valid_from=signed,
            valid_until=signed + timedelta(days=365),
        )

    response = mdoc.device_response(
        [(issue(), pki.holder_key, PID_DOCTYPE)], session_transcript=session_transcript()
    )

    def verify() -> object:
        return mdoc.verify_device_response(
            response,
            session_transcript=session_transcript(),
            now=datetime.now(UTC),
            validate_chain=pki.validate_chain,
            doctypes=(PID_DOCTYPE,),
        )

    [document] = verify()  # type: ignore[misc]
    assert len(document.namespaces[PID_DOCTYPE]) == 12
    return {"issue": issue, "verify": verify}, response


def mdoc_peer(pki: Pki, response: bytes) -> dict[str, Operation]:
    import cbor2
    from pymdoccbor.mdoc.issuer import MdocCborIssuer
    from pymdoccbor.mdoc.verifier import MdocCbor

    numbers = pki.signer_key.private_numbers()
    private_key = {
        "KTY": "EC2",
        "CURVE": "P_256",
        "ALG": "ES256",
        "D": numbers.private_value.to_bytes(32, "big"),
        "X": numbers.public_numbers.x.to_bytes(32, "big"),
        "Y": numbers.public_numbers.y.to_bytes(32, "big"),
    }
    device = cose.cose_key_from_public(pki.holder_key.public_key())
    device_key_info = {"KTY": "EC2", "CURVE": "P_256", "X": device[-2], "Y": device[-3]}
    today = datetime.now(UTC).date()
    validity = {"issuance_date": today.isoformat(), "expiry_date": (today + timedelta(days=365)).isoformat()}

    def elements() -> dict[str, Any]:
        # the peer tags its date elements itself (tag 1004 around the ISO text, as ours encodes a
        # date), so it gets the text; it also writes into nested maps, so each call gets its own copy
        return {
            name: value.isoformat() if isinstance(value, date) else json.loads(json.dumps(value))
            for name, value in mdoc_elements().items()
        }

    def issue() -> bytes:
        issuer = MdocCborIssuer(private_key=private_key, alg="ES256")
        issued = issuer.new(
            data={PID_DOCTYPE: elements()},
            doctype=PID_DOCTYPE,
            validity=validity,
            devicekeyinfo=device_key_info,
            x509_chain=[pki.signer],
        )
        return cbor2.dumps(issued["documents"][0]["issuerSigned"])

    issue()
    anchors = [pki.iaca]

    def verify() -> object:
        verifier = MdocCbor()
        verifier.loads(response)
        if not verifier.verify(trusted_root_certs=anchors, verify_hashes=True):
            raise AssertionError("the peer refused the DeviceResponse")
        return verifier.disclosure_map

    assert len(verify()[PID_DOCTYPE]) == 12  # type: ignore[index]
    return {"issue": issue, "verify": verify}


# --- the run ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--seconds", type=float, default=0.15)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the figures are stated

    pki = make_pki()
    sdjwt, peer = sdjwt_ours(pki), sdjwt_peer(pki)
    mine, response = mdoc_ours(pki)
    mdoc_peers = mdoc_peer(pki, response)
    # each of ours next to what it is compared with (our verify between the floor and the peer), so
    # that a pair sees the same machine
    operations: dict[str, Operation] = {}
    for name in ("issue", "present", "verify"):
        if name == "verify":
            operations["es256_two_verifies_key_from_jwk"] = sdjwt_floor(pki, holder_key_from_jwk=True)
            operations["es256_two_verifies"] = sdjwt_floor(pki)
        operations[f"sdjwt_{name}_ours"], operations[f"sdjwt_{name}_peer"] = sdjwt[name], peer[name]
    for name in ("issue", "verify"):
        operations[f"mdoc_{name}_ours"], operations[f"mdoc_{name}_peer"] = mine[name], mdoc_peers[name]

    rates = measure_all(operations, args.seconds, args.runs)
    result: dict[str, float] = {}
    for fmt, names in (("sdjwt", ("issue", "present", "verify")), ("mdoc", ("issue", "verify"))):
        for name in names:
            ours, other = rates[f"{fmt}_{name}_ours"], rates[f"{fmt}_{name}_peer"]
            ratio = paired_ratio(ours, other)
            result[f"{fmt}_{name}_ours_per_s"] = round(statistics.median(ours), 1)
            result[f"{fmt}_{name}_peer_per_s"] = round(statistics.median(other), 1)
            result[f"{fmt}_{name}_ratio"] = round(ratio, 2)
            print(
                f"{fmt:5s} {name:8s} ours {statistics.median(ours):9.1f}/s  "
                f"peer {statistics.median(other):9.1f}/s  ratio {ratio:.2f}"
            )
    floor = rates["es256_two_verifies"]
    result["es256_two_verifies_per_s"] = round(statistics.median(floor), 1)
    result["sdjwt_verify_floor_share"] = round(paired_ratio(rates["sdjwt_verify_ours"], floor), 2)
    from_jwk = rates["es256_two_verifies_key_from_jwk"]
    result["es256_two_verifies_key_from_jwk_per_s"] = round(statistics.median(from_jwk), 1)
    result["sdjwt_verify_share_of_verifies_key_from_jwk"] = round(
        paired_ratio(rates["sdjwt_verify_ours"], from_jwk), 2
    )
    print(
        f"floor (two ES256 verifies) {result['es256_two_verifies_per_s']:.1f}/s; "
        f"our SD-JWT VC verify reaches {result['sdjwt_verify_floor_share']:.2f} of it "
        f"({result['sdjwt_verify_share_of_verifies_key_from_jwk']:.2f} of the two with the holder key "
        "built from its JWK)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
