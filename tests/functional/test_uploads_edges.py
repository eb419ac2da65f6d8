"""Resumable uploads at their edges: tus headers on every answer (refusals included), method
override, malformed numbers, a retry racing the last piece, bytes lost on the server, a declared
digest that ends the upload, access lost mid-way, sliding expiry, and the audit trail."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from liaison.audit.models import AuditEntry
from liaison.core.clock import FakeClock
from liaison.evidence import service
from liaison.evidence.uploads import service as uploads
from liaison.node import Node
from liaison.requests.models import RequestAssignment
from tests.conftest import Factory
from tests.functional.test_evidence_items import seed
from tests.functional.test_uploads import DATA, DIGEST, TUS, Case


@pytest.fixture
def case(node: Node, factory: Factory, client: TestClient) -> Case:
    request_id, headers = seed(node, factory, client)
    return Case(node, client, request_id, headers)


def upload_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def actions(node: Node, target: str) -> list[tuple[str, dict[str, Any]]]:
    with node.db.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.seq)
        )
        return [(row.action, row.detail) for row in rows]


def test_every_answer_carries_tus_resumable_refusals_included(case: Case) -> None:
    url = case.create().headers["Location"]
    mine = case.headers["vn.officer"]
    answers = {
        "no sign-in (401)": case.client.head(url, headers=TUS),
        "someone else's (404)": case.head(url, user="vn.other"),
        "wrong offset (409)": case.patch(url, 7, b"x"),
        "no Tus-Resumable (412)": case.client.head(url, headers=mine),
        "wrong content type (415)": case.patch(url, 0, b"x", **{"Content-Type": "text/plain"}),
        "bad metadata (422)": case.create(acquired_by=""),
        "no such method (405)": case.client.get(url, headers={**mine, **TUS}),
        "checksum (460)": case.patch(url, 0, b"x", **{"Upload-Checksum": "sha1 AAAA"}),
    }
    for what, response in answers.items():
        assert response.headers.get("Tus-Resumable") == "1.0.0", what
    statuses = [int(what.rsplit("(", 1)[1].rstrip(")")) for what in answers]
    assert [r.status_code for r in answers.values()] == statuses
    # tus: a 412 names the versions the server speaks
    assert answers["no Tus-Resumable (412)"].headers["Tus-Version"] == "1.0.0"
    # other routes are left alone
    assert "Tus-Resumable" not in case.client.get("/api/v1/health").headers


def test_x_http_method_override_for_clients_behind_strict_proxies(case: Case) -> None:
    url = case.create().headers["Location"]
    overridden = case.client.post(
        url,
        content=DATA[:1000],
        headers={
            **case.headers["vn.officer"],
            **TUS,
            "X-HTTP-Method-Override": "PATCH",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert (overridden.status_code, overridden.headers["Upload-Offset"]) == (204, "1000")
    gone = case.client.post(
        url, headers={**case.headers["vn.officer"], **TUS, "X-HTTP-Method-Override": "DELETE"}
    )
    assert gone.status_code == 204
    assert case.head(url).status_code == 404


@pytest.mark.parametrize("value", ["²", "-1", "1e3", " 5", "99999999999999999999999"])
def test_malformed_numbers_are_refused_not_crashed_on(case: Case, value: str) -> None:
    url = case.create().headers["Location"]
    raw = value.encode("latin-1")  # as it would arrive on the wire
    assert case.patch(url, 0, b"x", **{"Upload-Offset": raw}).status_code == 422  # type: ignore[arg-type]
    response = case.client.post(
        "/api/v1/uploads",
        headers={**case.headers["vn.officer"], **TUS, "Upload-Length": raw},
    )
    assert response.status_code in (413, 422), response.text
    assert case.head(url).headers["Upload-Offset"] == "0"


def test_a_body_past_upload_length_is_refused_whether_announced_or_streamed(case: Case) -> None:
    url = case.create(length=1000).headers["Location"]
    assert case.patch(url, 0, DATA[:1001]).status_code == 422  # Content-Length says so

    def chunked() -> Iterator[bytes]:  # no Content-Length: found while streaming
        yield DATA[:600]
        yield DATA[600:1200]

    assert case.patch(url, 0, chunked()).status_code == 422  # type: ignore[arg-type]
    assert case.head(url).headers["Upload-Offset"] == "0"
    assert uploads.part_path(case.node, upload_id(url)).stat().st_size == 0


def test_a_retry_while_the_last_piece_is_ingested_cannot_cut_the_file(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client whose last PATCH times out during a long ingest retries from the offset HEAD
    still shows: the retry must wait its turn (409), not cut the file the ingest is reading."""
    url = case.create(digest=DIGEST).headers["Location"]
    ingesting, release = threading.Event(), threading.Event()
    real = service.store_content

    def slow_ingest(**kwargs: Any) -> Any:
        ingesting.set()
        assert release.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(service, "store_content", slow_ingest)
    answers: dict[str, Any] = {}
    first = threading.Thread(target=lambda: answers.update(first=case.patch(url, 0, DATA)))
    first.start()
    assert ingesting.wait(10)
    assert case.head(url).headers["Upload-Offset"] == "0"  # not committed yet
    retry = case.patch(url, 0, DATA[:4096])
    release.set()
    first.join(10)
    assert retry.status_code == 409, retry.text
    assert answers["first"].status_code == 204, answers["first"].text
    item_id = answers["first"].headers["Liaison-Evidence-Item"]
    item = case.client.get(f"/api/v1/evidence/{item_id}", headers=case.headers["vn.officer"])
    assert (item.json()["digest"], item.json()["size"]) == (DIGEST, len(DATA))


