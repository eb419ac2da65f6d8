"""Deadline maths across month ends and leap days, and the reminder scan, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from liaison.app import create_app
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.node import Node
from liaison.notifications import service as notifications
from liaison.requests.deadlines import reminders
from liaison.requests.deadlines.policy import DueKind, default_policy, due_items, reminder_at
from liaison.requests.lifecycle import rules
from liaison.requests.models import Request, RequestAssignment
from liaison.requests.table import Status
from tests.conftest import Factory


def request(
    kind: str = "preservation",
    *,
    status: Status = Status.received,
    received: datetime,
    urgent: bool = False,
    wished: datetime | None = None,
    holder: str = "ru-gpo",
) -> Request:
    return Request(
        holder=holder,
        id="01a20000-0000-7000-8000-000000000001",
        kind=kind,
        requesting="vn-mps",
        requested="ru-gpo",
        status=status,
        seq=1,
        version=1,
        reference="VN-2026-1",
        language="en",
        content={},
        urgent=urgent,
        conditions={},
        created_at=received,
        updated_at=received,
        received_at=received,
        wished_deadline=wished,
        response={},
    )


@pytest.mark.parametrize(
    ("received", "ack_due"),
    [
        (
            datetime(2028, 2, 28, 23, 30, tzinfo=UTC),
            datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
        ),  # leap day
        (datetime(2027, 2, 28, 23, 30, tzinfo=UTC), datetime(2027, 3, 1, 23, 30, tzinfo=UTC)),
        (datetime(2026, 12, 31, 12, 0, tzinfo=UTC), datetime(2027, 1, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_preservation_acknowledgment_within_24_hours(received: datetime, ack_due: datetime) -> None:
    items = due_items(request(received=received), default_policy(request(received=received)))
    ack = next(i for i in items if i.what is DueKind.acknowledgment)
    assert ack.at == ack_due


def test_urgent_mla_acknowledgment_within_72_hours_and_wished_deadline_tightens_response() -> None:
    received = datetime(2026, 1, 30, 8, 0, tzinfo=UTC)
    wished = datetime(2026, 2, 10, 0, 0, tzinfo=UTC)
    mla = request("mla", received=received, urgent=True, wished=wished)
    items = {i.what: i.at for i in due_items(mla, default_policy(mla))}
    assert items[DueKind.acknowledgment] == datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
    assert items[DueKind.response] == wished
    plain = request("mla", received=received)
    assert DueKind.acknowledgment not in {i.what for i in due_items(plain, default_policy(plain))}


def test_preservation_runs_60_days_from_execution_across_a_leap_year() -> None:
    executed = datetime(2028, 1, 31, 10, 0, tzinfo=UTC)
    pres = request(status=Status.executed, received=executed)
    rules.on_executed(pres, executed)
    assert pres.preservation_start == executed
    # 2028 is a leap year: 31 Jan + 60 days = 31 March
    assert pres.preservation_expiry == datetime(2028, 3, 31, 10, 0, tzinfo=UTC)
    pres.preservation_days = 30  # a shorter period asked for is raised to the minimum
    rules.on_executed(pres, executed)
    assert pres.preservation_days == 60
    item = next(
        i for i in due_items(pres, default_policy(pres)) if i.what is DueKind.preservation_expiry
    )
    assert reminder_at(item, default_policy(pres), executed) == datetime(
        2028, 3, 24, 10, 0, tzinfo=UTC
    )
    # a pending follow-up MLA request holds the preservation: no expiry is due
    held = due_items(pres, default_policy(pres), held=True)
    assert not [i for i in held if i.what is DueKind.preservation_expiry]


def test_scan_reminds_alerts_and_escalates_once(
    node: Node, factory: Factory, clock: FakeClock
) -> None:
    factory.authority("ru-gpo", "RU")
    contact = factory.user("ru.contact", "ru-gpo", Role.contact_24_7)
    supervisor = factory.user("ru.supervisor", "ru-gpo", Role.supervisor)
    received = clock.now()
    with node.db.session() as session:
        session.add(request(received=received))
    # 17 h later: inside the last quarter of the 24 h → a reminder to the 24/7 contact
    clock.advance(timedelta(hours=19))
    with node.db.session() as session:
        stats = reminders.scan(session=session, clock=clock)
    assert (stats.reminders, stats.overdue, stats.escalations) == (1, 0, 0)
    with node.db.session() as session:
        assert reminders.scan(session=session, clock=clock).reminders == 0  # idempotent
    # past the deadline → overdue to the contact, escalation to the supervisor
    clock.advance(timedelta(hours=6))
    with node.db.session() as session:
        stats = reminders.scan(session=session, clock=clock)
    assert (stats.overdue, stats.escalations) == (1, 1)
    with node.db.session() as session:
        mine = notifications.for_user(session=session, user_id=contact.id)
        theirs = notifications.for_user(session=session, user_id=supervisor.id)
    assert [n.category for n in mine] == ["overdue", "reminder"]
    assert [n.category for n in theirs] == ["escalation"]
    assert "VN-2026-1" in theirs[0].subject


def test_assigned_users_get_the_reminders(node: Node, factory: Factory, clock: FakeClock) -> None:
    factory.authority("ru-gpo", "RU")
    factory.user("ru.contact", "ru-gpo", Role.contact_24_7)
    officer = factory.user("ru.officer", "ru-gpo", Role.officer)
    with node.db.session() as session:
        req = request(received=clock.now())
        session.add(req)
        session.flush()
        session.add(
            RequestAssignment(
                holder="ru-gpo", request_id=req.id, user_id=officer.id, assigned_at=clock.now()
            )
        )
    clock.advance(timedelta(hours=20))
    with node.db.session() as session:
        reminders.scan(session=session, clock=clock)
        assert [
            n.category for n in notifications.for_user(session=session, user_id=officer.id)
        ] == ["reminder"]


def test_authority_policy_overrides_the_default(
    node: Node, factory: Factory, clock: FakeClock
) -> None:

    factory.authority("ru-gpo", "RU")
    factory.user("ru.contact", "ru-gpo", Role.contact_24_7)
    factory.user("ru.chief", "ru-gpo", Role.supervisor)
    factory.user("ru.clerk", "ru-gpo", Role.officer)
    with TestClient(create_app(node=node)) as client:
        chief = factory.token(client, "ru.chief")
        clerk = factory.token(client, "ru.clerk")
        body = {"ack_hours": 2, "response_days": 1}
        assert (
            client.put(
                "/api/v1/deadline-policies/preservation", json=body, headers=clerk
            ).status_code
            == 403
        )
        assert (
            client.put("/api/v1/deadline-policies/teleport", json=body, headers=chief).status_code
            == 422
        )
        assert (
            client.put(
                "/api/v1/deadline-policies/preservation", json={"ack_hours": 0}, headers=chief
            ).status_code
            == 422
        )
        saved = client.put("/api/v1/deadline-policies/preservation", json=body, headers=chief)
        assert saved.status_code == 200
        assert [
            p["ack_hours"] for p in client.get("/api/v1/deadline-policies", headers=chief).json()
        ] == [2]
    with node.db.session() as session:
        session.add(request(received=clock.now()))
    clock.advance(timedelta(hours=3))  # past the authority's 2 hours, well within the default 24
    with node.db.session() as session:
        assert reminders.scan(session=session, clock=clock).overdue == 1
