"""``eudi demo``: the whole federation on loopback and one issue-and-present round trip.

Without ``--serve`` it issues a PID to a fresh wallet through the offer link, presents
``given_name``, ``family_name`` and ``birthdate`` to the verifier, prints each step (links with their
QR codes) and the verified claims, and exits 0. With ``--serve`` it keeps the federation up for an
outside wallet and prints where to start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from common.errors import EudiError
from common.qr import qr_text
from eudi.federation import Federation, run_federation

__all__ = ["add_commands", "make_offer", "make_presentation_request", "round_trip"]

DEMO_CITIZEN = "nl-0001"
DEMO_CONFIGURATIONS = ["eu.europa.ec.eudi.pid_dc_sd_jwt", "eu.europa.ec.eudi.pid_mso_mdoc"]
"""The demo offers the PID in both formats; it presents from the SD-JWT VC."""


def make_offer(
    federation: Federation,
    citizen_id: str = DEMO_CITIZEN,
    configuration_ids: list[str] | None = None,
    *,
    issuer_url: str | None = None,
) -> dict[str, Any]:
    """An offer from the PID provider (or ``issuer_url``), of its first configuration by default."""
    body: dict[str, Any] = {"citizen_id": citizen_id}
    if configuration_ids is not None:
        body["credential_configuration_ids"] = configuration_ids
    answer = httpx.post(f"{issuer_url or federation.issuer_url}/offers", json=body, timeout=10)
    answer.raise_for_status()
    return dict(answer.json())


def make_presentation_request(federation: Federation, preset: str = "pid_basic") -> dict[str, Any]:
    answer = httpx.post(f"{federation.verifier_url}/transactions", json={"preset": preset}, timeout=10)
    answer.raise_for_status()
    return dict(answer.json())


async def round_trip(
    federation: Federation, wallet_dir: Path, report: Callable[[str, dict[str, Any]], None]
) -> dict[str, Any]:
    """Issue a PID to a fresh wallet and present three of its claims; returns the verifier's result."""
    agent = federation.wallet(wallet_dir)
    try:
        started = time.perf_counter()
        offer = make_offer(federation, configuration_ids=DEMO_CONFIGURATIONS)
        report("offer", {"link": offer["credential_offer"], "tx_code": offer["tx_code"], "ms": _ms(started)})

        started = time.perf_counter()
        received = await agent.receive(offer["credential_offer"], tx_code=offer["tx_code"])
        report("receive", {"credentials": [c.attestation_type for c in received], "ms": _ms(started)})

        started = time.perf_counter()
        request = make_presentation_request(federation)
        report("request", {"link": request["authorization_request"], "ms": _ms(started)})

        started = time.perf_counter()
        proposal = await agent.fetch_request(request["authorization_request"])
        await agent.respond(proposal, accept=True)
        report(
            "present",
            {
                "verifier": proposal.verifier_name or proposal.request.client_id,
                "purpose": proposal.registration.purpose() if proposal.registration else None,
                "disclosed": proposal.disclosed_paths(),
                "response_mode": proposal.request.response_mode,
                "ms": _ms(started),
            },
        )

        started = time.perf_counter()
        result = httpx.get(request["result_url"], timeout=10).json()
        report("result", {"status": result["status"], "ms": _ms(started)})
        return dict(result)
    finally:
        await agent.fetcher.aclose()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _human_report(name: str, data: dict[str, Any]) -> None:
    titles = {
        "offer": "1. The issuer makes a credential offer (scan the QR code or open the link)",
        "receive": "2. The wallet receives the PID (as SD-JWT VC and as mdoc)",
        "request": "3. The verifier asks for given_name, family_name and birthdate",
        "present": "4. The wallet presents only those claims",
        "result": "5. The verifier's result",
    }
    print(f"\n{titles[name]}  [{data['ms']} ms]")
    if "link" in data:
        print(qr_text(data["link"]))
        print(data["link"])
    if data.get("tx_code"):
        print(f"transaction code: {data['tx_code']}")
    if "credentials" in data:
        print("received: " + ", ".join(data["credentials"]))
    if "verifier" in data:
        if data.get("purpose"):
            print(f"registered purpose: {data['purpose']}")
        print(f"to {data['verifier']}: {json.dumps(data['disclosed'])}")
    if "status" in data:
        print(f"status: {data['status']}")


