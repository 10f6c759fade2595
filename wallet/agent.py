"""The wallet agent: receives credentials (OpenID4VCI 1.0) and presents them (OpenID4VP 1.0).

It is headless and generic over its store, its HTTP fetcher, its clock and its trust list, so the
CLI, the terminal UI and the pilot runner all drive the same code.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from common.clock import Clock
from common.errors import EudiError, InvalidInput
from common.jose import b64url_decode, b64url_encode, jwk_thumbprint, parse_jws, public_jwk, x5c_certificates
from common.jwe import ECDH_ES
from common.net import Fetcher, Response
from credentials import cose
from credentials.mdoc import (
    device_response,
    issuer_auth_algorithm,
    issuer_signed_chain,
    openid4vp_session_transcript,
    select_elements,
    verify_issuer_signed,
)
from credentials.mdoc_json import namespaces_json
from credentials.sdjwt import ClaimPath
from credentials.sdjwt_vc import present_sd_jwt_vc, read_issued_sd_jwt_vc, registered_claims
from openid4vc.dcql import Candidate, Match, match, select
from openid4vc.dpop import make_dpop_proof
from openid4vc.encryption import JWT_MEDIA_TYPE, ResponseEncryption, decrypt_message, encrypt_message
from openid4vc.errors import OpenID4VCError
from openid4vc.issuance import (
    PRE_AUTHORIZED_GRANT,
    CredentialIssuerMetadata,
    CredentialOffer,
    make_jwt_proof,
    parse_authorization_server_metadata,
    parse_credential_issuer_metadata,
    parse_credential_response,
    parse_nonce_response,
    parse_offer_link,
    parse_token_response,
    well_known_url,
)
from openid4vc.presentation import (
    AuthorizationRequest,
    authorization_response_form,
    error_response_form,
    parse_authorization_request_link,
    parse_response_uri_answer,
    request_uri_form,
    verify_request_object,
)
from openid4vc.token import MAX_TX_CODE
from trust_list.decision import service_anchors, types_vouched_for, vouch_for_issuer
from trust_list.errors import InvalidRegistration, NotRegistered
from trust_list.loader import TrustListLoader
from trust_list.lote import WRPAC_ISSUANCE, WRPRC_ISSUANCE, TrustList
from trust_list.registration import Registration, excess_requests, parse_verifier_info, verify_registration
from trust_list.x509 import subject_organization, validate_chain
from wallet.errors import IssuerError, NoMatchingCredential, VerifierError
from wallet.store import StoredCredential, WalletStore

__all__ = ["PresentationProposal", "WalletAgent", "redirect_of"]

SD_JWT_FORMAT = "dc+sd-jwt"
MDOC_FORMAT = "mso_mdoc"
WALLET_METADATA: dict[str, Any] = {
    "response_types_supported": ["vp_token"],
    "response_modes_supported": ["direct_post", "direct_post.jwt"],
    "vp_formats_supported": {
        SD_JWT_FORMAT: {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
        MDOC_FORMAT: {"issuerauth_alg_values": [-7, -9], "deviceauth_alg_values": [-7]},  # it signs ES256
    },
    "client_id_prefixes_supported": ["x509_san_dns", "x509_hash"],
    "request_object_signing_alg_values_supported": ["ES256"],
    "authorization_encryption_alg_values_supported": ["ECDH-ES"],
    "authorization_encryption_enc_values_supported": ["A256GCM", "A128GCM"],
}
"""What this wallet posts to a request URI that invites it (OpenID4VP 1.0 sections 5.10 and 10)."""
REFUSE, WARN = "refuse", "warn"
"""Registration policies: refuse a request that asks more than the relying party registered, or warn."""


@dataclass(frozen=True)
class PresentationProposal:
    """A verified request and what the wallet would disclose for it, awaiting the citizen's consent."""

    request: AuthorizationRequest
    verifier_name: str | None
    selection: Mapping[str, Sequence[Match]] | None
    registration: Registration | None = None
    """The relying party's verified registration certificate: its name, purposes, registrar."""
    excess: tuple[str, ...] = ()
    """What the request asks beyond the registration (shown as a warning; empty when within it)."""
    refusal: str = "access_denied"
    """The error sent when nothing satisfies the request: ``vp_formats_not_supported`` where this
    wallet can present none of the formats asked, as the verifier takes them (OpenID4VP 1.0 section
    8.5), judged without looking at the credentials held."""

    @property
    def satisfiable(self) -> bool:
        return self.selection is not None

    def disclosed_paths(self) -> dict[str, list[ClaimPath]]:
        if self.selection is None:
            return {}
        return {qid: [p for m in matches for p in m.paths] for qid, matches in self.selection.items()}


