"""DeviceResponse and mdoc device authentication, ISO/IEC 18013-5:2021 sections 8.3.2.1.2.2 and 9.1.3,
with the OpenID4VP 1.0 handovers of appendix B.2.6.

The holder builds a DeviceResponse whose ``deviceSignature`` (COSE_Sign1 by the MSO deviceKey, detached
payload ``#6.24(bstr .cbor DeviceAuthentication)``) binds it to the SessionTranscript; the verifier
checks that, the keyAuthorizations, and everything :func:`verify_issuer_signed_object` checks.
``deviceMac`` (proximity, needs the reader's ephemeral key) is not supported here.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import cbor, cose
from credentials._mdoc_issuer import (
    MAX_ISSUER_SIGNED_BYTES,
    ValidateChain,
    VerifiedIssuerSigned,
    _map,
    _seq,
    _text,
    verify_issuer_signed_object,
)
from credentials.errors import (
    InvalidDeviceSignature,
    InvalidSignature,
    MalformedMdoc,
    UnauthorizedDeviceElement,
    UnsupportedAlgorithm,
    WrongType,
)

MAX_DEVICE_RESPONSE_BYTES = MAX_ISSUER_SIGNED_BYTES
_EMPTY_MAP = b"\xa0"
DEVICE_RESPONSE_OK = 0


class VerifiedDocument(NamedTuple):
    """One verified Document of a DeviceResponse: issuer-signed and device-signed elements (a named
    tuple, as :class:`VerifiedIssuerSigned`)."""

    doctype: str
    issuer_signed: VerifiedIssuerSigned
    device_namespaces: Mapping[str, Mapping[str, Any]]

    @property
    def namespaces(self) -> Mapping[str, Mapping[str, Any]]:
        return self.issuer_signed.namespaces


def openid4vp_session_transcript(
    *, client_id: str, nonce: str, jwk_thumbprint: bytes | None, response_uri: str
) -> list[Any]:
    """SessionTranscript ``[null, null, OpenID4VPHandover]`` of OpenID4VP 1.0 B.2.6.1 (redirect and
    ``direct_post``): ``["OpenID4VPHandover", SHA-256(cbor([client_id, nonce, jwkThumbprint,
    response_uri]))]``; the thumbprint (RFC 7638) is given only when the response is encrypted."""
    info = _handover_info(client_id, nonce, jwk_thumbprint, response_uri)
    return [None, None, ["OpenID4VPHandover", hashlib.sha256(info).digest()]]


def openid4vp_dc_api_session_transcript(
    *, origin: str, nonce: str, jwk_thumbprint: bytes | None
) -> list[Any]:
    """SessionTranscript of OpenID4VP 1.0 B.2.6.2 (Digital Credentials API):
    ``[null, null, ["OpenID4VPDCAPIHandover", SHA-256(cbor([origin, nonce, jwkThumbprint]))]]``."""
    info = _handover_info(origin, nonce, jwk_thumbprint)
    return [None, None, ["OpenID4VPDCAPIHandover", hashlib.sha256(info).digest()]]


# The CBOR of B.2.6 and of DeviceAuthentication, written here directly for the usual shapes: a cbor2
# encoder call takes ~550 instruction-cache misses even when warm, and its code runs nowhere else in a
# verify (DeviceAuthenticationBytes: 22K instructions and 775 misses by cbor2, 16K and 46 here).
_NULL = b"\xf6"
_OPENID4VP_TRANSCRIPT_HEAD = b"\x83\xf6\xf6\x82"
"""``[null, null, [...``: the SessionTranscript of OpenID4VP, up to its handover's name and hash."""
_DEVICE_AUTHENTICATION_HEAD = b"\x84\x74DeviceAuthentication"
"""``["DeviceAuthentication", ...``: an array of four, then the 20-character tstr."""


def _handover_info(*fields: Any) -> bytes:
    """``cbor.encode(list(fields))``, written directly for text, and a thumbprint or null."""
    parts = []
    for field in fields:
        if type(field) is str:
            parts.append(cbor.encode_tstr(field))
        elif type(field) is bytes:
            parts.append(cbor.encode_bstr(field))
        elif field is None:
            parts.append(_NULL)
        else:
            return cbor.encode(list(fields))
    return cbor.encode_array(parts)


def _encoded_session_transcript(session_transcript: Any) -> bytes:
    """``cbor.encode(session_transcript)``, written directly for those of OpenID4VP (B.2.6)."""
    if type(session_transcript) is list and len(session_transcript) == 3:
        first, second, handover = session_transcript
        if first is None and second is None and type(handover) is list and len(handover) == 2:
            name, digest = handover
            if type(name) is str and type(digest) is bytes:
                return _OPENID4VP_TRANSCRIPT_HEAD + cbor.encode_tstr(name) + cbor.encode_bstr(digest)
    return cbor.encode(session_transcript)


def _device_authentication_bytes(session_transcript: Any, doctype: str, namespaces_tag: Any) -> bytes:
    """``DeviceAuthenticationBytes = #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript,
    DocType, DeviceNameSpacesBytes])`` (9.1.3.4)."""
    if type(doctype) is not str:
        return cbor.encode24(["DeviceAuthentication", session_transcript, doctype, namespaces_tag])
    return cbor.wrapped24(
        _DEVICE_AUTHENTICATION_HEAD
        + _encoded_session_transcript(session_transcript)
        + cbor.encode_tstr(doctype)
        + cbor.tag24_bytes(namespaces_tag)
    )


def device_response(
    documents: Sequence[tuple[bytes, ec.EllipticCurvePrivateKey, str]],
    *,
    session_transcript: Any,
) -> bytes:
    """A DeviceResponse (8.3.2.1.2.2) of ``(IssuerSigned bytes, device key, docType)`` documents, each
    device-authenticated by a ``deviceSignature`` over the transcript, with no device-signed elements."""
    docs = []
    for issuer_signed, device_key, doctype in documents:
        namespaces_tag = cbor.wrap24({})
        signature = cose.sign1(
            None,
            device_key,
            detached_payload=_device_authentication_bytes(session_transcript, doctype, namespaces_tag),
            tag=False,
        )
        docs.append(
            {
                "docType": doctype,
                "issuerSigned": cbor.decode(issuer_signed, max_bytes=MAX_ISSUER_SIGNED_BYTES),
                "deviceSigned": {
                    "nameSpaces": namespaces_tag,
                    "deviceAuth": {"deviceSignature": cbor.decode(signature)},
                },
            }
        )
    return cbor.encode({"version": "1.0", "documents": docs, "status": DEVICE_RESPONSE_OK})


def _device_namespaces(namespaces_tag: Any, issuer: VerifiedIssuerSigned) -> dict[str, dict[str, Any]]:
    if (
        isinstance(namespaces_tag, cbor2.CBORTag)
        and namespaces_tag.tag == cbor.TAG_ENCODED_CBOR
        and namespaces_tag.value == _EMPTY_MAP
    ):
        return {}  # no device-signed elements, as in nearly every response: read without a decoder
    namespaces: dict[str, dict[str, Any]] = {}
    for ns, elements in _map(cbor.unwrap24(namespaces_tag), "DeviceNameSpaces").items():
        values = {}
        for element, value in _map(elements, "DeviceSignedItems").items():
            _text(element, "element identifier")
            if not issuer.mso.key_authorizations.allows(ns, element):
                raise UnauthorizedDeviceElement(f"device-signed {ns}/{element} is not authorized by the MSO")
            values[element] = value
        namespaces[_text(ns, "namespace")] = values
    return namespaces


def _verify_document(
    document: Any,
    session_transcript: Any,
    now: datetime.datetime,
    validate_chain: ValidateChain,
    doctypes: Collection[str] | None,
) -> VerifiedDocument:
    doc = _map(document, "Document")
    doctype = _text(doc.get("docType"), "docType")
    if doctypes is not None and doctype not in doctypes:
        raise WrongType(f"docType {doctype!r} was not requested")
    issuer = verify_issuer_signed_object(
        doc.get("issuerSigned"), doctype=doctype, now=now, validate_chain=validate_chain
    )
    device_signed = _map(doc.get("deviceSigned"), "deviceSigned")
    namespaces_tag = device_signed.get("nameSpaces")
    device_namespaces = _device_namespaces(namespaces_tag, issuer)
    device_auth = _map(device_signed.get("deviceAuth"), "deviceAuth")
    if "deviceMac" in device_auth:
        raise UnsupportedAlgorithm("deviceMac is not supported; use deviceSignature")
    if set(device_auth) != {"deviceSignature"}:
        raise MalformedMdoc("deviceAuth must hold deviceSignature")
    message = cose.decode_sign1(list(_seq(device_auth["deviceSignature"], "deviceSignature")))
    if message.payload is not None:
        raise MalformedMdoc("deviceSignature payload must be detached (nil)")
    try:
        cose.verify_sign1(
            message,
            issuer.device_key,
            detached_payload=_device_authentication_bytes(session_transcript, doctype, namespaces_tag),
        )
    except InvalidSignature as exc:
        raise InvalidDeviceSignature(
            "deviceSignature does not verify with the MSO deviceKey over this SessionTranscript"
        ) from exc
    return VerifiedDocument(doctype, issuer, device_namespaces)


def verify_device_response(
    data: bytes,
    *,
    session_transcript: Any,
    now: datetime.datetime,
    validate_chain: ValidateChain,
    doctypes: Collection[str] | None = None,
) -> list[VerifiedDocument]:
    """Verify a DeviceResponse (9.3.1 and 9.1.3): per document, issuerAuth through ``validate_chain``,
    digests, docType (equal in the Document and the MSO, and among ``doctypes`` when given), validity at
    ``now``, keyAuthorizations, and the deviceSignature by the MSO deviceKey over
    ``session_transcript``. A response whose ``status`` is not 0 or without documents is refused."""
    response = _map(cbor.decode(data, max_bytes=MAX_DEVICE_RESPONSE_BYTES), "DeviceResponse")
    version = _text(response.get("version"), "version")
    if not version.startswith("1."):
        raise MalformedMdoc(f"DeviceResponse version {version!r} not supported")
    status = response.get("status")
    if status != DEVICE_RESPONSE_OK or type(status) is not int:
        raise MalformedMdoc(f"DeviceResponse status {status!r}")
    documents = _seq(response.get("documents"), "documents")
    if not documents:
        raise MalformedMdoc("DeviceResponse without documents")
    return [
        _verify_document(document, session_transcript, now, validate_chain, doctypes)
        for document in documents
    ]
