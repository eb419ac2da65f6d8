"""The request list filters visibility in the database and pages through everything a user may
see; drafting and deadline policies write complete audit entries."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from liaison.accounts.models import User
from liaison.audit.models import AuditEntry
from liaison.core.permissions import Role
from liaison.node import Node
from liaison.requests import service
from liaison.requests.schemas import RequestCreate
from tests.conftest import Factory, system_ctx


def _draft_many(node: Node, user: User, kind: str, count: int) -> None:
    with node.db.session() as session:
        for index in range(count):
            service.create_draft(
                session=session,
                user=user,
                draft=RequestCreate(
                    kind=kind, to="ru-gpo", language="en", reference=f"{kind}-{index}"
                ),
                ctx=system_ctx(),
                clock=node.clock,
            )
        session.commit()


def _all_pages(client: TestClient, headers: dict[str, str], size: int) -> tuple[list[str], int]:
    ids: list[str] = []
    totals = set()
    offset = 0
    while True:
        page = client.get(
            "/api/v1/requests", params={"limit": size, "offset": offset}, headers=headers
        )
        assert page.status_code == 200, page.text
        body = page.json()
        totals.add(body["total"])
        ids += [item["id"] for item in body["items"]]
        if len(body["items"]) < size:
            break
        offset += size
    assert len(totals) == 1
    return ids, totals.pop()


def test_a_user_pages_through_all_and_only_the_requests_they_may_see(
    node: Node, factory: Factory, client: TestClient
) -> None:
    """500 requests of the authority, of which the officer may see 300: all 300 across pages,
    with a total of 300 (a list once filtered a few rows in Python and was cut short)."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.authority("th-dsi", "TH")
    mine = factory.user("vn.officer", "vn-mps")
    other = factory.user("vn.colleague", "vn-mps")
    factory.user("vn.contact", "vn-mps", Role.contact_24_7)
    factory.user("vn.chief", "vn-mps", Role.supervisor)
    factory.user("th.chief", "th-dsi", Role.supervisor)
    # Interleaved, so that the ones the officer sees are spread over the whole id order.
    for _ in range(10):
        _draft_many(node, mine, "mla", 20)
        _draft_many(node, other, "mla", 15)
        _draft_many(node, mine, "preservation", 10)
        _draft_many(node, other, "preservation", 5)

    ids, total = _all_pages(client, factory.token(client, "vn.officer"), size=50)
    assert total == 300
    assert len(ids) == len(set(ids)) == 300
    assert ids == sorted(ids, reverse=True)  # newest first, no row twice or skipped

    # Supervisors see every request of their authority; 24/7 contacts the 24/7 kinds (and
    # what they are assigned); users of another authority nothing.
    assert _all_pages(client, factory.token(client, "vn.chief"), size=200)[1] == 500
    assert _all_pages(client, factory.token(client, "vn.contact"), size=200)[1] == 150
    assert _all_pages(client, factory.token(client, "th.chief"), size=200) == ([], 0)


def test_the_draft_audit_entry_sees_every_field_of_the_draft(
    node: Node, factory: Factory, client: TestClient
) -> None:
    """preservation_days and linked_request were set after the service had audited the draft."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.user("vn.officer", "vn-mps")
    headers = factory.token(client, "vn.officer")
    preservation = client.post(
        "/api/v1/requests",
        json={"kind": "preservation", "to": "ru-gpo", "language": "en"},
        headers=headers,
    ).json()["id"]
    created = client.post(
        "/api/v1/requests",
        json={
            "kind": "mla",
            "to": "ru-gpo",
            "language": "en",
            "preservation_days": 90,
            "linked_request": preservation,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["preservation_days"] == 90
    with node.db.session() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"request:{created.json()['id']}")
            .order_by(AuditEntry.seq)
        ).first()
    assert entry is not None
    assert entry.action == "request:draft:created"
    assert entry.detail["preservation_days"] == 90
    assert entry.detail["linked_request"] == preservation


def test_changing_a_deadline_policy_is_audited_with_old_and_new_values(
    node: Node, factory: Factory, client: TestClient
) -> None:
    factory.authority("vn-mps", "VN")
    factory.user("vn.chief", "vn-mps", Role.supervisor)
    headers = factory.token(client, "vn.chief")
    first = client.put("/api/v1/deadline-policies/mla", json={"response_days": 20}, headers=headers)
    assert first.status_code == 200, first.text
    second = client.put(
        "/api/v1/deadline-policies/mla",
        json={"response_days": 10, "ack_hours": 48},
        headers=headers,
    )
    assert second.status_code == 200, second.text
    with node.db.session() as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "request:deadline_policy:set")
                .order_by(AuditEntry.seq)
            )
        )
    assert [e.target for e in entries] == ["deadline-policy:mla:normal"] * 2
    assert entries[0].authority_id == "vn-mps"
    assert entries[0].detail["before"] is None
    assert entries[0].detail["after"]["response_days"] == 20
    assert entries[1].detail["before"]["response_days"] == 20
    assert entries[1].detail["after"] == {
        "ack_hours": 48,
        "response_days": 10,
        "expiry_warning_days": 7,
    }


def test_a_draft_patched_with_null_content_is_refused_not_a_server_error(
    factory: Factory, client: TestClient
) -> None:
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.user("vn.officer", "vn-mps")
    headers = factory.token(client, "vn.officer")
    draft = client.post(
        "/api/v1/requests", json={"kind": "mla", "to": "ru-gpo", "language": "en"}, headers=headers
    ).json()["id"]
    response = client.patch(f"/api/v1/requests/{draft}", json={"content": None}, headers=headers)
    assert response.status_code == 422
    assert "not null" in response.json()["detail"]
    assert client.get(f"/api/v1/requests/{draft}", headers=headers).json()["version"] == 1
