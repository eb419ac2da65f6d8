"""Notes, pings and threads through the API: who may send and read what."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liaison.accounts import service as accounts
from liaison.accounts.schemas import UserCreate
from liaison.app import create_app
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityCreate
from liaison.core.clock import FakeClock
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuthorityRole, Role
from liaison.federation import delivery as worker
from liaison.keyring import service as keyring
from tests.conftest import PASSWORD
from tests.federation_net import CTX, Net, build_net, empty, extra_databases


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("msg"), 2) as urls:
        yield urls


@pytest.fixture
def net(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Net]:
    net = build_net(node_urls, tmp_path, ["vn-mps", "ru-gpo"], clock)
    vn = net.nodes["vn-mps"]
    with vn.db.session() as session:
        # a second authority on the same node: a third party to the vn-mps ↔ ru-gpo thread
        authorities.create(
            session=session,
            data=AuthorityCreate(
                id="de-bka",
                state="DE",
                names={"de": "Bundeskriminalamt"},
                roles=[AuthorityRole.contact_24_7],
                accepted_languages=["de"],
            ),
            kek=vn.kek,
            ctx=CTX,
            clock=vn.clock,
        )
        keyring.ensure_keys(
            session=session, kek=vn.kek, authority_id="de-bka", ctx=CTX, clock=vn.clock
        )
        for username, authority, role in [
            ("vn.officer", "vn-mps", Role.officer),
            ("vn.auditor", "vn-mps", Role.auditor),
            ("de.officer", "de-bka", Role.officer),
        ]:
            accounts.create(
                session=session,
                authority_id=authority,
                data=UserCreate(
                    username=username, display_name=username, password=PASSWORD, roles=[role]
                ),
                ctx=CTX,
                clock=vn.clock,
            )
    yield net
    for node in net.nodes.values():
        empty(node)


@pytest.fixture
def client(net: Net) -> Iterator[TestClient]:
    with TestClient(create_app(node=net.nodes["vn-mps"])) as client:
        yield client


def login(client: TestClient, username: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_officer_sends_a_note_and_reads_the_thread(net: Net, client: TestClient) -> None:
    headers = login(client, "vn.officer")
    note = client.post(
        "/api/v1/notes", json={"to": "ru-gpo", "text": "Привет из Ханоя"}, headers=headers
    )
    assert note.status_code == 201, note.text
    thread = note.json()["thread"]
    worker.deliver_once(net.nodes["vn-mps"], net.transport)
    outbox = client.get("/api/v1/outbox", headers=headers).json()
    assert [(o["id"], o["status"]) for o in outbox] == [(note.json()["id"], "delivered")]
    threads = client.get("/api/v1/threads", headers=headers).json()
    assert threads[0]["thread"] == thread
    assert threads[0]["counterpart"] == "ru-gpo"
    messages = client.get(f"/api/v1/threads/{thread}", headers=headers).json()
    assert [m["text"] for m in messages] == ["Привет из Ханоя"]
    reply = client.post(
        "/api/v1/notes", json={"to": "ru-gpo", "text": "второе", "thread": thread}, headers=headers
    )
    assert reply.json()["thread"] == thread


def test_retried_post_with_the_same_id_is_one_note(client: TestClient) -> None:
    headers = login(client, "vn.officer")
    body = {"to": "ru-gpo", "text": "once", "id": str(uuid.uuid4())}
    first = client.post("/api/v1/notes", json=body, headers=headers)
    again = client.post("/api/v1/notes", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert len(client.get("/api/v1/outbox", headers=headers).json()) == 1
    clash = client.post("/api/v1/notes", json={**body, "text": "different"}, headers=headers)
    assert clash.status_code == 409
    # Another authority's key space is its own: the same key is no clash (it was a 500, and
    # told the caller that the id existed), and the two notes are different envelopes.
    other = client.post("/api/v1/notes", json=body, headers=login(client, "de.officer"))
    assert other.status_code == 201, other.text
    assert other.json()["id"] != first.json()["id"]


def test_ids_that_could_never_be_sealed_are_refused_on_the_way_in(client: TestClient) -> None:
    headers = login(client, "vn.officer")
    for bad in ({"thread": "not-a-uuid"}, {"thread": str(uuid.uuid4())}, {"id": "x" * 36}):
        response = client.post(
            "/api/v1/notes", json={"to": "ru-gpo", "text": "hello", **bad}, headers=headers
        )
        assert response.status_code == 422, (bad, response.text)


def test_third_authority_cannot_see_or_join_the_thread(client: TestClient) -> None:
    vn = login(client, "vn.officer")
    thread = client.post(
        "/api/v1/notes", json={"to": "ru-gpo", "text": "confidential"}, headers=vn
    ).json()["thread"]
    de = login(client, "de.officer")
    assert client.get("/api/v1/threads", headers=de).json() == []
    assert client.get(f"/api/v1/threads/{thread}", headers=de).status_code == 404
    assert client.get("/api/v1/outbox", headers=de).json() == []
    joined = client.post(
        "/api/v1/notes", json={"to": "ru-gpo", "text": "me too", "thread": thread}, headers=de
    )
    assert joined.status_code == 404


def test_auditor_cannot_send_and_anonymous_cannot_read(client: TestClient) -> None:
    auditor = login(client, "vn.auditor")
    assert (
        client.post(
            "/api/v1/notes", json={"to": "ru-gpo", "text": "x"}, headers=auditor
        ).status_code
        == 403
    )
    assert client.get("/api/v1/threads").status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": "xx-nowhere", "text": "x"}, 404),
        ({"to": "vn-mps", "text": "to myself"}, 422),
        ({"to": "ru-gpo", "text": ""}, 422),
        ({"to": "ru-gpo", "text": "x" * 20_001}, 422),
        ({"to": "ru-gpo", "text": "x", "thread": "not-a-uuid"}, 422),
        ({"to": "ru-gpo", "text": "x", "thread": new_id_str()}, 404),
        ({"to": "'; DROP TABLE outbox; --", "text": "x"}, 422),
    ],
)
def test_bad_notes_are_refused_and_nothing_queued(
    client: TestClient, body: dict[str, str], status: int
) -> None:
    headers = login(client, "vn.officer")
    assert client.post("/api/v1/notes", json=body, headers=headers).status_code == status
    assert client.get("/api/v1/outbox", headers=headers).json() == []


def test_ping_round_trip_visible_through_the_api(net: Net, client: TestClient) -> None:
    headers = login(client, "vn.officer")
    ping = client.post("/api/v1/pings", json={"to": "ru-gpo"}, headers=headers).json()
    worker.deliver_once(net.nodes["vn-mps"], net.transport)
    worker.deliver_once(net.nodes["ru-gpo"], net.transport)
    messages = client.get(f"/api/v1/threads/{ping['thread']}", headers=headers).json()
    assert [(m["direction"], m["kind"]) for m in messages] == [("out", "ping"), ("in", "pong")]
