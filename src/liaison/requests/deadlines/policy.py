"""Deadlines of requests, per authority and kind, and what is due or overdue at a given moment.

The convention's deadlines are qualitative ("expeditiously", "forthwith"), except the 60-day
preservation minimum; so every figure here is configuration with a default, and a wished
deadline with its reason (art. 40) tightens the response target. Pure functions of the request
and a moment in time: tests move a fake clock across month ends and leap days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction
from liaison.requests import follow_ups
from liaison.requests.deadlines.models import DeadlinePolicy
from liaison.requests.models import DomesticProsecution, Request
from liaison.requests.table import Side, Status


class DueKind(StrEnum):
    acknowledgment = "acknowledgment"
    response = "response"
    preservation_expiry = "preservation_expiry"
    # Aut dedere aut judicare (art. 37): submit the case for prosecution, report the outcome.
    prosecution_submission = "prosecution_submission"
    prosecution_outcome = "prosecution_outcome"


@dataclass(frozen=True)
class Policy:
    """Per authority and kind; the defaults below apply where nothing is configured."""

    ack_hours: int | None
    response_days: int | None
    # Warn this long before a preservation expires.
    expiry_warning_days: int = 7


DEFAULT_RESPONSE_DAYS = 30


def policy_for(session: Session, request: Request) -> Policy:
    """The holder authority's configured policy for this kind and urgency, else the default."""
    row = session.get(DeadlinePolicy, (request.holder, request.kind, request.urgent))
    if row is None:
        return default_policy(request)
    return Policy(
        ack_hours=row.ack_hours,
        response_days=row.response_days,
        expiry_warning_days=row.expiry_warning_days,
    )


def set_policy(
    *,
    session: Session,
    authority_id: str,
    kind: str,
    urgent: bool,
    ack_hours: int | None,
    response_days: int | None,
    expiry_warning_days: int = 7,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> DeadlinePolicy:
    """Configure an authority's deadlines for a kind, audited (old and new values); never
    commits."""
    for name, value, top in (
        ("ack_hours", ack_hours, 24 * 365),
        ("response_days", response_days, 3650),
        ("expiry_warning_days", expiry_warning_days, 365),
    ):
        if value is not None and not 1 <= value <= top:
            raise InvalidInput(f"{name} must be between 1 and {top}")
    row = session.get(DeadlinePolicy, (authority_id, kind, urgent)) or DeadlinePolicy(
        authority_id=authority_id, kind=kind, urgent=urgent
    )
    before = (
        None
        if row.ack_hours is None and row.response_days is None and row.expiry_warning_days is None
        else {
            "ack_hours": row.ack_hours,
            "response_days": row.response_days,
            "expiry_warning_days": row.expiry_warning_days,
        }
    )
    row.ack_hours, row.response_days, row.expiry_warning_days = (
        ack_hours,
        response_days,
        expiry_warning_days,
    )
    session.add(row)
    session.flush()
    # The new figures move what is due on every request they govern.
    for request in session.scalars(
        select(Request).where(
            Request.holder == authority_id, Request.kind == kind, Request.urgent.is_(urgent)
        )
    ):
        refresh_due(session, request)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_deadline_policy_set,
        target=f"deadline-policy:{kind}:{'urgent' if urgent else 'normal'}",
        authority_id=authority_id,
        detail={
            "before": before,
            "after": {
                "ack_hours": ack_hours,
                "response_days": response_days,
                "expiry_warning_days": expiry_warning_days,
            },
        },
        clock=clock,
    )
    return row


def default_policy(request: Request) -> Policy:
    if request.kind == "preservation":
        return Policy(ack_hours=24, response_days=3)
    if request.kind == "disclosure":
        return Policy(ack_hours=24, response_days=7)
    if request.urgent:
        return Policy(ack_hours=72, response_days=DEFAULT_RESPONSE_DAYS)
    return Policy(ack_hours=None, response_days=DEFAULT_RESPONSE_DAYS)


@dataclass(frozen=True)
class Due:
    what: DueKind
    at: datetime
    # Who has to act: the requested side acknowledges and responds; both sides watch expiry.
    side: Side


_WAITING_ACK = {Status.received}
_WAITING_RESPONSE = {
    Status.received,
    Status.acknowledged,
    Status.in_execution,
    Status.partially_executed,
}


def due_items(
    request: Request,
    policy: Policy,
    *,
    held: bool = False,
    expiry: datetime | None = None,
) -> list[Due]:
    """What this copy of the request is waiting for, with the moment it is due. ``expiry``: a
    preservation's effective expiry, if follow-ups kept it beyond its period."""
    items: list[Due] = []
    start = request.received_at or request.sent_at
    if start is not None and request.status in _WAITING_ACK and policy.ack_hours is not None:
        items.append(
            Due(DueKind.acknowledgment, start + timedelta(hours=policy.ack_hours), Side.requested)
        )
    if (
        start is not None
        and request.status in _WAITING_RESPONSE
        and policy.response_days is not None
    ):
        target = start + timedelta(days=policy.response_days)
        if request.wished_deadline is not None:
            target = min(target, request.wished_deadline)
        items.append(Due(DueKind.response, target, Side.requested))
    # A pending follow-up MLA request holds the preservation (`held`): nothing expires meanwhile.
    if (
        request.preservation_expiry is not None
        and request.status in (Status.executed, Status.closed)
        and not held
    ):
        items.append(
            Due(
                DueKind.preservation_expiry,
                max(request.preservation_expiry, expiry or request.preservation_expiry),
                Side.requesting,
            )
        )
    return items


def due_of(session: Session, request: Request) -> list[Due]:
    """Everything this copy waits for, with the holder's policy and the preservation's hold,
    and what a refused extradition obliges the requested State to do."""
    items = due_items(
        request,
        policy_for(session, request),
        held=bool(follow_ups.held_by(session, request)),
        expiry=follow_ups.effective_expiry(session, request),
    )
    prosecution = session.get(DomesticProsecution, (request.holder, request.id))
    if prosecution is not None and prosecution.submitted_at is None:
        items.append(
            Due(DueKind.prosecution_submission, prosecution.submission_due_at, Side.requested)
        )
    elif prosecution is not None and prosecution.outcome is None and prosecution.outcome_due_at:
        items.append(Due(DueKind.prosecution_outcome, prosecution.outcome_due_at, Side.requested))
    return items


def refresh_due(session: Session, request: Request) -> None:
    """Store what is due next on this copy (whoever must act): the lists sort and filter on it
    in the database. Called after every change that can move it."""
    items = due_of(session, request)
    first = min(items, key=lambda item: item.at) if items else None
    request.due_at = first.at if first else None
    request.due_what = first.what.value if first else None


def reminder_at(item: Due, policy: Policy, start: datetime | None) -> datetime:
    """When to remind: a quarter of the period before it is due (at least one hour), or, for a
    preservation, `expiry_warning_days` before it ends."""
    if item.what is DueKind.preservation_expiry:
        return item.at - timedelta(days=policy.expiry_warning_days)
    if start is None:
        return item.at - timedelta(hours=1)
    return item.at - max((item.at - start) / 4, timedelta(hours=1))
