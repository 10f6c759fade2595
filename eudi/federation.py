"""A whole local federation on loopback: per country a development PKI and a signed trust list, a
trust-list publisher, PID providers, an attestation provider and a verifier.

``eudi demo``, ``eudi demo --serve`` and the end-to-end tests all start the same thing. The PKI of
each country (``pki/<cc>/``), its signed list (``lists/<cc>.jws``), the relying party's registration
certificate and the services' configuration files are written to a work folder (so ``eudi issuer
serve --config`` works on them too), and the services run as real ASGI apps under uvicorn, each on a
free port of 127.0.0.1, in a background thread: the publisher of the lists, one PID provider per
country (PID in both formats), the attestation provider of the first country (diploma, proof of age
and driving licence, in each format the catalogue defines), and the verifier, which trusts every
country's list by URL and refreshes them in the background. Wallets made by :meth:`Federation.wallet`
trust the same lists.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from common.clock import Clock, SystemClock
from issuer.app import create_app as create_issuer_app
from issuer.settings import load_issuer_settings
from trust_list.cli import write_trust_list
from trust_list.pki import FILES, DevPki, load_dev_pki, make_dev_pki, rp_identifier, write_dev_pki
from trust_list.registration import LocalizedText, Registration, sign_registration
from trust_list.service import create_app as create_trust_list_app
from verifier.app import create_app as create_verifier_app
from verifier.policy import registered_credentials
from verifier.settings import load_verifier_settings
from wallet.agent import REFUSE, WalletAgent
from wallet.config import TrustedList, WalletConfig, open_wallet, write_wallet_config

__all__ = ["Federation", "RunningServer", "prepare_work_folder", "run_federation", "serve_app"]

VERIFIER_HOST = "localhost"
RP_PURPOSES = (
    LocalizedText("en", "Show how a relying party checks identity, age, diplomas and driving licences"),
    LocalizedText(
        "nl", "Laten zien hoe een dienstverlener identiteit, leeftijd, diploma's en rijbewijzen controleert"
    ),
)


@dataclass(frozen=True)
class Federation:
    work: Path
    countries: tuple[str, ...]
    pid_issuers: Mapping[str, str]
    """The PID provider of each country, by country code."""
    eaa_issuer_url: str
    """The attestation (EAA) provider of the first country: diploma, proof of age, driving licence."""
    verifier_url: str
    trust_list_url: str
    """The publisher of every country's list (``{trust_list_url}/lists/<cc>.jws``)."""
    trust_list_refresh: float = 300.0

    @property
    def issuer_url(self) -> str:
        """The PID provider of the first country."""
        return self.pid_issuers[self.countries[0]]

    def pki_dir(self, country: str | None = None) -> Path:
        return self.work / "pki" / (country or self.countries[0]).lower()

    def list_path(self, country: str | None = None) -> Path:
        return self.work / "lists" / f"{(country or self.countries[0]).lower()}.jws"

    def list_url(self, country: str) -> str:
        return f"{self.trust_list_url}/lists/{country.lower()}.jws"

    def operator(self, country: str | None = None) -> Path:
        return self.pki_dir(country) / FILES["operator_cert"]

    @property
    def trust_list(self) -> Path:
        """The first country's signed list."""
        return self.list_path()

    @property
    def trust_list_operator(self) -> Path:
        return self.operator()

    def wallet(
        self, directory: Path, clock: Clock | None = None, *, registration_policy: str = REFUSE
    ) -> WalletAgent:
        """A wallet in ``directory`` that believes every country's list (loopback http allowed)."""
        trusted = tuple(TrustedList(self.list_url(c), self.operator(c), c) for c in self.countries)
        write_wallet_config(
            directory,
            WalletConfig(
                trusted,
                allow_http_loopback=True,
                registration_policy=registration_policy,
                trust_list_refresh=self.trust_list_refresh,
            ),
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
    # Accepted connections inherit TCP_NODELAY (Linux): without it uvicorn's separate writes of a
    # response's head and body meet the client's delayed ACK, and each request takes ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


def serve_app(app: FastAPI, sock: socket.socket) -> RunningServer:
    """Run ``app`` under uvicorn on an already bound loopback socket, in a daemon thread."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
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


def _registration(pki: DevPki, country: str, now: datetime) -> str:
    """The demo relying party's registration certificate: every preset's credentials and claims."""
    registration = Registration(
        sub=rp_identifier(country),
        name="Demo Relying Party",
        purposes=RP_PURPOSES,
        credentials=tuple(registered_credentials()),
        iat=now,
        exp=now + timedelta(days=365),
    )
    return sign_registration(registration, key=pki.registrar_key, chain=[pki.registrar_cert])


def prepare_work_folder(
    work: Path,
    *,
    ports: Mapping[str, int],
    now: datetime,
    countries: Sequence[str] = ("NL",),
    database_url: str | None = None,
    status_list_ttl: int = 300,
    trust_list_refresh: float = 300.0,
) -> Federation:
    """Write each country's PKI (reusing one already there) and signed list, the registration
    certificate and the configuration files into ``work``. ``ports`` names the loopback port of
    ``trust-lists``, ``issuer-<cc>`` for each country, ``eaa-issuer`` and ``verifier``."""
    countries = tuple(c.upper() for c in countries)
    (work / "lists").mkdir(parents=True, exist_ok=True)
    pkis = {}
    for country in countries:
        folder = work / "pki" / country.lower()
        if not all((folder / name).exists() for name in FILES.values()):
            write_dev_pki(make_dev_pki(now=now, rp_dns_name=VERIFIER_HOST, country=country), folder)
        pkis[country] = load_dev_pki(folder)
        write_trust_list(pkis[country], work / "lists" / f"{country.lower()}.jws", now=now)
    first = countries[0].lower()
    (work / "registration.jwt").write_text(_registration(pkis[countries[0]], countries[0], now) + "\n")

    def url(name: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{ports[name]}"

    def db(name: str) -> str:
        if database_url is None:
            return f'database_url = "sqlite:///{work / (name + ".sqlite")}"\n'
        schema = name.replace("-", "_")
        return f'database_url = "{database_url}"\n' + (
            f'database_schema = "{schema}"\n' if name != "verifier" else ""
        )

    def issuer_toml(name: str, country: str, key: str, display: str, attestations: str) -> None:
        (work / f"{name}.toml").write_text(
            f'public_url = "{url(name)}"\n' + db(name) + f'signing_key = "pki/{country.lower()}/{key}.key"\n'
            f'certificate_chain = "pki/{country.lower()}/{key}.pem"\n'
            f'country = "{country}"\n'
            f'display_name = "{display}"\n'
            f"attestations = {attestations}\n"
            f"status_list_ttl = {status_list_ttl}\n",
            encoding="utf-8",
        )

    for country in countries:
        issuer_toml(f"issuer-{country.lower()}", country, "issuer", "Demo PID Provider", '["pid"]')
    issuer_toml("eaa-issuer", countries[0], "eaa-issuer", "Demo Diploma Registry", '["diploma", "av", "mdl"]')
    lists = "".join(
        f'\n[[trust_lists]]\nlocation = "{url("trust-lists")}/lists/{c.lower()}.jws"\n'
        f'operator = "pki/{c.lower()}/operator.pem"\nlabel = "{c}"\n'
        for c in countries
    )
    (work / "verifier.toml").write_text(
        f'public_url = "{url("verifier", VERIFIER_HOST)}"\n'
        + db("verifier")
        + f'signing_key = "pki/{first}/verifier.key"\n'
        f'certificate_chain = "pki/{first}/verifier.pem"\n'
        'registration_certificate = "registration.jwt"\n'
        "allow_http_loopback = true\n"
        f"trust_list_refresh = {trust_list_refresh}\n" + lists,
        encoding="utf-8",
    )
    return Federation(
        work=work,
        countries=countries,
        pid_issuers={c: url(f"issuer-{c.lower()}") for c in countries},
        eaa_issuer_url=url("eaa-issuer"),
        verifier_url=url("verifier", VERIFIER_HOST),
        trust_list_url=url("trust-lists"),
        trust_list_refresh=trust_list_refresh,
    )


@contextmanager
def run_federation(
    work: Path,
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    status_list_ttl: int = 300,
    countries: Sequence[str] = ("NL",),
    trust_list_refresh: float = 300.0,
    verifier_options: Mapping[str, Any] | None = None,
) -> Iterator[Federation]:
    """Prepare ``work`` and run every service on free loopback ports until the block ends;
    ``verifier_options`` replace settings of the verifier's (``client_id_prefix="x509_hash"``, say)."""
    clock = clock or SystemClock()
    work.mkdir(parents=True, exist_ok=True)
    names = ["trust-lists", *(f"issuer-{c.lower()}" for c in countries), "eaa-issuer", "verifier"]
    sockets = {name: _bound_socket() for name in names}
    federation = prepare_work_folder(
        work,
        ports={name: sock.getsockname()[1] for name, sock in sockets.items()},
        now=datetime.fromtimestamp(clock.now(), UTC),
        countries=countries,
        database_url=database_url,
        status_list_ttl=status_list_ttl,
        trust_list_refresh=trust_list_refresh,
    )
    servers = []
    try:
        for name, sock in sockets.items():
            if name == "trust-lists":
                app = create_trust_list_app(work / "lists", clock)
            elif name == "verifier":
                settings = replace(load_verifier_settings(work / "verifier.toml"), **(verifier_options or {}))
                app = create_verifier_app(settings, clock=clock)
            else:
                app = create_issuer_app(load_issuer_settings(work / f"{name}.toml"), clock=clock)
            servers.append(serve_app(app, sock))
        yield federation
    finally:
        for server in reversed(servers):
            server.stop()
        for sock in sockets.values():
            sock.close()
