"""Evidence package transfer between two nodes as real processes on loopback.

    .venv/bin/python bench/transfer.py [--quick]

Two nodes (SQLite, a server and a worker each, built with liaison.localnet) exchange an MLA
request through their APIs; the requested side uploads one file of random data (1 GiB; 128 MiB
with --quick) and sends it as a package. Measured:

- push: by the receiver's own timestamps (``started_at``: its first chunk stored;
  ``received_at``: the last one stored and the whole file hashed against its name; each chunk
  digest-checked before it is written, fsynced, its offset committed), as MB/s over the bytes
  that arrived in that window (all but the first chunk); no polling interval in the figure;
- baseline: the same number of bytes PUT in one streaming request (httpx, 8 MiB pieces) to a
  minimal uvicorn server (this file, --baseline-server) that writes the body to a file and
  fsyncs it; push_vs_plain_http = our MB/s ÷ baseline MB/s;
- end to end: POST /packages → the receiver's copy verified and ingested (seal, announce, push,
  verify, ingest), and the parts before and after the push; these are seen by polling the
  receiver's API every 50 ms, so each is up to 50 ms late (the push is not).

Prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from liaison import localnet
from liaison.demo import DEMO_AUTHORITIES
from liaison.localnet import LocalNode, Processes

MIB = 1 << 20
CHUNK = 8 * MIB  # the default chunk, set explicitly: the push figure leaves the first one out
PASSWORD = "demo-Liaison-2026"  # noqa: S105 - the demo users' published password
AUTHORITY = {"name": "Ministry of Public Security", "state": "VN", "function": "central authority"}


def _text(value: str) -> dict[str, Any]:
    return {"original": value, "original_language": "en", "translations": {}}


MLA = {
    "requesting_authority": AUTHORITY,
    "case_reference": "BENCH-1",
    "offences": [
        {
            "code": "art13",
            "domestic_provision": "Penal Code art. 290",
            "max_penalty": {"unit": "years", "amount": 20},
        }
    ],
    "facts": _text("Phishing site stole bank credentials."),
    "legal_basis": {"convention_article": 44},
    "conducting_authority": AUTHORITY | {"name": "Hanoi Police Investigation Agency"},
    "requested_central_authority": {"name": "Prosecutor General's Office", "state": "RU"},
    "subject_matter": _text("Criminal investigation of an online fraud network."),
    "assistance_sought": ["disclosure_of_stored_data"],
    "identifiers": [{"kind": "account", "value": "shadow@example.org", "provider": "Example"}],
    "data_categories": ["subscriber"],
    "data_period": {"start": "2026-01-01T00:00:00+07:00", "end": "2026-02-28T23:59:59+07:00"},
    "purpose": _text("Identify the operator."),
}


class Api:
    def __init__(self, node: LocalNode, username: str) -> None:
        self.client = httpx.Client(base_url=f"{node.url}/api/v1", timeout=600)
        token = self.client.post("/auth/login", json={"username": username, "password": PASSWORD})
        token.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {token.json()['token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()


def _wait(what: str, check: Any, timeout: float = 120.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise TimeoutError(what)


def _status(api: Api, request_id: str) -> str | None:
    response = api.client.get(f"/requests/{request_id}")
    return str(response.json()["status"]) if response.status_code == 200 else None


def _executing_request(a: LocalNode, b: LocalNode) -> tuple[str, Api, Api]:
    vn, chief, ru = Api(a, "vn.officer"), Api(a, "vn.supervisor"), Api(b, "ru.supervisor")
    body = {"kind": "mla", "subtype": "stored_data", "to": b.authorities[0], "language": "en"}
    request_id = str(vn.call("POST", "/requests", json=body | {"content": MLA})["id"])
    vn.call("POST", f"/requests/{request_id}/submit")
    chief.call("POST", f"/requests/{request_id}/approve")
    vn.call("POST", f"/requests/{request_id}/send")
    _wait("the request at B", lambda: _status(ru, request_id) == "received")
    for action in ("acknowledge", "start"):
        ru.call("POST", f"/requests/{request_id}/actions/{action}", json={})
    chief.client.close()
    return request_id, vn, ru


def _incoming(api: Api, request_id: str) -> dict[str, Any] | None:
    rows = [
        r for r in api.call("GET", f"/requests/{request_id}/packages") if r["direction"] == "in"
    ]
    return rows[0] if rows else None


def _make_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(8 * MIB, left))
            out.write(block)
            left -= len(block)


def ours(base: Path, size: int) -> dict[str, float]:
    nodes = localnet.prepare(
        base=base / "nodes",
        layout=[[DEMO_AUTHORITIES[0]], [DEMO_AUTHORITIES[1]]],
        port_base=localnet.free_port_pair(),
        users=True,
    )
    for node in nodes:
        node.env["LIAISON_WORKER_BACKOFF_MAX_SECONDS"] = "2"
        node.env["LIAISON_TRANSFER_CHUNK_BYTES"] = str(CHUNK)
    a, b = nodes
    procs = Processes(nodes, base)
    try:
        procs.start_all()
        request_id, vn, ru = _executing_request(a, b)
        evidence = base / "evidence.bin"
        _make_file(evidence, size)
        with evidence.open("rb") as handle:
            ru.call(
                "POST",
                f"/requests/{request_id}/evidence",
                data={"acquired_by": "Capt. Ivanov", "acquired_at": "2026-11-20T09:00:00+03:00"},
                files={"file": ("evidence.bin", handle, "application/octet-stream")},
            )
        evidence.unlink()
        os.sync()
        start = time.monotonic()
        ru.call("POST", f"/requests/{request_id}/packages", json={})
        seen: list[tuple[float, dict[str, Any]]] = []

        def done() -> bool:
            row = _incoming(vn, request_id)
            if row is not None:
                seen.append((time.monotonic(), row))
            return row is not None and row["status"] in ("verified", "failed")

        _wait("the package verified", done, timeout=600, every=0.05)
        end = time.monotonic()
        final = seen[-1][1]
        if final["status"] != "verified":
            raise RuntimeError(f"the package failed: {final['last_error']}")
        # The push by the receiver's clock: from its first chunk stored to the last stored
        # and checked; the first chunk arrived before the window opened, so it is not counted.
        started = dt.datetime.fromisoformat(final["started_at"])
        received = dt.datetime.fromisoformat(final["received_at"])
        push_s = max((received - started).total_seconds(), 1e-3)
        pushed = final["size"] - min(CHUNK, final["size"])
        arrived = next(t for t, r in seen if r["status"] != "expected")
        first = next(t for t, r in seen if r["offset"] > 0 or r["status"] != "expected")
        sent = [
            r for r in ru.call("GET", f"/requests/{request_id}/packages") if r["direction"] == "out"
        ]
        vn.client.close()
        ru.client.close()
        return {
            "package_bytes": final["size"],
            "push_mb_s": pushed / push_s / 1e6,
            "seal_and_announce_s": seen[0][0] - start,
            "until_first_chunk_s": first - start,
            "verify_and_ingest_s": end - arrived,
            "end_to_end_s": end - start,
            "bytes_transferred": final["bytes_transferred"],
            # the sender's count: the same figure, taken from the receiver's answers
            "sender_bytes_transferred": sent[0]["bytes_transferred"],
        }
    finally:
        procs.stop_all()


def baseline_server(port: int, folder: str) -> None:
    """A minimal ASGI app: PUT → the body streamed to a file, fsynced; 204."""
    import uvicorn  # noqa: PLC0415 - in the baseline's own process

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        status = 200
        if scope["method"] == "PUT":
            with (Path(folder) / "upload.bin").open("wb") as out:
                while True:
                    event = await receive()
                    out.write(event.get("body", b""))
                    if not event.get("more_body"):
                        break
                out.flush()
                os.fsync(out.fileno())
            status = 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def plain_put(base: Path, size: int) -> float:
    """MB/s of one streaming PUT of ``size`` random bytes to the baseline server."""
    port = localnet.free_port_pair()
    folder = base / "baseline"
    folder.mkdir()
    source = base / "plain.bin"
    _make_file(source, size)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--baseline-server", str(port), str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        localnet_ready = f"http://127.0.0.1:{port}/"
        _wait("the baseline server", lambda: _reachable(localnet_ready), timeout=30)

        def pieces() -> Iterator[bytes]:
            with source.open("rb") as handle:
                while block := handle.read(8 * MIB):
                    yield block

        os.sync()
        start = time.monotonic()
        response = httpx.put(localnet_ready, content=pieces(), timeout=600)
        seconds = time.monotonic() - start
        response.raise_for_status()
        return size / seconds / 1e6
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _reachable(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="128 MiB instead of 1 GiB")
    parser.add_argument("--baseline-server", nargs=2, metavar=("PORT", "DIR"))
    args = parser.parse_args()
    if args.baseline_server:
        baseline_server(int(args.baseline_server[0]), args.baseline_server[1])
        return
    size = (128 if args.quick else 1024) * MIB
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        figures = ours(Path(tmp), size)
        plain = plain_put(Path(tmp), figures["package_bytes"])
    figures["plain_put_mb_s"] = plain
    figures["push_vs_plain_http"] = figures["push_mb_s"] / plain
    print(
        json.dumps(
            {"bench": "transfer", "payload_mib": size // MIB}
            | {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
        )
    )


if __name__ == "__main__":
    main()