def test_bytes_lost_on_the_server_restart_the_upload_instead_of_leaving_a_hole(
    case: Case,
) -> None:
    url = case.create().headers["Location"]
    assert case.patch(url, 0, DATA[:5000]).status_code == 204
    uploads.part_path(case.node, upload_id(url)).unlink()  # an operator "cleaned up"
    lost = case.patch(url, 5000, DATA[5000:])
    assert lost.status_code == 409
    assert "byte 0" in lost.json()["detail"]
    assert case.head(url).headers["Upload-Offset"] == "0"
    done = case.patch(url, 0, DATA)
    item_id = done.headers["Liaison-Evidence-Item"]
    item = case.client.get(f"/api/v1/evidence/{item_id}", headers=case.headers["vn.officer"])
    assert item.json()["digest"] == DIGEST


def test_a_digest_mismatch_ends_the_upload_and_removes_its_bytes(case: Case) -> None:
    url = case.create(digest="sha256:" + "0" * 64).headers["Location"]
    assert case.patch(url, 0, DATA[:5000]).status_code == 204
    refused = case.patch(url, 5000, DATA[5000:])
    assert refused.status_code == 422
    assert "not the declared" in refused.json()["detail"]
    assert case.head(url).status_code == 404
    assert not uploads.part_path(case.node, upload_id(url)).exists()
    assert case.counts() == (0, 0, 0)
    trail = actions(case.node, f"upload:{upload_id(url)}")
    assert [a for a, _ in trail] == ["evidence:upload:created", "evidence:upload:terminated"]
    assert "not the declared" in trail[1][1]["reason"]


def test_a_user_who_lost_the_request_cannot_go_on(case: Case) -> None:
    url = case.create().headers["Location"]
    with case.node.db.session() as session:
        session.execute(delete(RequestAssignment))  # the supervisor took the case away
    assert case.patch(url, 0, DATA[:1000]).status_code == 404
    assert uploads.part_path(case.node, upload_id(url)).exists() is False


def test_another_authority_cannot_upload_to_our_request(case: Case) -> None:
    refused = case.create(user="th.officer")
    assert refused.status_code == 404
    assert case.counts() == (0, 0, 0)


def test_expiry_counts_from_the_last_byte_stored(
    case: Case, clock: FakeClock, factory: Factory
) -> None:
    url = case.create().headers["Location"]
    clock.advance(uploads.EXPIRY - timedelta(minutes=1))
    case.headers["vn.officer"] = factory.token(case.client, "vn.officer")  # a new day's sign-in
    piece = case.patch(url, 0, DATA[:1000])
    assert piece.status_code == 204
    clock.advance(timedelta(hours=2))  # past 24 h since creation, not since the piece
    case.headers["vn.officer"] = factory.token(case.client, "vn.officer")
    assert case.head(url).headers["Upload-Offset"] == "1000"
    with case.node.db.session() as session:
        assert uploads.expire(session=session, node=case.node) == []
    clock.advance(uploads.EXPIRY)
    with case.node.db.session() as session:
        assert uploads.expire(session=session, node=case.node) == [upload_id(url)]
    trail = actions(case.node, f"upload:{upload_id(url)}")
    assert [a for a, _ in trail] == ["evidence:upload:created", "evidence:upload:expired"]
    assert trail[1][1]["offset"] == 1000


def test_the_audit_trail_of_a_completed_and_a_terminated_upload(case: Case) -> None:
    done = case.create().headers["Location"]
    item_id = case.patch(done, 0, DATA).headers["Liaison-Evidence-Item"]
    dropped = case.create().headers["Location"]
    case.client.delete(dropped, headers={**case.headers["vn.officer"], **TUS})
    completed = actions(case.node, f"upload:{upload_id(done)}")
    assert [a for a, _ in completed] == ["evidence:upload:created", "evidence:upload:completed"]
    assert completed[1][1]["item"] == item_id
    assert completed[1][1]["digest"] == DIGEST
    terminated = actions(case.node, f"upload:{upload_id(dropped)}")
    assert [a for a, _ in terminated] == [
        "evidence:upload:created",
        "evidence:upload:terminated",
    ]


def test_a_checksummed_piece_cut_by_a_disconnect_keeps_nothing(case: Case) -> None:
    """The ASGI app is called directly: the body ends with http.disconnect half-way."""
    url = case.create().headers["Location"]
    piece = DATA[: 1 << 20]
    checksum = base64.b64encode(hashlib.sha256(piece).digest()).decode()
    sent = _disconnecting_patch(
        case, url, piece[:600_000], {"Upload-Checksum": f"sha256 {checksum}"}
    )
    assert sent == 600_000
    assert case.head(url).headers["Upload-Offset"] == "0"
    assert uploads.part_path(case.node, upload_id(url)).stat().st_size == 0
    # without a checksum the same break keeps what arrived
    _disconnecting_patch(case, url, piece[:600_000], {})
    assert case.head(url).headers["Upload-Offset"] == "600000"


def _disconnecting_patch(case: Case, url: str, body: bytes, extra: dict[str, str]) -> int:

    headers = {
        **case.headers["vn.officer"],
        **TUS,
        "Upload-Offset": case.head(url).headers["Upload-Offset"],
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(len(body) * 2),
        **extra,
    }
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    messages = [
        {"type": "http.request", "body": body[:300_000], "more_body": True},
        {"type": "http.request", "body": body[300_000:], "more_body": True},
        {"type": "http.disconnect"},
    ]
    delivered = 0

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        message = messages.pop(0) if messages else {"type": "http.disconnect"}
        delivered += len(message.get("body", b""))
        return message

    async def send(_message: Any) -> None:
        pass

    anyio.run(case.client.app, scope, receive, send)  # type: ignore[arg-type]
    return delivered
