"""Resumable (tus) upload into a real server process: speed and the server's peak RSS.

    .venv/bin/python bench/uploads.py [--quick] [--size-mib 256] [--chunk-mib 8]

One node (SQLite, built with liaison.localnet) runs `liaison serve`; vn.officer drafts a request
and uploads a file of random data twice with the tuspy client: once in pieces of --chunk-mib,
once as a single PATCH of the whole file (what `curl -T` does). --quick: 64 MiB. Each upload is
checked (the item's digest is the file's sha256). The server's peak RSS (VmHWM) is read after
a 4 MiB warm-up upload and after each large one: memory stays flat when the body streams, so
the peaks should not differ by more than a few MiB whatever the size.

Prints human-readable lines, then one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tusclient import client as tus

from liaison import localnet
from liaison.demo import DEMO_AUTHORITIES
from liaison.localnet import Processes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transfer import MLA  # a valid MLA request, from the bench next door

MIB = 1 << 20
PASSWORD = "demo-Liaison-2026"  # noqa: S105 - the demo users' published password


def _make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(8 * MIB, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return "sha256:" + digest.hexdigest()


def _rss_mib(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _upload(
    api: httpx.Client, base: str, request_id: str, path: Path, chunk: int
) -> tuple[float, str]:
    uploads = tus.TusClient(f"{base}/api/v1/uploads", headers=dict(api.headers))
    metadata = {
        "request_id": request_id,
        "filename": path.name,
        "acquired_by": "Insp. Nguyen Van A",
        "acquired_at": "2026-02-28T10:00:00+07:00",
    }
    start = time.monotonic()
    with path.open("rb") as stream:
        uploader = uploads.uploader(file_stream=stream, chunk_size=chunk, metadata=metadata)
        uploader.upload()
    seconds = time.monotonic() - start
    assert uploader.url is not None
    head = api.head(uploader.url.removeprefix(f"{base}/api/v1"), headers={"Tus-Resumable": "1.0.0"})
    item = api.get(f"/evidence/{head.headers['Liaison-Evidence-Item']}").json()
    return seconds, str(item["digest"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--chunk-mib", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="64 MiB instead of --size-mib")
    args = parser.parse_args()
    if args.quick:
        args.size_mib = 64
    size = args.size_mib * MIB
    with tempfile.TemporaryDirectory(prefix="liaison-bench-uploads-") as folder:
        base_dir = Path(folder)
        (node,) = localnet.prepare(
            base=base_dir / "nodes",
            layout=[[DEMO_AUTHORITIES[0], DEMO_AUTHORITIES[1]]],
            port_base=localnet.free_port_pair(),
            users=True,
        )
        procs = Processes([node], base_dir)
        procs.start(node.name, "server")
        try:
            localnet.wait_ready(node.url)
            pid = procs.procs[(node.name, "server")].pid
            api = httpx.Client(base_url=f"{node.url}/api/v1", timeout=600)
            login = {"username": "vn.officer", "password": PASSWORD}
            token = api.post("/auth/login", json=login).raise_for_status().json()["token"]
            api.headers["Authorization"] = f"Bearer {token}"
            draft = {
                "kind": "mla",
                "subtype": "stored_data",
                "to": DEMO_AUTHORITIES[1].id,
                "language": "en",
                "content": MLA,
            }
            request_id = str(api.post("/requests", json=draft).raise_for_status().json()["id"])
            small, big = base_dir / "warm-up.bin", base_dir / "evidence.bin"
            small_digest = _make_file(small, 4 * MIB)
            digest = _make_file(big, size)
            results: dict[str, Any] = {"size_mib": args.size_mib, "chunk_mib": args.chunk_mib}
            _, got = _upload(api, node.url, request_id, small, MIB)
            assert got == small_digest
            results["peak_rss_after_warm_up_mib"] = round(_rss_mib(pid, "VmHWM"), 1)
            for label, chunk in (("pieces", args.chunk_mib * MIB), ("one_patch", size)):
                seconds, got = _upload(api, node.url, request_id, big, chunk)
                if got != digest:
                    sys.exit(f"{label}: the item's digest {got} is not the file's {digest}")
                results[f"{label}_mb_s"] = round(size / seconds / 1e6, 1)
                results[f"peak_rss_after_{label}_mib"] = round(_rss_mib(pid, "VmHWM"), 1)
                print(
                    f"{label}: {size / seconds / 1e6:.0f} MB/s, server peak RSS "
                    f"{results[f'peak_rss_after_{label}_mib']} MiB "
                    f"(after the warm-up: {results['peak_rss_after_warm_up_mib']} MiB)"
                )
            api.close()
        finally:
            procs.stop_all()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
