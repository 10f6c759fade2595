"""Relying-party registration certificates (WRPRC, ETSI TS 119 475) and the requests they bound.

A registrar vouches that a relying party (RP) registered a purpose and the credentials and claims it
may ask for. It signs that as a JWT, the registration certificate, which the RP sends with its
OpenID4VP request object in ``verifier_info`` (OpenID4VP 1.0 sections 5.1 and 5.11). The wallet checks
it, shows the registered name and purpose, and compares the DCQL query with what was registered.

The JWT (:func:`sign_registration`, :func:`verify_registration`):

- header: ``alg`` ES256, ``typ`` ``rc-wrp+jwt`` (TS 119 475 clause 5.2), ``x5c`` the registrar's
  certificate chain, leaf first, its trust anchor left out (as HAIP asks of every signer);
- claims: ``sub`` (the RP's identifier), ``name`` (its name for display), ``purpose`` (a list of
  ``{"lang", "value"}``), ``credentials`` (a list of ``{"format", "meta", "claim": [{"path"}]}``, with
  ``meta`` as in a DCQL query: ``vct_values`` for ``dc+sd-jwt``, ``doctype_value`` for ``mso_mdoc``),
  ``entitlements`` (``.../Entitlement/Service_Provider``), ``iat``, optional ``exp`` and ``nbf``,
  optional ``privacy_policy`` (a URI) and optional ``status`` (a token status list reference,
  ``{"status_list": {"idx", "uri"}}``).

The registrar's anchors are the certificates of the ``WRPRC/Issuance`` services
(:data:`trust_list.uris.WRPRC_ISSUANCE`) on the trusted lists; the caller passes them in. Checking
``status`` needs a fetch, so it is the caller's too.

Our reading where the texts leave room:

- **Binding.** TS 119 475 (V1.2.1, GEN-5.1.1-02) ties ``sub`` to the semantic identifier in the
  subject of the RP's access certificate: ``organizationIdentifier`` (OID 2.5.4.97, ETSI EN 319 412-1
  clause 5.1.4, e.g. ``LEINL-724500AB12CD34EF5678``), or ``serialNumber`` (2.5.4.5) for a natural
  person. The EUDI reference wallet kit reads it that way too. We compare the two exactly; an access
  certificate that carries neither cannot be bound. Intermediaries (``act``/``intermediary``) are
  not supported: ``sub`` must be the signer of the request.
- **Shape.** ``sub`` is a string (TS 119 475 V1.1.1 had an object; V1.2.1 and the deployed registrars
  use the identifier string). Registered claims are DCQL claims path pointers under ``claim`` (the
  TS 119 475 name); ``claims`` is read too. ``privacy_policy`` is emitted as a URI string (as the
  reference wallet kit reads it); the V1.1.1 list ``[{"type", "policyURI"}]`` is read too.
- **Scope.** A registered credential without ``claim`` registers every claim of its type (TS 119 475
  V1.1.1: "if not available, all attributes are requested"). A registered path covers itself and
  everything beneath it; ``null`` (every array element) covers any index. A DCQL credential query
  without ``claims`` asks for no selectively disclosable claim (OpenID4VP 1.0 section 6.4.1), so it
  only needs its type registered. With ``claim_sets``, every claim an option names is asked for,
  since the RP declared each option acceptable. Only ``dc+sd-jwt`` and ``mso_mdoc`` registrations
  are understood; a query in another format is never within a registration.
- **Transport.** ``verifier_info`` is an array (section 5.1); an entry with ``format``
  ``registration_cert`` (ETSI TS 119 472-2 clause 6.3, as the EUDI wallets read it) carries the
  compact JWS as its ``data`` string. Entries of other formats are skipped (section 5.11).
- **Algorithms.** ES256 only, the project's baseline. JAdES header parameters that would need
  ``crit`` are refused, as :func:`common.jose.parse_jws` refuses every ``crit``.

Pure: no I/O and no clock; ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.errors import CryptoError, InvalidInput
from common.jose import Algorithm, encode_jws, has_typ, parse_jws, x5c_certificates, x5c_header
from trust_list.errors import (
    ChainError,
    InvalidRegistration,
    NotRegistered,
    RegistrationMismatch,
)
from trust_list.x509 import require_aware, validate_chain

__all__ = [
    "ENTITLEMENT_SERVICE_PROVIDER",
    "LEEWAY",
    "MAX_REGISTRATION_BYTES",
    "MAX_VERIFIER_INFO",
    "MSO_MDOC",
    "REGISTRATION_TYP",
    "SD_JWT_VC",
    "VERIFIER_INFO_FORMAT",
    "ClaimPath",
    "Excess",
    "LocalizedText",
    "RegisteredCredential",
    "Registration",
    "StatusReference",
    "check_within_registration",
    "excess_requests",
    "parse_verifier_info",
    "relying_party_identifier",
    "sign_registration",
    "verifier_info_entry",
    "verify_registration",
]

REGISTRATION_TYP = "rc-wrp+jwt"
VERIFIER_INFO_FORMAT = "registration_cert"
ENTITLEMENT_SERVICE_PROVIDER = "https://uri.etsi.org/19475/Entitlement/Service_Provider"
SD_JWT_VC = "dc+sd-jwt"
MSO_MDOC = "mso_mdoc"

MAX_REGISTRATION_BYTES = 32 * 1024
"""A registration with a two-certificate ``x5c`` and a few dozen claims stays far below this."""
MAX_VERIFIER_INFO = 8
LEEWAY = timedelta(seconds=60)

_MAX_DEPTH = 12
_MAX_ITEMS = 100
_MAX_PATH = 16
_MAX_TEXT = 2048

ClaimPath = tuple[str | int | None, ...]
"""A DCQL claims path pointer (OpenID4VP 1.0 section 7): names, array indices, ``None`` for all."""


class _QueryModel(Protocol):
    """The parsed ``openid4vc.dcql.DcqlQuery`` (``trust_list`` may not import ``openid4vc``)."""

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LocalizedText:
    lang: str
    value: str


@dataclass(frozen=True)
class RegisteredCredential:
    """A credential type the RP may request, and which of its claims (``None``: every claim)."""

    format: str
    types: tuple[str, ...]
    """``vct_values`` for ``dc+sd-jwt``; the one ``doctype_value`` for ``mso_mdoc``."""
    claims: tuple[ClaimPath, ...] | None = None

    @classmethod
    def sd_jwt_vc(
        cls, *vcts: str, claims: Sequence[Sequence[str | int | None]] | None = None
    ) -> RegisteredCredential:
        return cls(SD_JWT_VC, tuple(vcts), None if claims is None else tuple(tuple(p) for p in claims))

    @classmethod
    def mdoc(cls, doctype: str, claims: Sequence[Sequence[str]] | None = None) -> RegisteredCredential:
        return cls(MSO_MDOC, (doctype,), None if claims is None else tuple(tuple(p) for p in claims))

    def to_json(self) -> dict[str, Any]:
        meta: dict[str, Any] = (
            {"doctype_value": self.types[0]} if self.format == MSO_MDOC else {"vct_values": list(self.types)}
        )
        result: dict[str, Any] = {"format": self.format, "meta": meta}
        if self.claims is not None:
            result["claim"] = [{"path": list(path)} for path in self.claims]
        return result


@dataclass(frozen=True)
class StatusReference:
    """A token status list entry (draft-ietf-oauth-status-list section 6.1) for the registration."""

    idx: int
    uri: str


@dataclass(frozen=True)
class Registration:
    """What a registrar certifies about a relying party (see the module docstring for the claims)."""

    sub: str
    """The RP's identifier: its access certificate's ``organizationIdentifier`` (or ``serialNumber``)."""
    name: str
    purposes: tuple[LocalizedText, ...]
    credentials: tuple[RegisteredCredential, ...]
    iat: datetime
    exp: datetime | None = None
    privacy_policy: str | None = None
    status: StatusReference | None = None
    entitlements: tuple[str, ...] = (ENTITLEMENT_SERVICE_PROVIDER,)
    registrar: x509.Certificate | None = field(default=None, compare=False, repr=False)
    """The certificate that signed it; set by :func:`verify_registration`."""

    def purpose(self, lang: str = "en") -> str | None:
        """The purpose in ``lang`` (``"en"`` matches ``"en-GB"``), else the first one listed."""
        wanted = lang.lower()
        for text in self.purposes:
            tag = text.lang.lower()
            if tag == wanted or tag.split("-")[0] == wanted.split("-")[0]:
                return text.value
        return self.purposes[0].value if self.purposes else None

    def to_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.sub,
            "name": self.name,
            "purpose": [{"lang": text.lang, "value": text.value} for text in self.purposes],
            "credentials": [credential.to_json() for credential in self.credentials],
            "entitlements": list(self.entitlements),
            "iat": int(self.iat.timestamp()),
        }
        if self.exp is not None:
            claims["exp"] = int(self.exp.timestamp())
        if self.privacy_policy is not None:
            claims["privacy_policy"] = self.privacy_policy
        if self.status is not None:
            claims["status"] = {"status_list": {"idx": self.status.idx, "uri": self.status.uri}}
        return claims

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Registration:
        """Parse the payload of a registration certificate; :class:`InvalidRegistration` if malformed."""
        exp = claims.get("exp")
        return cls(
            sub=_text(claims.get("sub"), "sub"),
            name=_text(claims.get("name"), "name"),
            purposes=tuple(_localized(item) for item in _items(claims.get("purpose"), "purpose", least=1)),
            credentials=tuple(
                credential
                for item in _items(claims.get("credentials"), "credentials")
                if (credential := _registered_credential(item)) is not None
            ),
            iat=_numeric_date(claims.get("iat"), "iat"),
            exp=None if exp is None else _numeric_date(exp, "exp"),
            privacy_policy=_privacy_policy(claims.get("privacy_policy")),
            status=_status(claims.get("status")),
            entitlements=tuple(
                _text(item, "an entitlement")
                for item in _items(claims.get("entitlements", []), "entitlements")
            ),
        )


@dataclass(frozen=True)
class Excess:
    """One thing a request asks beyond the registration: a credential type, or a claim of one."""

    credential_query_id: str
    format: str
    credential_type: str | None
    """The ``vct`` or docType asked for (``None`` when the query's format names no type we read)."""
    path: ClaimPath | None = None
    """``None``: the credential type itself is not registered."""

    def __str__(self) -> str:
        what = self.credential_type or f"a {self.format} credential"
        if self.path is None:
            return f"{what} (not registered)"
        return f"{what}: {'/'.join('*' if step is None else str(step) for step in self.path)}"


# --- parsing helpers -------------------------------------------------------------------------------


def _fail(message: str) -> InvalidRegistration:
    return InvalidRegistration(f"registration certificate: {message}")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise _fail(f"{what} must be a non-empty string")
    return value


def _items(value: Any, what: str, *, least: int = 0) -> list[Any]:
    if not isinstance(value, list) or not least <= len(value) <= _MAX_ITEMS:
        raise _fail(f"{what} must be an array of {least} to {_MAX_ITEMS} entries")
    return value


def _localized(value: Any) -> LocalizedText:
    if not isinstance(value, Mapping):
        raise _fail("a purpose is an object with lang and value")
    return LocalizedText(_text(value.get("lang"), "purpose lang"), _text(value.get("value"), "purpose value"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _numeric_date(value: Any, what: str) -> datetime:
    if not (_is_int(value) or isinstance(value, float)) or isinstance(value, bool):
        raise _fail(f"{what} must be a NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise _fail(f"{what} is out of range") from exc


def _path(value: Any, format_: str) -> ClaimPath:
    if not isinstance(value, list) or not value or len(value) > _MAX_PATH:
        raise _fail(f"a claim path must be a non-empty array of at most {_MAX_PATH} elements")
    for step in value:
        if not (step is None or isinstance(step, str) or (_is_int(step) and step >= 0)):
            raise _fail("claim path elements are strings, non-negative integers or null")
    if format_ == MSO_MDOC and (len(value) > 2 or not all(isinstance(step, str) for step in value)):
        raise _fail("an mso_mdoc claim path is [namespace] or [namespace, data element]")
    return tuple(value)


def _registered_credential(value: Any) -> RegisteredCredential | None:
    """One ``credentials`` entry; ``None`` for a format we do not read (it registers nothing we match)."""
    if not isinstance(value, Mapping):
        raise _fail("a credentials entry must be an object")
    format_ = _text(value.get("format"), "credential format")
    if format_ not in (SD_JWT_VC, MSO_MDOC):
        return None
    meta = value.get("meta")
    if not isinstance(meta, Mapping):
        raise _fail(f"a {format_} credentials entry needs a meta object")
    if format_ == SD_JWT_VC:
        types = tuple(_text(vct, "vct_values entry") for vct in _items(meta.get("vct_values"), "vct_values"))
        if not types:
            raise _fail("vct_values must not be empty")
    else:
        types = (_text(meta.get("doctype_value"), "doctype_value"),)
    if "claim" in value and "claims" in value:
        raise _fail("a credentials entry has both claim and claims")
    raw = value.get("claim", value.get("claims"))
    claims = None
    if raw is not None:
        claims = []
        for item in _items(raw, "claim"):
            if not isinstance(item, Mapping):
                raise _fail("a claim entry is an object with a path")
            claims.append(_path(item.get("path"), format_))
    return RegisteredCredential(format_, types, None if claims is None else tuple(claims))


def _privacy_policy(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return _text(value[0].get("policyURI"), "privacy_policy policyURI")
    return _text(value, "privacy_policy")


def _status(value: Any) -> StatusReference | None:
    if value is None:
        return None
    reference = value.get("status_list") if isinstance(value, Mapping) else None
    if not isinstance(reference, Mapping):
        raise _fail("status must be {status_list: {idx, uri}}")
    idx = reference.get("idx")
    if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
        raise _fail("status_list idx must be a non-negative integer")
    return StatusReference(idx, _text(reference.get("uri"), "status_list uri"))


# --- the access certificate ------------------------------------------------------------------------


def relying_party_identifier(access_certificate: x509.Certificate) -> str | None:
    """The RP identifier a registration's ``sub`` must equal: the access certificate's subject
    ``organizationIdentifier`` (EN 319 412-1 clause 5.1.4), else its ``serialNumber`` (clause 5.1.3)."""
    for oid in (NameOID.ORGANIZATION_IDENTIFIER, NameOID.SERIAL_NUMBER):
        values = access_certificate.subject.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None


# --- signing and verifying -------------------------------------------------------------------------


def _spki(key: Any) -> bytes:
    return bytes(
        key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def sign_registration(
    registration: Registration, *, key: ec.EllipticCurvePrivateKey, chain: Sequence[x509.Certificate]
) -> str:
    """The registrar's side: ``registration`` as a compact JWS (ES256, ``typ`` ``rc-wrp+jwt``, ``x5c``).

    ``chain`` is the registrar's certificate first, without its trust anchor; ``key`` its P-256 key.
    """
    if not chain:
        raise ValueError("the registrar's certificate chain is empty")
    if Algorithm.for_key(key) is not Algorithm.ES256:
        raise ValueError("a registration certificate is signed with a P-256 key (ES256)")
    if _spki(key.public_key()) != _spki(chain[0].public_key()):
        raise ValueError("the key does not belong to the first certificate of the chain")
    header = {"typ": REGISTRATION_TYP, "x5c": x5c_header(chain)}
    return encode_jws(header, registration.to_claims(), key)


def verify_registration(
    jwt: str,
    *,
    registrar_anchors: Sequence[x509.Certificate],
    now: datetime,
    access_certificate: x509.Certificate,
    leeway: timedelta = LEEWAY,
    entitlement: str | None = ENTITLEMENT_SERVICE_PROVIDER,
) -> Registration:
    """The wallet's side: a registration certificate the RP sent, checked in full.

    ``registrar_anchors`` are the certificates of the in-force ``WRPRC/Issuance`` services on the
    trusted lists; ``access_certificate`` is the already validated leaf that signed the request
    object. Checks, in order: size and shape, ``typ``, the ``x5c`` chain to an anchor at ``now``,
    the ES256 signature, the claims, ``iat``/``nbf``/``exp`` at ``now`` (with ``leeway``), that
    ``sub`` is the RP identifier of ``access_certificate``, and that ``entitlements``, when the
    registrar lists any, hold ``entitlement`` (by default the service provider's, which asking for a
    presentation takes; None skips it). ``status`` is left to the caller.

    Raises :class:`InvalidRegistration`, or :class:`RegistrationMismatch` for another RP's certificate.
    """
    require_aware(now, "now")
    try:
        jws = parse_jws(jwt, max_bytes=MAX_REGISTRATION_BYTES)
    except InvalidInput as exc:
        raise _fail(str(exc)) from exc
    if not has_typ(jws.header, REGISTRATION_TYP):
        raise _fail(f"typ must be {REGISTRATION_TYP!r}, not {jws.header.get('typ')!r}")
    try:
        chain = x5c_certificates(jws.header)
    except InvalidInput as exc:
        raise _fail(str(exc)) from exc
    try:
        registrar = validate_chain(chain, registrar_anchors, at=now)
    except ChainError as exc:
        raise _fail(f"the registrar is not trusted: {exc}") from exc
    key = registrar.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise _fail("the registrar's certificate does not hold an EC key")
    try:
        jws.verify(key)
        claims = jws.claims(max_depth=_MAX_DEPTH)
    except (CryptoError, InvalidInput) as exc:
        raise _fail(str(exc)) from exc
    registration = Registration.from_claims(claims)
    _check_times(registration, claims.get("nbf"), now=now, leeway=leeway)
    identifier = relying_party_identifier(access_certificate)
    if identifier is None:
        raise RegistrationMismatch(
            "the access certificate carries no organizationIdentifier or serialNumber to bind "
            "the registration to"
        )
    if registration.sub != identifier:
        raise RegistrationMismatch(
            f"the registration is for {registration.sub!r}, the access certificate for {identifier!r}"
        )
    if entitlement is not None and registration.entitlements and entitlement not in registration.entitlements:
        raise _fail(f"the registration does not carry the entitlement {entitlement}")
    return replace(registration, registrar=registrar)


def _check_times(registration: Registration, nbf: Any, *, now: datetime, leeway: timedelta) -> None:
    if registration.iat > now + leeway:
        raise _fail("iat is in the future")
    if nbf is not None and _numeric_date(nbf, "nbf") > now + leeway:
        raise _fail("not valid yet (nbf)")
    if registration.exp is not None and now >= registration.exp + leeway:
        raise _fail("expired (exp)")


# --- the request against the registration -----------------------------------------------------------


def _query_json(dcql_query: Mapping[str, Any] | _QueryModel) -> Mapping[str, Any]:
    value = dcql_query if isinstance(dcql_query, Mapping) else dcql_query.to_json()
    if not isinstance(value, Mapping) or not isinstance(value.get("credentials"), list):
        raise InvalidInput("DCQL: the query must be an object with a credentials array")
    return value


def _requested_types(query: Mapping[str, Any], format_: str) -> list[str]:
    meta = query.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    if format_ == SD_JWT_VC:
        vcts = meta.get("vct_values")
        if not isinstance(vcts, list) or not vcts or not all(isinstance(v, str) for v in vcts):
            raise InvalidInput("DCQL: meta.vct_values must be a non-empty array of strings")
        return list(vcts)
    doctype = meta.get("doctype_value")
    if not isinstance(doctype, str):
        raise InvalidInput("DCQL: meta.doctype_value must be a string")
    return [doctype]


def _requested_paths(query: Mapping[str, Any]) -> list[ClaimPath]:
    """The claims a credential query asks for (OpenID4VP 1.0 section 6.4.1): none without ``claims``;
    with ``claim_sets``, those that some option names."""
    claims = query.get("claims")
    if claims is None:
        return []
    if not isinstance(claims, list) or not all(
        isinstance(c, Mapping) and isinstance(c.get("path"), list | tuple) for c in claims
    ):
        raise InvalidInput("DCQL: claims must be an array of objects with a path")
    claim_sets = query.get("claim_sets")
    named: set[Any] | None = None
    if claim_sets is not None:
        if not isinstance(claim_sets, list) or not all(isinstance(option, list) for option in claim_sets):
            raise InvalidInput("DCQL: claim_sets must be an array of arrays")
        named = {claim_id for option in claim_sets for claim_id in option if isinstance(claim_id, str)}
    paths: list[ClaimPath] = []
    for claim in claims:
        if named is not None and claim.get("id") not in named:
            continue
        path = tuple(claim["path"])
        if not path or not all(step is None or isinstance(step, str | int) for step in path):
            raise InvalidInput("DCQL: a claims path holds strings, integers or null")
        if path not in paths:
            paths.append(path)
    return paths


def _step_covers(registered: str | int | None, requested: Any) -> bool:
    if registered is None:
        return requested is None or _is_int(requested)
    return type(registered) is type(requested) and registered == requested


def _covers(registered: ClaimPath, requested: ClaimPath) -> bool:
    """A registered path covers itself and every claim beneath it."""
    return len(registered) <= len(requested) and all(
        _step_covers(r, q) for r, q in zip(registered, requested, strict=False)
    )


def excess_requests(registration: Registration, dcql_query: Mapping[str, Any] | _QueryModel) -> list[Excess]:
    """What ``dcql_query`` asks beyond ``registration``, in query order; empty when it stays within.

    ``dcql_query`` is the query's JSON object or the parsed ``openid4vc.dcql.DcqlQuery``. A credential
    query exceeds the registration for each type it accepts that is not registered in its format, and
    for each requested claim no registered path of that type covers (see the module docstring).
    """
    excess: list[Excess] = []
    for query in _query_json(dcql_query)["credentials"]:
        if not isinstance(query, Mapping):
            raise InvalidInput("DCQL: a credential query must be an object")
        query_id, format_ = query.get("id"), query.get("format")
        if not isinstance(query_id, str) or not isinstance(format_, str):
            raise InvalidInput("DCQL: a credential query needs an id and a format")
        if format_ not in (SD_JWT_VC, MSO_MDOC):
            excess.append(Excess(query_id, format_, None))
            continue
        paths = _requested_paths(query)
        for credential_type in _requested_types(query, format_):
            entries = [
                c for c in registration.credentials if c.format == format_ and credential_type in c.types
            ]
            if not entries:
                excess.append(Excess(query_id, format_, credential_type))
                continue
            if any(entry.claims is None for entry in entries):
                continue
            registered = [path for entry in entries for path in entry.claims or ()]
            excess.extend(
                Excess(query_id, format_, credential_type, path)
                for path in paths
                if not any(_covers(allowed, path) for allowed in registered)
            )
    return excess


def check_within_registration(
    registration: Registration, dcql_query: Mapping[str, Any] | _QueryModel
) -> None:
    """Raise :class:`NotRegistered`, naming each excess, when ``dcql_query`` asks beyond ``registration``."""
    excess = excess_requests(registration, dcql_query)
    if excess:
        raise NotRegistered(
            f"{registration.name} asks for more than it registered: {'; '.join(str(item) for item in excess)}"
        )


# --- verifier_info ---------------------------------------------------------------------------------


def verifier_info_entry(jwt: str) -> dict[str, str]:
    """The ``verifier_info`` entry (OpenID4VP 1.0 section 5.1) that carries a registration certificate."""
    return {"format": VERIFIER_INFO_FORMAT, "data": jwt}


def parse_verifier_info(value: object) -> list[str]:
    """The registration certificates in a request's ``verifier_info`` (OpenID4VP 1.0 section 5.1).

    ``value`` must be a non-empty array of at most :data:`MAX_VERIFIER_INFO` objects, each with a
    ``format`` string and ``data``; entries of other formats are skipped (section 5.11). Returns the
    compact JWS of every ``registration_cert`` entry, unverified. Raises :class:`InvalidRegistration`.
    """
    if not isinstance(value, list) or not value or len(value) > MAX_VERIFIER_INFO:
        raise InvalidRegistration(
            f"verifier_info must be a non-empty array of at most {MAX_VERIFIER_INFO} objects"
        )
    found = []
    for entry in value:
        if not isinstance(entry, Mapping):
            raise InvalidRegistration("a verifier_info entry must be an object")
        format_ = entry.get("format")
        if not isinstance(format_, str) or not format_:
            raise InvalidRegistration("a verifier_info entry needs a format string")
        if "data" not in entry or not isinstance(entry["data"], str | Mapping):
            raise InvalidRegistration("a verifier_info entry needs data (a string or an object)")
        ids = entry.get("credential_ids")
        if ids is not None and (
            not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids)
        ):
            raise InvalidRegistration("verifier_info credential_ids must be a non-empty array of strings")
        if format_ != VERIFIER_INFO_FORMAT:
            continue
        data = entry["data"]
        if not isinstance(data, str) or data.count(".") != 2 or len(data) > MAX_REGISTRATION_BYTES:
            raise InvalidRegistration(
                f"a {VERIFIER_INFO_FORMAT} entry must carry a compact JWS "
                f"of at most {MAX_REGISTRATION_BYTES} bytes"
            )
        found.append(data)
    return found