@dataclass(frozen=True)
class _Encryption:
    """How credential requests to an issuer are encrypted, and their responses asked to be
    (OpenID4VCI 1.0 section 10): whenever the issuer offers both in a form implemented here, as a
    request that names the key for its response must itself be encrypted (section 8.2); requests
    alone where the issuer requires that and offers no encrypted responses."""

    request_key: dict[str, Any]
    request_enc: str
    response_enc: str | None

    @classmethod
    def plan(cls, metadata: CredentialIssuerMetadata) -> _Encryption | None:
        """The plan for ``metadata``; an :class:`IssuerError` where the issuer requires what this
        wallet cannot do (said before the single-use code is spent)."""
        request, response = metadata.request_encryption, metadata.response_encryption
        key = request.key() if request is not None else None
        request_enc = request.enc() if request is not None else None
        requests_ok = key is not None and request_enc is not None
        responses_ok = requests_ok and response is not None and response.usable()
        if (request is not None and request.required and not requests_ok) or (
            response is not None and response.required and not responses_ok
        ):
            raise IssuerError(
                "the issuer wants credential requests or responses encrypted in a way not done here"
            )
        if key is None or request_enc is None:
            return None
        if responses_ok:
            assert response is not None
            return cls(key, request_enc, response.enc())
        return cls(key, request_enc, None) if request is not None and request.required else None

    def ask(self, body: dict[str, Any]) -> ec.EllipticCurvePrivateKey | None:
        """Add ``credential_response_encryption`` to a request ``body``, with a fresh key: the one its
        response is to be decrypted with, returned (None when responses come in the clear)."""
        if self.response_enc is None:
            return None
        key = ec.generate_private_key(ec.SECP256R1())
        jwk = {**public_jwk(key), "alg": ECDH_ES, "use": "enc"}
        body["credential_response_encryption"] = ResponseEncryption(jwk, self.response_enc).to_json()
        return key

    def seal(self, body: Mapping[str, Any]) -> bytes:
        return encrypt_message(body, self.request_key, self.request_enc).encode("ascii")

    def read(self, answer: Response, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
        """The credential response, which must come encrypted to ``key``."""
        if answer.content_type != JWT_MEDIA_TYPE:
            raise IssuerError("the issuer answered in the clear where an encrypted response was asked for")
        try:
            return decrypt_message(
                answer.content.decode("ascii"), key, kid=None, encs=(self.response_enc or "",)
            )
        except (EudiError, UnicodeDecodeError) as exc:
            raise IssuerError(f"the encrypted credential response is unusable: {exc}") from exc


_JSON = {"Accept": "application/json"}
"""Metadata as JSON: an issuer may answer signed metadata otherwise (OpenID4VCI 1.0 section 12.2.2)."""


def _check_tx_code(tx_code: str) -> None:
    """The holder's transaction code, before the single-use pre-authorized code is spent: a form can
    carry it (UTF-8, so no lone surrogate, which a command line's undecodable bytes become) and the
    authorization server takes it (:func:`openid4vc.token.parse_token_request`)."""
    if not 0 < len(tx_code) <= MAX_TX_CODE:
        raise InvalidInput(f"the transaction code must be 1 to {MAX_TX_CODE} characters")
    try:
        tx_code.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput("the transaction code holds a character that is not text") from exc


def _receivable(configuration_id: str, configuration: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """An offered configuration this wallet can receive: a format it holds; where the issuer names
    its proof types, ``jwt`` among them (the one this wallet makes), with ES256 among its algorithms
    (OpenID4VCI 1.0 appendix F.1) and no key attestation required (appendix D, not made here)."""
    if configuration is None or configuration.get("format") not in (SD_JWT_FORMAT, MDOC_FORMAT):
        raise IssuerError(f"cannot receive {configuration_id!r}: unknown or unsupported format")
    proof_types = configuration.get("proof_types_supported")
    if isinstance(proof_types, dict) and "jwt" not in proof_types:
        raise IssuerError(f"cannot receive {configuration_id!r}: the issuer takes no jwt proofs")
    jwt = proof_types.get("jwt") if isinstance(proof_types, dict) else None
    algorithms = jwt.get("proof_signing_alg_values_supported") if isinstance(jwt, dict) else None
    if isinstance(algorithms, list) and "ES256" not in algorithms:
        raise IssuerError(f"cannot receive {configuration_id!r}: the issuer takes no ES256 proofs")
    if isinstance(jwt, dict) and "key_attestations_required" in jwt:
        raise IssuerError(f"cannot receive {configuration_id!r}: the issuer wants key attestations")
    return configuration


class WalletAgent:
    def __init__(
        self,
        store: WalletStore,
        fetcher: Fetcher,
        clock: Clock,
        trust: TrustListLoader,
        rng: Callable[[int], bytes] = os.urandom,
        *,
        registration_policy: str = REFUSE,
    ) -> None:
        if registration_policy not in (REFUSE, WARN):
            raise ValueError(f"registration_policy is {REFUSE!r} or {WARN!r}")
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.trust = trust
        self.rng = rng
        self.registration_policy = registration_policy
        self._trusted_at: int | None = None

    def trust_lists(self) -> Sequence[TrustList]:
        """The lists of trusted entities in force now."""
        return self.trust.lists()

    async def refresh_trust(self) -> None:
        """Fetch the trust lists again when they were last fetched longer ago than their interval."""
        now = self.clock.now()
        if self._trusted_at is None or now - self._trusted_at >= self.trust.refresh_interval:
            await self.trust.refresh()
            self._trusted_at = now

    def _at(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    @staticmethod
    def _json(response: Response, what: str) -> Any:
        if response.status_code >= 400:
            body = _error_object(response)
            reason = (
                f"{body.get('error')}: {body.get('error_description', '')}"
                if body
                else f"HTTP {response.status_code}"
            )
            raise IssuerError(f"{what} failed: {reason}")
        if response.content_type != "application/json":
            raise IssuerError(f"{what} answered {response.content_type or 'no content type'}, not JSON")
        return response.json()

    # -- issuance ---------------------------------------------------------------------------------

    async def resolve_offer(self, link: str) -> CredentialOffer:
        parsed = parse_offer_link(link)
        if isinstance(parsed, CredentialOffer):
            return parsed
        answer = await self.fetcher.get(parsed, headers=_JSON)
        return CredentialOffer.from_json(self._json(answer, "fetching the credential offer"))

    async def _issuer_metadata(self, issuer_url: str) -> Response:
        """The issuer's metadata where OpenID4VCI 1.0 section 12.2.2 puts it; for an identifier ending
        in ``/`` that is not found there, where RFC 8414 would put it (without that ``/``), as some
        issuers do."""
        literal = well_known_url(issuer_url, "openid-credential-issuer")
        answer = await self.fetcher.get(literal, headers=_JSON)
        stripped = literal.rstrip("/")
        if answer.status_code == 404 and stripped != literal:
            answer = await self.fetcher.get(stripped, headers=_JSON)
        return answer

    async def receive(self, link: str, *, tx_code: str | None = None) -> list[StoredCredential]:
        """Pre-authorized code flow (OpenID4VCI 1.0 sections 4-8): offer to stored credentials."""
        await self.refresh_trust()
        offer = await self.resolve_offer(link)
        if offer.pre_authorized_code is None:
            raise IssuerError("the offer has no pre-authorized code; the authorization code flow comes later")
        if offer.tx_code is not None and tx_code is None:
            raise IssuerError("this offer needs the transaction code that the issuer gave you")
        if offer.tx_code is not None and tx_code is not None:
            _check_tx_code(tx_code)
        issuer_url = offer.credential_issuer
        metadata = parse_credential_issuer_metadata(
            self._json(await self._issuer_metadata(issuer_url), "fetching the issuer metadata"),
            expected_issuer=issuer_url,
        )
        # the offer may name which of the issuer's authorization servers to use (OpenID4VCI 1.0 4.1.1)
        servers, hint = metadata.authorization_servers, offer.authorization_server
        if hint is not None and hint not in servers:
            raise IssuerError(
                "the offer names an authorization server that the issuer metadata does not list"
            )
        as_url = hint or (servers[0] if servers else issuer_url)
        as_metadata = parse_authorization_server_metadata(
            self._json(
                await self.fetcher.get(well_known_url(as_url, "oauth-authorization-server"), headers=_JSON),
                "fetching the authorization server metadata",
            ),
            expected_issuer=as_url,
        )
        # what cannot be received is said before the single-use code is spent
        encryption = _Encryption.plan(metadata)
        configurations = [
            (cid, _receivable(cid, metadata.configurations.get(cid)))
            for cid in offer.credential_configuration_ids
        ]
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
        if offer.tx_code is not None and tx_code is not None:
            form["tx_code"] = tx_code
        # DPoP (RFC 9449) where the authorization server takes it: the token is bound to a key of ours
        dpop = (
            _Dpop(self.rng, self.clock) if "ES256" in as_metadata.dpop_signing_alg_values_supported else None
        )
        token_endpoint = as_metadata.token_endpoint
        for _ in range(2):  # a second time with the server's DPoP-Nonce, when it asks for one
            headers = {} if dpop is None else dpop.proof(token_endpoint, _Dpop.AUTHORIZATION)
            answer = await self.fetcher.post(token_endpoint, data=form, headers=headers)
            if dpop is None or not dpop.wants_nonce(answer, _Dpop.AUTHORIZATION):
                break
        token = parse_token_response(self._json(answer, "the token request"))
        bound = token.token_type.lower() == "dpop"
        if bound and dpop is None:
            raise IssuerError("the token is DPoP-bound, though no DPoP proof was sent")
        # identifiers the token response names per configuration are what must be asked for (section 8.2)
        identifiers = {
            detail.credential_configuration_id: detail.credential_identifiers[0]
            for detail in token.authorization_details
            if detail.credential_identifiers
        }
        received = []
        for configuration_id, configuration in configurations:
            key = ec.generate_private_key(ec.SECP256R1())
            which = (
                {"credential_identifier": identifiers[configuration_id]}
                if configuration_id in identifiers
                else {"credential_configuration_id": configuration_id}
            )
            # a c_nonce may lapse or be spent between the nonce and the credential request: after
            # invalid_nonce, a fresh one and one more try (section 8.3.1.2)
            for attempt in (1, 2):
                nonce = None
                if metadata.nonce_endpoint is not None:
                    given = await self.fetcher.post(metadata.nonce_endpoint)
                    if dpop is not None:
                        dpop.see(given, _Dpop.RESOURCE)
                    nonce = parse_nonce_response(self._json(given, "the nonce request"))
                proof = make_jwt_proof(key, audience=issuer_url, nonce=nonce, iat=self.clock.now())
                body: dict[str, Any] = {**which, "proofs": {"jwt": [proof]}}
                response_key = encryption.ask(body) if encryption is not None else None
                answer = await self._authorized_post(
                    metadata.credential_endpoint,
                    body,
                    token.access_token,
                    dpop if bound else None,
                    encryption,
                )
                retry = attempt == 1 and answer.status_code == 400 and nonce is not None
                if not (retry and _error_object(answer).get("error") == "invalid_nonce"):
                    break
            if answer.status_code < 400 and answer.status_code not in (200, 202):
                # section 8.3: credentials come with 200, a deferral with 202; nothing else is an answer
                raise IssuerError(f"the credential request was answered with HTTP {answer.status_code}")
            if response_key is not None and answer.status_code < 400:  # whatever it holds (8.3)
                assert encryption is not None
                message = encryption.read(answer, response_key)
            else:
                message = self._json(answer, "the credential request")
            credentials = parse_credential_response(message)
            if len(credentials) != 1:
                raise IssuerError(f"the issuer sent {len(credentials)} credentials for one key proof")
            received.append((self._checked(credentials[0], key, configuration, issuer_url), key))
        # kept only when every credential of the offer checked out: an offer is received whole or not
        for credential, _ in received:
            self.store.check_record(credential)
        for credential, key in received:
            self._keep(credential, key)
        return [credential for credential, _ in received]

    async def _authorized_post(
        self,
        url: str,
        body: Mapping[str, Any],
        access_token: str,
        dpop: _Dpop | None,
        encryption: _Encryption | None = None,
    ) -> Response:
        """POST ``body`` to an endpoint of the credential issuer with the access token: DPoP-bound,
        with a proof (made again with the server's DPoP-Nonce when it asks for one), or bearer; as an
        encrypted JWT with ``encryption`` (OpenID4VCI 1.0 section 10), else as JSON."""
        for _ in range(2):
            if dpop is None:
                headers = {"Authorization": f"Bearer {access_token}"}
            else:
                proof = dpop.proof(url, _Dpop.RESOURCE, access_token=access_token)
                headers = {"Authorization": f"DPoP {access_token}", **proof}
            if encryption is None:
                answer = await self.fetcher.post(url, json=dict(body), headers=headers)
            else:
                headers["Content-Type"] = JWT_MEDIA_TYPE
                answer = await self.fetcher.post(url, content=encryption.seal(body), headers=headers)
            if dpop is None or not dpop.wants_nonce(answer, _Dpop.RESOURCE):
                break
        return answer

    def _checked(
        self, raw: str, key: ec.EllipticCurvePrivateKey, configuration: Mapping[str, Any], issuer_url: str
    ) -> StoredCredential:
        """A fresh credential, checked: signature, chain to an issuer that the trust list allows for
        its type, the type offered, and our key in ``cnf`` (or the MSO deviceKey)."""
        key_id = b64url_encode(jwk_thumbprint(public_jwk(key)))
        if configuration.get("format") == MDOC_FORMAT:
            return self._check_mdoc(raw, key, configuration, issuer_url, key_id)
        return self._check_sd_jwt(raw, key, configuration, issuer_url, key_id)

    def _keep(self, credential: StoredCredential, key: ec.EllipticCurvePrivateKey) -> None:
        self.store.add_credential(credential, key)
        self.store.append_log(
            {
                "event": "received",
                "at": self.clock.now(),
                "credential_id": credential.credential_id,
                "format": credential.format,
                "type": credential.attestation_type,
                "issuer": credential.issuer,
                "issuer_name": credential.issuer_name,
            }
        )

    def _check_sd_jwt(
        self,
        raw: str,
        key: ec.EllipticCurvePrivateKey,
        configuration: Mapping[str, Any],
        issuer_url: str,
        key_id: str,
    ) -> StoredCredential:
        header = parse_jws(raw.split("~", 1)[0]).header
        offered = str(configuration.get("vct"))
        chain = x5c_certificates(header)
        vouch = vouch_for_issuer(self.trust_lists(), offered, chain, at=self._at())
        issuer_key = vouch.signer.public_key()
        if not isinstance(issuer_key, ec.EllipticCurvePublicKey):
            raise IssuerError("issuer certificate does not hold an EC key")
        held = read_issued_sd_jwt_vc(raw, issuer_key=issuer_key, now=self.clock.now())
        if held.vct != offered:
            raise IssuerError(f"issuer sent vct {held.vct!r}, not the {offered!r} offered")
        if jwk_thumbprint(held.cnf_jwk) != jwk_thumbprint(public_jwk(key)):
            raise IssuerError("the credential is bound to a key that is not ours")
        return StoredCredential(
            credential_id=b64url_encode(self.rng(12)),
            format=SD_JWT_FORMAT,
            raw=raw,
            vct=held.vct,
            issuer=held.issuer or issuer_url,
            issuer_name=subject_organization(vouch.signer),
            key_id=key_id,
            received_at=self.clock.now(),
            claims=held.claims,
            # the other types it says it is of, where the lists allow its issuer those too
            aka_vcts=types_vouched_for(self.trust_lists(), held.aka_vcts, chain, at=self._at()),
        )

    def _check_mdoc(
        self,
        raw: str,
        key: ec.EllipticCurvePrivateKey,
        configuration: Mapping[str, Any],
        issuer_url: str,
        key_id: str,
    ) -> StoredCredential:
        offered = str(configuration.get("doctype"))
        at = self._at()
        lists = self.trust_lists()
        verified = verify_issuer_signed(
            b64url_decode(raw),
            doctype=offered,
            now=at,
            validate_chain=lambda chain: vouch_for_issuer(lists, offered, chain, at=at).signer,
        )
        if verified.device_key.public_numbers() != key.public_key().public_numbers():
            raise IssuerError("the mdoc is bound to a device key that is not ours")
        return StoredCredential(
            credential_id=b64url_encode(self.rng(12)),
            format=MDOC_FORMAT,
            raw=raw,
            vct=None,
            doctype=verified.doctype,
            issuer=issuer_url,
            issuer_name=subject_organization(verified.signer),
            key_id=key_id,
            received_at=self.clock.now(),
            claims=namespaces_json(verified.namespaces),
        )

    # -- presentation -----------------------------------------------------------------------------

    def _validate_rp_chain(self, chain: Sequence[x509.Certificate], dns_name: str | None) -> x509.Certificate:
        return validate_chain(
            chain, service_anchors(self.trust_lists(), WRPAC_ISSUANCE), at=self._at(), dns_name=dns_name
        )

    async def fetch_request(self, link: str) -> PresentationProposal:
        """Fetch and check the signed request, then match its DCQL query against our credentials."""
        await self.refresh_trust()
        parsed = parse_authorization_request_link(link)
        accept = {"Accept": "application/oauth-authz-req+jwt"}
        wallet_nonce = None
        if parsed.request_uri_method == "post":  # our metadata and a nonce the request must echo (5.10)
            wallet_nonce = b64url_encode(self.rng(16))
            form = request_uri_form(wallet_metadata=WALLET_METADATA, wallet_nonce=wallet_nonce)
            answer = await self.fetcher.post(parsed.request_uri, data=form, headers=accept)
        else:
            answer = await self.fetcher.get(parsed.request_uri, headers=accept)
        if answer.status_code != 200:
            raise VerifierError(f"fetching the request object failed: HTTP {answer.status_code}")
        try:
            request = verify_request_object(
                answer.content.decode("ascii", "replace").strip(),
                link=parsed,
                validate_chain=self._validate_rp_chain,
                now=self.clock.now(),
                wallet_nonce=wallet_nonce,
            )
        except OpenID4VCError as exc:
            if exc.report_to is not None:  # authenticated, but wanting: the verifier is told (8.5)
                response_uri, state = exc.report_to
                form = error_response_form(exc.error, exc.description, state, exc.report_encryption)
                with contextlib.suppress(EudiError):  # the refusal stands, heard or not
                    await self.fetcher.post(response_uri, data=form)
            raise
        try:
            registration, excess = self._registration(request)
        except (NotRegistered, InvalidRegistration) as exc:
            # refused by the wallet's policy, the request being authenticated: the verifier is told
            # (section 8.5), rather than left waiting for an answer until the transaction expires
            form = error_response_form("access_denied", str(exc), request.state, request.response_encryption)
            with contextlib.suppress(EudiError):
                await self.fetcher.post(request.response_uri, data=form)
            raise
        query, formats = request.dcql_query, request.client_metadata.get("vp_formats_supported")
        offered = _offered(self.store.credentials(), formats)
        selection = select(query, match(query, [_candidate(c) for c in offered]))
        # judged on the request alone, never on what is held, which the code would otherwise betray
        answerable = any(_can_present(q.format, formats) for q in query.credentials)
        refusal = "access_denied" if answerable else "vp_formats_not_supported"
        return PresentationProposal(
            request=request,
            verifier_name=subject_organization(request.verifier_certificate),
            selection=selection,
            registration=registration,
            excess=tuple(excess),
            refusal=refusal,
        )

    def _registration(self, request: AuthorizationRequest) -> tuple[Registration | None, list[str]]:
        """The relying party's registration certificate (``verifier_info``), checked against the
        registrars on the trusted lists and the access certificate, and what the request asks beyond
        it. Refused by default when the request asks more than registered, or carries no
        registration; with the ``warn`` policy the excess is returned for the consent screen."""
        # verifier_info is optional (OpenID4VP 1.0 section 5.1); when present it must be well formed
        info = request.claims.get("verifier_info")
        jwts = [] if info is None else parse_verifier_info(info)
        registration = None
        if jwts:
            registration = verify_registration(
                jwts[0],
                registrar_anchors=service_anchors(self.trust_lists(), WRPRC_ISSUANCE),
                now=self._at(),
                access_certificate=request.verifier_certificate,
            )
            excess = [str(item) for item in excess_requests(registration, request.dcql_query.to_json())]
        else:
            excess = ["the relying party presents no registration certificate"]
        if excess and self.registration_policy == REFUSE:
            raise NotRegistered(
                "the request asks for more than the relying party registered: " + "; ".join(excess)
            )
        return registration, excess

    async def respond(self, proposal: PresentationProposal, *, accept: bool) -> dict[str, Any]:
        """Send the presentation (``direct_post``), or ``access_denied`` when the citizen declines; the
        response endpoint's answer is returned, whose ``redirect_uri`` (section 8.2), when there is
        one, is where the citizen's browser must go next (see :func:`redirect_of`)."""
        request = proposal.request
        now = self.clock.now()
        if not accept or proposal.selection is None:
            form = error_response_form(
                "access_denied" if proposal.selection is not None else proposal.refusal,
                "the citizen declined" if accept is False else "no matching credential",
                request.state,
                request.response_encryption,
            )
            # logged before it is sent: the refusal may reach the verifier and its answer fail
            self.store.append_log(
                {
                    "event": "declined",
                    "at": now,
                    "verifier": request.client_id,
                    "verifier_name": proposal.verifier_name,
                }
            )
            declined = await self.fetcher.post(request.response_uri, data=form)
            reply = _json_object(declined) if declined.status_code == 200 else {}
            if proposal.selection is None:
                refusal = NoMatchingCredential("no credential in this wallet satisfies the request")
                refusal.redirect_uri = redirect_of(reply)  # the verifier may still take the citizen on
                raise refusal
            return reply
        by_id = {c.credential_id: c for c in self.store.credentials()}
        vp_token: dict[str, list[str]] = {}
        shared = []
        for query_id, matches in proposal.selection.items():
            for chosen in matches:
                credential = by_id[chosen.candidate.id]
                vp_token.setdefault(query_id, []).append(
                    self._presentation(credential, chosen.paths, request, now)
                )
                shared.append(
                    {
                        "credential_id": credential.credential_id,
                        "format": credential.format,
                        "type": credential.attestation_type,
                        "claims": [list(p) for p in chosen.paths],
                    }
                )
        entry = {
            "at": now,
            "verifier": request.client_id,
            "verifier_name": proposal.verifier_name,
            "shared": shared,
        }
        try:
            answer = await self.fetcher.post(
                request.response_uri,
                data=authorization_response_form(
                    vp_token=vp_token, state=request.state, encryption=request.response_encryption
                ),
            )
        except BaseException as exc:
            # the claims may have reached the verifier before the answer failed, or before the flow
            # was cancelled (Ctrl-C): the log says so either way
            reason = str(exc) or type(exc).__name__
            self.store.append_log({"event": "presentation_unconfirmed", **entry, "reason": reason})
            if isinstance(exc, EudiError):
                raise VerifierError(f"the verifier's answer to the presentation failed: {exc}") from exc
            raise
        body = _error_object(answer) if answer.status_code != 200 else _json_object(answer)
        if answer.status_code == 200:
            self.store.append_log({"event": "presented", **entry})
            return body
        self.store.append_log(
            {"event": "presentation_refused", **entry, "reason": body.get("error_description")}
        )
        raise VerifierError(
            f"the verifier refused the presentation: {body.get('error')}: {body.get('error_description')}"
            if body
            else f"the verifier refused the presentation: HTTP {answer.status_code}"
        )

    def _presentation(
        self,
        credential: StoredCredential,
        paths: Sequence[ClaimPath],
        request: AuthorizationRequest,
        now: int,
    ) -> str:
        """One vp_token entry: an SD-JWT VC with the chosen disclosures and a KB-JWT, or a base64url
        DeviceResponse with the chosen elements, device-signed over the OpenID4VP handover
        SessionTranscript (OpenID4VP 1.0 appendix B.2.6.1; with the thumbprint of the verifier's key
        when the response is encrypted to it)."""
        holder_key = self.store.holder_key(credential.key_id)
        if credential.format == SD_JWT_FORMAT:
            return present_sd_jwt_vc(
                credential.raw,
                paths,
                holder_key=holder_key,
                audience=request.client_id,
                nonce=request.nonce,
                iat=now,
            )
        wanted: dict[str, set[str]] = {}
        for path in paths:
            wanted.setdefault(str(path[0]), set()).add(str(path[1]))
        encryption = request.response_encryption
        transcript = openid4vp_session_transcript(
            client_id=request.client_id,
            nonce=request.nonce,
            jwk_thumbprint=None if encryption is None else jwk_thumbprint(encryption.jwk),
            response_uri=request.response_uri,
        )
        selected = select_elements(b64url_decode(credential.raw), wanted)
        return b64url_encode(
            device_response(
                [(selected, holder_key, credential.attestation_type)], session_transcript=transcript
            )
        )


class _Dpop:
    """The wallet's side of DPoP (RFC 9449) in one issuance: one key, and the last ``DPoP-Nonce`` of
    each server: the authorization server's (section 8) and the credential issuer's, as resource
    server (section 9; its nonce endpoint may hand one out too, OpenID4VCI 1.0 section 7.2)."""

    AUTHORIZATION, RESOURCE = "authorization", "resource"

    def __init__(self, rng: Callable[[int], bytes], clock: Clock) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.rng = rng
        self.clock = clock
        self.nonces: dict[str, str] = {}

    def proof(self, url: str, server: str, *, access_token: str | None = None) -> dict[str, str]:
        """The ``DPoP`` header for a POST to ``url`` of ``server``."""
        return {
            "DPoP": make_dpop_proof(
                self.key,
                method="POST",
                url=url,
                iat=self.clock.now(),
                jti=b64url_encode(self.rng(16)),
                nonce=self.nonces.get(server),
                access_token=access_token,
            )
        }

    def see(self, answer: Response, server: str) -> None:
        """Keep the ``DPoP-Nonce`` a server sends with any answer, for its next proof."""
        nonce = answer.headers.get("dpop-nonce")
        if nonce is not None and nonce.isascii() and nonce.isprintable() and 0 < len(nonce) <= 512:
            self.nonces[server] = nonce

    def wants_nonce(self, answer: Response, server: str) -> bool:
        """Whether ``server`` refused the request for want of its nonce (``use_dpop_nonce``: in the
        body at the token endpoint, in ``WWW-Authenticate`` elsewhere), having sent one to use."""
        self.see(answer, server)
        challenge = answer.headers.get("www-authenticate", "")
        refused = (
            _error_object(answer).get("error") == "use_dpop_nonce" or 'error="use_dpop_nonce"' in challenge
        )
        return answer.status_code in (400, 401) and refused and server in self.nonces


def redirect_of(answer: Mapping[str, Any]) -> str | None:
    """The ``redirect_uri`` of a response endpoint's answer (OpenID4VP 1.0 section 8.2): where the
    wallet must send the user agent next; None when there is none or it is not an absolute URI."""
    try:
        return parse_response_uri_answer(answer)
    except OpenID4VCError:
        return None


_FULLY_SPECIFIED = {-9: (cose.ES256, "secp256r1"), -51: (-35, "secp384r1"), -52: (-36, "secp521r1")}
"""COSE ESP256, ESP384 and ESP512 (RFC 9864) as the algorithm and curve each stands for."""


def _candidate(credential: StoredCredential) -> Candidate:
    """A credential as DCQL sees it; of an SD-JWT VC, the registered claims too, which a query may
    name (they are always presented)."""
    claims = credential.claims
    if credential.format == SD_JWT_FORMAT:
        claims = {**registered_claims(credential.raw), **claims}
    return Candidate(
        id=credential.credential_id,
        format=credential.format,
        vct=credential.vct,
        doctype=credential.doctype,
        claims=claims,
        authorities=_authorities(credential),
        aka_vcts=credential.aka_vcts,
    )


def _can_present(format_: str, formats: object) -> bool:
    """Whether this wallet can make a presentation of ``format_`` at all for a verifier with
    ``vp_formats_supported`` = ``formats``: a format it presents, which the verifier takes, with the
    wallet's own algorithm (ES256 for the KB-JWT and the device signature)."""
    if format_ not in (SD_JWT_FORMAT, MDOC_FORMAT):
        return False
    if not isinstance(formats, Mapping):
        return True
    if format_ not in formats:
        return False
    wanted = formats[format_]
    if not isinstance(wanted, Mapping):
        return True
    if format_ == MDOC_FORMAT:
        return _cose_meets(wanted.get("deviceauth_alg_values"), cose.ES256, "secp256r1")
    return _jose_meets(wanted.get("kb-jwt_alg_values"), "ES256")


def _offered(credentials: Sequence[StoredCredential], formats: object) -> list[StoredCredential]:
    """The credentials a verifier with ``vp_formats_supported`` = ``formats`` takes: of a format it
    lists, with algorithms it lists (all of them when it names no formats)."""
    if not isinstance(formats, Mapping):
        return list(credentials)
    return [c for c in credentials if c.format in formats and _meets(c, formats[c.format])]


def _meets(credential: StoredCredential, wanted: object) -> bool:
    """Whether a presentation of ``credential`` meets what the verifier's ``vp_formats_supported``
    asks of its format (OpenID4VP 1.0 appendices B.2.2 and B.3.4): the issuer's signature algorithm,
    and this wallet's own (ES256 on P-256, for the KB-JWT and the device signature). A credential
    that does not is not offered, as one of a format the verifier does not take."""
    if not isinstance(wanted, Mapping):
        return True
    try:
        if credential.format == MDOC_FORMAT:
            alg, curve = issuer_auth_algorithm(b64url_decode(credential.raw))
            return _cose_meets(wanted.get("issuerauth_alg_values"), alg, curve) and _cose_meets(
                wanted.get("deviceauth_alg_values"), cose.ES256, "secp256r1"
            )
        alg = parse_jws(credential.raw.split("~", 1)[0]).header.get("alg")
    except EudiError:
        return False
    return _jose_meets(wanted.get("sd-jwt_alg_values"), alg) and _jose_meets(
        wanted.get("kb-jwt_alg_values"), "ES256"
    )


def _cose_meets(values: object, alg: object, curve: str) -> bool:
    """B.2.2: a value naming ``alg`` itself, or the fully specified algorithm of ``alg`` on ``curve``;
    no constraint when absent, and none met by a value that is not the non-empty array it must be."""
    if values is None:
        return True
    return isinstance(values, list) and any(
        type(value) is int and (value == alg or _FULLY_SPECIFIED.get(value) == (alg, curve))
        for value in values
    )


def _jose_meets(values: object, alg: object) -> bool:
    return values is None or (isinstance(values, list) and alg in values)


def _authorities(credential: StoredCredential) -> dict[str, set[str]] | None:
    """What a DCQL ``trusted_authorities`` query can match the credential by (OpenID4VP 1.0 section
    6.1.1): ``aki``, the AuthorityKeyIdentifier key identifiers along its issuer chain (``x5c``, or
    the mdoc's ``x5chain``): the signer's, then each next certificate's while it is the issuer of
    the one before (its SubjectKeyIdentifier is that one's AKI), so that a certificate sent beside
    the path counts for nothing; None when the chain cannot be read."""
    try:
        if credential.format == MDOC_FORMAT:
            chain = issuer_signed_chain(b64url_decode(credential.raw))
        else:
            chain = x5c_certificates(parse_jws(credential.raw.split("~", 1)[0]).header)
    except EudiError:
        return None
    keys: set[str] = set()
    issuer: str | None = None  # the AKI of the certificate before: its issuer's SKI
    for position, certificate in enumerate(chain):
        if position and _key_identifier(certificate, x509.SubjectKeyIdentifier) != issuer:
            break  # not the issuer of the certificate before: off the path
        issuer = _key_identifier(certificate, x509.AuthorityKeyIdentifier)
        if issuer is None:
            break
        keys.add(issuer)
    return {"aki": keys}


def _key_identifier(
    certificate: x509.Certificate, kind: type[x509.AuthorityKeyIdentifier] | type[x509.SubjectKeyIdentifier]
) -> str | None:
    try:
        value = certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    identifier = value.key_identifier if isinstance(value, x509.AuthorityKeyIdentifier) else value.digest
    return None if identifier is None else b64url_encode(identifier)


def _json_object(response: Response) -> dict[str, Any]:
    """The response's JSON object; ``{}`` when it is empty, not JSON or not an object."""
    if not response.content:
        return {}
    try:
        body = response.json()
    except EudiError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_object(response: Response) -> dict[str, Any]:
    """The ``error`` and ``error_description`` of an error response, when they are strings; ``{}``
    when the body says nothing usable (RFC 6749 section 5.2 shape)."""
    body = _json_object(response)
    return {name: body[name] for name in ("error", "error_description") if isinstance(body.get(name), str)}
