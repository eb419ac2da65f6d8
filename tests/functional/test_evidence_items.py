"""Evidence items over the API: upload, list, download, custody, visibility, bad input,
retention and export under the request's conditions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.audit.models import AuditEntry
from liaison.checkpoints import verify as audit_log
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.crypto import jose
from liaison.evidence import custody, retention, service
from liaison.evidence.models import EvidenceItem
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.models import Request
from liaison.requests.schemas import RequestCreate
from tests.conftest import Factory, system_ctx

CONTENT = b"evidence bytes\n" * 100_000  # 1.5 MiB: more than one encrypted chunk


@dataclass
class Case:
    node: Node
    client: TestClient
    request_id: str
    headers: dict[str, dict[str, str]]

    def upload(self, user: str, data: bytes = CONTENT, **fields: Any) -> Any:
        filename = fields.pop("filename", "disk.img")
        form = {
            "acquired_by": "Insp. Nguyen Van A",
            "acquired_at": "2026-02-28T10:00:00+07:00",
            "acquisition_method": "logical extraction",
            "acquisition_tool": "dd 9.4",
            "description": "laptop image",
            "source": "seized laptop, exhibit 3",
            **fields,
        }
        return self.client.post(
            f"/api/v1/requests/{self.request_id}/evidence",
            headers=self.headers[user],
            data=form,
            files={"file": (filename, data, "application/octet-stream")},
        )

    def get(self, user: str, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers[user])

    def digests(self) -> set[str]:
        return set(service.store_for(self.node).digests())

    def item_count(self) -> int:
        with self.node.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(EvidenceItem)) or 0)


USERS = {
    "vn.officer": ("vn-mps", Role.officer),
    "vn.other": ("vn-mps", Role.officer),
    "vn.auditor": ("vn-mps", Role.auditor),
    "th.officer": ("th-dsi", Role.supervisor),
}


def seed(node: Node, factory: Factory, client: TestClient) -> tuple[str, dict[str, Any]]:
    """Three authorities, users of two, and an MLA draft of vn-mps to ru-gpo drafted by
    vn.officer: the request id and each user's Authorization header."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.authority("th-dsi", "TH")
    created = {
        name: factory.user(name, authority, role) for name, (authority, role) in USERS.items()
    }
    with node.db.session() as session:
        request = requests.create_draft(
            session=session,
            user=created["vn.officer"],
            draft=RequestCreate(
                kind="mla",
                to="ru-gpo",
                content={},
                language="en",
                reference="VN-2026-0042",
                subtype=None,
            ),
            ctx=system_ctx(),
            clock=node.clock,
        )
        session.commit()
        request_id = request.id
    return request_id, {name: factory.token(client, name) for name in USERS}


@pytest.fixture
def case(node: Node, factory: Factory, client: TestClient) -> Case:
    request_id, headers = seed(node, factory, client)
    return Case(node=node, client=client, request_id=request_id, headers=headers)


def test_upload_list_download_round_trip(case: Case) -> None:
    declared = "sha256:" + hashlib.sha256(CONTENT).hexdigest()
    response = case.upload("vn.officer", digest=declared)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["digest"] == declared
    assert item["size"] == len(CONTENT)
    assert item["name"] == "disk.img"
    assert datetime.fromisoformat(item["acquired_at"]) == datetime(2026, 2, 28, 3, tzinfo=UTC)
    assert case.digests() == {declared}

    listed = case.get("vn.officer", f"/requests/{case.request_id}/evidence")
    assert [i["id"] for i in listed.json()] == [item["id"]]

    content = case.get("vn.officer", f"/evidence/{item['id']}/content")
    assert content.status_code == 200
    assert "sha256:" + hashlib.sha256(content.content).hexdigest() == declared
    assert "disk.img" in content.headers["content-disposition"]
    assert content.headers["repr-digest"].startswith("sha-256=:")


