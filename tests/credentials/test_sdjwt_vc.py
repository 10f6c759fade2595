"""SD-JWT VC (draft -24): issuing a PID, presenting, verifying, and the profile's rejections."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_decode, public_jwk, x5c_certificates, x5c_header
from credentials.catalog.pid import PID_VCT
from credentials.errors import (
    CredentialError,
    Expired,
    ForbiddenDisclosure,
    InvalidClaims,
    InvalidKeyBinding,
    InvalidSignature,
    KeyBindingRequired,
    MalformedSdJwt,
    MissingClaim,
    NotYetValid,
    WrongType,
)
from credentials.sdjwt import SD, KeyBindingCheck, SdJwt, issue, select
from credentials.sdjwt_vc import (
    issue_sd_jwt_vc,
    present_sd_jwt_vc,
    read_issued_sd_jwt_vc,
    verify_sd_jwt_vc,
)
from tests.credentials.support import (
    HOLDER_KEY,
    ISSUER_KEY,
    NOW,
    OTHER_KEY,
    certificate_chain,
    craft,
    seeded,
)

ISSUER = "https://pid.example.nl"
AUD = "x509_san_dns:verifier.example"
NONCE = "5vMQFgxhrqzO"
CHECK = KeyBindingCheck(audience=AUD, nonce=NONCE, now=NOW)
CHAIN = certificate_chain()
PID = {
    "given_name": "Emma",
    "family_name": "de Vries",
    "birthdate": "1984-03-02",
    "place_of_birth": {"locality": "Utrecht", "country": "NL"},
    "nationalities": ["NL", "DE"],
    "address": {"street_address": "Kerkstraat", "house_number": "12", "locality": "Utrecht", "country": "NL"},
    "issuing_authority": "Demo PID Provider NL",
    "issuing_country": "NL",
    "date_of_expiry": "2031-09-21",
}


def resolve(header: Any, payload: Any) -> ec.EllipticCurvePublicKey:
    """What the verifier service does, minus the chain validation: the key of the ``x5c`` leaf."""
    key = x5c_certificates(header)[0].public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def pid(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "vct": PID_VCT,
        "issuer": ISSUER,
        "signing_key": ISSUER_KEY,
        "x5c": CHAIN,
        "holder_jwk": public_jwk(HOLDER_KEY),
        "iat": NOW - 60,
        "exp": NOW + 86400,
        "rng": seeded(),
    }
    arguments.update(overrides)
    return issue_sd_jwt_vc(PID, **arguments)


@pytest.fixture(scope="module")
def issued() -> str:
    return pid(status={"status_list": {"idx": 7, "uri": "https://pid.example.nl/status/1"}})


def payload_of(text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(b64url_decode(text.split("~")[0].split(".")[1]))
    return payload


def presented(text: str, *paths: tuple[Any, ...]) -> str:
    return present_sd_jwt_vc(text, paths, holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, iat=NOW)


def verified_claims(text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("key_binding", CHECK)
    return verify_sd_jwt_vc(text, resolve_issuer_key=resolve, now=NOW, **kwargs).claims


def test_every_subject_claim_is_disclosable_and_the_envelope_plain(issued: str) -> None:
    header = json.loads(b64url_decode(issued.split(".")[0]))
    assert header == {"alg": "ES256", "typ": "dc+sd-jwt", "x5c": x5c_header(CHAIN)}
    payload = payload_of(issued)
    assert set(payload) == {"iss", "iat", "exp", "vct", "status", "cnf", "_sd", "_sd_alg"}
    assert payload["vct"] == PID_VCT and payload["cnf"] == {"jwk": public_jwk(HOLDER_KEY)}
    names = {d.name for d in SdJwt.parse(issued).disclosures}
    assert {"street_address", "locality", "country", "birthdate"} <= names
    elements = [d.value for d in SdJwt.parse(issued).disclosures if d.name is None]
    assert elements == ["NL", "DE"]


def test_wallet_reads_what_it_received(issued: str) -> None:
    held = read_issued_sd_jwt_vc(issued, issuer_key=ISSUER_KEY.public_key(), now=NOW)
    assert held.claims == PID
    assert (held.vct, held.issuer, held.iat, held.exp) == (PID_VCT, ISSUER, NOW - 60, NOW + 86400)
    assert held.cnf_jwk == public_jwk(HOLDER_KEY)
    assert held.header["typ"] == "dc+sd-jwt" and held.raw == issued


def test_verifier_sees_only_what_was_presented(issued: str) -> None:
    text = presented(issued, ("given_name",), ("address", "locality"), ("nationalities", 1))
    result = verify_sd_jwt_vc(
        text, resolve_issuer_key=resolve, now=NOW, key_binding=CHECK, vct_values=[PID_VCT]
    )
    assert result.claims == {
        "given_name": "Emma",
        "address": {"locality": "Utrecht"},
        "nationalities": ["DE"],
    }
    assert (result.vct, result.issuer, result.iat, result.exp) == (PID_VCT, ISSUER, NOW - 60, NOW + 86400)
    assert result.status == {"status_list": {"idx": 7, "uri": "https://pid.example.nl/status/1"}}
    assert result.cnf_jwk == public_jwk(HOLDER_KEY)
    assert result.key_binding is not None and result.key_binding["aud"] == AUD
    assert result.header["x5c"] == x5c_header(CHAIN)


def test_nothing_disclosed_and_plain_claims(issued: str) -> None:
    assert verified_claims(presented(issued)) == {}
    text = pid(plain=("issuing_country", "address"), decoys=3)
    payload = payload_of(text)
    assert payload["issuing_country"] == "NL" and payload["address"] == PID["address"]
    assert verified_claims(presented(text)) == {"issuing_country": "NL", "address": PID["address"]}


def test_no_disclosable_claims_means_no_sd() -> None:
    text = pid(plain=tuple(PID), decoys=5)
    assert "_sd" not in payload_of(text) and text.count("~") == 1
    assert read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW).claims == PID


@pytest.mark.parametrize("name", ["iss", "vct", "cnf", "iat", "exp", "nbf", "status", "_sd", "aka_vcts"])
def test_subject_claims_cannot_take_registered_names(name: str) -> None:
    with pytest.raises(InvalidClaims):
        issue_sd_jwt_vc(
            {name: "x"},
            vct=PID_VCT,
            issuer=ISSUER,
            signing_key=ISSUER_KEY,
            x5c=CHAIN,
            holder_jwk=public_jwk(HOLDER_KEY),
            iat=NOW,
        )


def test_aka_vcts_are_issued_plain_and_held() -> None:
    def issued(aka_vcts: tuple[str, ...]) -> str:
        return issue_sd_jwt_vc(
            PID,
            vct="urn:eudi:pid:nl:1",
            issuer=ISSUER,
            signing_key=ISSUER_KEY,
            x5c=CHAIN,
            holder_jwk=public_jwk(HOLDER_KEY),
            iat=NOW,
            aka_vcts=aka_vcts,
        )

    text = issued((PID_VCT,))
    assert payload_of(text)["aka_vcts"] == [PID_VCT]
    held = read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW)
    assert held.vct == "urn:eudi:pid:nl:1" and held.aka_vcts == (PID_VCT,)
    for wrong in (("urn:eudi:pid:nl:1",), ("",)):
        with pytest.raises(InvalidClaims):
            issued(wrong)


# -- typ and vct (STANDARDS 3, item 2) -------------------------------------------------------------


def _vc(claims: dict[Any, Any], typ: str | None = "dc+sd-jwt", holder: bool = True) -> str:
    header: dict[str, Any] = {"x5c": x5c_header(CHAIN)}
    if typ is not None:
        header["typ"] = typ
    base = {"iss": ISSUER, "iat": NOW, "vct": PID_VCT, SD("given_name"): "Emma"}
    return issue(
        {**base, **claims},
        key=ISSUER_KEY,
        header=header,
        holder_jwk=public_jwk(HOLDER_KEY) if holder else None,
        rng=seeded(),
    )


@pytest.mark.parametrize("typ", [None, "JWT", "vc+sd-jwt", "example+sd-jwt", "text/dc+sd-jwt", "dc+sd-jwt "])
def test_wrong_typ_is_refused_before_the_resolver_runs(typ: str | None) -> None:
    def never(header: Any, payload: Any) -> ec.EllipticCurvePublicKey:
        raise AssertionError("the resolver must not run for a wrongly typed token")

    with pytest.raises(WrongType):
        verify_sd_jwt_vc(presented(_vc({}, typ)), resolve_issuer_key=never, now=NOW, key_binding=CHECK)
    with pytest.raises(WrongType):
        read_issued_sd_jwt_vc(_vc({}, typ), issuer_key=ISSUER_KEY.public_key(), now=NOW)


@pytest.mark.parametrize("typ", ["application/dc+sd-jwt", "DC+SD-JWT", "Application/Dc+Sd-Jwt"])
def test_typ_is_a_media_type(typ: str) -> None:
    # RFC 7515 section 4.1.9: "application/" may be prefixed, media types compare case-insensitively
    result = verify_sd_jwt_vc(presented(_vc({}, typ)), resolve_issuer_key=resolve, now=NOW, key_binding=CHECK)
    assert result.vct == PID_VCT
    assert read_issued_sd_jwt_vc(_vc({}, typ), issuer_key=ISSUER_KEY.public_key(), now=NOW).vct == PID_VCT


def test_legacy_typ_only_behind_the_policy_flag() -> None:
    text = presented(_vc({}, "vc+sd-jwt"))
    result = verify_sd_jwt_vc(
        text, resolve_issuer_key=resolve, now=NOW, key_binding=CHECK, accept_legacy_typ=True
    )
    assert result.vct == PID_VCT


def test_vct_must_be_present_and_asked_for() -> None:
    with pytest.raises(WrongType):
        verified_claims(presented(_vc({})), vct_values=["urn:eudi:pid:de:1"])
    aka = presented(_vc({"aka_vcts": ["urn:eudi:pid:de:1"]}))
    result = verify_sd_jwt_vc(
        aka, resolve_issuer_key=resolve, now=NOW, key_binding=CHECK, vct_values=["urn:eudi:pid:de:1"]
    )
    assert result.vct == PID_VCT and "aka_vcts" not in result.claims
    assert result.aka_vcts == ("urn:eudi:pid:de:1",)
    without = issue(
        {"iss": ISSUER, "iat": NOW},
        key=ISSUER_KEY,
        header={"typ": "dc+sd-jwt", "x5c": x5c_header(CHAIN)},
        holder_jwk=public_jwk(HOLDER_KEY),
    )
    with pytest.raises(MissingClaim):
        verified_claims(presented(without))
    with pytest.raises(MalformedSdJwt):
        verified_claims(presented(_vc({"aka_vcts": [PID_VCT]})))
    with pytest.raises(MalformedSdJwt):  # a non-empty array, when present
        verified_claims(presented(_vc({"aka_vcts": []})))
    with pytest.raises(MalformedSdJwt):
        verified_claims(presented(_vc({"iss": 42})))


# -- never selectively disclosable (item 15) -------------------------------------------------------

STATUS = {"status_list": {"idx": 1, "uri": "https://pid.example.nl/status/1"}}


@pytest.mark.parametrize(
    ("claims", "holder"),
    [
        ({SD("exp"): NOW + 3600}, True),
        ({SD("nbf"): NOW - 3600}, True),
        ({SD("status"): STATUS}, True),
        ({"status": {SD("status_list"): STATUS["status_list"]}}, True),
        ({"status": {"status_list": {SD("idx"): 1, "uri": "https://pid.example.nl/status/1"}}}, True),
        ({SD("cnf"): {"jwk": public_jwk(HOLDER_KEY)}}, False),
        ({"cnf": {SD("jwk"): public_jwk(HOLDER_KEY)}}, False),
        ({SD("vct#integrity"): "sha256-abc"}, True),
        ({SD("aka_vcts"): ["urn:eudi:pid:de:1"]}, True),
    ],
)
def test_never_disclosable_claims_inside_a_disclosure_are_refused(
    claims: dict[Any, Any], holder: bool
) -> None:
    text = _vc(claims, holder=holder)
    with pytest.raises(ForbiddenDisclosure):
        read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW)
    everything = select(
        text, [(name.value if isinstance(name, SD) else name,) for name in claims]
    ).serialize()
    with pytest.raises(ForbiddenDisclosure):
        verify_sd_jwt_vc(everything, resolve_issuer_key=resolve, now=NOW, key_binding=None)


def test_disclosed_vct_and_iss_are_refused() -> None:
    vct = issue(
        {"iss": ISSUER, SD("vct"): PID_VCT},
        key=ISSUER_KEY,
        header={"typ": "dc+sd-jwt"},
        holder_jwk=public_jwk(HOLDER_KEY),
    )
    with pytest.raises(ForbiddenDisclosure):
        read_issued_sd_jwt_vc(vct, issuer_key=ISSUER_KEY.public_key(), now=NOW)
    iss = issue({SD("iss"): ISSUER, "vct": PID_VCT}, key=ISSUER_KEY, header={"typ": "dc+sd-jwt"})
    with pytest.raises(ForbiddenDisclosure):
        verify_sd_jwt_vc(
            iss, resolve_issuer_key=lambda h, p: ISSUER_KEY.public_key(), now=NOW, key_binding=None
        )


def test_iat_may_be_disclosed() -> None:
    text = issue(
        {"iss": ISSUER, "vct": PID_VCT, SD("iat"): NOW - 5},
        key=ISSUER_KEY,
        header={"typ": "dc+sd-jwt"},
        holder_jwk=public_jwk(HOLDER_KEY),
    )
    assert read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW).iat == NOW - 5


# -- time and key binding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"exp": NOW - 3600}, Expired),
        ({"nbf": NOW + 3600}, NotYetValid),
        ({"iat": NOW + 3600}, NotYetValid),
    ],
)
def test_validity_window(overrides: dict[str, int], error: type[CredentialError]) -> None:
    text = pid(**overrides)
    with pytest.raises(error):
        verified_claims(presented(text, ("given_name",)))
    with pytest.raises(error):
        read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW)


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
def test_a_null_date_is_not_an_absent_one(name: str) -> None:
    text = _vc({name: None})
    with pytest.raises(MalformedSdJwt):
        verified_claims(presented(text))
    with pytest.raises(MalformedSdJwt):
        read_issued_sd_jwt_vc(text, issuer_key=ISSUER_KEY.public_key(), now=NOW)


def test_key_binding_is_required_and_needs_cnf(issued: str) -> None:
    with pytest.raises(KeyBindingRequired):
        verified_claims(select(issued, [("given_name",)]).serialize())
    assert verified_claims(select(issued, [("given_name",)]).serialize(), key_binding=None) == {
        "given_name": "Emma"
    }
    unbound = presented(_vc({}, holder=False))
    with pytest.raises(InvalidKeyBinding):
        verified_claims(unbound)
    with pytest.raises(InvalidKeyBinding):
        verified_claims(presented(issued), key_binding=KeyBindingCheck(audience=AUD, nonce="other", now=NOW))


@pytest.mark.parametrize(
    "audience", ["verifier.example", "x509_hash:verifier.example", "https://verifier.example"]
)
def test_key_binding_for_the_client_id_without_its_prefix_is_refused(issued: str, audience: str) -> None:
    """The KB-JWT ``aud`` must be the whole Client Identifier, its prefix included (OpenID4VP 1.0,
    Client Identifier Prefix syntax, and the SD-JWT VC presentation response): the bare host, or the
    host under another prefix, names another verifier."""
    text = present_sd_jwt_vc(
        issued, [("given_name",)], holder_key=HOLDER_KEY, audience=audience, nonce=NONCE, iat=NOW
    )
    with pytest.raises(InvalidKeyBinding):
        verified_claims(text)


def test_wallet_refuses_what_it_should_not_keep(issued: str) -> None:
    with pytest.raises(InvalidSignature):
        read_issued_sd_jwt_vc(issued, issuer_key=OTHER_KEY.public_key(), now=NOW)
    with pytest.raises(MalformedSdJwt):
        read_issued_sd_jwt_vc(presented(issued), issuer_key=ISSUER_KEY.public_key(), now=NOW)
    with pytest.raises(MissingClaim):
        read_issued_sd_jwt_vc(_vc({}, holder=False), issuer_key=ISSUER_KEY.public_key(), now=NOW)
    parsed = SdJwt.parse(_vc({}))
    with pytest.raises(MalformedSdJwt):  # _sd without any Disclosure (section 3.2.2.4)
        read_issued_sd_jwt_vc(
            SdJwt(parsed.issuer_jwt, (), None).serialize(), issuer_key=ISSUER_KEY.public_key(), now=NOW
        )
    # nor deeper down: a nested _sd or an array element digest, decoys alone
    for claims in ({"address": {"_sd": ["x" * 43]}}, {"nationalities": [{"...": "x" * 43}]}):
        bare = craft(
            {"iss": ISSUER, "iat": NOW, "vct": PID_VCT, "cnf": {"jwk": public_jwk(HOLDER_KEY)}, **claims},
            header={"typ": "dc+sd-jwt"},
        )
        with pytest.raises(MalformedSdJwt):
            read_issued_sd_jwt_vc(bare, issuer_key=ISSUER_KEY.public_key(), now=NOW)


def test_resolver_errors_propagate(issued: str) -> None:
    class Untrusted(Exception):
        pass

    def refuse(header: Any, payload: Any) -> ec.EllipticCurvePublicKey:
        assert payload["vct"] == PID_VCT and "x5c" in header
        raise Untrusted("not on the trust list")

    with pytest.raises(Untrusted):
        verify_sd_jwt_vc(presented(issued), resolve_issuer_key=refuse, now=NOW, key_binding=CHECK)
