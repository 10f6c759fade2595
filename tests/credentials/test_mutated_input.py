"""Bad input of every kind gets a typed error. Valid credentials, responses and status lists are
changed, before their signatures and after them (the changed content signed again, so that every check
behind a signature is reached), and each must verify or fail with an ``EudiError``:

- seeded random byte changes of the encoded forms;
- every place (member, element, down to four levels) given every value of a list of oddities: wrong
  types, numbers beyond a double, a bignum of 4,800 digits, tags, a date no calendar holds.

Fuzzing found NumericDates beyond a double and bignums in error messages that escaped as
OverflowError and ValueError; the second kind of run finds each of them again on the code before its
fix.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import cbor2
import pytest

from common.errors import CryptoError, EudiError
from common.jose import Algorithm, b64url_decode, b64url_encode, public_jwk
from credentials import cbor, cose, mdoc
from credentials.sdjwt import KeyBindingCheck, digest
from credentials.sdjwt_vc import issue_sd_jwt_vc, present_sd_jwt_vc, verify_sd_jwt_vc
from credentials.status_list import StatusList, status_list_jwt, verify_status_list_jwt
from credentials.status_list_cwt import status_list_cwt, verify_status_list_cwt
from tests.credentials.mdoc_support import DOCTYPE, NS, T0, make_pki
from tests.credentials.mdoc_support import NOW as MDOC_NOW
from tests.credentials.support import HOLDER_KEY, ISSUER_KEY, NOW, seeded

RUNS = 400
_INTERESTING = bytes.fromhex(
    "00 01 17 18 19 1a 1b 1f 20 3b 40 5b 5f 60 7b 7f 80 9b 9f a0 bb bf c0 c2 d8 d9 f4 f6 f9 fb ff"
)
_JSON_INTERESTING = [
    b"null",
    b"true",
    b"-1",
    b"1e400",
    b"1" * 400,
    b"[]",
    b"{}",
    b'"\\ud800"',
    b"[[[[[[",
    b'"',
    b",",
]


def _mutate(data: bytes, rng: random.Random, pieces: list[bytes]) -> bytes:
    """One to three changes: a byte replaced, inserted or removed, a run duplicated or cut, a piece
    (a CBOR head, a JSON value) inserted."""
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(6)
        if kind == 0 and at < len(data):
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        elif kind == 1:
            data = data[:at] + bytes([rng.choice(_INTERESTING)]) + data[at:]
        elif kind == 2:
            data = data[:at] + data[at + rng.randint(1, 8) :]
        elif kind == 3:
            end = min(len(data), at + rng.randint(1, 16))
            data = data[:end] + data[at:end] * rng.randint(1, 4) + data[end:]
        elif kind == 4:
            data = data[:at] + rng.choice(pieces) + data[at:]
        else:
            data = data[:at]
    return data


def _only_typed_errors(
    verify: Callable[[bytes], object], seed: bytes, pieces: list[bytes], salt: int
) -> None:
    rng = random.Random(salt)
    for _ in range(RUNS):
        mutated = _mutate(seed, rng, pieces)
        try:
            verify(mutated)
        except EudiError:
            pass
        except Exception as exc:  # pragma: no cover - what the test is for
            pytest.fail(f"{type(exc).__name__}: {exc} on {mutated!r}")


def _paths(value: Any, depth: int = 4) -> list[tuple[Any, ...]]:
    """Every place in ``value`` down to ``depth``: map keys and array indexes."""
    if depth == 0:
        return []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list | tuple):
        children = list(enumerate(value))
    else:
        return []
    return [(key, *rest) for key, child in children for rest in [(), *_paths(child, depth - 1)]]


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = _copy(value)
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copy


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(child) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(child) for child in value]
    return value


def _every_place_every_oddity(verify: Callable[[Any], object], value: Any, oddities: list[Any]) -> int:
    """``verify`` of ``value`` with each oddity put in each place: verified, or a typed error."""
    cases = 0
    for path in _paths(value):
        for oddity in oddities:
            cases += 1
            try:
                verify(_replaced(value, path, oddity))
            except EudiError:
                pass
            except Exception as exc:  # pragma: no cover - what the test is for
                pytest.fail(f"{type(exc).__name__}: {exc} with {oddity!r:.80} at {path}")
    return cases


JSON_ODDITIES: list[Any] = [
    None,
    True,
    -1,
    0,
    1.5,
    10**400,
    1e300,
    "",
    "é",
    [],
    {},
    [[[]]],
    {"_sd": [1]},
    {"...": "x"},
]
CBOR_ODDITIES: list[Any] = [
    None,
    True,
    -1,
    2**64 - 1,
    -(2**64),
    1.5,
    float("nan"),
    b"",
    "",
    [],
    {},
    [None] * 3,
    {1: {}},
    cbor2.CBORTag(2, b"\x01" * 2000),  # a bignum of 4,800 digits
    cbor2.CBORTag(24, b"\xa0"),
    cbor2.CBORTag(0, "0001-01-01T00:00:00+14:00"),
    cbor2.CBORTag(1004, "2026-01-01"),
    cbor2.CBORTag(1, 10**20),
]


# --- SD-JWT VC -------------------------------------------------------------------------------------

AUD, NONCE = "x509_san_dns:verifier.example", "n-0S6_WzA2Mj"
PID = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "address": {"locality": "Berlin"},
    "nationalities": ["DE"],
}


def _presentation() -> str:
    issued = issue_sd_jwt_vc(
        PID,
        vct="urn:eudi:pid:1",
        issuer="https://pid.example",
        signing_key=ISSUER_KEY,
        x5c=[],
        holder_jwk=public_jwk(HOLDER_KEY),
        iat=NOW - 60,
        exp=NOW + 86400,
        status={"status_list": {"idx": 7, "uri": "https://pid.example/status/1"}},
        rng=seeded(),
    )
    paths = [("given_name",), ("address", "locality"), ("nationalities", 0)]
    return present_sd_jwt_vc(issued, paths, holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)


def _verify_sd_jwt(text: bytes) -> object:
    return verify_sd_jwt_vc(
        text.decode("latin-1"),
        resolve_issuer_key=lambda header, payload: ISSUER_KEY.public_key(),
        now=NOW,
        key_binding=KeyBindingCheck(audience=AUD, nonce=NONCE, now=NOW),
        vct_values=("urn:eudi:pid:1",),
    )


def _resigned(jwt: str, key: Any, change: Callable[[bytes], bytes]) -> str:
    """``jwt`` with its header and payload changed as JSON text, and signed again by ``key``."""
    header, payload, _ = jwt.split(".")
    body = change(b64url_decode(header) + b"." + b64url_decode(payload))
    new_header, _, new_payload = body.partition(b".")
    signing_input = b64url_encode(new_header) + "." + b64url_encode(new_payload)
    return signing_input + "." + b64url_encode(Algorithm.ES256.sign(key, signing_input.encode("ascii")))


def test_a_mutated_sd_jwt_presentation_gets_a_typed_error() -> None:
    presentation = _presentation()
    assert _verify_sd_jwt(presentation.encode())
    _only_typed_errors(_verify_sd_jwt, presentation.encode(), [b"~", b".", b"~~", b"eyJ", b"{"], 1)


def test_an_issuer_signed_jwt_changed_and_signed_again_gets_a_typed_error() -> None:
    presentation = _presentation()
    jwt, rest = presentation.split("~", 1)
    rng = random.Random(2)

    def verify(body: bytes) -> object:
        signed = _resigned(jwt, ISSUER_KEY, lambda _: body)
        text = signed + "~" + rest
        # the KB-JWT's sd_hash covers the Issuer-signed JWT: bound again, or only it would fail
        presented = text[: text.rindex("~") + 1]
        kb = _resigned(rest.rsplit("~", 1)[1], HOLDER_KEY, lambda body: _rebind(body, presented))
        return _verify_sd_jwt((presented + kb).encode())

    header, payload, _ = jwt.split(".")
    original = b64url_decode(header) + b"." + b64url_decode(payload)
    assert verify(original)
    _only_typed_errors(verify, original, _JSON_INTERESTING, rng.randrange(1 << 30))


def test_a_disclosure_changed_and_signed_again_gets_a_typed_error() -> None:
    presentation = _presentation()
    jwt, *disclosures, kb = presentation.split("~")

    def verify(content: bytes) -> object:
        changed = b64url_encode(content)
        old_digest, new_digest = digest(disclosures[0]).encode(), digest(changed).encode()
        signed = _resigned(jwt, ISSUER_KEY, lambda body: body.replace(old_digest, new_digest))
        presented = "~".join([signed, changed, *disclosures[1:]]) + "~"
        bound = _resigned(kb, HOLDER_KEY, lambda body: _rebind(body, presented))
        return _verify_sd_jwt((presented + bound).encode())

    original = b64url_decode(disclosures[0])
    assert verify(original)
    _only_typed_errors(verify, original, _JSON_INTERESTING, 3)


def test_a_key_binding_jwt_changed_and_signed_again_gets_a_typed_error() -> None:
    presentation = _presentation()
    presented, kb = presentation[: presentation.rindex("~") + 1], presentation.rsplit("~", 1)[1]
    header, payload, _ = kb.split(".")
    original = b64url_decode(header) + b"." + b64url_decode(payload)

    def verify(body: bytes) -> object:
        return _verify_sd_jwt((presented + _resigned(kb, HOLDER_KEY, lambda _: body)).encode())

    assert verify(original)
    _only_typed_errors(verify, original, _JSON_INTERESTING, 4)


def _rebind(kb_body: bytes, presented: str) -> bytes:
    header, _, payload = kb_body.partition(b".")
    claims = json.loads(payload)
    claims["sd_hash"] = digest(presented)
    return header + b"." + json.dumps(claims, separators=(",", ":")).encode()


# --- mdoc -------------------------------------------------------------------------------------------

_CBOR_PIECES = [bytes([b]) for b in _INTERESTING] + [
    cbor2.dumps(value)
    for value in (
        cbor2.CBORTag(2, b"\x01" * 600),
        cbor2.CBORTag(35, "(a)" * 50),
        {(1, 2): 3},
        [None] * 30,
        2**64 - 1,
        -1.5,
        "é",
    )
]
PKI = make_pki()


def _validate_chain(chain: Any) -> Any:
    """The test PKI's chain check, with the typed error a trust list's gives."""
    try:
        return PKI.validate_chain(chain)
    except ValueError as exc:
        raise CryptoError(f"untrusted: {exc}") from exc


def test_a_mutated_device_response_gets_a_typed_error() -> None:
    transcript = mdoc.openid4vp_session_transcript(
        client_id=AUD, nonce=NONCE, jwk_thumbprint=None, response_uri="https://verifier.example/post"
    )
    response = mdoc.device_response([(PKI.issue(), PKI.device_key, DOCTYPE)], session_transcript=transcript)

    def verify(data: bytes) -> object:
        return mdoc.verify_device_response(
            data, session_transcript=transcript, now=MDOC_NOW, validate_chain=_validate_chain
        )

    assert verify(response)
    _only_typed_errors(verify, response, _CBOR_PIECES, 5)


def _with_mso(issued: bytes, mso_bytes: bytes) -> bytes:
    obj = cbor2.loads(issued)
    signed = cose.sign1(cbor.wrapped24(mso_bytes), PKI.ds_key, unprotected=obj["issuerAuth"][1])
    obj["issuerAuth"] = cbor2.loads(signed).value
    return cbor2.dumps(obj)


def _verify_issuer_signed(data: bytes) -> object:
    return mdoc.verify_issuer_signed(data, doctype=DOCTYPE, now=MDOC_NOW, validate_chain=_validate_chain)


def test_an_mso_changed_and_signed_again_gets_a_typed_error() -> None:
    issued = PKI.issue()
    mso_bytes = cbor2.loads(cbor2.loads(issued)["issuerAuth"][2]).value
    assert _verify_issuer_signed(_with_mso(issued, mso_bytes))
    _only_typed_errors(lambda mso: _verify_issuer_signed(_with_mso(issued, mso)), mso_bytes, _CBOR_PIECES, 6)


def test_an_issuer_signed_item_changed_and_signed_again_gets_a_typed_error() -> None:
    issued = PKI.issue(valid_until=T0 + timedelta(days=300))
    obj = cbor2.loads(issued)
    item = obj["nameSpaces"][NS][0].value
    digest_id = cbor2.loads(item)["digestID"]
    mso = cbor2.loads(cbor2.loads(obj["issuerAuth"][2]).value)

    def verify(content: bytes) -> object:
        tag = cbor2.CBORTag(24, content)
        obj["nameSpaces"][NS][0] = tag
        mso["valueDigests"][NS][digest_id] = hashlib.sha256(cbor2.dumps(tag)).digest()
        return _verify_issuer_signed(_with_mso(cbor2.dumps(obj), cbor2.dumps(mso)))

    assert verify(item)
    _only_typed_errors(verify, item, _CBOR_PIECES, 7)


# --- status lists -----------------------------------------------------------------------------------

URI = "https://pid.example/status/1"


def test_a_status_list_jwt_changed_and_signed_again_gets_a_typed_error() -> None:
    token = status_list_jwt(
        StatusList.new(64, 2), uri=URI, key=ISSUER_KEY, x5c=[], iat=NOW, exp=NOW + 600, ttl=300
    )
    header, payload, _ = token.split(".")

    def verify(body: bytes) -> object:
        return verify_status_list_jwt(
            _resigned(token, ISSUER_KEY, lambda _: body),
            uri=URI,
            now=NOW,
            resolve_key=lambda h: ISSUER_KEY.public_key(),
        )

    original = b64url_decode(header) + b"." + b64url_decode(payload)
    assert verify(original)
    _only_typed_errors(verify, original, _JSON_INTERESTING, 8)


def test_a_status_list_cwt_changed_and_signed_again_gets_a_typed_error() -> None:
    token = status_list_cwt(
        StatusList.new(64, 2), uri=URI, key=ISSUER_KEY, x5c=[], iat=NOW, exp=NOW + 600, ttl=300
    )
    message = cbor2.loads(token).value

    def verify(claims: bytes) -> object:
        signed = cose.sign1(claims, ISSUER_KEY, protected=cbor2.loads(message[0]), unprotected=message[1])
        return verify_status_list_cwt(signed, uri=URI, now=NOW, resolve_key=lambda h: ISSUER_KEY.public_key())

    assert verify(message[2])
    _only_typed_errors(verify, message[2], _CBOR_PIECES, 9)
    _only_typed_errors(
        lambda data: verify_status_list_cwt(
            data, uri=URI, now=NOW, resolve_key=lambda h: ISSUER_KEY.public_key()
        ),
        token,
        _CBOR_PIECES,
        10,
    )


# --- every place, every oddity ----------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_every_claim_of_an_issuer_signed_jwt_and_its_key_binding_takes_any_value_with_a_typed_error() -> None:
    presentation = _presentation()
    jwt, *disclosures, kb = presentation.split("~")
    header, payload = (json.loads(b64url_decode(part)) for part in jwt.split(".")[:2])
    kb_header, kb_payload = (json.loads(b64url_decode(part)) for part in kb.split(".")[:2])

    def present(issuer_header: Any, issuer_payload: Any, kb_claims: Any) -> object:
        body = _json(issuer_header) + b"." + _json(issuer_payload)
        presented = "~".join([_resigned(jwt, ISSUER_KEY, lambda _: body), *disclosures]) + "~"
        kb_body = _json(kb_header) + b"." + _json(kb_claims)
        bound = _resigned(
            kb, HOLDER_KEY, lambda _: _rebind(kb_body, presented) if isinstance(kb_claims, dict) else kb_body
        )
        return _verify_sd_jwt((presented + bound).encode())

    assert present(header, payload, kb_payload)
    cases = _every_place_every_oddity(
        lambda changed: present(header, changed, kb_payload), payload, JSON_ODDITIES
    )
    cases += _every_place_every_oddity(
        lambda changed: present(changed, payload, kb_payload), header, JSON_ODDITIES
    )
    cases += _every_place_every_oddity(
        lambda changed: present(header, payload, changed), kb_payload, JSON_ODDITIES
    )
    assert cases > 300


def test_every_place_of_a_disclosure_takes_any_value_with_a_typed_error() -> None:
    presentation = _presentation()
    jwt, *disclosures, kb = presentation.split("~")
    # the address Disclosure: an object holding the digest of its locality
    address = next(d for d in disclosures if b'"address"' in b64url_decode(d))

    def verify(content: Any) -> object:
        changed = b64url_encode(_json(content))
        old, new = digest(address).encode(), digest(changed).encode()
        signed = _resigned(jwt, ISSUER_KEY, lambda body: body.replace(old, new))
        presented = "~".join([signed, *(changed if d == address else d for d in disclosures)]) + "~"
        return _verify_sd_jwt(
            (presented + _resigned(kb, HOLDER_KEY, lambda body: _rebind(body, presented))).encode()
        )

    original = json.loads(b64url_decode(address))
    assert verify(original)
    assert _every_place_every_oddity(verify, original, JSON_ODDITIES) > 50


def test_every_claim_of_a_status_list_jwt_takes_any_value_with_a_typed_error() -> None:
    token = status_list_jwt(
        StatusList.new(64, 2), uri=URI, key=ISSUER_KEY, x5c=[], iat=NOW, exp=NOW + 600, ttl=300
    )
    header, claims = (json.loads(b64url_decode(part)) for part in token.split(".")[:2])

    def verify(changed: Any) -> object:
        signed = _resigned(token, ISSUER_KEY, lambda _: _json(header) + b"." + _json(changed))
        return verify_status_list_jwt(signed, uri=URI, now=NOW, resolve_key=lambda h: ISSUER_KEY.public_key())

    assert verify(claims)
    assert _every_place_every_oddity(verify, claims, JSON_ODDITIES) > 50


def test_every_place_of_an_mso_and_an_item_takes_any_value_with_a_typed_error() -> None:
    issued = PKI.issue()
    obj = cbor2.loads(issued)
    mso = cbor2.loads(cbor2.loads(obj["issuerAuth"][2]).value)
    assert (
        _every_place_every_oddity(
            lambda changed: _verify_issuer_signed(_with_mso(issued, cbor2.dumps(changed))), mso, CBOR_ODDITIES
        )
        > 300
    )

    item = cbor2.loads(obj["nameSpaces"][NS][0].value)

    def verify(changed: Any) -> object:
        tag = cbor2.CBORTag(24, cbor2.dumps(changed))
        names = {**obj["nameSpaces"], NS: [tag, *obj["nameSpaces"][NS][1:]]}
        digests = {**mso["valueDigests"][NS], item["digestID"]: hashlib.sha256(cbor2.dumps(tag)).digest()}
        signed_mso = {**mso, "valueDigests": {**mso["valueDigests"], NS: digests}}
        return _verify_issuer_signed(
            _with_mso(cbor2.dumps({**obj, "nameSpaces": names}), cbor2.dumps(signed_mso))
        )

    assert verify(item)
    assert _every_place_every_oddity(verify, item, CBOR_ODDITIES) > 50


def test_every_place_of_a_device_response_takes_any_value_with_a_typed_error() -> None:
    transcript = mdoc.openid4vp_session_transcript(
        client_id=AUD, nonce=NONCE, jwk_thumbprint=None, response_uri="https://verifier.example/post"
    )
    response = cbor2.loads(
        mdoc.device_response([(PKI.issue(), PKI.device_key, DOCTYPE)], session_transcript=transcript)
    )

    def verify(changed: Any) -> object:
        return mdoc.verify_device_response(
            cbor2.dumps(changed), session_transcript=transcript, now=MDOC_NOW, validate_chain=_validate_chain
        )

    assert verify(response)
    assert _every_place_every_oddity(verify, response, CBOR_ODDITIES) > 100


def test_every_claim_and_header_of_a_status_list_cwt_takes_any_value_with_a_typed_error() -> None:
    token = status_list_cwt(
        StatusList.new(64, 2), uri=URI, key=ISSUER_KEY, x5c=[], iat=NOW, exp=NOW + 600, ttl=300
    )
    protected, unprotected, payload, _ = cbor2.loads(token).value
    claims, headers = cbor2.loads(payload), cbor2.loads(protected)

    def verify(new_claims: Any, new_headers: Any) -> object:
        message = list(
            cbor2.loads(cose.sign1(cbor2.dumps(new_claims), ISSUER_KEY, unprotected=unprotected)).value
        )
        message[0] = cbor2.dumps(new_headers)  # the protected headers as given, signed again
        structure = cbor2.dumps(["Signature1", message[0], b"", message[2]])
        message[3] = Algorithm.ES256.sign(ISSUER_KEY, structure)
        return verify_status_list_cwt(
            cbor2.dumps(cbor2.CBORTag(18, message)),
            uri=URI,
            now=NOW,
            resolve_key=lambda h: ISSUER_KEY.public_key(),
        )

    assert verify(claims, headers)
    cases = _every_place_every_oddity(lambda changed: verify(changed, headers), claims, CBOR_ODDITIES)
    cases += _every_place_every_oddity(lambda changed: verify(claims, changed), headers, CBOR_ODDITIES)
    assert cases > 100