def test_custody_in_order_and_mirrored_in_the_audit_log(case: Case, clock: FakeClock) -> None:
    item = case.upload("vn.officer").json()
    clock.advance(timedelta(minutes=5))
    assert case.get("vn.officer", f"/evidence/{item['id']}/content").status_code == 200

    events = case.get("vn.officer", f"/evidence/{item['id']}/custody").json()
    assert [e["event"] for e in events] == ["acquired", "ingested", "downloaded"]
    assert events[0]["actor"] == "Insp. Nguyen Van A"
    assert events[0]["detail"]["tool"] == "dd 9.4"
    assert {e["digest"] for e in events} == {item["digest"]}
    assert events[1]["actor"].startswith("user:")

    with case.node.db.session() as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.target == f"evidence:{item['id']}")
                .order_by(AuditEntry.seq)
            )
        )
        assert [e.detail["event"] for e in entries] == ["acquired", "ingested", "downloaded"]
        assert [e.action for e in entries] == [
            "evidence:custody:recorded",
            "evidence:item:ingested",
            "evidence:item:downloaded",
        ]
        assert [e.detail["custody_id"] for e in entries] == [e["id"] for e in events]
        assert audit_log.check_chain(session=session).ok


def test_third_authority_and_unassigned_officer_cannot_see_or_fetch(case: Case) -> None:
    item = case.upload("vn.officer").json()
    for user in ("th.officer", "vn.other"):
        for path in (
            f"/evidence/{item['id']}",
            f"/evidence/{item['id']}/content",
            f"/evidence/{item['id']}/custody",
            f"/requests/{case.request_id}/evidence",
        ):
            response = case.get(user, path)
            assert response.status_code == 404, (user, path, response.text)
        assert case.upload(user).status_code == 404
    # No evidence permission at all: refused before anything is looked up.
    assert case.get("vn.auditor", f"/evidence/{item['id']}").status_code == 403
    with case.node.db.session() as session:
        row = session.get(EvidenceItem, item["id"])
        assert row is not None
        downloads = [e.event for e in custody.events(session=session, item=row)]
    assert "downloaded" not in downloads


@pytest.mark.parametrize(
    ("fields", "data", "status"),
    [
        ({"filename": "../x"}, CONTENT, 422),
        ({"name": "/etc/passwd"}, CONTENT, 422),
        ({"name": "a\\b"}, CONTENT, 422),
        ({"name": "evil\x00.txt"}, CONTENT, 422),
        ({"name": ".."}, CONTENT, 422),
        ({"name": "x" * 256}, CONTENT, 422),
        ({"name": "bad\ufffdname"}, CONTENT, 422),
        ({}, b"", 422),
        ({"digest": "sha256:" + "0" * 64}, CONTENT, 422),
        ({"digest": "md5:abc"}, CONTENT, 422),
        ({"acquired_at": "2026-02-28T10:00:00"}, CONTENT, 422),
    ],
    ids=[
        "traversal",
        "absolute",
        "backslash",
        "nul",
        "dotdot",
        "too-long",
        "invalid-utf8",
        "zero-bytes",
        "digest-mismatch",
        "malformed-digest",
        "naive-acquisition-time",
    ],
)
def test_bad_input_leaves_no_row_and_no_blob(
    case: Case, fields: dict[str, str], data: bytes, status: int
) -> None:
    before = case.digests()
    response = case.upload("vn.officer", data=data, **fields)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert case.item_count() == 0
    assert case.digests() == before


