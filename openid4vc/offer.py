"""The Credential Offer (OpenID4VCI 1.0 section 4.1): the object, and the link that carries it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from common.errors import InvalidInput
from common.jose import parse_json
from openid4vc._checks import check_url, json_object, optional_text, query_parameters, text, text_list
from openid4vc.errors import InvalidRequest

__all__ = [
    "AUTHORIZATION_CODE_GRANT",
    "OFFER_SCHEME",
    "PRE_AUTHORIZED_GRANT",
    "CredentialOffer",
    "TxCode",
    "offer_link",
    "parse_offer_link",
]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
OFFER_SCHEME = "openid-credential-offer://"
MAX_OFFER_BYTES = 16 * 1024
MAX_LINK_CHARS = 3 * MAX_OFFER_BYTES
MAX_TX_CODE_DESCRIPTION = 300
TX_CODE_INPUT_MODES = ("numeric", "text")


@dataclass(frozen=True)
class TxCode:
    """What the wallet must ask the holder for (section 4.1.1). An empty ``tx_code`` object on the
    wire still means a code is needed; it parses to ``TxCode()``, whose input mode is the default."""

    input_mode: str = "numeric"
    length: int | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if self.input_mode not in TX_CODE_INPUT_MODES:
            raise InvalidRequest("tx_code input_mode must be numeric or text")
        if self.length is not None and (
            not isinstance(self.length, int) or isinstance(self.length, bool) or self.length < 1
        ):
            raise InvalidRequest("tx_code length must be a positive integer")
        if self.description is not None and (
            not isinstance(self.description, str) or len(self.description) > MAX_TX_CODE_DESCRIPTION
        ):
            raise InvalidRequest(
                f"tx_code description must be a string of at most {MAX_TX_CODE_DESCRIPTION} characters"
            )

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"input_mode": self.input_mode}
        if self.length is not None:
            result["length"] = self.length
        if self.description is not None:
            result["description"] = self.description
        return result

    @classmethod
    def from_json(cls, value: Any) -> TxCode:
        obj = json_object(value, "tx_code")
        mode = obj.get("input_mode", "numeric")
        if not isinstance(mode, str):
            raise InvalidRequest("tx_code input_mode must be a string")
        return cls(mode, obj.get("length"), obj.get("description"))


@dataclass(frozen=True)
class CredentialOffer:
    """A Credential Offer (section 4.1.1), flattened.

    The ``urn:ietf:params:oauth:grant-type:pre-authorized_code`` grant is present when
    ``pre_authorized_code`` is set (with ``tx_code`` and its ``authorization_server``); the
    ``authorization_code`` grant when ``authorization_code_grant`` is true, which ``issuer_state``
    or ``authorization_code_server`` imply. An offer without grants leaves the choice to the
    wallet, from the authorization server's metadata.
    """

    credential_issuer: str
    credential_configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None = None
    tx_code: TxCode | None = None
    issuer_state: str | None = None
    authorization_server: str | None = None
    authorization_code_grant: bool = False
    authorization_code_server: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "credential_configuration_ids", tuple(self.credential_configuration_ids))
        if not self.credential_configuration_ids or len(set(self.credential_configuration_ids)) != len(
            self.credential_configuration_ids
        ):
            raise InvalidRequest("credential_configuration_ids must be non-empty and unique")
        if self.pre_authorized_code is None and (
            self.tx_code is not None or self.authorization_server is not None
        ):
            raise InvalidRequest("tx_code and authorization_server belong to a pre-authorized_code grant")
        if self.issuer_state is not None or self.authorization_code_server is not None:
            object.__setattr__(self, "authorization_code_grant", True)

    def to_json(self) -> dict[str, Any]:
        grants: dict[str, Any] = {}
        if self.pre_authorized_code is not None:
            pre: dict[str, Any] = {"pre-authorized_code": self.pre_authorized_code}
            if self.tx_code is not None:
                pre["tx_code"] = self.tx_code.to_json()
            if self.authorization_server is not None:
                pre["authorization_server"] = self.authorization_server
            grants[PRE_AUTHORIZED_GRANT] = pre
        if self.authorization_code_grant:
            code: dict[str, Any] = {}
            if self.issuer_state is not None:
                code["issuer_state"] = self.issuer_state
            if self.authorization_code_server is not None:
                code["authorization_server"] = self.authorization_code_server
            grants[AUTHORIZATION_CODE_GRANT] = code
        result: dict[str, Any] = {
            "credential_issuer": self.credential_issuer,
            "credential_configuration_ids": list(self.credential_configuration_ids),
        }
        if grants:
            result["grants"] = grants
        return result

    @classmethod
    def from_json(cls, value: Any) -> CredentialOffer:
        """Parse an offer object; unknown members and unknown grant types are ignored (4.1.1)."""
        obj = json_object(value, "credential offer")
        issuer = check_url(obj.get("credential_issuer"), "credential_issuer", identifier=True)
        ids = text_list(obj.get("credential_configuration_ids"), "credential_configuration_ids", unique=True)
        grants = json_object(obj.get("grants", {}), "grants")
        code = tx_code = issuer_state = server = code_server = None
        if PRE_AUTHORIZED_GRANT in grants:
            pre = json_object(grants[PRE_AUTHORIZED_GRANT], "the pre-authorized_code grant")
            code = text(pre.get("pre-authorized_code"), "pre-authorized_code")
            tx_code = TxCode.from_json(pre["tx_code"]) if "tx_code" in pre else None
            if "authorization_server" in pre:
                server = check_url(pre["authorization_server"], "authorization_server", identifier=True)
        if AUTHORIZATION_CODE_GRANT in grants:
            auth = json_object(grants[AUTHORIZATION_CODE_GRANT], "the authorization_code grant")
            issuer_state = optional_text(auth.get("issuer_state"), "issuer_state")
            if "authorization_server" in auth:
                code_server = check_url(auth["authorization_server"], "authorization_server", identifier=True)
        return cls(
            credential_issuer=issuer,
            credential_configuration_ids=ids,
            pre_authorized_code=code,
            tx_code=tx_code,
            issuer_state=issuer_state,
            authorization_server=server,
            authorization_code_grant=AUTHORIZATION_CODE_GRANT in grants,
            authorization_code_server=code_server,
        )


def offer_link(
    *,
    credential_offer_uri: str | None = None,
    offer: CredentialOffer | None = None,
    scheme: str = OFFER_SCHEME,
) -> str:
    """``openid-credential-offer://?credential_offer_uri=...`` or ``?credential_offer=...`` (4.1):
    exactly one of the two. ``scheme`` may also be a wallet's https credential offer endpoint."""
    if (credential_offer_uri is None) == (offer is None):
        raise InvalidRequest("an offer link carries exactly one of credential_offer and credential_offer_uri")
    if credential_offer_uri is not None:
        params = {"credential_offer_uri": check_url(credential_offer_uri, "credential_offer_uri")}
    else:
        assert offer is not None
        params = {"credential_offer": json.dumps(offer.to_json(), separators=(",", ":"), ensure_ascii=False)}
    separator = "&" if "?" in scheme else "?"
    return f"{scheme}{separator}{urlencode(params, quote_via=quote)}"


def parse_offer_link(link: str) -> str | CredentialOffer:
    """The ``credential_offer_uri`` of a link by reference, or the offer of a link by value.

    Any scheme is accepted (``openid-credential-offer://``, ``haip-vci://``, a wallet's https
    endpoint); other query parameters are ignored; a repeated parameter is refused.
    """
    if not isinstance(link, str) or not link or len(link) > MAX_LINK_CHARS:
        raise InvalidRequest("the credential offer link is missing or too long")
    try:
        query = urlsplit(link).query
    except ValueError as exc:
        raise InvalidRequest("the credential offer link is not a URL") from exc
    params = query_parameters(query, "the credential offer link")
    by_value, by_reference = params.get("credential_offer"), params.get("credential_offer_uri")
    if (by_value is None) == (by_reference is None):
        raise InvalidRequest("exactly one of credential_offer and credential_offer_uri is required")
    if by_reference is not None:
        return check_url(by_reference, "credential_offer_uri")
    assert by_value is not None
    try:
        document = parse_json(by_value, max_bytes=MAX_OFFER_BYTES, max_depth=8)
    except InvalidInput as exc:
        raise InvalidRequest(f"credential_offer is not JSON: {exc}") from exc
    return CredentialOffer.from_json(document)