HAIP_VERIFIER = {
    "client_id_prefix": "x509_hash",
    "request_uri_method": "post",
    "response_mode": "direct_post.jwt",
}
"""The verifier settings HAIP 1.0 asks for (client id ``x509_hash``, encrypted ``direct_post.jwt``)."""


def _demo(args: argparse.Namespace) -> int:
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="eudi-demo-"))
    verifier = HAIP_VERIFIER if args.haip else None
    if args.serve:
        return _serve(work, as_json=args.json, verifier=verifier)
    steps: list[dict[str, Any]] = []

    def report(name: str, data: dict[str, Any]) -> None:
        steps.append({"step": name, **data})
        if not args.json:
            _human_report(name, data)

    started = time.perf_counter()
    try:
        with run_federation(work, verifier_options=verifier) as federation:
            if not args.json:
                print(f"work folder: {work}")
                print(f"PID issuer:         {federation.issuer_url}")
                print(f"attestation issuer: {federation.eaa_issuer_url}")
                print(f"verifier:           {federation.verifier_url}")
            result = asyncio.run(round_trip(federation, work / "wallet", report))
    except (EudiError, httpx.HTTPError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verified = result.get("credentials", {})
    if args.json:
        print(
            json.dumps(
                {
                    "status": result["status"],
                    "steps": steps,
                    "verified_claims": verified,
                    "total_ms": _ms(started),
                    "work": str(work),
                },
                ensure_ascii=False,
            )
        )
    else:
        print("\nverified claims:")
        for query_id, credentials in verified.items():
            for credential in credentials:
                issuer = credential.get("issuer_name") or credential.get("issuer")
                print(f"  {query_id} from {issuer}:")
                for name, value in credential["claims"].items():
                    print(f"    {name}: {value}")
    return 0 if result["status"] == "verified" else 1


def _serve(work: Path, *, as_json: bool, verifier: dict[str, str] | None) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with run_federation(work, verifier_options=verifier) as federation:
            offer = make_offer(federation)
            request = make_presentation_request(federation)
            info = {
                "issuer_url": federation.issuer_url,
                "eaa_issuer_url": federation.eaa_issuer_url,
                "credential_offer": offer["credential_offer"],
                "tx_code": offer["tx_code"],
                "verifier_url": federation.verifier_url,
                "presentation_request": request["authorization_request"],
                "result_url": request["result_url"],
                "trust_list": str(federation.trust_list),
                "trust_list_url": federation.list_url(federation.countries[0]),
                "trust_list_operator": str(federation.trust_list_operator),
            }
            if as_json:
                print(json.dumps(info), flush=True)
            else:
                for key, value in info.items():
                    print(f"{key}: {value}")
                print(
                    'More offers: POST {issuer_url}/offers {"citizen_id": "nl-0002"}; more requests: '
                    'POST {verifier_url}/transactions {"preset": "pid_basic"}. Ctrl-C stops.',
                    flush=True,
                )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    except (EudiError, httpx.HTTPError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def add_commands(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run issuer, verifier and a wallet on loopback: a full issue-and-present round trip",
        description="Makes a development PKI and trust list in a work folder, starts the issuer and the "
        "verifier under uvicorn on free 127.0.0.1 ports, issues a PID to a fresh wallet and presents "
        "given_name, family_name and birthdate.",
    )
    demo.add_argument("--json", action="store_true", help="print one machine-readable JSON summary")
    demo.add_argument("--serve", action="store_true", help="keep the federation up for an outside wallet")
    demo.add_argument("--work", help="work folder (default: a new temporary folder)")
    demo.add_argument(
        "--haip",
        action="store_true",
        help="run the verifier with HAIP 1.0's client id, request URI method and response mode: "
        "client id x509_hash, the request URI posted to (request_uri_method=post), the response "
        "encrypted (direct_post.jwt)",
    )
    demo.set_defaults(func=_demo)
