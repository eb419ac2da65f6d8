"""Resumable uploads over tus 1.0: the protocol as the spec words it, the tuspy client
interrupted and resumed without re-sending what arrived, a client that vanishes mid-PATCH, and
every refusal leaving nothing behind."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tusclient import client as tus

from liaison.app import create_app
from liaison.core.clock import FakeClock
from liaison.evidence import service
from liaison.evidence.models import EvidenceItem, EvidenceUpload
from liaison.evidence.uploads import service as uploads
from liaison.node import Node
from tests.conftest import Factory
from tests.functional.test_evidence_items import seed

TUS = {"Tus-Resumable": "1.0.0"}
DATA = os.urandom(3 * (1 << 20) + 12345)
DIGEST = "sha256:" + hashlib.sha256(DATA).hexdigest()


def meta(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


class Case:
    def __init__(self, node: Node, client: TestClient, request_id: str, headers: dict[str, Any]):
        self.node, self.client, self.request_id, self.headers = node, client, request_id, headers

    def fields(self, **extra: str) -> dict[str, str]:
        return {
            "request_id": self.request_id,
            "filename": "mailbox.pst",
            "acquired_by": "Insp. Nguyen Van A",
            "acquired_at": "2026-02-28T10:00:00+07:00",
            "acquisition_method": "provider export",
            **extra,
        }

    def create(self, user: str = "vn.officer", length: int = len(DATA), **extra: str) -> Any:
        return self.client.post(
            "/api/v1/uploads",
            headers={
                **self.headers[user],
                **TUS,
                "Upload-Length": str(length),
                "Upload-Metadata": meta(**self.fields(**extra)),
            },
        )

    def patch(self, url: str, offset: int, body: bytes, user: str = "vn.officer", **h: str) -> Any:
        headers = {
            **self.headers[user],
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            **h,
        }
        return self.client.patch(url, content=body, headers=headers)

    def head(self, url: str, user: str = "vn.officer") -> Any:
        return self.client.head(url, headers={**self.headers[user], **TUS})

    def counts(self) -> tuple[int, int, int]:
        with self.node.db.session() as session:
            items = session.scalar(select(func.count()).select_from(EvidenceItem)) or 0
            rows = session.scalar(select(func.count()).select_from(EvidenceUpload)) or 0
        return int(items), int(rows), len(list(service.store_for(self.node).digests()))


@pytest.fixture
def case(node: Node, factory: Factory, client: TestClient) -> Case:
    request_id, headers = seed(node, factory, client)
    return Case(node, client, request_id, headers)


def test_options_announces_version_extensions_and_limits(case: Case) -> None:
    response = case.client.options("/api/v1/uploads", headers=case.headers["vn.officer"])
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "termination",
        "checksum",
        "expiration",
    }
    assert int(response.headers["Tus-Max-Size"]) == service.MAX_ITEM_BYTES
    assert "sha256" in response.headers["Tus-Checksum-Algorithm"]
    assert case.client.options("/api/v1/uploads").status_code == 401


def test_create_patch_head_to_an_item(case: Case) -> None:
    created = case.create(digest=DIGEST)
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    assert url.startswith("/api/v1/uploads/")
    assert created.headers["Tus-Resumable"] == "1.0.0"
    assert "GMT" in created.headers["Upload-Expires"]
    head = case.head(url)
    assert (head.status_code, head.headers["Upload-Offset"]) == (200, "0")
    assert head.headers["Upload-Length"] == str(len(DATA))
    assert head.headers["Cache-Control"] == "no-store"
    half = len(DATA) // 2
    first = case.patch(url, 0, DATA[:half])
    assert (first.status_code, first.headers["Upload-Offset"]) == (204, str(half))
    assert "Liaison-Evidence-Item" not in first.headers
    last = case.patch(url, half, DATA[half:])
    assert last.status_code == 204, last.text
    item_id = last.headers["Liaison-Evidence-Item"]
    item = case.client.get(f"/api/v1/evidence/{item_id}", headers=case.headers["vn.officer"])
    assert item.json()["digest"] == DIGEST
    assert item.json()["name"] == "mailbox.pst"
    assert item.json()["acquired_by"] == "Insp. Nguyen Van A"
    custody = case.client.get(
        f"/api/v1/evidence/{item_id}/custody", headers=case.headers["vn.officer"]
    )
    assert [e["event"] for e in custody.json()] == ["acquired", "ingested"]
    assert case.head(url).headers["Liaison-Evidence-Item"] == item_id
    assert not uploads.part_path(case.node, url.rsplit("/", 1)[1]).exists()


def test_wrong_offset_is_409_and_writes_nothing(case: Case) -> None:
    url = case.create().headers["Location"]
    assert case.patch(url, 0, DATA[:1000]).status_code == 204
    assert case.patch(url, 0, DATA[:1000]).status_code == 409
    assert case.patch(url, 5000, DATA[5000:6000]).status_code == 409
    assert case.head(url).headers["Upload-Offset"] == "1000"


def test_checksum_mismatch_is_460_and_the_piece_is_discarded(case: Case) -> None:
    url = case.create().headers["Location"]
    piece = DATA[:4096]
    good = base64.b64encode(hashlib.sha256(piece).digest()).decode()
    bad = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert case.patch(url, 0, piece, **{"Upload-Checksum": f"sha256 {bad}"}).status_code == 460
    assert case.head(url).headers["Upload-Offset"] == "0"
    assert case.patch(url, 0, piece, **{"Upload-Checksum": f"md5 {good}"}).status_code == 400
    ok = case.patch(url, 0, piece, **{"Upload-Checksum": f"sha256 {good}"})
    assert (ok.status_code, ok.headers["Upload-Offset"]) == (204, "4096")


def test_protocol_refusals(case: Case) -> None:
    url = case.create().headers["Location"]
    no_version = case.client.head(url, headers=case.headers["vn.officer"])
    assert no_version.status_code == 412
    wrong_type = case.patch(url, 0, b"x", **{"Content-Type": "application/octet-stream"})
    assert wrong_type.status_code == 415
    assert case.patch(url, 0, DATA + b"more").status_code == 422  # past Upload-Length
    assert case.head(url).headers["Upload-Offset"] == "0"
    assert case.create(length=service.MAX_ITEM_BYTES + 1).status_code == 413
    deferred = case.client.post(
        "/api/v1/uploads",
        headers={**case.headers["vn.officer"], **TUS, "Upload-Defer-Length": "1"},
    )
    assert deferred.status_code == 422


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"acquired_by": ""}, 422, "missing acquired_by"),
        ({"acquired_at": "yesterday"}, 422, "Upload-Metadata"),
        ({"filename": "../etc/passwd"}, 422, "name"),
        ({"colour": "blue"}, 422, "unknown keys colour"),
        ({"digest": "md5:abc"}, 422, "sha256"),
        ({"request_id": "no-such-request"}, 404, "no request"),
    ],
)
def test_bad_metadata_is_refused_before_any_byte(
    case: Case, change: dict[str, str], status: int, words: str
) -> None:
    response = case.create(**change)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert case.counts() == (0, 0, 0)


def test_digest_mismatch_on_completion_leaves_no_item(case: Case) -> None:
    url = case.create(digest="sha256:" + "0" * 64).headers["Location"]
    response = case.patch(url, 0, DATA)
    assert response.status_code == 422
    assert "digest" in response.json()["detail"]
    items, _rows, blobs = case.counts()
    assert (items, blobs) == (0, 0)


def test_another_user_or_authority_gets_404(case: Case) -> None:
    url = case.create().headers["Location"]
    for user in ("vn.other", "th.officer"):
        assert case.head(url, user=user).status_code == 404
        assert case.patch(url, 0, DATA[:10], user=user).status_code == 404
        assert case.client.delete(url, headers={**case.headers[user], **TUS}).status_code == 404
    # no evidence:item:write at all
    assert case.create(user="vn.auditor").status_code == 403
    assert case.head(url).headers["Upload-Offset"] == "0"


def test_termination_removes_the_bytes(case: Case) -> None:
    url = case.create().headers["Location"]
    case.patch(url, 0, DATA[:5000])
    path = uploads.part_path(case.node, url.rsplit("/", 1)[1])
    assert path.stat().st_size == 5000
    gone = case.client.delete(url, headers={**case.headers["vn.officer"], **TUS})
    assert gone.status_code == 204
    assert not path.exists()
    assert case.head(url).status_code == 404


def test_expired_uploads_are_removed(case: Case, clock: FakeClock) -> None:
    url = case.create().headers["Location"]
    case.patch(url, 0, DATA[:5000])
    path = uploads.part_path(case.node, url.rsplit("/", 1)[1])
    clock.advance(uploads.EXPIRY - timedelta(seconds=1))
    with case.node.db.session() as session:
        assert uploads.expire(session=session, node=case.node) == []
    clock.advance(timedelta(seconds=2))
    with case.node.db.session() as session:
        assert uploads.expire(session=session, node=case.node) == [url.rsplit("/", 1)[1]]
    assert not path.exists()
    assert case.counts() == (0, 0, 0)


class CountingPatches:
    """ASGI middleware: how many body bytes PATCH requests brought to the server."""

    def __init__(self, app: Any) -> None:
        self.app, self.bytes = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "PATCH":
            await self.app(scope, receive, send)
            return

        async def counted() -> Any:
            message = await receive()
            self.bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def server(case: Case) -> Iterator[tuple[str, CountingPatches]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counting = CountingPatches(create_app(node=case.node))
    config = uvicorn.Config(counting, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", counting
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def test_tuspy_interrupted_then_resumed_without_resending(
    case: Case, server: tuple[str, CountingPatches], tmp_path: Path
) -> None:
    base, counting = server
    source = tmp_path / "mailbox.pst"
    source.write_bytes(DATA)
    client = tus.TusClient(f"{base}/api/v1/uploads", headers=case.headers["vn.officer"])
    chunk = 256 << 10
    # tuspy leaves a file it opened itself open: hand it streams we close.
    with source.open("rb") as stream:
        first = client.uploader(file_stream=stream, chunk_size=chunk, metadata=case.fields())
        first.upload(stop_at=5 * chunk)  # the officer's laptop goes to sleep here
    assert first.url is not None
    assert first.offset == 5 * chunk
    sent_before = counting.bytes
    assert sent_before == 5 * chunk

    with source.open("rb") as stream:
        resumed = client.uploader(
            file_stream=stream, url=first.url, chunk_size=chunk, upload_checksum=True
        )
        resumed.upload()
    assert resumed.offset == len(DATA)
    # only the missing bytes crossed the wire the second time
    assert counting.bytes - sent_before == len(DATA) - 5 * chunk
    head = case.head(first.url.removeprefix(base))
    item_id = head.headers["Liaison-Evidence-Item"]
    item = case.client.get(f"/api/v1/evidence/{item_id}", headers=case.headers["vn.officer"])
    assert item.json()["digest"] == DIGEST


def test_a_client_that_vanishes_mid_patch_keeps_what_arrived(
    case: Case, server: tuple[str, CountingPatches]
) -> None:
    base, _ = server
    url = case.create().headers["Location"]
    host, port = base.removeprefix("http://").split(":")
    token = case.headers["vn.officer"]["Authorization"]
    sent = 2 * (1 << 20) + 777
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(
            (
                f"PATCH {url} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n"
                f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                f"Content-Type: application/offset+octet-stream\r\n"
                f"Content-Length: {len(DATA)}\r\n\r\n"
            ).encode()
            + DATA[:sent]
        )
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    offset = 0
    while time.monotonic() < deadline:
        offset = int(case.head(url).headers["Upload-Offset"])
        if offset:
            break
        time.sleep(0.05)
    assert offset == sent
    rest = case.patch(url, offset, DATA[offset:])
    assert rest.status_code == 204
    assert rest.headers["Liaison-Evidence-Item"]
