"""What an outside tester tried against running nodes, tried again: oversized and anonymous
bodies, forged forwarded addresses, locking an account by failing on purpose, notes with odd
ids, and junk at the inbox. Real server and worker processes, over real sockets."""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from liaison.accounts.models import LoginFailure
from liaison.audit.models import AuditEntry, RefusalCount
from liaison.core.permissions import AuditAction
from liaison.federation.models import OutboxEnvelope
from tests.e2e.test_federation_processes import PASSWORD, Pair, db, running_pair, wait_until

pytestmark = pytest.mark.slow
MIB = 1 << 20


@pytest.fixture
def pair(tmp_path: Path, database_url: str) -> Iterator[Pair]:
    with running_pair(tmp_path, database_url, {"LIAISON_WORKER_BACKOFF_MAX_SECONDS": "2"}) as p:
        yield p


def _peak_rss(pair: Pair) -> int:
    """The server's peak resident memory so far (VmHWM), in bytes."""
    pid = pair.procs.procs[(pair.a.name, "server")].pid
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _raw(port: int, head: str, body: bytes, *, then: int = 0) -> tuple[int, float]:
    """Send the head and ``body``, offer ``then`` more mebibytes, and return the status line's
    code with the bytes the server let us send before answering (as MiB). A chunked head gets
    its body in well-formed chunks."""
    chunked = "chunked" in head.lower()

    def frame(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + (frame(body) if body else b""))
        sent = len(body)
        sock.setblocking(False)
        chunk = frame(b"x" * MIB)
        answer = b""
        for _ in range(then):
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(4096)
            if answer:
                break
            try:
                sent += sock.send(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.01)
        sock.setblocking(True)
        sock.settimeout(30)
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1]), sent / MIB


def _login(url: str, username: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/auth/login",
        json={"username": username, "password": password},
        headers=headers,
        timeout=30,
    )


def test_huge_anonymous_bodies_are_refused_early_and_memory_stays_flat(pair: Pair) -> None:
    port = pair.a.port
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{url}/api/v1/health", timeout=30).status_code == 200
    before = _peak_rss(pair)
    declared = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {200 * MIB}"
    )
    assert _raw(port, declared, b"")[0] == 413
    chunked_login = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked"
    )
    status, sent = _raw(port, chunked_login, b"", then=200)
    assert status in (400, 413)  # cut at the limit (a bare stream is no valid chunk either)
    # No token: refused before a byte of the body is read, declared length or not.
    for length in (f"Content-Length: {200 * MIB}", "Transfer-Encoding: chunked"):
        anonymous = (
            "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + length
        )
        status, sent = _raw(port, anonymous, b"{", then=200)
        assert status in (401, 413)
        assert sent < 200  # answered long before the body could have been read
    # An input sent back in an error once made a 20 MB answer; now the body is not even read.
    big = httpx.post(
        f"{url}/api/v1/auth/login", content=b'{"username":"' + b"u" * 20 * MIB, timeout=60
    )
    assert big.status_code == 413
    assert len(big.content) < 1000
    assert _peak_rss(pair) - before < 30 * MIB


def test_forwarded_addresses_are_not_believed_and_cannot_dodge_throttling(pair: Pair) -> None:
    url = f"http://127.0.0.1:{pair.a.port}"
    for attempt in range(25):
        response = _login(
            url, f"spray{attempt}", "wrong-password!", **{"X-Forwarded-For": f"203.0.113.{attempt}"}
        )
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert "address" in response.json()["detail"]
    with db(pair.urls[0]) as session:
        addresses = set(session.scalars(select(LoginFailure.address)))
    assert addresses == {"127.0.0.1"}


def test_failing_on_purpose_does_not_lock_the_holder_out(pair: Pair) -> None:
    url = f"http://127.0.0.1:{pair.a.port}"
    assert _login(url, "vn.officer", PASSWORD).status_code == 200  # the holder's address
    for _ in range(6):
        _login(url, "vn.officer", "wrong-password!")
    assert _login(url, "vn.officer", PASSWORD).status_code == 200


def test_notes_with_any_key_are_delivered_and_hold_back_nothing(pair: Pair) -> None:
    url = f"http://127.0.0.1:{pair.a.port}"
    token = _login(url, "vn.officer", PASSWORD).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"to": pair.recipient, "text": "key is a v4 uuid", "id": str(uuid.uuid4())}
    first = httpx.post(f"{url}/api/v1/notes", json=body, headers=headers, timeout=30)
    assert first.status_code == 201, first.text
    bad_thread = {"to": pair.recipient, "text": "x", "thread": "not-a-thread"}
    refused = httpx.post(f"{url}/api/v1/notes", json=bad_thread, headers=headers, timeout=30)
    assert refused.status_code == 422
    second = httpx.post(
        f"{url}/api/v1/notes",
        json={"to": pair.recipient, "text": "after", "thread": first.json()["thread"]},
        headers=headers,
        timeout=30,
    )
    assert second.status_code == 201

    def delivered() -> bool:
        with db(pair.urls[0]) as session:
            statuses = set(session.scalars(select(OutboxEnvelope.status)))
        return statuses == {"delivered"}

    wait_until(delivered, timeout=60, what="both notes delivered")


def test_junk_at_the_inbox_is_counted_not_logged(pair: Pair) -> None:
    url = f"http://127.0.0.1:{pair.b.port}"
    # Only rejections are counted: the workers keep logging their own traffic (checkpoints
    # sent to each other as witnesses) meanwhile.
    rejections = select(func.count()).where(
        AuditEntry.action == AuditAction.federation_envelope_rejected
    )
    with db(pair.urls[1]) as session:
        entries = session.scalar(rejections)
    with httpx.Client(timeout=30) as client:
        for index in range(100):
            answer = client.post(f"{url}/federation/v1/inbox", content=f"junk {index}")
            assert answer.status_code == 400
    with db(pair.urls[1]) as session:
        assert session.scalar(rejections) == entries
        counted = session.scalar(
            select(func.sum(RefusalCount.count)).where(RefusalCount.reason == "malformed")
        )
    assert counted == 100
