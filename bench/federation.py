"""Federation throughput and latency between two nodes as real processes on loopback.

    .venv/bin/python bench/federation.py [--quick] [--no-pg]

Per database backend (SQLite, then PostgreSQL on a throwaway server from bin/pg-throwaway, one
database per node), two nodes are built with liaison.localnet and run as four processes (a server
and a worker each). Measured:

- sustained: N notes enqueued on A in process through the service layer
  (liaison.federation.messages.send_note, one transaction per 100 notes) while A's worker is
  running; notes/s = N / (last receipt stored on A - first enqueue).
- latency: notes POSTed to A's API at a steady 100/s (4 client threads on a fixed schedule);
  latency = receipt stored on A (outbox.delivered_at) - the moment the POST returned.
- baseline: a minimal uvicorn process (this file, --baseline-server) that takes the same notes
  unsigned and unencrypted in JSON batches of 100 and inserts them into a table in one
  transaction per batch (SQLite file, or a database on the same PostgreSQL server);
  vs_plain_http = our notes/s ÷ baseline notes/s.

Prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from liaison import localnet
from liaison.audit.context import cli_context
from liaison.config import load_settings
from liaison.demo import DEMO_AUTHORITIES
from liaison.federation import messages
from liaison.federation.models import OutboxEnvelope
from liaison.localnet import LocalNode, Processes
from liaison.node import Node

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-Liaison-2026"  # noqa: S105 - the demo users' published password
BATCH = 100


def _node(local: LocalNode) -> Node:
    overrides = {
        k.removeprefix("LIAISON_").lower(): v
        for k, v in local.env.items()
        if k.startswith("LIAISON_")
    }
    return Node.from_settings(load_settings(**overrides))


def _pending(node: Node) -> int:
    with node.db.session() as session:
        return len(
            session.scalars(
                select(OutboxEnvelope.id).where(OutboxEnvelope.status == "pending")
            ).all()
        )


def _wait_drained(node: Node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _pending(node):
        if time.monotonic() > deadline:
            raise TimeoutError("A's outbox did not drain")
        time.sleep(0.05)


def _delivered_at(node: Node, ids: list[str]) -> dict[str, datetime]:
    with node.db.session() as session:
        rows = session.execute(
            select(OutboxEnvelope.id, OutboxEnvelope.delivered_at, OutboxEnvelope.status)
        ).all()
    wanted = set(ids)
    found = {
        r[0]: r[1] for r in rows if r[0] in wanted and r[2] == "delivered" and r[1] is not None
    }
    if len(found) != len(wanted):
        raise RuntimeError(f"{len(wanted) - len(found)} notes not delivered")
    return found


def sustained(a: LocalNode, b: LocalNode, count: int) -> float:
    """Enqueue `count` notes on A in process (100 per transaction); notes/s until the last
    receipt is stored on A."""
    node = _node(a)
    ctx = cli_context("bench")
    ids: list[str] = []
    try:
        started = datetime.now(UTC)
        for offset in range(0, count, BATCH):
            with node.db.session() as session:
                for i in range(offset, min(count, offset + BATCH)):
                    message = messages.send_note(
                        session=session,
                        sender=a.authorities[0],
                        recipient=b.authorities[0],
                        text=f"bench note {i}",
                        ctx=ctx,
                    )
                    ids.append(message.id)
        _wait_drained(node, timeout=max(120.0, count / 20))
        last = max(_delivered_at(node, ids).values())
    finally:
        node.db.dispose()
    return count / (last - started).total_seconds()


class _Client:
    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30.0)
        response = self.client.post(
            "/api/v1/auth/login", json={"username": "vn.officer", "password": PASSWORD}
        )
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def note(self, to: str, text_: str) -> str:
        response = self.client.post(
            "/api/v1/notes", json={"to": to, "text": text_}, headers=self.headers
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def close(self) -> None:
        self.client.close()


def steady(a: LocalNode, b: LocalNode, *, rate: float, seconds: float) -> tuple[list[float], float]:
    """POST notes to A's API at `rate`/s; latencies (ms) from POST returned to receipt stored,
    and the rate actually achieved."""
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    lock = threading.Lock()
    next_index = iter(range(total))
    errors: list[BaseException] = []
    clients = [_Client(a.url) for _ in range(4)]
    start = time.monotonic() + 0.2

    def loop(client: _Client) -> None:
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                delay = start + index / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                note_id = client.note(b.authorities[0], f"steady note {index}")
                sent[note_id] = time.time()
        except Exception as exc:  # noqa: BLE001 - thread boundary: re-raised by the caller
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for client in clients:
            client.close()
    if errors:
        raise errors[0]
    achieved = total / (time.monotonic() - start)
    node = _node(a)
    try:
        _wait_drained(node, timeout=120)
        delivered = _delivered_at(node, list(sent))
    finally:
        node.db.dispose()
    latencies = [max(0.0, (delivered[i].timestamp() - sent[i]) * 1000) for i in sent]
    return latencies, achieved


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- baseline: plain unsigned HTTP POSTs of the same notes, one insert transaction per batch ---

BASELINE_TABLE = "plain_notes"


def baseline_server(port: int, database_url: str) -> None:
    """A minimal ASGI app: POST a JSON list of notes → insert them, answer their ids."""
    import uvicorn  # noqa: PLC0415 - in the baseline's own process

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
                "(id VARCHAR(36) PRIMARY KEY, sender VARCHAR(64), recipient VARCHAR(64), "
                "thread VARCHAR(36), body TEXT, received_at VARCHAR(40))"
            )
        )
    insert = text(
        f"INSERT INTO {BASELINE_TABLE} (id, sender, recipient, thread, body, received_at) "  # noqa: S608 - constant table name
        "VALUES (:id, :sender, :recipient, :thread, :body, :received_at)"
    )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        status, payload = 200, b"ok"
        if scope["method"] == "POST":
            notes = json.loads(body)["notes"]
            now = datetime.now(UTC).isoformat()
            with engine.begin() as conn:
                conn.execute(insert, [{**n, "body": n["text"], "received_at": now} for n in notes])
            payload = json.dumps({"ids": [n["id"] for n in notes]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def plain_http(count: int, database_url: str, log: Path) -> float:
    port = localnet.free_port_pair()
    out = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--baseline-server", str(port), database_url],
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    out.close()
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            started = time.monotonic()
            for offset in range(0, count, BATCH):
                notes = [
                    {
                        "id": str(uuid.uuid4()),
                        "sender": "vn-mps",
                        "recipient": "ru-gpo",
                        "thread": str(uuid.uuid4()),
                        "text": f"bench note {i}",
                    }
                    for i in range(offset, min(count, offset + BATCH))
                ]
                response = client.post("/", json={"notes": notes})
                response.raise_for_status()
            elapsed = time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
    return count / elapsed


# --- one backend ---


@contextmanager
def postgres(count: int) -> Iterator[list[str]]:
    """A throwaway PostgreSQL server with `count` empty databases."""
    out = subprocess.run(
        [str(ROOT / "bin" / "pg-throwaway")], capture_output=True, text=True, check=True
    )
    url, folder = out.stdout.split()[:2]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        names = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(count)]
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield [make_url(url).set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        admin.dispose()
        subprocess.run(
            [str(ROOT / "bin" / "pg-throwaway"), "stop", folder], capture_output=True, check=False
        )


def run_backend(database_urls: list[str] | None, *, quick: bool) -> dict[str, float]:
    count = 2_000 if quick else 10_000
    seconds = 5.0 if quick else 10.0
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        base = Path(tmp)
        nodes = localnet.prepare(
            base=base / "nodes",
            layout=[[DEMO_AUTHORITIES[0]], [DEMO_AUTHORITIES[1]]],
            port_base=localnet.free_port_pair(),
            database_urls=database_urls[:2] if database_urls else None,
            users=True,
        )
        a, b = nodes
        procs = Processes(nodes, base)
        try:
            procs.start_all()
            rate = sustained(a, b, count)
            latencies, achieved = steady(a, b, rate=100.0, seconds=seconds)
        finally:
            procs.stop_all()
        baseline_url = database_urls[2] if database_urls else f"sqlite:///{base / 'plain.sqlite3'}"
        plain = plain_http(count, baseline_url, base / "baseline.log")
    return {
        "notes_per_s": round(rate, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "steady_rate_achieved": round(achieved, 1),
        "plain_http_notes_per_s": round(plain, 1),
        "vs_plain_http": round(rate / plain, 3),
        "notes": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller run, under a minute")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--baseline-server", nargs=2, metavar=("PORT", "DATABASE_URL"))
    args = parser.parse_args()
    if args.baseline_server:
        baseline_server(int(args.baseline_server[0]), args.baseline_server[1])
        return
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    started = time.monotonic()
    result: dict[str, Any] = {"bench": "federation", "quick": args.quick}
    sqlite = run_backend(None, quick=args.quick)
    result |= sqlite
    if args.no_pg:
        result["pg"] = "skipped (--no-pg)"
    elif not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        result["pg"] = "skipped: PostgreSQL server binaries not found"
    else:
        with postgres(3) as urls:
            pg = run_backend(urls, quick=args.quick)
        result |= {f"pg_{k}": v for k, v in pg.items() if k != "notes"}
    result["sustained_enqueue"] = "in process, messages.send_note, one transaction per 100 notes"
    result["targets"] = {"notes_per_s": 500, "p99_ms_at_100_per_s": 250}
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
