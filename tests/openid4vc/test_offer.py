from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openid4vc.errors import InvalidRequest
from openid4vc.issuance import (
    PRE_AUTHORIZED_GRANT,
    CredentialOffer,
    TxCode,
    offer_link,
    parse_offer_link,
)
from tests.openid4vc.conftest import VCI_EXAMPLES

OFFERS = sorted(VCI_EXAMPLES.glob("credential_offer_*"))


def load_example(path: Path) -> Any:
    """A spec example: plain JSON, or an HTTP response (``.txt``) whose body is JSON."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt" and text.lstrip().startswith("HTTP/"):
        text = text.split("\n\n", 1)[1]
    return json.loads(text)


def with_default_input_mode(document: dict[str, Any]) -> dict[str, Any]:
    """The offer as we write it: an absent tx_code input_mode written out as its default."""
    pre = document.get("grants", {}).get(PRE_AUTHORIZED_GRANT, {})
    if "tx_code" in pre:
        pre["tx_code"] = {"input_mode": "numeric", **pre["tx_code"]}
    return document


def test_the_offer_examples_are_there() -> None:
    assert len(OFFERS) >= 4, f"no credential offer examples under {VCI_EXAMPLES}"


@pytest.mark.parametrize("path", OFFERS, ids=[p.name for p in OFFERS])
def test_spec_offers_parse_and_round_trip(path: Path) -> None:
    document = load_example(path)
    offer = CredentialOffer.from_json(document)
    assert offer.credential_issuer == document["credential_issuer"]
    assert offer.to_json() == with_default_input_mode(document)
    assert CredentialOffer.from_json(offer.to_json()) == offer
    assert parse_offer_link(offer_link(offer=offer)) == offer


def test_what_the_examples_say() -> None:
    by_reference = CredentialOffer.from_json(
        load_example(VCI_EXAMPLES / "credential_offer_by_reference.json")
    )
    assert by_reference.tx_code == TxCode()  # an empty object still asks for a code
    multiple = CredentialOffer.from_json(
        load_example(VCI_EXAMPLES / "credential_offer_multiple_credentials.json")
    )
    assert multiple.credential_configuration_ids == ("UniversityDegreeCredential", "org.iso.18013.5.1.mDL")
    assert multiple.tx_code == TxCode(
        "numeric", 4, "Please provide the one-time code that was sent via e-mail"
    )
    authz = CredentialOffer.from_json(load_example(VCI_EXAMPLES / "credential_offer_authz_code.txt"))
    assert authz.pre_authorized_code is None and authz.issuer_state == "eyJhbGciOiJSU0Et...FYUaBy"


def test_the_spec_link_by_value() -> None:
    """The native-app link of section 4.1.2 (line breaks removed)."""
    link = (
        "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22:%22https://credential-issuer."
        "example.com%22,%22credential_configuration_ids%22:%5B%22org.iso.18013.5.1.mDL%22%5D,%22grants%22:%7B"
        "%22urn:ietf:params:oauth:grant-type:pre-authorized_code%22:%7B%22pre-authorized_code%22:%22oaKazRN8I0"
        "IbtZ0C7JuMn5%22,%22tx_code%22:%7B%22input_mode%22:%22text%22,%22description%22:%22Please%20enter%20"
        "the%20serial%20number%20of%20your%20physical%20drivers%20license%22%7D%7D%7D%7D"
    )
    offer = parse_offer_link(link)
    assert isinstance(offer, CredentialOffer)
    assert offer.pre_authorized_code == "oaKazRN8I0IbtZ0C7JuMn5"
    assert offer.tx_code is not None and offer.tx_code.input_mode == "text"


def test_the_spec_link_by_reference() -> None:
    link = (
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom%2Fcredential-offer"
        "%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
    )
    assert (
        parse_offer_link(link)
        == "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
    )


def test_offer_link_by_reference() -> None:
    link = offer_link(credential_offer_uri="https://issuer.example/offers/1")
    assert link == "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Foffers%2F1"
    assert parse_offer_link(link) == "https://issuer.example/offers/1"
    assert parse_offer_link(link.replace("openid-credential-offer://", "haip-vci://")) == (
        "https://issuer.example/offers/1"
    )
    wallet_endpoint = offer_link(
        credential_offer_uri="https://i.example/o", scheme="https://wallet.example/offer"
    )
    assert wallet_endpoint.startswith("https://wallet.example/offer?credential_offer_uri=")


def test_offer_link_needs_exactly_one() -> None:
    offer = CredentialOffer("https://i.example", ("a",), "code")
    with pytest.raises(InvalidRequest):
        offer_link()
    with pytest.raises(InvalidRequest):
        offer_link(credential_offer_uri="https://i.example/o", offer=offer)


@pytest.mark.parametrize(
    "link",
    [
        "openid-credential-offer://?",
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo&credential_offer=%7B%7D",
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo&credential_offer_uri=x",
        "openid-credential-offer://?credential_offer_uri=http://evil.example/x",
        "openid-credential-offer://?credential_offer_uri=file:///etc/passwd",
        "openid-credential-offer://?credential_offer_uri=https://user@i.example/o",
        "openid-credential-offer://?credential_offer=not-json",
        "openid-credential-offer://?credential_offer=%5B%5D",
        "openid-credential-offer://?credential_offer=%FF",
        "openid-credential-offer://?credential_offer=" + "%5B" * 40 + "%5D" * 40,
        "x" * 60_000,
    ],
)
def test_bad_links(link: str) -> None:
    with pytest.raises(InvalidRequest):
        parse_offer_link(link)


def test_http_is_for_loopback_only() -> None:
    offer = CredentialOffer.from_json(
        {"credential_issuer": "http://127.0.0.1:8000", "credential_configuration_ids": ["a"]}
    )
    assert offer.credential_issuer == "http://127.0.0.1:8000"
    for issuer in ("http://localhost:1/x", "http://[::1]:8000"):
        CredentialOffer.from_json({"credential_issuer": issuer, "credential_configuration_ids": ["a"]})


def test_unknown_members_and_grants_are_ignored() -> None:
    offer = CredentialOffer.from_json(
        {
            "credential_issuer": "https://i.example",
            "credential_configuration_ids": ["a"],
            "future": 1,
            "grants": {"urn:example:grant": {"x": 1}, "authorization_code": {}},
        }
    )
    assert offer.authorization_code_grant and offer.issuer_state is None
    assert offer.to_json()["grants"] == {"authorization_code": {}}


def base(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "credential_issuer": "https://i.example",
        "credential_configuration_ids": ["a"],
    }
    document.update(changes)
    return document


def pre(**grant: Any) -> dict[str, Any]:
    return base(grants={PRE_AUTHORIZED_GRANT: grant})


@pytest.mark.parametrize(
    "bad",
    [
        [],
        base(credential_issuer=None),
        base(credential_issuer="ftp://i.example"),
        base(credential_issuer="http://i.example"),
        base(credential_issuer="https://i.example?tenant=1"),
        base(credential_issuer="https://i.example#x"),
        base(credential_configuration_ids=[]),
        base(credential_configuration_ids="a"),
        base(credential_configuration_ids=["a", "a"]),
        base(credential_configuration_ids=["a", 1]),
        base(credential_configuration_ids=[""]),
        base(grants=[]),
        base(grants={PRE_AUTHORIZED_GRANT: "code"}),
        pre(tx_code={}),
        pre(**{"pre-authorized_code": ""}),
        pre(**{"pre-authorized_code": 7}),
        pre(**{"pre-authorized_code": "c", "tx_code": []}),
        pre(**{"pre-authorized_code": "c", "tx_code": {"description": "x" * 301}}),
        pre(**{"pre-authorized_code": "c", "tx_code": {"input_mode": "emoji"}}),
        pre(**{"pre-authorized_code": "c", "tx_code": {"length": 0}}),
        pre(**{"pre-authorized_code": "c", "tx_code": {"length": True}}),
        pre(**{"pre-authorized_code": "c", "tx_code": {"length": "4"}}),
        pre(**{"pre-authorized_code": "c", "authorization_server": "http://as.example"}),
        base(grants={"authorization_code": {"issuer_state": 1}}),
        base(grants={"authorization_code": []}),
    ],
)
def test_bad_offers(bad: Any) -> None:
    with pytest.raises(InvalidRequest):
        CredentialOffer.from_json(bad)


def test_tx_code_description_limit_is_300() -> None:
    assert TxCode(description="x" * 300).description == "x" * 300
    with pytest.raises(InvalidRequest):
        TxCode(description="x" * 301)


def test_offer_construction_rules() -> None:
    with pytest.raises(InvalidRequest):
        CredentialOffer("https://i.example", ())
    with pytest.raises(InvalidRequest):
        CredentialOffer("https://i.example", ("a",), tx_code=TxCode())  # tx_code without a code
    offer = CredentialOffer("https://i.example", ("a",), issuer_state="s")
    assert offer.authorization_code_grant
    assert offer.to_json()["grants"] == {"authorization_code": {"issuer_state": "s"}}
    assert json.loads(json.dumps(offer.to_json())) == offer.to_json()
