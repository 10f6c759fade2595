"""Registration certificates (ETSI TS 119 475): signing, verifying, binding, scope, ``verifier_info``."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.errors import InvalidInput
from common.jose import b64url_decode, b64url_encode, encode_jws, parse_jws, x5c_header
from openid4vc.dcql import parse_dcql_query
from tests.trust_list.conftest import NOW, Issued, issue
from trust_list.errors import (
    ChainError,
    InvalidRegistration,
    NotRegistered,
    RegistrationMismatch,
    TrustError,
)
from trust_list.pki import DevPki, rp_identifier
from trust_list.registration import (
    ENTITLEMENT_SERVICE_PROVIDER,
    MAX_REGISTRATION_BYTES,
    MAX_VERIFIER_INFO,
    REGISTRATION_TYP,
    SD_JWT_VC,
    VERIFIER_INFO_FORMAT,
    Excess,
    LocalizedText,
    RegisteredCredential,
    Registration,
    StatusReference,
    check_within_registration,
    excess_requests,
    parse_verifier_info,
    relying_party_identifier,
    sign_registration,
    verifier_info_entry,
    verify_registration,
)

RP_ID = "LEINL-724500AB12CD34EF5678"
PID_VCT = "urn:eudi:pid:1"
PID_DOCTYPE = "eu.europa.ec.eudi.pid.1"
MDL_DOCTYPE = "org.iso.18013.5.1.mDL"


def _access_name(
    identifier: str | None, oid: x509.ObjectIdentifier = NameOID.ORGANIZATION_IDENTIFIER
) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gemeente Voorbeeld")]
    if identifier is not None:
        attributes.append(x509.NameAttribute(oid, identifier))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, "rp.example"))
    return x509.Name(attributes)


@pytest.fixture(scope="module")
def registrar_ca() -> Issued:
    return issue("Demo Registrar CA", ca=True)


@pytest.fixture(scope="module")
def registrar(registrar_ca: Issued) -> Issued:
    return issue("Demo Registrar", by=registrar_ca)


@pytest.fixture(scope="module")
def access(pki: DevPki) -> x509.Certificate:
    """The RP's access certificate, issued by the dev RP access CA, naming the RP's identifier."""
    rp_ca = Issued(pki.rp_ca_cert, pki.rp_ca_key)
    return issue("rp.example", by=rp_ca, subject=_access_name(RP_ID)).cert


def _registration(**changes: Any) -> Registration:
    fields: dict[str, Any] = {
        "sub": RP_ID,
        "name": "Gemeente Voorbeeld",
        "purposes": (
            LocalizedText("en-GB", "Checking who applies for a parking permit"),
            LocalizedText("nl", "Controleren wie een parkeervergunning aanvraagt"),
        ),
        "credentials": (
            RegisteredCredential.sd_jwt_vc(
                PID_VCT, claims=[["given_name"], ["family_name"], ["birthdate"], ["address"]]
            ),
            RegisteredCredential.mdoc(
                PID_DOCTYPE, claims=[[PID_DOCTYPE, "given_name"], [PID_DOCTYPE, "family_name"]]
            ),
        ),
        "iat": NOW - timedelta(days=1),
        "exp": NOW + timedelta(days=365),
        "privacy_policy": "https://rp.example/privacy",
        "status": StatusReference(7, "https://registrar.example/status-lists/1"),
    }
    fields.update(changes)
    return Registration(**fields)


def _sign(registrar: Issued, registration: Registration | None = None) -> str:
    return sign_registration(registration or _registration(), key=registrar.key, chain=[registrar.cert])


def _verify(jwt: str, registrar_ca: Issued, access: x509.Certificate, **kwargs: Any) -> Registration:
    options: dict[str, Any] = {
        "registrar_anchors": [registrar_ca.cert],
        "now": NOW,
        "access_certificate": access,
    }
    options.update(kwargs)
    return verify_registration(jwt, **options)


def _sign_claims(registrar: Issued, claims: dict[str, Any], typ: str = REGISTRATION_TYP) -> str:
    return encode_jws({"typ": typ, "x5c": x5c_header([registrar.cert])}, claims, registrar.key)


# --- round trip and layout -------------------------------------------------------------------------


def test_round_trip(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    registration = _registration()
    verified = _verify(_sign(registrar, registration), registrar_ca, access)
    assert verified == registration
    assert verified.registrar == registrar.cert
    assert verified.purpose("en") == "Checking who applies for a parking permit"
    assert verified.purpose("nl-NL") == "Controleren wie een parkeervergunning aanvraagt"
    assert verified.purpose("de") == "Checking who applies for a parking permit"


def test_jwt_layout(registrar: Issued) -> None:
    jws = parse_jws(_sign(registrar))
    assert jws.header == {"alg": "ES256", "typ": "rc-wrp+jwt", "x5c": x5c_header([registrar.cert])}
    claims = jws.claims()
    assert claims["sub"] == RP_ID
    assert claims["purpose"][0] == {"lang": "en-GB", "value": "Checking who applies for a parking permit"}
    assert claims["credentials"] == [
        {
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [PID_VCT]},
            "claim": [
                {"path": ["given_name"]},
                {"path": ["family_name"]},
                {"path": ["birthdate"]},
                {"path": ["address"]},
            ],
        },
        {
            "format": "mso_mdoc",
            "meta": {"doctype_value": PID_DOCTYPE},
            "claim": [{"path": [PID_DOCTYPE, "given_name"]}, {"path": [PID_DOCTYPE, "family_name"]}],
        },
    ]
    assert claims["entitlements"] == [ENTITLEMENT_SERVICE_PROVIDER]
    assert claims["iat"] == int((NOW - timedelta(days=1)).timestamp())
    assert claims["exp"] == int((NOW + timedelta(days=365)).timestamp())
    assert claims["privacy_policy"] == "https://rp.example/privacy"
    assert claims["status"] == {"status_list": {"idx": 7, "uri": "https://registrar.example/status-lists/1"}}


def test_optional_claims_are_left_out(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    registration = _registration(exp=None, privacy_policy=None, status=None)
    jwt = _sign(registrar, registration)
    assert not {"exp", "privacy_policy", "status"} & set(parse_jws(jwt).claims())
    assert _verify(jwt, registrar_ca, access) == registration


def test_sign_refuses_an_empty_chain_or_a_foreign_key(registrar: Issued, registrar_ca: Issued) -> None:
    with pytest.raises(ValueError, match="empty"):
        sign_registration(_registration(), key=registrar.key, chain=[])
    with pytest.raises(ValueError, match="does not belong"):
        sign_registration(_registration(), key=registrar.key, chain=[registrar_ca.cert])
    with pytest.raises(ValueError, match="P-256"):
        sign_registration(
            _registration(), key=ec.generate_private_key(ec.SECP384R1()), chain=[registrar.cert]
        )


def test_tolerated_forms_of_other_registrars(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    """``claims`` for ``claim``, the V1.1.1 privacy policy list, unknown formats and extra members."""
    claims = _registration().to_claims()
    claims["credentials"] = [
        {"format": "dc+sd-jwt", "meta": {"vct_values": [PID_VCT]}, "claims": [{"path": ["given_name"]}]},
        {"format": "jwt_vc_json", "meta": {"type_values": [["VerifiableCredential"]]}},
    ]
    claims["privacy_policy"] = [
        {"type": "http://data.europa.eu/eudi/policy/privacy-policy", "policyURI": "https://rp.example/p"}
    ]
    claims["srv_description"] = [[{"lang": "en", "value": "Parking"}]]
    del claims["entitlements"]
    verified = _verify(_sign_claims(registrar, claims), registrar_ca, access)
    assert verified.credentials == (RegisteredCredential(SD_JWT_VC, (PID_VCT,), (("given_name",),)),)
    assert verified.privacy_policy == "https://rp.example/p"
    assert verified.entitlements == ()


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["rc-wrp+jwt", "application/rc-wrp+jwt", "RC-WRP+JWT"])
def test_typ_is_compared_as_rfc_7515_says(
    typ: str, registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    assert (
        _verify(_sign_claims(registrar, _registration().to_claims(), typ), registrar_ca, access).sub == RP_ID
    )


@pytest.mark.parametrize("typ", ["JWT", "jwt", "rc-wrp+cwt", "oauth-authz-req+jwt", None])
def test_wrong_typ(
    typ: str | None, registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    header: dict[str, Any] = {"x5c": x5c_header([registrar.cert])}
    if typ is not None:
        header["typ"] = typ
    jwt = encode_jws(header, _registration().to_claims(), registrar.key)
    with pytest.raises(InvalidRegistration, match="typ"):
        _verify(jwt, registrar_ca, access)


def test_bad_signature(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    header, payload, signature = _sign(registrar).split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentials"][0]["claim"].append({"path": ["nationalities"]})
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(InvalidRegistration, match="signature"):
        _verify(forged, registrar_ca, access)


def test_signed_by_another_key_than_the_x5c_leaf(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    jwt = encode_jws(
        {"typ": REGISTRATION_TYP, "x5c": x5c_header([registrar.cert])}, _registration().to_claims(), other
    )
    with pytest.raises(InvalidRegistration, match="signature"):
        _verify(jwt, registrar_ca, access)


def test_registrar_not_on_the_anchors(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate, pki: DevPki
) -> None:
    jwt = _sign(registrar)
    with pytest.raises(InvalidRegistration, match="registrar is not trusted") as caught:
        _verify(jwt, registrar_ca, access, registrar_anchors=[pki.rp_ca_cert, pki.pid_ca_cert])
    assert isinstance(caught.value.__cause__, ChainError)
    with pytest.raises(InvalidRegistration, match="no trust anchor"):
        _verify(jwt, registrar_ca, access, registrar_anchors=[])


def test_self_signed_registrar_is_refused(registrar_ca: Issued, access: x509.Certificate) -> None:
    lone = issue("Self-made Registrar")
    with pytest.raises(InvalidRegistration, match="self-signed"):
        _verify(_sign(lone), registrar_ca, access, registrar_anchors=[lone.cert])


def test_an_expired_registrar_certificate(registrar_ca: Issued, access: x509.Certificate) -> None:
    old = issue(
        "Old Registrar",
        by=registrar_ca,
        not_before=NOW - timedelta(days=60),
        not_after=NOW - timedelta(days=1),
    )
    with pytest.raises(InvalidRegistration, match="expired"):
        _verify(_sign(old), registrar_ca, access)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exp": NOW - timedelta(hours=1)}, "expired"),
        ({"exp": NOW - timedelta(seconds=60)}, "expired"),
        ({"iat": NOW + timedelta(hours=1)}, "iat is in the future"),
    ],
)
def test_outside_its_validity(
    changes: dict[str, Any], message: str, registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    with pytest.raises(InvalidRegistration, match=message):
        _verify(_sign(registrar, _registration(**changes)), registrar_ca, access)


def test_leeway(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    registration = _registration(exp=NOW - timedelta(seconds=30), iat=NOW + timedelta(seconds=30))
    assert _verify(_sign(registrar, registration), registrar_ca, access) == registration
    with pytest.raises(InvalidRegistration, match="iat is in the future"):
        _verify(_sign(registrar, registration), registrar_ca, access, leeway=timedelta(0))
    with pytest.raises(InvalidRegistration, match="expired"):
        _verify(
            _sign(registrar, _registration(exp=NOW - timedelta(seconds=30))),
            registrar_ca,
            access,
            leeway=timedelta(0),
        )


def test_nbf(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    claims = _registration().to_claims()
    claims["nbf"] = int((NOW + timedelta(hours=1)).timestamp())
    with pytest.raises(InvalidRegistration, match="nbf"):
        _verify(_sign_claims(registrar, claims), registrar_ca, access)
    claims["nbf"] = int((NOW - timedelta(hours=1)).timestamp())
    assert _verify(_sign_claims(registrar, claims), registrar_ca, access).sub == RP_ID


def test_now_must_be_aware(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _verify(_sign(registrar), registrar_ca, access, now=NOW.replace(tzinfo=None))


def test_a_presentation_takes_the_service_provider_entitlement(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    issuer_only = _registration(entitlements=("https://uri.etsi.org/19475/Entitlement/PID_Provider",))
    with pytest.raises(InvalidRegistration, match="entitlement"):
        _verify(_sign(registrar, issuer_only), registrar_ca, access)
    assert _verify(_sign(registrar, issuer_only), registrar_ca, access, entitlement=None) == issuer_only


def test_another_relying_partys_registration(registrar: Issued, registrar_ca: Issued, pki: DevPki) -> None:
    rp_ca = Issued(pki.rp_ca_cert, pki.rp_ca_key)
    other = issue("other.example", by=rp_ca, subject=_access_name("LEINL-999999999999999999")).cert
    with pytest.raises(RegistrationMismatch, match="LEINL-999999999999999999") as caught:
        _verify(_sign(registrar), registrar_ca, other)
    assert isinstance(caught.value, InvalidRegistration)
    assert caught.value.reason == "registration_mismatch"


def test_an_access_certificate_without_an_identifier_cannot_be_bound(
    registrar: Issued, registrar_ca: Issued, pki: DevPki
) -> None:
    rp_ca = Issued(pki.rp_ca_cert, pki.rp_ca_key)
    anonymous = issue("rp.example", by=rp_ca, organization="Demo Relying Party").cert
    assert relying_party_identifier(anonymous) is None
    with pytest.raises(RegistrationMismatch, match="organizationIdentifier"):
        _verify(_sign(registrar), registrar_ca, anonymous)


def test_the_dev_access_certificate_carries_the_rp_identifier(pki: DevPki) -> None:
    assert relying_party_identifier(pki.verifier_cert) == rp_identifier("NL")


def test_a_natural_person_is_bound_by_serial_number(
    registrar: Issued, registrar_ca: Issued, pki: DevPki
) -> None:
    rp_ca = Issued(pki.rp_ca_cert, pki.rp_ca_key)
    person = issue("Jan", by=rp_ca, subject=_access_name("TINNL-123456782", NameOID.SERIAL_NUMBER)).cert
    assert relying_party_identifier(person) == "TINNL-123456782"
    assert (
        _verify(_sign(registrar, _registration(sub="TINNL-123456782")), registrar_ca, person).sub
        == "TINNL-123456782"
    )


@pytest.mark.parametrize(
    "jwt",
    [
        "",
        "not a jws",
        "a.b",
        "a.b.c.d",
        "e30.e30.",
        "!!!.e30.AAAA",
        42,
        "x" * (MAX_REGISTRATION_BYTES + 1),
    ],
)
def test_malformed_or_oversize_input(jwt: Any, registrar_ca: Issued, access: x509.Certificate) -> None:
    with pytest.raises(InvalidRegistration):
        _verify(jwt, registrar_ca, access)


def test_oversize_even_when_signed(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    padded = _registration(
        name="x" * 2000, purposes=tuple(LocalizedText("en", "y" * 2000) for _ in range(20))
    )
    with pytest.raises(InvalidRegistration, match="larger than"):
        _verify(_sign(registrar, padded), registrar_ca, access)


def test_missing_x5c(registrar: Issued, registrar_ca: Issued, access: x509.Certificate) -> None:
    jwt = encode_jws({"typ": REGISTRATION_TYP}, _registration().to_claims(), registrar.key)
    with pytest.raises(InvalidRegistration, match="x5c"):
        _verify(jwt, registrar_ca, access)


def _mutated(change: Any) -> dict[str, Any]:
    claims = _registration().to_claims()
    change(claims)
    return claims


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("sub"), "sub"),
        (lambda c: c.update(sub={"legal_name": ["X"], "id": []}), "sub"),
        (lambda c: c.pop("name"), "name"),
        (lambda c: c.pop("iat"), "iat"),
        (lambda c: c.update(iat="yesterday"), "iat"),
        (lambda c: c.update(exp=10**20), "exp"),
        (lambda c: c.update(purpose="parking"), "purpose"),
        (lambda c: c.update(purpose=[]), "purpose"),
        (lambda c: c.update(purpose=[{"lang": "en"}]), "purpose value"),
        (lambda c: c.pop("credentials"), "credentials"),
        (lambda c: c.update(credentials=[{"format": "dc+sd-jwt", "meta": {"vct_values": []}}]), "vct_values"),
        (lambda c: c.update(credentials=[{"format": "mso_mdoc", "meta": {}}]), "doctype_value"),
        (lambda c: c.update(credentials=[{"format": "dc+sd-jwt"}]), "meta"),
        (lambda c: c["credentials"][0].update(claim=[{"path": "given_name"}]), "claim path"),
        (lambda c: c["credentials"][0].update(claim=[{"path": ["a", -1]}]), "claim path"),
        (lambda c: c["credentials"][0].update(claims=[]), "both claim and claims"),
        (lambda c: c["credentials"][1].update(claim=[{"path": [PID_DOCTYPE, "a", "b"]}]), "mso_mdoc"),
        (lambda c: c.update(status={"status_list": {"idx": -1, "uri": "https://r.example/s"}}), "idx"),
        (lambda c: c.update(status={"idx": 1}), "status"),
        (lambda c: c.update(entitlements="Service_Provider"), "entitlements"),
    ],
)
def test_malformed_claims(
    change: Any, message: str, registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    with pytest.raises(InvalidRegistration, match=message):
        _verify(_sign_claims(registrar, _mutated(change)), registrar_ca, access)


def test_errors_belong_to_the_trust_tree() -> None:
    assert issubclass(InvalidRegistration, TrustError)
    assert issubclass(NotRegistered, TrustError)
    assert InvalidRegistration("x").error == "invalid_request"
    assert NotRegistered("x").error == "access_denied"
    assert NotRegistered("x").reason == "not_registered"


# --- excess_requests -------------------------------------------------------------------------------


def _sd_jwt_query(
    *paths: list[Any], vcts: tuple[str, ...] = (PID_VCT,), query_id: str = "pid"
) -> dict[str, Any]:
    query: dict[str, Any] = {"id": query_id, "format": "dc+sd-jwt", "meta": {"vct_values": list(vcts)}}
    if paths:
        query["claims"] = [{"path": path} for path in paths]
    return query


def _mdoc_query(
    *elements: str, doctype: str = PID_DOCTYPE, namespace: str | None = None, query_id: str = "mdoc"
) -> dict[str, Any]:
    query: dict[str, Any] = {"id": query_id, "format": "mso_mdoc", "meta": {"doctype_value": doctype}}
    if elements:
        query["claims"] = [{"path": [namespace or doctype, element]} for element in elements]
    return query


def _dcql(*queries: dict[str, Any]) -> dict[str, Any]:
    return {"credentials": list(queries)}


def test_sd_jwt_vc_within() -> None:
    query = _dcql(_sd_jwt_query(["given_name"], ["family_name"], ["birthdate"]))
    assert excess_requests(_registration(), query) == []
    check_within_registration(_registration(), query)


def test_sd_jwt_vc_extra_claim() -> None:
    query = _dcql(_sd_jwt_query(["given_name"], ["nationalities"], ["place_of_birth", "locality"]))
    excess = excess_requests(_registration(), query)
    assert excess == [
        Excess("pid", "dc+sd-jwt", PID_VCT, ("nationalities",)),
        Excess("pid", "dc+sd-jwt", PID_VCT, ("place_of_birth", "locality")),
    ]
    assert [str(item) for item in excess] == [
        f"{PID_VCT}: nationalities",
        f"{PID_VCT}: place_of_birth/locality",
    ]
    with pytest.raises(NotRegistered, match="nationalities"):
        check_within_registration(_registration(), query)


def test_a_registered_claim_covers_what_lies_beneath_it() -> None:
    registration = _registration(
        credentials=(RegisteredCredential.sd_jwt_vc(PID_VCT, claims=[["address"], ["nationalities", None]]),)
    )
    within = _dcql(
        _sd_jwt_query(["address", "locality"], ["address"], ["nationalities", 0], ["nationalities", None])
    )
    assert excess_requests(registration, within) == []
    narrower = _registration(
        credentials=(RegisteredCredential.sd_jwt_vc(PID_VCT, claims=[["address", "locality"]]),)
    )
    assert excess_requests(narrower, _dcql(_sd_jwt_query(["address"]))) == [
        Excess("pid", "dc+sd-jwt", PID_VCT, ("address",))
    ]
    one_element = _registration(
        credentials=(RegisteredCredential.sd_jwt_vc(PID_VCT, claims=[["nationalities", 0]]),)
    )
    assert [
        item.path for item in excess_requests(one_element, _dcql(_sd_jwt_query(["nationalities", None])))
    ] == [("nationalities", None)]


def test_sd_jwt_vc_extra_credential_type() -> None:
    query = _dcql(
        _sd_jwt_query(["given_name"]), _sd_jwt_query(["degree"], vcts=("urn:eudi:diploma:1",), query_id="d")
    )
    assert excess_requests(_registration(), query) == [Excess("d", "dc+sd-jwt", "urn:eudi:diploma:1")]
    assert str(excess_requests(_registration(), query)[0]) == "urn:eudi:diploma:1 (not registered)"


def test_every_accepted_vct_must_be_registered() -> None:
    query = _dcql(_sd_jwt_query(["given_name"], vcts=(PID_VCT, "urn:eudi:pid:de:1")))
    assert excess_requests(_registration(), query) == [Excess("pid", "dc+sd-jwt", "urn:eudi:pid:de:1")]


def test_a_format_is_not_a_type() -> None:
    """An mdoc registration does not let the RP ask the SD-JWT VC with the same identifier, and back."""
    registration = _registration(credentials=(RegisteredCredential.mdoc(PID_DOCTYPE),))
    assert excess_requests(registration, _dcql(_sd_jwt_query(vcts=(PID_DOCTYPE,)))) == [
        Excess("pid", "dc+sd-jwt", PID_DOCTYPE)
    ]


def test_query_without_claims_asks_no_selectively_disclosable_claim() -> None:
    """OpenID4VP 1.0 section 6.4.1: only the type has to be registered."""
    registration = _registration(
        credentials=(RegisteredCredential.sd_jwt_vc(PID_VCT, claims=[["given_name"]]),)
    )
    assert excess_requests(registration, _dcql(_sd_jwt_query())) == []
    assert excess_requests(registration, _dcql(_mdoc_query())) == [Excess("mdoc", "mso_mdoc", PID_DOCTYPE)]


def test_a_registration_without_claims_registers_the_whole_type() -> None:
    registration = _registration(credentials=(RegisteredCredential.sd_jwt_vc(PID_VCT),))
    assert excess_requests(registration, _dcql(_sd_jwt_query(["given_name"], ["nationalities", None]))) == []


def test_claim_sets_every_option_is_asked() -> None:
    query = _sd_jwt_query()
    query["claims"] = [
        {"id": "a", "path": ["given_name"]},
        {"id": "b", "path": ["family_name"]},
        {"id": "c", "path": ["personal_administrative_number"]},
        {"id": "unused", "path": ["email"]},
    ]
    query["claim_sets"] = [["a", "b"], ["c"]]
    assert excess_requests(_registration(), _dcql(query)) == [
        Excess("pid", "dc+sd-jwt", PID_VCT, ("personal_administrative_number",))
    ]
    query["claim_sets"] = [["a", "b"]]
    assert excess_requests(_registration(), _dcql(query)) == []


def test_mdoc_within_and_beyond() -> None:
    assert excess_requests(_registration(), _dcql(_mdoc_query("given_name", "family_name"))) == []
    assert excess_requests(_registration(), _dcql(_mdoc_query("given_name", "portrait"))) == [
        Excess("mdoc", "mso_mdoc", PID_DOCTYPE, (PID_DOCTYPE, "portrait"))
    ]
    assert excess_requests(_registration(), _dcql(_mdoc_query("family_name", doctype=MDL_DOCTYPE))) == [
        Excess("mdoc", "mso_mdoc", MDL_DOCTYPE)
    ]
    other_namespace = _mdoc_query()
    other_namespace["claims"] = [{"path": ["org.iso.18013.5.1", "given_name"]}]
    assert [str(e) for e in excess_requests(_registration(), _dcql(other_namespace))] == [
        f"{PID_DOCTYPE}: org.iso.18013.5.1/given_name"
    ]


def test_a_registered_namespace_covers_its_elements() -> None:
    registration = _registration(
        credentials=(RegisteredCredential.mdoc(MDL_DOCTYPE, claims=[["org.iso.18013.5.1"]]),)
    )
    assert (
        excess_requests(
            registration,
            _dcql(_mdoc_query("portrait", "age_over_18", doctype=MDL_DOCTYPE, namespace="org.iso.18013.5.1")),
        )
        == []
    )


def test_registrations_of_one_type_add_up() -> None:
    registration = _registration(
        credentials=(
            RegisteredCredential.sd_jwt_vc(PID_VCT, claims=[["given_name"]]),
            RegisteredCredential.sd_jwt_vc(PID_VCT, "urn:eudi:pid:de:1", claims=[["birthdate"]]),
        )
    )
    query = _dcql(_sd_jwt_query(["given_name"], ["birthdate"], vcts=(PID_VCT, "urn:eudi:pid:de:1")))
    assert excess_requests(registration, query) == [
        Excess("pid", "dc+sd-jwt", "urn:eudi:pid:de:1", ("given_name",))
    ]


def test_other_formats_are_never_within() -> None:
    query = _dcql({"id": "w3c", "format": "jwt_vc_json", "meta": {"type_values": [["VerifiableCredential"]]}})
    assert excess_requests(_registration(), query) == [Excess("w3c", "jwt_vc_json", None)]
    assert str(excess_requests(_registration(), query)[0]) == "a jwt_vc_json credential (not registered)"


def test_parsed_query_and_its_json_agree() -> None:
    raw = _dcql(_sd_jwt_query(["given_name"], ["nationalities"]), _mdoc_query("portrait"))
    raw["credential_sets"] = [{"options": [["pid"], ["mdoc"]]}]
    parsed = parse_dcql_query(raw)
    assert excess_requests(_registration(), parsed) == excess_requests(_registration(), raw)
    assert len(excess_requests(_registration(), parsed)) == 2


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"credentials": "pid"},
        {"credentials": ["pid"]},
        {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {}}]},
        {"credentials": [{"id": "q", "format": "mso_mdoc", "meta": {"doctype_value": 1}}]},
        {"credentials": [{"format": "mso_mdoc", "meta": {"doctype_value": "d"}}]},
        {
            "credentials": [
                {"id": "q", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "claims": [{"path": []}]}
            ]
        },
        {
            "credentials": [
                {"id": "q", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "claims": [{"path": [{}]}]}
            ]
        },
        {"credentials": [{"id": "q", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "claims": [{}]}]},
        {
            "credentials": [
                {
                    "id": "q",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["v"]},
                    "claims": [{"path": ["a"]}],
                    "claim_sets": "a",
                }
            ]
        },
    ],
)
def test_malformed_query(query: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        excess_requests(_registration(), query)


# --- verifier_info ---------------------------------------------------------------------------------


def test_verifier_info_round_trip(registrar: Issued) -> None:
    jwt = _sign(registrar)
    entry = verifier_info_entry(jwt)
    assert entry == {"format": "registration_cert", "data": jwt}
    assert VERIFIER_INFO_FORMAT == "registration_cert"
    assert parse_verifier_info([entry]) == [jwt]


def test_verifier_info_skips_other_formats(registrar: Issued) -> None:
    jwt = _sign(registrar)
    value = [
        {"format": "registrar_dataset", "data": {"identifier": RP_ID}},
        {"format": "jwt", "data": "e30.e30.sig", "credential_ids": ["pid"]},
        {**verifier_info_entry(jwt), "credential_ids": ["pid"]},
    ]
    assert parse_verifier_info(value) == [jwt]
    assert parse_verifier_info(value[:2]) == []


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"format": "registration_cert", "data": "a.b.c"},
        [],
        [{"format": "registration_cert", "data": "a.b.c"}] * (MAX_VERIFIER_INFO + 1),
        ["a.b.c"],
        [{"data": "a.b.c"}],
        [{"format": "", "data": "a.b.c"}],
        [{"format": "registration_cert"}],
        [{"format": "jwt", "data": 42}],
        [{"format": "registration_cert", "data": {"jwt": "a.b.c"}}],
        [{"format": "registration_cert", "data": "not-a-jws"}],
        [{"format": "registration_cert", "data": "a." + "b" * MAX_REGISTRATION_BYTES + ".c"}],
        [{"format": "registration_cert", "data": "a.b.c", "credential_ids": []}],
        [{"format": "registration_cert", "data": "a.b.c", "credential_ids": [1]}],
    ],
)
def test_malformed_verifier_info(value: Any) -> None:
    with pytest.raises(InvalidRegistration, match=r"verifier_info|registration_cert"):
        parse_verifier_info(value)


def test_the_whole_path_a_wallet_takes(
    registrar: Issued, registrar_ca: Issued, access: x509.Certificate
) -> None:
    """A request object's ``verifier_info`` and ``dcql_query``: parse, verify, bind, compare."""
    request: dict[str, Any] = {
        "verifier_info": [verifier_info_entry(_sign(registrar))],
        "dcql_query": _dcql(_sd_jwt_query(["given_name"], ["family_name"])),
    }
    (jwt,) = parse_verifier_info(request["verifier_info"])
    registration = _verify(jwt, registrar_ca, access)
    check_within_registration(registration, request["dcql_query"])
    over = _dcql(_sd_jwt_query(["given_name"], ["personal_administrative_number"]))
    with pytest.raises(NotRegistered, match="Gemeente Voorbeeld asks for more than it registered"):
        check_within_registration(registration, over)
