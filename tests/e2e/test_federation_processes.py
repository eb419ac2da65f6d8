"""The federation with real processes on loopback: two nodes, each a server and a worker process.

1. 1,000 notes from A to B while a chaos thread SIGKILLs B's server, A's worker and A's server
   at random moments and restarts them: every note arrives exactly once, every receipt on A
   verifies against B's key in the directory, and both audit chains verify.
2. B unreachable (its server killed, the port refuses): notes queue on A with the connection
   error recorded, then arrive after B returns, in order per thread.

On PostgreSQL (LIAISON_TEST_DATABASE_URL set) each node gets its own database on the test server.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from liaison import localnet
from liaison.core.ids import new_id_str
from liaison.demo import DEMO_AUTHORITIES
from liaison.directory import service as directory
from liaison.federation import receipts
from liaison.federation.models import InboxEnvelope, Message, OutboxEnvelope
from liaison.localnet import LocalNode, Processes
from tests.federation_net import extra_databases

pytestmark = pytest.mark.slow

PASSWORD = "demo-Liaison-2026"
NOTES = 1_000
# Retries must not wait minutes after a peer came back: cap the backoff for these nodes.
BACKOFF_MAX = "2"


@dataclass
class Pair:
    a: LocalNode
    b: LocalNode
    urls: tuple[str, str]  # database URLs of A and B
    procs: Processes

    @property
    def sender(self) -> str:
        return self.a.authorities[0]

    @property
    def recipient(self) -> str:
        return self.b.authorities[0]


@contextmanager
def running_pair(tmp_path: Path, database_url: str, env: dict[str, str]) -> Iterator[Pair]:
    """Two local nodes (server + worker each) with ``env`` added to their settings."""
    with extra_databases(database_url, tmp_path, 2) as urls:
        nodes = localnet.prepare(
            base=tmp_path / "nodes",
            layout=[[DEMO_AUTHORITIES[0]], [DEMO_AUTHORITIES[1]]],
            port_base=localnet.free_port_pair(),
            database_urls=urls,
            users=True,
        )
        for node in nodes:
            node.env |= env
        logs = tmp_path / "logs"
        logs.mkdir()
        procs = Processes(nodes, logs)
        try:
            procs.start_all()
            yield Pair(a=nodes[0], b=nodes[1], urls=(urls[0], urls[1]), procs=procs)
        finally:
            procs.stop_all()


@pytest.fixture
def pair(tmp_path: Path, database_url: str) -> Iterator[Pair]:
    env = {
        "LIAISON_WORKER_BACKOFF_MAX_SECONDS": BACKOFF_MAX,
        # A worker killed mid-delivery holds its batch back for the lease: keep it short.
        "LIAISON_WORKER_LEASE_SECONDS": "5",
    }
    with running_pair(tmp_path, database_url, env) as pair:
        yield pair


@contextmanager
def db(url: str) -> Iterator[Session]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


class Api:
    """A's API as an officer of its authority; every call retried until the server answers."""

    def __init__(self, node: LocalNode, username: str) -> None:
        self.node = node
        self.username = username
        self.client = httpx.Client(base_url=node.url, timeout=10.0)
        self.headers: dict[str, str] = {}

    def close(self) -> None:
        self.client.close()

    def _login(self, deadline: float) -> None:
        response = self._retrying(
            lambda: self.client.post(
                "/api/v1/auth/login", json={"username": self.username, "password": PASSWORD}
            ),
            deadline,
        )
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    @staticmethod
    def _retrying(call: Callable[[], httpx.Response], deadline: float) -> httpx.Response:
        while True:
            try:
                response = call()
                if response.status_code < 500:
                    return response
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the API did not answer in time")
            time.sleep(0.05)

    def send_note(self, body: dict[str, Any], *, timeout: float = 120.0) -> dict[str, Any]:
        """POST the note (with its client-chosen key, `id`) until accepted; 201 also for a
        retry, which answers with the note the first call made."""
        deadline = time.monotonic() + timeout
        if not self.headers:
            self._login(deadline)
        while True:
            response = self._retrying(
                lambda: self.client.post("/api/v1/notes", json=body, headers=self.headers),
                deadline,
            )
            if response.status_code == 401:
                self._login(deadline)
                continue
            assert response.status_code == 201, response.text
            result: dict[str, Any] = response.json()
            return result


