"""A whole local federation on loopback: development PKI, trust list, two issuers and a verifier.

``eudi demo``, ``eudi demo --serve`` and the end-to-end tests all start the same thing: the PKI and
the signed trust list are written to a work folder together with the services' configuration files
(so ``eudi issuer serve --config`` works on them too), and the services run as real ASGI apps under
uvicorn, each on a free port of 127.0.0.1, in a background thread: the PID provider (PID in both
formats), the attestation provider (diploma, proof of age and driving licence, in each format the
catalogue defines) and the verifier.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from common.clock import Clock, SystemClock
from issuer.app import create_app as create_issuer_app
from issuer.settings import load_issuer_settings
from trust_list.cli import write_trust_list
from trust_list.pki import FILES, load_dev_pki, make_dev_pki, write_dev_pki
from verifier.app import create_app as create_verifier_app
from verifier.settings import load_verifier_settings
from wallet.agent import WalletAgent
from wallet.config import WalletConfig, open_wallet, write_wallet_config

__all__ = ["Federation", "RunningServer", "prepare_work_folder", "run_federation", "serve_app"]

VERIFIER_HOST = "localhost"


@dataclass(frozen=True)
class Federation:
    work: Path
    issuer_url: str
    """The PID provider."""
    eaa_issuer_url: str
    """The attestation (EAA) provider: diploma, proof of age, driving licence."""
    verifier_url: str
    trust_list: Path
    trust_list_operator: Path

    def wallet(self, directory: Path, clock: Clock | None = None) -> WalletAgent:
        """A wallet in ``directory`` that believes this federation's trust list (loopback http allowed)."""
        write_wallet_config(
            directory, WalletConfig(self.trust_list, self.trust_list_operator, allow_http_loopback=True)
        )
        return open_wallet(directory, clock or SystemClock())


class RunningServer:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread, port: int) -> None:
        self.server = server
        self.thread = thread
        self.port = port

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


def serve_app(app: FastAPI, sock: socket.socket) -> RunningServer:
    """Run ``app`` under uvicorn on an already bound loopback socket, in a daemon thread."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def run() -> None:
        asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name=f"uvicorn-{sock.getsockname()[1]}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    return RunningServer(server, thread, sock.getsockname()[1])


def prepare_work_folder(
    work: Path,
    *,
    issuer_port: int,
    eaa_issuer_port: int,
    verifier_port: int,
    now: datetime,
    database_url: str | None = None,
    status_list_ttl: int = 300,
) -> Federation:
    """Write PKI, trust list and the services' configuration files into ``work`` (reusing a PKI
    already there)."""
    pki_dir = work / "pki"
    if not all((pki_dir / name).exists() for name in FILES.values()):
        write_dev_pki(make_dev_pki(now=now, rp_dns_name=VERIFIER_HOST), pki_dir)
    pki = load_dev_pki(pki_dir)
    trust_list = work / "trust-list.jws"
    write_trust_list(pki, trust_list, now=now)
    issuer_url = f"http://127.0.0.1:{issuer_port}"
    eaa_issuer_url = f"http://127.0.0.1:{eaa_issuer_port}"
    verifier_url = f"http://{VERIFIER_HOST}:{verifier_port}"

    def db(name: str) -> str:
        if database_url is None:
            return f"sqlite:///{work / (name + '.sqlite')}"
        return database_url

    (work / "issuer.toml").write_text(
        f'public_url = "{issuer_url}"\n'
        f'database_url = "{db("issuer")}"\n'
        'signing_key = "pki/issuer.key"\n'
        'certificate_chain = "pki/issuer.pem"\n'
        'country = "NL"\n'
        'attestations = ["pid"]\n'
        f"status_list_ttl = {status_list_ttl}\n",
        encoding="utf-8",
    )
    (work / "eaa-issuer.toml").write_text(
        f'public_url = "{eaa_issuer_url}"\n'
        f'database_url = "{db("eaa-issuer")}"\n'
        + ('database_schema = "eaa_issuer"\n' if database_url is not None else "")
        + 'signing_key = "pki/eaa-issuer.key"\n'
        'certificate_chain = "pki/eaa-issuer.pem"\n'
        'country = "NL"\n'
        'display_name = "Demo Diploma Registry"\n'
        'attestations = ["diploma", "av", "mdl"]\n'
        f"status_list_ttl = {status_list_ttl}\n",
        encoding="utf-8",
    )
    (work / "verifier.toml").write_text(
        f'public_url = "{verifier_url}"\n'
        f'database_url = "{db("verifier")}"\n'
        'signing_key = "pki/verifier.key"\n'
        'certificate_chain = "pki/verifier.pem"\n'
        'trust_list = "trust-list.jws"\n'
        'trust_list_operator = "pki/operator.pem"\n'
        "allow_http_loopback = true\n",
        encoding="utf-8",
    )
    return Federation(work, issuer_url, eaa_issuer_url, verifier_url, trust_list, pki_dir / "operator.pem")


@contextmanager
def run_federation(
    work: Path, *, clock: Clock | None = None, database_url: str | None = None, status_list_ttl: int = 300
) -> Iterator[Federation]:
    """Prepare ``work`` and run the issuers and the verifier on free loopback ports until the block ends."""
    clock = clock or SystemClock()
    work.mkdir(parents=True, exist_ok=True)
    issuer_sock, eaa_issuer_sock, verifier_sock = _bound_socket(), _bound_socket(), _bound_socket()
    federation = prepare_work_folder(
        work,
        issuer_port=issuer_sock.getsockname()[1],
        eaa_issuer_port=eaa_issuer_sock.getsockname()[1],
        verifier_port=verifier_sock.getsockname()[1],
        now=datetime.fromtimestamp(clock.now(), UTC),
        database_url=database_url,
        status_list_ttl=status_list_ttl,
    )
    servers = []
    try:
        issuer_app = create_issuer_app(load_issuer_settings(work / "issuer.toml"), clock=clock)
        servers.append(serve_app(issuer_app, issuer_sock))
        eaa_issuer_app = create_issuer_app(load_issuer_settings(work / "eaa-issuer.toml"), clock=clock)
        servers.append(serve_app(eaa_issuer_app, eaa_issuer_sock))
        verifier_app = create_verifier_app(load_verifier_settings(work / "verifier.toml"), clock=clock)
        servers.append(serve_app(verifier_app, verifier_sock))
        yield federation
    finally:
        for server in servers:
            server.stop()
        for sock in (issuer_sock, eaa_issuer_sock, verifier_sock):
            sock.close()
