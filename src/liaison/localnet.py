"""Several nodes on one machine: the multi-node demo, and the harness for tests and benchmarks
that need real processes on loopback.

`prepare` builds each node's data folder and database (migrations, node key, authorities, demo
users), signs one demo directory listing every authority with its node's loopback endpoint, and
imports it everywhere. `launch` starts a server and a worker process per node.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from liaison import composition
from liaison.audit.context import cli_context
from liaison.config import load_settings
from liaison.core.clock import system_clock
from liaison.crypto import keys
from liaison.db import migrate
from liaison.demo import DEMO_AUTHORITIES, DemoAuthority, seed_authority
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.keyring import service as keyring
from liaison.node import Node


@dataclass
class LocalNode:
    name: str
    authorities: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _node_env(
    base: Path, name: str, port: int, operator_public: str, database_url: str | None
) -> dict[str, str]:
    data = base / name
    env = {
        "LIAISON_ENV": "dev",
        "LIAISON_DATA_DIR": str(data),
        "LIAISON_NODE_NAME": name,
        "LIAISON_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LIAISON_DIRECTORY_OPERATOR_KEY": operator_public,
    }
    if database_url:
        env["LIAISON_DATABASE_URL"] = database_url
    return env


def _settings_from(env: dict[str, str]) -> Node:
    overrides = {
        k.removeprefix("LIAISON_").lower(): v for k, v in env.items() if k.startswith("LIAISON_")
    }
    return Node.from_settings(load_settings(**overrides))


def prepare(
    *,
    base: Path,
    layout: Sequence[Sequence[DemoAuthority]],
    port_base: int,
    database_urls: Sequence[str | None] | None = None,
    users: bool = True,
) -> list[LocalNode]:
    """Build (or reuse) the nodes; returns them with the environment each process needs."""
    base.mkdir(parents=True, exist_ok=True)
    manifest = base / "nodes.json"
    if manifest.exists():
        saved = [LocalNode(**n) for n in json.loads(manifest.read_text())]
        if [n.authorities for n in saved] == [[a.id for a in group] for group in layout]:
            return saved
    private, public, kid = operator.new_operator_key()
    (base / "operator.key").write_text(keys.b64u(private) + "\n")
    urls = list(database_urls) if database_urls else [None] * len(layout)
    nodes: list[LocalNode] = []
    entries: list[document.DirectoryAuthority] = []
    logs: list[document.DirectoryLog] = []
    ctx = cli_context("demo")
    for index, group in enumerate(layout):
        name = f"node{index + 1}"
        port = port_base + index
        env = _node_env(base, name, port, public, urls[index])
        node = _settings_from(env)
        node.settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(node.settings.sqlalchemy_url)
        with node.db.session() as session:
            keyring.ensure_keys(
                session=session, kek=node.kek, authority_id=None, ctx=ctx, clock=system_clock
            )
            for demo in group:
                seed_authority(
                    session=session,
                    kek=node.kek,
                    demo=demo,
                    ctx=ctx,
                    clock=system_clock,
                    users=users,
                )
            endpoint = f"http://127.0.0.1:{port}"
            entries += operator.local_entries(
                session=session, endpoint=endpoint, kinds=composition.kind_names()
            )
            logs.append(
                operator.local_log(
                    session=session, origin=node.settings.node_name, endpoint=endpoint
                )
            )
        node.db.dispose()
        # The same settings as a file, so a person can point any `liaison` command at this node.
        (node.settings.data_dir / "liaison.toml").write_text(
            "".join(f'{k.removeprefix("LIAISON_").lower()} = "{v}"\n' for k, v in env.items())
        )
        nodes.append(LocalNode(name=name, authorities=[a.id for a in group], port=port, env=env))
    doc = operator.build_document(
        operator="liaison-demo",
        version=1,
        entries=entries,
        revoked=[],
        issued_at=system_clock.now(),
        logs=logs,
    )
    token = document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid)
    (base / "directory.jws").write_text(token)
    for local in nodes:
        node = _settings_from(local.env)
        with node.db.session() as session:
            directory.import_document(
                session=session,
                token=token,
                pinned_operator_public_raw=keys.b64u_decode(public),
                ctx=ctx,
                clock=system_clock,
            )
        node.db.dispose()
    manifest.write_text(json.dumps([asdict(n) for n in nodes], indent=2))
    return nodes


def default_layout(count: int) -> list[list[DemoAuthority]]:
    """1 node: every demo authority on it; n nodes: one authority each (the rest on node 1)."""
    if count <= 1:
        return [list(DEMO_AUTHORITIES)]
    groups: list[list[DemoAuthority]] = [[a] for a in DEMO_AUTHORITIES[:count]]
    groups[0] += list(DEMO_AUTHORITIES[count:])
    return groups


class Processes:
    """The server and worker processes of local nodes; each can be killed and restarted."""

    def __init__(self, nodes: Sequence[LocalNode], log_dir: Path) -> None:
        self.nodes = {n.name: n for n in nodes}
        self.log_dir = log_dir
        self.procs: dict[tuple[str, str], subprocess.Popen[bytes]] = {}

    def _env(self, node: LocalNode) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
        return base | node.env

    def start(self, name: str, role: str) -> None:
        node = self.nodes[name]
        args = ["serve", "--port", str(node.port)] if role == "server" else ["worker"]
        log = (self.log_dir / f"{name}-{role}.log").open("ab")
        self.procs[(name, role)] = subprocess.Popen(
            [sys.executable, "-m", "liaison", *args],
            env=self._env(node),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()

    def kill(self, name: str, role: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop((name, role), None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            proc.wait(timeout=30)

    def start_all(self) -> None:
        for name in self.nodes:
            self.start(name, "server")
            self.start(name, "worker")
        for node in self.nodes.values():
            wait_ready(node.url)

    def stop_all(self) -> None:
        """SIGTERM every process at once, SIGKILL whatever has not exited 20 s later."""
        running = list(self.procs.values())
        self.procs.clear()
        for proc in running:
            if proc.poll() is None:
                proc.terminate()
        for proc in running:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)

    def dead(self) -> list[tuple[str, str]]:
        return [key for key, proc in self.procs.items() if proc.poll() is not None]


def free_port_pair() -> int:
    """A port p with p and p+1 free right now (local nodes listen on consecutive ports)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no two consecutive free ports")


def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)  # not listening yet
            continue
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not become ready within {timeout:.0f} s")
