"""The worker's deadline scan: remind the assigned users before a deadline, alert them when it
passes, and escalate to the authority's supervisors. Idempotent: each (user, request, deadline,
stage) notifies once, however often the scan runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import Role
from liaison.notifications import service as notifications
from liaison.requests import service
from liaison.requests.deadlines.policy import (
    Due,
    DueKind,
    Policy,
    due_of,
    policy_for,
    refresh_due,
    reminder_at,
)
from liaison.requests.models import Request
from liaison.requests.table import Status

_OPEN = [
    s.value
    for s in Status
    if s not in (Status.draft, Status.awaiting_approval, Status.approved, Status.withdrawn)
]


@dataclass
class ScanStats:
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0


def _supervisors(session: Session, authority_id: str) -> list[User]:
    users = session.scalars(
        select(User).where(User.authority_id == authority_id, User.disabled.is_(False))
    )
    return [u for u in users if Role.supervisor in u.roles]


def scan(*, session: Session, clock: Clock = system_clock) -> ScanStats:
    now = clock.now()
    stats = ScanStats()
    for request in session.scalars(select(Request).where(Request.status.in_(_OPEN))):
        policy = policy_for(session, request)
        # Also keeps the stored "due next" true (and fills it in after an upgrade).
        refresh_due(session, request)
        for item in due_of(session, request):
            if item.side is not request.side and item.what is not DueKind.preservation_expiry:
                continue
            _notify(
                session=session,
                request=request,
                item=item,
                policy=policy,
                now=now,
                stats=stats,
                clock=clock,
            )
    return stats


def responsible(session: Session, request: Request) -> list[str]:
    """The assigned users; for a request nobody took yet, the 24/7 contacts (for their kinds) or
    the supervisors, so an arrival at 3 a.m. still reaches someone."""
    assigned = service.assignees(session=session, request=request)
    if assigned:
        return assigned
    users = list(
        session.scalars(
            select(User).where(User.authority_id == request.holder, User.disabled.is_(False))
        )
    )
    wanted = Role.contact_24_7 if request.kind in service.CONTACT_KINDS else Role.supervisor
    return [u.id for u in users if wanted in u.roles]


def _notify(
    *,
    session: Session,
    request: Request,
    item: Due,
    policy: Policy,
    now: datetime,
    stats: ScanStats,
    clock: Clock,
) -> None:
    start = request.received_at or request.sent_at
    target = f"request:{request.holder}:{request.id}"
    label = item.what.value.replace("_", " ")
    ref = request.reference or request.id
    users = responsible(session, request)
    if item.at <= now:
        subject = (
            f"Overdue: {label} of {request.kind} request {ref}, due {item.at:%Y-%m-%d %H:%M} UTC"
        )
        for user_id in users:
            if notifications.notify(
                session=session,
                user_id=user_id,
                category="overdue",
                subject=subject,
                body=subject,
                target=target,
                dedupe=f"{target}|{item.what}|{item.at}|overdue",
                clock=clock,
            ):
                stats.overdue += 1
        for supervisor in _supervisors(session, request.holder):
            if notifications.notify(
                session=session,
                user_id=supervisor.id,
                category="escalation",
                subject=subject,
                body=subject,
                target=target,
                dedupe=f"{target}|{item.what}|{item.at}|escalation",
                clock=clock,
            ):
                stats.escalations += 1
    elif reminder_at(item, policy, start) <= now:
        subject = (
            f"Due soon: {label} of {request.kind} request {ref} by {item.at:%Y-%m-%d %H:%M} UTC"
        )
        category = "expiry_warning" if item.what is DueKind.preservation_expiry else "reminder"
        for user_id in users:
            if notifications.notify(
                session=session,
                user_id=user_id,
                category=category,
                subject=subject,
                body=subject,
                target=target,
                dedupe=f"{target}|{item.what}|{item.at}|reminder",
                clock=clock,
            ):
                stats.reminders += 1