def _new_id() -> str:
    return new_id_str()


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def outbox_rows(url: str) -> list[OutboxEnvelope]:
    """The notes in the outbox (the workers also send audit checkpoints to each other)."""
    with db(url) as session:
        rows = list(
            session.scalars(
                select(OutboxEnvelope)
                .where(OutboxEnvelope.kind == "note")
                .order_by(OutboxEnvelope.id)
            )
        )
        session.expunge_all()
        return rows


def no_pending(url: str) -> bool:
    return all(row.status != "pending" for row in outbox_rows(url))


def audit_verify(node: LocalNode) -> subprocess.CompletedProcess[str]:
    """Sign the log as it stands (the worker may not have since its last entries), then verify
    it against the directory's key."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    subprocess.run(
        [sys.executable, "-m", "liaison", "audit", "checkpoint"],
        env=base | node.env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return subprocess.run(
        [sys.executable, "-m", "liaison", "audit", "verify"],
        env=base | node.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Chaos(threading.Thread):
    """Kills B's server, A's worker and A's server at random moments (each at most `per_target`
    times, and each at least once) and restarts each after a short random pause."""

    def __init__(self, pair: Pair, *, per_target: int, seed: int) -> None:
        super().__init__(daemon=True)
        self.pair = pair
        self.rng = random.Random(seed)
        self.budget = {
            (pair.b.name, "server"): per_target,
            (pair.a.name, "worker"): per_target,
            (pair.a.name, "server"): per_target,
        }
        self.per_target = per_target
        self.kills: list[tuple[str, str]] = []
        self.stop = threading.Event()
        self.abort = threading.Event()  # the test failed: stop at once
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.abort.is_set():
                # Once told to stop, only targets never killed yet are still due (one kill each).
                due = self.per_target if not self.stop.is_set() else 1
                targets = [key for key, left in self.budget.items() if self.per_target - left < due]
                if not targets:
                    return
                self.stop.wait(self.rng.uniform(0.3, 2.0))
                if self.abort.is_set():
                    return
                name, role = self.rng.choice(targets)
                self.budget[(name, role)] -= 1
                self.pair.procs.kill(name, role, signal.SIGKILL)
                self.kills.append((name, role))
                time.sleep(self.rng.uniform(0.05, 1.0))
                self.pair.procs.start(name, role)
                if role == "server":
                    localnet.wait_ready(self.pair.procs.nodes[name].url, timeout=60)
        except Exception as exc:  # noqa: BLE001 - thread boundary: the test asserts it is None
            self.error = exc


def verify_receipts(pair: Pair, rows: list[OutboxEnvelope]) -> None:
    """Each receipt: signed by B's key as published in A's directory, about this envelope id,
    naming one of the digests it was sent under, accepted."""
    with db(pair.urls[0]) as session:
        now = datetime.now(UTC)
        for row in rows:
            assert row.receipt is not None, row.id
            receiver, kid = receipts.receipt_signer(row.receipt)
            assert receiver == pair.recipient
            key = directory.peer_signing_key(
                session=session, authority_id=pair.recipient, kid=kid, at=now
            )
            receipt = receipts.verify_receipt(
                row.receipt,
                public_raw=key.public_raw,
                expected_envelope_id=row.id,
                expected_digest=row.digests,
            )
            assert receipt.status == "accepted"
            assert receipt.envelope_digest in row.digests


def test_thousand_notes_survive_sigkills(pair: Pair) -> None:
    ids = [_new_id() for _ in range(NOTES)]
    api = Api(pair.a, "vn.officer")
    chaos = Chaos(pair, per_target=3, seed=random.randrange(1 << 30))
    try:
        chaos.start()
        for number, note_id in enumerate(ids):
            api.send_note({"id": note_id, "to": pair.recipient, "text": f"note {number}"})
        chaos.stop.set()
        chaos.join(timeout=180)
    finally:
        chaos.abort.set()
        chaos.stop.set()
        chaos.join(timeout=120)
        api.close()
    assert not chaos.is_alive()
    assert chaos.error is None, repr(chaos.error)
    assert set(chaos.kills) == set(chaos.budget), chaos.kills
    # A worker killed mid-delivery leaves its claim leased (60 s) before the envelopes go again.
    wait_until(lambda: no_pending(pair.urls[0]), timeout=150, what="A's outbox to drain")
    assert not pair.procs.dead(), pair.procs.dead()
    pair.procs.stop_all()

    rows = outbox_rows(pair.urls[0])
    with db(pair.urls[0]) as session:
        # Retried POSTs (the server killed mid-answer) were one note each: one per client key.
        sent = {
            str(key): note_id
            for key, note_id in session.execute(
                select(Message.client_key, Message.id).where(Message.direction == "out")
            )
        }
    assert sorted(sent) == sorted(ids)
    assert sorted(r.id for r in rows) == sorted(sent.values())
    assert {r.status for r in rows} == {"delivered"}
    verify_receipts(pair, rows)

    with db(pair.urls[1]) as session:
        received = list(
            session.scalars(
                select(Message.id).where(
                    Message.authority_id == pair.recipient, Message.direction == "in"
                )
            )
        )
        inbox = list(
            session.scalars(select(InboxEnvelope.envelope_id).where(InboxEnvelope.kind == "note"))
        )
    assert len(received) == NOTES, f"{len(received)} notes stored on B"
    assert set(received) == set(sent.values())
    assert sorted(inbox) == sorted(sent.values())

    for node in (pair.a, pair.b):
        result = audit_verify(node)
        assert result.returncode == 0, result.stdout + result.stderr


def test_notes_queue_while_receiver_is_down(pair: Pair) -> None:
    threads, per_thread = 3, 8
    pair.procs.kill(pair.b.name, "server", signal.SIGKILL)
    sent: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def sender(index: int) -> None:
        api = Api(pair.a, "vn.officer")
        try:
            first = api.send_note(
                {"id": _new_id(), "to": pair.recipient, "text": f"thread {index} #0"}
            )
            ids = [first["id"]]
            for number in range(1, per_thread):
                note = api.send_note(
                    {
                        "id": _new_id(),
                        "to": pair.recipient,
                        "text": f"thread {index} #{number}",
                        "thread": first["thread"],
                    }
                )
                ids.append(note["id"])
            sent[index] = ids
        except Exception as exc:  # noqa: BLE001 - thread boundary: asserted empty below
            errors.append(exc)
        finally:
            api.close()

    workers = [threading.Thread(target=sender, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(sent) == threads

    def tried_twice() -> bool:
        # The first note of every thread has been tried (and failed) at least twice.
        firsts = {ids[0] for ids in sent.values()}
        return all(r.attempts >= 2 for r in outbox_rows(pair.urls[0]) if r.id in firsts)

    wait_until(tried_twice, timeout=60, what="A's worker to try the unreachable peer")
    rows = outbox_rows(pair.urls[0])
    assert len(rows) == threads * per_thread
    assert {r.status for r in rows} == {"pending"}
    for ids in sent.values():
        first = next(r for r in rows if r.id == ids[0])
        assert first.last_error is not None
        assert "ConnectError" in first.last_error or "refused" in first.last_error.lower(), (
            first.last_error
        )
    with db(pair.urls[1]) as session:
        assert session.scalars(select(Message.id).where(Message.direction == "in")).all() == []

    pair.procs.start(pair.b.name, "server")
    localnet.wait_ready(pair.b.url, timeout=60)
    wait_until(lambda: no_pending(pair.urls[0]), timeout=90, what="the queued notes to go")
    pair.procs.stop_all()

    rows = outbox_rows(pair.urls[0])
    assert {r.status for r in rows} == {"delivered"}
    verify_receipts(pair, rows)
    with db(pair.urls[1]) as session:
        for ids in sent.values():
            got = list(
                session.scalars(
                    select(Message)
                    .where(Message.authority_id == pair.recipient, Message.thread == ids[0])
                    .order_by(Message.id)
                )
            )
            assert [m.id for m in got] == ids
            assert all(m.direction == "in" for m in got)
            stamps = [m.received_at for m in got if m.received_at is not None]
            assert len(stamps) == len(got)
            assert stamps == sorted(stamps), stamps  # arrived in the order they were sent