def test_a_failed_insert_removes_the_new_blob(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(custody, "record", broken)
    with pytest.raises(RuntimeError):
        case.upload("vn.officer")
    assert case.item_count() == 0
    assert case.digests() == set()


def test_same_content_twice_shares_one_blob(case: Case) -> None:
    first = case.upload("vn.officer").json()
    second = case.upload("vn.officer", name="copy.img").json()
    assert first["digest"] == second["digest"]
    assert case.digests() == {first["digest"]}
    assert case.get("vn.officer", f"/evidence/{second['id']}/content").content == CONTENT


def set_conditions(case: Case, response: dict[str, Any], *, executed: bool = True) -> None:
    """The other side's conditions on this copy, as if received with the results."""
    with case.node.db.session() as session:
        request = session.get(Request, ("vn-mps", case.request_id))
        assert request is not None
        request.response = response
        request.executed_at = case.node.clock.now() if executed else None
        session.commit()


def test_retention_deletes_the_blob_with_a_signed_record(case: Case, clock: FakeClock) -> None:
    set_conditions(case, {"conditions": {"retention_days": 30}})
    item = case.upload("vn.officer").json()
    executed = clock.now()
    assert datetime.fromisoformat(item["retention_until"]) == executed + timedelta(days=30)

    with case.node.db.session() as session:
        assert retention.apply_retention(session=session, node=case.node, now=clock.now()) == []
    # Retention runs with its own "now"; the clock stays put so the sign-in tokens stay valid.
    later = clock.now() + timedelta(days=30, seconds=1)
    with case.node.db.session() as session:
        deleted = retention.apply_retention(session=session, node=case.node, now=later)
        session.commit()
    assert deleted == [item["id"]]
    assert case.digests() == set()

    gone = case.get("vn.officer", f"/evidence/{item['id']}/content")
    assert gone.status_code == 410
    assert "retention" in gone.json()["detail"]
    assert case.get("vn.officer", f"/evidence/{item['id']}").json()["deleted_at"] is not None

    events = case.get("vn.officer", f"/evidence/{item['id']}/custody").json()
    assert events[-1]["event"] == "deleted"
    token = events[-1]["detail"]["record"]
    kid = jose.jws_header(token)["kid"]
    with case.node.db.session() as session:
        key = session.get(StoredKey, kid)
        assert key is not None
        assert key.authority_id == "vn-mps"
        public = keyring.public_raw_by_id(session=session, key_id=kid)
        assert public is not None
        assert audit_log.check_chain(session=session).ok
    payload = retention.verify_deletion_record(token=token, key_id=kid, public_raw=public)
    assert payload["item"] == item["id"]
    assert payload["digest"] == item["digest"]
    assert datetime.fromisoformat(payload["deleted_at"]) == later
    assert payload["reason"] == retention.RETENTION_REASON


def test_retention_keeps_a_blob_another_live_item_shares(case: Case, clock: FakeClock) -> None:
    first = case.upload("vn.officer").json()
    second = case.upload("vn.officer", name="kept.img").json()
    with case.node.db.session() as session:
        row = session.get(EvidenceItem, first["id"])
        assert row is not None
        retention.delete_item_for_retention(
            session=session, node=case.node, item=row, now=clock.now(), reason="test"
        )
        session.commit()
    assert case.get("vn.officer", f"/evidence/{first['id']}/content").status_code == 410
    assert case.get("vn.officer", f"/evidence/{second['id']}/content").content == CONTENT
    assert case.digests() == {first["digest"]}


def test_export_refused_by_speciality_names_the_condition(case: Case) -> None:
    item = case.upload("vn.officer").json()
    path = f"/api/v1/evidence/{item['id']}/export"
    refused = case.client.post(
        path,
        headers=case.headers["vn.officer"],
        json={"use": "other_proceeding", "proceeding": "VN-2026-0099"},
    )
    assert refused.status_code == 403
    assert "speciality" in refused.json()["detail"]

    allowed = case.client.post(
        path, headers=case.headers["vn.officer"], json={"use": "same_proceeding"}
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["conditions"]["speciality"] is True

    events = case.get("vn.officer", f"/evidence/{item['id']}/custody").json()
    assert [e["event"] for e in events][-1] == "exported"
    assert "exported" not in [e["event"] for e in events][:-1]
    with case.node.db.session() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.target == f"evidence:{item['id']}")
            )
        )
    # The refused attempt is kept in the log although its request failed.
    assert "evidence:use:refused" in actions


def test_too_large_is_413_with_nothing_left(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_ITEM_BYTES", 1024)
    response = case.upload("vn.officer")
    assert response.status_code == 413
    assert "1024" in response.json()["detail"]
    assert case.item_count() == 0
    assert case.digests() == set()


def test_retention_waits_for_the_request_to_close(case: Case, clock: FakeClock) -> None:
    set_conditions(case, {"conditions": {"retention_days": 10}}, executed=False)
    item = case.upload("vn.officer").json()
    # Provisional: ten days from ingest, while the request is still open.
    assert datetime.fromisoformat(item["retention_until"]) == clock.now() + timedelta(days=10)
    later = clock.now() + timedelta(days=20)
    with case.node.db.session() as session:
        assert retention.apply_retention(session=session, node=case.node, now=later) == []
        session.commit()
    assert case.digests() == {item["digest"]}

    executed = clock.now() + timedelta(days=15)
    with case.node.db.session() as session:
        request = session.get(Request, ("vn-mps", case.request_id))
        assert request is not None
        request.executed_at = executed
        session.commit()
    with case.node.db.session() as session:
        assert retention.apply_retention(session=session, node=case.node, now=later) == []
        session.commit()
    meta = case.get("vn.officer", f"/evidence/{item['id']}").json()
    assert datetime.fromisoformat(meta["retention_until"]) == executed + timedelta(days=10)
    with case.node.db.session() as session:
        done = retention.apply_retention(
            session=session, node=case.node, now=executed + timedelta(days=10)
        )
        session.commit()
    assert done == [item["id"]]
    assert case.digests() == set()
