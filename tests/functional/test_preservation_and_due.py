"""A preservation's hold, extension and warning between two nodes, what is due next on each
request, and the facts of a request kept in one place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from liaison.audit.models import AuditEntry
from liaison.core.clock import FakeClock
from liaison.notifications.models import Notification
from liaison.requests.contents import RequestKind
from liaison.requests.deadlines import reminders
from tests.conftest import PASSWORD
from tests.federation_net import extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft, step
from tests.request_net import Pair, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("pres"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def executed_preservation(pair: Pair) -> str:
    request_id = draft(pair, RequestKind.PRESERVATION, preservation_days=60)
    approve_and_send(pair, request_id)
    pair.deliver()
    for action in ("acknowledge", "start", "respond"):
        step(pair, "ru.contact", request_id, action)
        pair.deliver()
    return request_id


def read(pair: Pair, user: str, request_id: str) -> dict[str, Any]:
    response = pair.api(user, "GET", f"/requests/{request_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def relogin(pair: Pair, user: str) -> None:
    authority = "vn-mps" if user.startswith("vn.") else "ru-gpo"
    answer = pair.clients[authority].post(
        "/api/v1/auth/login", json={"username": user, "password": PASSWORD}
    )
    pair.tokens[user] = {"Authorization": f"Bearer {answer.json()['token']}"}


def audited(pair: Pair, authority: str, action: str) -> int:
    with pair.net.nodes[authority].db.session() as session:
        return int(session.scalar(select(func.count()).where(AuditEntry.action == action)) or 0)


def test_an_extension_is_asked_applied_and_confirmed_on_both_copies(pair: Pair) -> None:
    pres = executed_preservation(pair)
    before = read(pair, "vn.officer", pres)["preservation_expiry"]
    asked = pair.api(
        "vn.officer", "POST", f"/requests/{pres}/preservation/extension", json={"days": 30}
    )
    assert asked.status_code == 202, asked.text
    pair.deliver()
    vn, ru = read(pair, "vn.officer", pres), read(pair, "ru.contact", pres)
    assert vn["preservation_expiry"] == ru["preservation_expiry"] != before
    assert vn["preservation_days"] == ru["preservation_days"] == 90
    assert audited(pair, "vn-mps", "request:preservation:extension_asked") == 1
    assert audited(pair, "ru-gpo", "request:preservation:extended") == 1
    assert audited(pair, "vn-mps", "request:preservation:extended") == 1
    history = [
        e["action"] for e in pair.api("vn.officer", "GET", f"/requests/{pres}/events").json()
    ]
    assert history[-2:] == ["extension_requested", "extend"]
    # The requested side does not ask; nobody extends before the preservation is in place.
    wrong_side = pair.api(
        "ru.contact", "POST", f"/requests/{pres}/preservation/extension", json={"days": 30}
    )
    assert wrong_side.status_code == 409
    assert "requesting authority" in wrong_side.json()["detail"]
    early = draft(pair, RequestKind.PRESERVATION)
    too_early = pair.api(
        "vn.officer", "POST", f"/requests/{early}/preservation/extension", json={"days": 30}
    )
    assert too_early.status_code == 409
    assert "in place" in too_early.json()["detail"]


def test_the_requested_side_warns_and_the_requesting_side_is_told(pair: Pair) -> None:
    pres = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, pres)
    pair.deliver()
    refused = pair.api(
        "vn.officer", "POST", f"/requests/{pres}/preservation/warning", json={"text": "no"}
    )
    assert refused.status_code == 409
    warned = pair.api(
        "ru.contact",
        "POST",
        f"/requests/{pres}/preservation/warning",
        json={"text": "The provider deletes logs after 7 days."},
    )
    assert warned.status_code == 200, warned.text
    pair.deliver()
    for user in ("vn.officer", "ru.contact"):
        events = pair.api(user, "GET", f"/requests/{pres}/events").json()
        assert events[-1]["action"] == "warning"
        assert events[-1]["reason"] == "The provider deletes logs after 7 days."
    assert audited(pair, "vn-mps", "request:preservation:warned") == 1
    assert audited(pair, "ru-gpo", "request:preservation:warned") == 1
    with pair.net.nodes["vn-mps"].db.session() as session:
        categories = set(session.scalars(select(Notification.category)))
    assert "warning" in categories


def test_a_preservation_shows_what_holds_it_and_until_when(pair: Pair) -> None:
    pres = executed_preservation(pair)
    period_end = read(pair, "vn.officer", pres)["preservation_expiry"]
    assert read(pair, "vn.officer", pres)["effective_expiry"] == period_end
    mla = draft(pair, RequestKind.MLA, subtype="stored_data", linked_request=pres)
    disclosure = draft(pair, RequestKind.DISCLOSURE, linked_request=pres)
    assert read(pair, "vn.officer", pres)["held_by"] == []  # drafts hold nothing yet
    approve_and_send(pair, mla)
    approve_and_send(pair, disclosure)
    pair.deliver()
    for user in ("vn.officer", "ru.contact"):
        shown = read(pair, user, pres)
        assert shown["held_by"] == [mla]  # the disclosure does not displace the MLA request
        assert shown["effective_expiry"] is None  # kept until the MLA request is decided
        assert shown["due_what"] is None  # nothing expires meanwhile
    for action in ("acknowledge", "start", "respond"):
        step(pair, "ru.supervisor", mla, action)
        pair.deliver()
    shown = read(pair, "vn.officer", pres)
    assert shown["held_by"] == []
    assert shown["effective_expiry"] == period_end  # decided within the period
    assert shown["due_what"] == "preservation_expiry"


def test_every_request_shows_what_is_due_next_and_lists_sort_by_it(
    pair: Pair, clock: FakeClock
) -> None:
    later = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, later)
    clock.advance(timedelta(hours=1))
    sooner = draft(pair, RequestKind.PRESERVATION)  # 24 h to acknowledge, 3 days to respond
    approve_and_send(pair, sooner)
    idle = draft(pair, RequestKind.MLA, subtype="stored_data")  # a draft: nothing due
    pair.deliver()
    ru = read(pair, "ru.supervisor", sooner)
    assert ru["due_what"] == "acknowledgment"
    assert ru["overdue"] is False
    # The requesting side sees the same deadline on its copy, though the other side acts.
    assert read(pair, "vn.supervisor", sooner)["due_what"] == "acknowledgment"
    listed = pair.api("vn.supervisor", "GET", "/requests", params={"sort": "due"}).json()
    order = [item["id"] for item in listed["items"]]
    assert order.index(sooner) < order.index(later) < order.index(idle)
    clock.advance(timedelta(days=2))
    relogin(pair, "ru.supervisor")  # the sign-in session of two days ago has ended
    assert read(pair, "ru.supervisor", sooner)["overdue"] is True
    overdue = pair.api(
        "ru.supervisor",
        "GET",
        "/requests",
        params={"due_before": clock.now().isoformat()},
    ).json()
    assert [item["id"] for item in overdue["items"]] == [sooner]
    step(pair, "ru.supervisor", sooner, "acknowledge")
    assert read(pair, "ru.supervisor", sooner)["due_what"] == "response"


def test_urgency_and_conditions_have_one_place(pair: Pair) -> None:
    """An urgent provisional-arrest request read `urgent: false` (the flag lived twice)."""
    content = dict(COMPLETE[RequestKind.EXTRADITION]) | {"provisional_arrest": True}
    for name in ("urgent", "conditions"):
        refused = pair.api(
            "vn.officer",
            "POST",
            "/requests",
            json={
                "kind": "extradition",
                "to": "ru-gpo",
                "language": "en",
                "content": content | {name: True},
            },
        )
        assert refused.status_code == 422
        assert any(p["path"].endswith(name) for p in refused.json()["problems"]), refused.text
    created = pair.api(
        "vn.officer",
        "POST",
        "/requests",
        json={
            "kind": "extradition",
            "to": "ru-gpo",
            "language": "en",
            "urgent": True,
            "content": content
            | {"urgency_reason": {"original": "Flight booked", "original_language": "en"}},
            "conditions": {"no_user_notice": False},
        },
    )
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["urgent"] is True
    assert "urgent" not in request["content"]
    assert "conditions" not in request["content"]
    assert request["conditions"]["no_user_notice"] is False
    assert request["conditions"]["speciality"] is True  # the protective default
    submitted = pair.api("vn.officer", "POST", f"/requests/{request['id']}/submit")
    assert submitted.status_code == 200, submitted.text


def refused_for_nationality(pair: Pair) -> str:
    request_id = draft(pair, RequestKind.EXTRADITION)
    approve_and_send(pair, request_id)
    pair.deliver()
    consulted = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/consultations",
        json={"text": "The person holds our nationality; we will prosecute ourselves."},
    )
    assert consulted.status_code == 201
    refused = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/actions/refuse",
        json={"ground": "national_of_requested_state", "reason": "A national of Russia."},
    )
    assert refused.status_code == 200, refused.text
    pair.deliver()
    return request_id


def test_refusing_a_national_opens_a_prosecution_followed_on_both_copies(
    pair: Pair, clock: FakeClock
) -> None:
    """Aut dedere aut judicare (art. 37(3)-(4)): nothing followed the refusal before."""
    request_id = refused_for_nationality(pair)
    for user in ("vn.officer", "ru.supervisor"):
        shown = read(pair, user, request_id)
        assert shown["prosecution"]["ground"] == "national_of_requested_state"
        assert shown["prosecution"]["submitted_to"] is None
        assert shown["due_what"] == "prosecution_submission"
    assert audited(pair, "vn-mps", "request:prosecution:opened") == 1
    assert audited(pair, "ru-gpo", "request:prosecution:opened") == 1
    outcome_first = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/prosecution/outcome",
        json={"outcome": "Indicted"},
    )
    assert outcome_first.status_code == 409
    not_theirs = pair.api(
        "vn.officer",
        "POST",
        f"/requests/{request_id}/prosecution/submission",
        json={"submitted_to": "Hanoi court"},
    )
    assert not_theirs.status_code == 409
    submitted = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/prosecution/submission",
        json={"submitted_to": "Prosecutor General's Office, Moscow"},
    )
    assert submitted.status_code == 200, submitted.text
    pair.deliver()
    seen = read(pair, "vn.officer", request_id)["prosecution"]
    assert seen["submitted_to"] == "Prosecutor General's Office, Moscow"
    assert read(pair, "vn.officer", request_id)["due_what"] == "prosecution_outcome"
    decided = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/prosecution/outcome",
        json={"outcome": "Indicted under art. 159.6; trial set for June."},
    )
    assert decided.status_code == 200, decided.text
    pair.deliver()
    shown = read(pair, "vn.officer", request_id)
    assert shown["prosecution"]["outcome"] == "Indicted under art. 159.6; trial set for June."
    assert shown["due_what"] is None
    events = [
        e["action"] for e in pair.api("vn.officer", "GET", f"/requests/{request_id}/events").json()
    ]
    assert events[-2:] == ["prosecution_submitted", "prosecution_outcome"]


def test_an_unsubmitted_prosecution_is_reminded_of_and_escalated(
    pair: Pair, clock: FakeClock
) -> None:
    request_id = refused_for_nationality(pair)
    clock.advance(timedelta(days=31))
    ru = pair.net.nodes["ru-gpo"]
    with ru.db.session() as session:
        stats = reminders.scan(session=session, clock=clock)
        session.commit()
        subjects = set(session.scalars(select(Notification.subject)))
    assert stats.overdue >= 1
    assert any("prosecution submission" in s and "Overdue" in s for s in subjects), subjects
    relogin(pair, "vn.officer")
    assert read(pair, "vn.officer", request_id)["prosecution"]["submitted_to"] is None
