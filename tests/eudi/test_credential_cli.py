"""``eudi credential issue|inspect|verify``: round trips in both formats, refusals with their reasons.

Everything runs at fixed instants (``--at``) against a development PKI and trust list made in
``tmp_path``; the only network use is one trust list served on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common.jose import b64url_decode, b64url_encode
from credentials import cbor
from credentials.catalog.diploma import DIPLOMA_DOCTYPE, DIPLOMA_VCT
from credentials.catalog.pid import PID_DOCTYPE, PID_VCT
from credentials.mdoc import device_response, openid4vp_session_transcript, select_elements
from credentials.sdjwt_vc import present_sd_jwt_vc
from credentials.status_list import StatusList, status_list_jwt
from credentials.status_list_cwt import status_list_cwt
from eudi.__main__ import main
from trust_list.cli import write_trust_list
from trust_list.pki import DevPki, make_dev_pki, pem_private_key, write_dev_pki

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AT = (T0 + timedelta(hours=2)).isoformat()
STATUS_URI = "https://issuer.example/status-lists/1"
CLIENT_ID = "x509_san_dns:rp.example"
RESPONSE_URI = "https://rp.example/response"
NONCE = "n-0S6_WzA2Mj"
LIST = "Demo Trust List Operator NL (NL)"

PID = {
    "family_name": "Mustermann",
    "given_name": "Erika",
    "birthdate": "1984-01-26",
    "place_of_birth": {"locality": "Berlin", "country": "DE"},
    "nationalities": ["DE"],
    "address": {"locality": "Utrecht", "country": "NL"},
    "date_of_expiry": "2031-01-01",
    "issuing_authority": "Gemeente Utrecht",
    "issuing_country": "NL",
}
DIPLOMA = {
    "family_name": "Mustermann",
    "given_name": "Erika",
    "qualification_title": "Master of Science in Computer Science",
    "awarding_institution": "Universiteit Utrecht",
    "awarding_country": "NL",
    "date_awarded": "2010-07-01",
    "eqf_level": 7,
}


@dataclass(frozen=True)
class Setup:
    pki: DevPki
    dir: Path
    holder: ec.EllipticCurvePrivateKey

    def path(self, name: str) -> str:
        return str(self.dir / name)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    directory = tmp_path_factory.mktemp("credential-cli")
    pki = make_dev_pki(now=T0)
    write_dev_pki(pki, directory / "pki")
    write_trust_list(pki, directory / "trust-list.jws", now=T0)
    holder = ec.generate_private_key(ec.SECP256R1())
    (directory / "holder.key").write_bytes(pem_private_key(holder))
    (directory / "holder.pub").write_bytes(
        holder.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (directory / "pid.json").write_text(json.dumps(PID), encoding="utf-8")
    (directory / "diploma.json").write_text(json.dumps(DIPLOMA), encoding="utf-8")
    return Setup(pki, directory, holder)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["credential", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def issue(
    setup: Setup,
    capsys: pytest.CaptureFixture[str],
    out: Path,
    *,
    format_: str = "dc+sd-jwt",
    type_: str = "pid",
    issuer: str = "issuer",
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    attributes = "diploma.json" if type_ == "diploma" else "pid.json"
    code, printed, err = run(
        capsys,
        "issue",
        "--attributes",
        setup.path(attributes),
        "--format",
        format_,
        "--type",
        type_,
        "--key",
        setup.path(f"pki/{issuer}.key"),
        "--cert",
        setup.path(f"pki/{issuer}.pem"),
        "--holder-key",
        setup.path("holder.pub"),
        "--at",
        T0.isoformat(),
        "--out",
        str(out),
        "--json",
        *extra,
    )
    assert code == 0, err
    summary: dict[str, Any] = json.loads(printed)
    return summary


def verify(setup: Setup, capsys: pytest.CaptureFixture[str], file: Path, *extra: str) -> tuple[int, str, str]:
    return run(
        capsys,
        "verify",
        str(file),
        "--trust-list",
        setup.path("trust-list.jws"),
        "--operator",
        setup.path("pki/operator.pem"),
        *(extra if "--at" in extra else (*extra, "--at", AT)),
    )


def refused(result: tuple[int, str, str], reason: str) -> dict[str, Any]:
    """A ``--json`` failure: exit 1, one ``error:`` line on stderr, ``valid: false`` with ``reason``."""
    code, printed, err = result
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1
    answer: dict[str, Any] = json.loads(printed)
    assert answer["valid"] is False and answer["reason"] == reason, answer
    assert answer["error"] == err[len("error: ") :].strip()
    return answer


@pytest.mark.parametrize("command", ["issue", "inspect", "verify"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["credential", command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: eudi credential {command}" in capsys.readouterr().out


ROUND_TRIPS = [
    ("dc+sd-jwt", "pid", "issuer", PID_VCT, "Demo PID Provider NL"),
    ("dc+sd-jwt", "diploma", "eaa-issuer", DIPLOMA_VCT, "Demo Diploma Registry NL"),
    ("mso_mdoc", "pid", "issuer", PID_DOCTYPE, "Demo PID Provider NL"),
    ("mso_mdoc", "diploma", "eaa-issuer", DIPLOMA_DOCTYPE, "Demo Diploma Registry NL"),
]


@pytest.mark.parametrize(("format_", "type_", "issuer", "type_id", "entity"), ROUND_TRIPS)
def test_issue_inspect_verify_round_trip(
    setup: Setup,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    format_: str,
    type_: str,
    issuer: str,
    type_id: str,
    entity: str,
) -> None:
    out = tmp_path / "credential.txt"
    summary = issue(setup, capsys, out, format_=format_, type_=type_, issuer=issuer)
    written = out.read_text(encoding="ascii").strip()
    assert summary["credential"] == written and summary["type"] == type_id
    if format_ == "dc+sd-jwt":
        assert written.endswith("~")
    else:
        assert "issuerAuth" in cbor.decode(b64url_decode(written))

    code, printed, _ = run(capsys, "inspect", str(out), "--json")
    inspected = json.loads(printed)
    assert code == 0 and inspected["format"] == format_ and inspected["type"] == type_id
    assert inspected["header"]["alg"] == "ES256"
    assert inspected["holder_key_thumbprint"] == summary["holder_key_thumbprint"]
    claims = inspected["claims"] if format_ == "dc+sd-jwt" else inspected["claims"][type_id]
    assert claims["given_name"] == "Erika"
    assert "PRIVATE" not in printed

    code, printed, err = verify(setup, capsys, out, "--json")
    assert code == 0, err
    answer = json.loads(printed)
    assert answer["valid"] is True and answer["format"] == format_ and answer["type"] == type_id
    assert answer["vouched_by"] == {
        "entity": entity,
        "list": LIST,
        "service": answer["vouched_by"]["service"],
    }
    assert answer["status"] == "none"
    claims = answer["claims"] if format_ == "dc+sd-jwt" else answer["claims"][type_id]
    assert claims["family_name"] == "Mustermann"

    code, printed, _ = verify(setup, capsys, out)
    assert code == 0 and printed.splitlines()[0] == f"valid: {type_id} from {entity} on {LIST}"
    assert "Erika" in printed


def test_inspect_text_names_the_format(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "pid.mdoc"
    issue(setup, capsys, out, format_="mso_mdoc")
    raw = b64url_decode(out.read_text(encoding="ascii").strip())
    for name, data in (("raw.cbor", raw), ("hex.txt", raw.hex().encode())):
        (tmp_path / name).write_bytes(data)
        code, printed, _ = run(capsys, "inspect", str(tmp_path / name))
        assert code == 0 and printed.startswith("mdoc IssuerSigned (not verified)")
        assert "eu.europa.ec.eudi.pid.1" in printed and "Erika" in printed


@pytest.mark.parametrize("format_", ["dc+sd-jwt", "mso_mdoc"])
def test_pid_signed_by_the_eaa_issuer_is_refused_naming_the_lists(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, format_: str
) -> None:
    out = tmp_path / "pid.txt"
    issue(setup, capsys, out, format_=format_, type_="pid", issuer="eaa-issuer")
    answer = refused(verify(setup, capsys, out, "--json"), "untrusted_issuer")
    assert "no PID provider" in answer["error"] and f"[{LIST}]" in answer["error"]
    code, printed, err = verify(setup, capsys, out)
    assert code == 1 and printed == "" and f"[{LIST}]" in err


def test_tampered_credentials_are_refused(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sd_jwt = tmp_path / "pid.sdjwt"
    issue(setup, capsys, sd_jwt)
    jwt, _, rest = sd_jwt.read_text(encoding="ascii").strip().partition("~")
    header, payload, signature = jwt.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["exp"] += 86400 * 365
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}~{rest}"
    (tmp_path / "forged.sdjwt").write_text(forged, encoding="ascii")
    refused(verify(setup, capsys, tmp_path / "forged.sdjwt", "--json"), "invalid_signature")

    mdoc = tmp_path / "pid.mdoc"
    issue(setup, capsys, mdoc, format_="mso_mdoc")
    issuer_signed = cbor.decode(b64url_decode(mdoc.read_text(encoding="ascii").strip()))
    items = issuer_signed["nameSpaces"][PID_DOCTYPE]
    item = cbor.unwrap24(items[0])
    item["elementValue"] = "Mallory"
    items[0] = cbor.wrap24(item)
    (tmp_path / "forged.cbor").write_bytes(cbor.encode(issuer_signed))
    refused(verify(setup, capsys, tmp_path / "forged.cbor", "--json"), "digest_mismatch")


@pytest.mark.parametrize("format_", ["dc+sd-jwt", "mso_mdoc"])
def test_expired_credential_is_refused(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, format_: str
) -> None:
    out = tmp_path / "short-lived.txt"
    issue(setup, capsys, out, format_=format_, extra=("--valid-days", "1"))
    later = (T0 + timedelta(days=3)).isoformat()
    refused(verify(setup, capsys, out, "--json", "--at", later), "expired")


def _status_list(revoked: int) -> StatusList:
    status_list = StatusList.new(64, 1)
    status_list.set(revoked, 1)
    return status_list


@pytest.mark.parametrize("format_", ["dc+sd-jwt", "mso_mdoc"])
def test_status_from_a_status_list_file(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, format_: str
) -> None:
    pki, iat = setup.pki, int(T0.timestamp())
    signed = {"uri": STATUS_URI, "key": pki.issuer_key, "x5c": [pki.issuer_cert], "iat": iat}
    token_file = tmp_path / "status-list"
    if format_ == "dc+sd-jwt":
        token_file.write_text(status_list_jwt(_status_list(5), exp=iat + 86400, ttl=300, **signed))
    else:
        token_file.write_bytes(status_list_cwt(_status_list(5), exp=iat + 86400, ttl=300, **signed))
    revoked, fine = tmp_path / "revoked.txt", tmp_path / "fine.txt"
    for out, idx in ((revoked, "5"), (fine, "4")):
        issue(setup, capsys, out, format_=format_, extra=("--status-uri", STATUS_URI, "--status-idx", idx))

    answer = refused(
        verify(setup, capsys, revoked, "--json", "--status-list", str(token_file)), "credential_revoked"
    )
    assert "revoked" in answer["error"]
    code, printed, _ = verify(setup, capsys, fine, "--json", "--status-list", str(token_file))
    assert code == 0 and json.loads(printed)["status"] == "valid"
    code, printed, _ = verify(setup, capsys, revoked, "--json")
    assert code == 0 and json.loads(printed)["status"] == "not checked"
    if format_ == "dc+sd-jwt":
        # helper 40: the Issuer is the x5c leaf's subject (SD-JWT VC section 3.5); iss is shown apart
        result = json.loads(verify(setup, capsys, fine, "--json")[1])
        assert result["issuer"] != result["iss"] and result["issuer"] in result["signer"]
        # and an SD-JWT VC's status list is a JWT (section 3.2.2.2): the CWT form is refused
        token_file.write_bytes(status_list_cwt(_status_list(5), exp=iat + 86400, ttl=300, **signed))
        refused(verify(setup, capsys, fine, "--json", "--status-list", str(token_file)), "status_unavailable")


def test_status_list_signed_by_another_provider_is_refused(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pki, iat = setup.pki, int(T0.timestamp())
    token = status_list_jwt(
        _status_list(5),
        uri=STATUS_URI,
        key=pki.eaa_issuer_key,
        x5c=[pki.eaa_issuer_cert],
        iat=iat,
        exp=iat + 86400,
        ttl=300,
    )
    (tmp_path / "status.jwt").write_text(token, encoding="ascii")
    out = tmp_path / "pid.sdjwt"
    issue(setup, capsys, out, extra=("--status-uri", STATUS_URI, "--status-idx", "4"))
    refused(
        verify(setup, capsys, out, "--json", "--status-list", str(tmp_path / "status.jwt")),
        "untrusted_issuer",
    )


def test_sd_jwt_presentation_with_key_binding(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    issued = tmp_path / "pid.sdjwt"
    issue(setup, capsys, issued)
    presentation = present_sd_jwt_vc(
        issued.read_text(encoding="ascii").strip(),
        [("given_name",), ("family_name",)],
        holder_key=setup.holder,
        audience=CLIENT_ID,
        nonce=NONCE,
        iat=int(T0.timestamp()) + 7200,
    )
    presented = tmp_path / "presentation.txt"
    presented.write_text(presentation, encoding="ascii")

    code, printed, _ = run(capsys, "inspect", str(presented), "--json")
    inspected = json.loads(printed)
    assert code == 0 and inspected["kind"] == "SD-JWT VC presentation with KB-JWT"
    assert inspected["key_binding"]["nonce"] == NONCE and inspected["key_binding"]["aud"] == CLIENT_ID

    code, printed, err = verify(setup, capsys, presented, "--json", "--audience", CLIENT_ID, "--nonce", NONCE)
    assert code == 0, err
    answer = json.loads(printed)
    assert answer["kind"] == "presentation" and answer["key_binding"]["nonce"] == NONCE
    assert answer["claims"] == {"given_name": "Erika", "family_name": "Mustermann"}

    refused(
        verify(setup, capsys, presented, "--json", "--audience", CLIENT_ID, "--nonce", "another"),
        "invalid_key_binding",
    )
    refused(verify(setup, capsys, presented, "--json"), "invalid_input")
    refused(
        verify(setup, capsys, issued, "--json", "--client-id", CLIENT_ID, "--nonce", NONCE),
        "key_binding_required",
    )


def test_mdoc_device_response_with_openid4vp_handover(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    issued = tmp_path / "pid.mdoc"
    issue(setup, capsys, issued, format_="mso_mdoc")
    selected = select_elements(
        b64url_decode(issued.read_text(encoding="ascii").strip()), {PID_DOCTYPE: {"given_name", "birth_date"}}
    )
    transcript = openid4vp_session_transcript(
        client_id=CLIENT_ID, nonce=NONCE, jwk_thumbprint=None, response_uri=RESPONSE_URI
    )
    response = device_response([(selected, setup.holder, PID_DOCTYPE)], session_transcript=transcript)
    presented = tmp_path / "response.b64"
    presented.write_text(b64url_encode(response), encoding="ascii")

    code, printed, _ = run(capsys, "inspect", str(presented), "--json")
    inspected = json.loads(printed)
    assert code == 0 and inspected["kind"] == "mdoc DeviceResponse"
    assert inspected["documents"][0]["device_auth"] == ["deviceSignature"]

    binding = ("--client-id", CLIENT_ID, "--response-uri", RESPONSE_URI)
    code, printed, err = verify(setup, capsys, presented, "--json", *binding, "--nonce", NONCE)
    assert code == 0, err
    answer = json.loads(printed)
    assert answer["kind"] == "presentation" and answer["vouched_by"]["entity"] == "Demo PID Provider NL"
    assert answer["claims"] == {PID_DOCTYPE: {"given_name": "Erika", "birth_date": "1984-01-26"}}

    code, printed, _ = verify(setup, capsys, presented, *binding, "--nonce", NONCE)
    assert code == 0 and "deviceSignature" in printed
    refused(
        verify(setup, capsys, presented, "--json", *binding, "--nonce", "another"), "invalid_device_signature"
    )
    refused(verify(setup, capsys, presented, "--json", "--nonce", NONCE), "invalid_input")


def test_bad_input_fails_in_one_line(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * ((1 << 20) + 1))
    code, _, err = run(capsys, "inspect", str(big))
    assert code == 1 and "larger than" in err and err.count("\n") == 1
    (tmp_path / "junk.txt").write_text("hello world", encoding="ascii")
    code, _, err = run(capsys, "inspect", str(tmp_path / "junk.txt"))
    assert code == 1 and err.startswith("error: neither an SD-JWT VC")

    base = ["--format", "dc+sd-jwt", "--holder-key", setup.path("holder.key"), "--at", T0.isoformat()]
    code, _, err = run(
        capsys,
        "issue",
        "--attributes",
        setup.path("diploma.json"),
        "--type",
        "pid",
        "--key",
        setup.path("pki/issuer.key"),
        "--cert",
        setup.path("pki/issuer.pem"),
        *base,
    )
    assert code == 1 and "not PID claims" in err
    code, _, err = run(
        capsys,
        "issue",
        "--attributes",
        setup.path("pid.json"),
        "--type",
        "pid",
        "--key",
        setup.path("pki/eaa-issuer.key"),
        "--cert",
        setup.path("pki/issuer.pem"),
        *base,
    )
    assert code == 1 and "is not the key of the first certificate" in err


@pytest.fixture
def served(setup: Setup) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(setup.dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/trust-list.jws"
    finally:
        server.shutdown()
        server.server_close()


def test_trust_list_by_url_on_loopback(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, served: str
) -> None:
    out = tmp_path / "pid.sdjwt"
    issue(setup, capsys, out)
    pinned = ("--operator", setup.path("pki/operator.pem"), "--at", AT, "--json")
    code, printed, err = run(
        capsys, "verify", str(out), "--trust-list", served, *pinned, "--allow-http-loopback"
    )
    assert code == 0, err
    assert json.loads(printed)["vouched_by"]["list"] == LIST
    refused(run(capsys, "verify", str(out), "--trust-list", served, *pinned), "fetch_error")


@pytest.mark.parametrize("value", [10**400, 1e300, -1e15, float("nan")])
def test_a_numeric_date_no_calendar_holds_is_shown_as_none(value: float) -> None:
    """Found by fuzzing: ``inspect`` shows iat, nbf and exp of any credential it is given, and
    datetime refuses dates beyond year 9999 (OverflowError, ValueError or OSError by platform)."""
    from eudi.credential._io import epoch

    assert epoch(value) is None
    assert epoch(0) == "1970-01-01T00:00:00+00:00"
