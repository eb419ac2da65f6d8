"""An evidence package between two nodes running as real processes, with SIGKILLs of the
sender's worker and of the receiver's server in the middle of the transfer: it resumes from the
last stored chunk each time (never from zero), arrives whole, verifies, and becomes the
requesting side's evidence with its chain of custody."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from liaison import localnet
from liaison.requests.contents import RequestKind
from tests.e2e.test_federation_processes import BACKOFF_MAX, Pair, running_pair
from tests.e2e.test_requests_processes import Api, both, send_request

pytestmark = pytest.mark.slow

MIB = 1 << 20
SIZE = 40 * MIB
CHUNK = 1 * MIB
# Slow enough to kill each side mid-transfer at a chosen point, fast enough for CI.
RATE = 6 * MIB


@pytest.fixture
def pair(tmp_path: Path, database_url: str) -> Iterator[Pair]:
    env = {
        "LIAISON_WORKER_BACKOFF_MAX_SECONDS": BACKOFF_MAX,
        "LIAISON_WORKER_LEASE_SECONDS": "3",
        "LIAISON_TRANSFER_CHUNK_BYTES": str(CHUNK),
        "LIAISON_TRANSFER_MAX_BYTES_PER_SECOND": str(RATE),
    }
    with running_pair(tmp_path, database_url, env) as pair:
        yield pair


def wait_for(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None  # a server being restarted
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def incoming(api: Api, request_id: str) -> dict[str, Any] | None:
    response = api.client.get(f"/requests/{request_id}/packages")
    if response.status_code != 200:
        return None
    rows = [row for row in response.json() if row["direction"] == "in"]
    return rows[0] if rows else None


def test_transfer_survives_sigkill_of_either_side(pair: Pair, tmp_path: Path) -> None:
    vn_url, ru_url = pair.a.url, pair.b.url
    vn, vn_chief = Api(vn_url, "vn.officer"), Api(vn_url, "vn.supervisor")
    ru = Api(ru_url, "ru.supervisor")
    try:
        request_id = send_request(vn, vn_chief, pair.recipient, RequestKind.MLA)
        both(vn, ru, request_id, "received")
        for action in ("acknowledge", "start"):
            ru.call("POST", f"/requests/{request_id}/actions/{action}", json={})
        both(vn, ru, request_id, "in_execution")

        evidence = tmp_path / "mailbox.pst"
        evidence.write_bytes(os.urandom(SIZE))
        digest = "sha256:" + hashlib.sha256(evidence.read_bytes()).hexdigest()
        with evidence.open("rb") as handle:
            ru.call(
                "POST",
                f"/requests/{request_id}/evidence",
                data={
                    "acquired_by": "Capt. Ivanov",
                    "acquired_at": "2026-11-20T09:00:00+03:00",
                    "acquisition_method": "provider disclosure",
                },
                files={"file": ("mailbox.pst", handle, "application/octet-stream")},
            )
        ru.call("POST", f"/requests/{request_id}/packages", json={})

        # The sender's worker dies a quarter of the way in ...
        wait_for("a quarter", lambda: (incoming(vn, request_id) or {}).get("offset", 0) > SIZE // 4)
        pair.procs.kill(pair.b.name, "worker")
        first = incoming(vn, request_id)
        assert first is not None
        assert 0 < first["offset"] < first["size"]
        pair.procs.start(pair.b.name, "worker")
        # ... and the receiver's server dies at two thirds, mid-chunk as likely as not.
        wait_for(
            "two thirds", lambda: (incoming(vn, request_id) or {}).get("offset", 0) > SIZE * 2 // 3
        )
        pair.procs.kill(pair.a.name, "server")
        pair.procs.start(pair.a.name, "server")
        localnet.wait_ready(vn_url)

        done = wait_for(
            "the package verified",
            lambda: (
                (row := incoming(vn, request_id))
                and row["status"] in ("verified", "failed")
                and row
            ),
        )
        assert done["status"] == "verified", done
        # Resumed each time from what the receiver held: at most the chunk in flight at each of
        # the two kills crossed the wire twice, never the whole package again.
        assert done["size"] <= done["bytes_transferred"] <= done["size"] + 2 * CHUNK, done
        assert all(check["ok"] is not False for check in done["report"])

        items = vn.call("GET", f"/requests/{request_id}/evidence")
        assert [(i["name"], i["digest"], i["size"]) for i in items] == [
            ("mailbox.pst", digest, SIZE)
        ]
        events = [e["event"] for e in vn.call("GET", f"/evidence/{items[0]['id']}/custody")]
        # the sender's chain, carried signed in the package, then the receiver's own
        assert events[:7] == [
            "acquired",
            "ingested",
            "sealed",
            "received",
            "opened",
            "verified",
            "ingested",
        ]
        # The sender learns the verdict and records it on its own item.
        sent_item = ru.call("GET", f"/requests/{request_id}/evidence")[0]
        wait_for(
            "the verdict at the sender",
            lambda: (
                "verified"
                in [e["event"] for e in ru.call("GET", f"/evidence/{sent_item['id']}/custody")]
            ),
        )
        assert [e["event"] for e in ru.call("GET", f"/evidence/{sent_item['id']}/custody")] == [
            "acquired",
            "ingested",
            "sealed",
            "sent",
            "verified",
        ]
        assert not pair.procs.dead()
    finally:
        for api in (vn, vn_chief, ru):
            api.client.close()
