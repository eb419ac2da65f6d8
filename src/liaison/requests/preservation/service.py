"""Preservation specifics (art. 42): extending the period, and the requested side's warning
that the data may not remain available. Never commits. (Follow-ups holding a preservation:
requests.follow_ups.)

These are not state transitions of the table, but they have rules of their own that both nodes
apply: the requesting side asks for an extension of a preservation in place (executed); the
requested side applies it and confirms the new expiry; the requested side warns while the
request is open with it or executed. They travel as `request.preservation` envelopes in the
request's thread, so they stay in order with its transitions; each writes an event in the
request's history and an audit entry on both nodes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Conflict, InvalidInput
from liaison.core.permissions import AuditAction
from liaison.federation import kinds, outbox
from liaison.notifications import service as notifications
from liaison.protocol import errors
from liaison.requests import follow_ups, service
from liaison.requests.deadlines.policy import refresh_due
from liaison.requests.models import Request, RequestEvent
from liaison.requests.table import Side, Status

KIND = "request.preservation"
MAX_EXTENSION_DAYS = 3650
# When the requested side can still say the data may not remain available.
WARNABLE = frozenset({Status.received, Status.acknowledged, Status.in_execution, Status.executed})


class PreservationRefused(errors.ProtocolError):
    """A preservation message the receiver's rules refuse (wrong side, wrong state)."""

    reason = "invalid_transition"
    status_code = 409


def held(session: Session, request: Request) -> bool:
    """A follow-up MLA request that is not decided yet keeps the preservation alive."""
    return bool(follow_ups.held_by(session, request))


def extension_problem(request: Request, *, side: Side, days: object) -> str | None:
    """Why this extension cannot be asked for or applied (None if it can): the same rule on the
    asking and on the applying node."""
    if request.kind != "preservation" or side is not Side.requesting:
        return "only the requesting authority of a preservation request can ask to extend it"
    if request.status != Status.executed or request.preservation_expiry is None:
        return "a preservation can be extended once it is in place (executed), not after"
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        return f"an extension is 1 to {MAX_EXTENSION_DAYS} days"
    return None


def warning_problem(request: Request, *, side: Side) -> str | None:
    if request.kind != "preservation" or side is not Side.requested:
        return "only the requested authority of a preservation request sends this warning"
    if request.status not in WARNABLE:
        return f"a request that is {request.status} takes no warning any more"
    return None


def _event(
    session: Session, request: Request, action: str, *, actor: str, reason: str, at: datetime
) -> None:
    session.add(
        RequestEvent(
            holder=request.holder,
            request_id=request.id,
            seq=request.seq,
            action=action,
            from_status=request.status,
            to_status=request.status,
            side=request.side,
            actor=actor,
            at=at,
            reason=reason,
        )
    )


def _audit(
    session: Session,
    request: Request,
    action: AuditAction,
    ctx: AuditContext,
    clock: Clock,
    **detail: object,
) -> None:
    audit.record(
        session=session,
        ctx=ctx,
        action=action,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail=detail,
        clock=clock,
    )


def request_extension(
    *,
    session: Session,
    request: Request,
    user: User,
    days: int,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    """The requesting side asks for a longer period; the requested node applies and confirms."""
    problem = extension_problem(request, side=request.side, days=days)
    if problem is not None:
        raise (InvalidInput if "days" in problem else Conflict)(problem)
    _event(
        session,
        request,
        "extension_requested",
        actor=f"user:{user.id}",
        reason=f"asked to extend by {days} days",
        at=clock.now(),
    )
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requested,
        kind=KIND,
        body={"request_id": request.id, "op": "extend", "days": days},
        thread=request.id,
        clock=clock,
    )
    _audit(
        session, request, AuditAction.request_preservation_extension_asked, ctx, clock, days=days
    )


def warn_unavailable(
    *,
    session: Session,
    request: Request,
    user: User,
    text: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    """The requested side says promptly that preservation will not keep the data available."""
    problem = warning_problem(request, side=request.side)
    if problem is not None:
        raise Conflict(problem)
    if not text.strip():
        raise InvalidInput("say why the data may not remain available")
    _event(session, request, "warning", actor=f"user:{user.id}", reason=text, at=clock.now())
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requesting,
        kind=KIND,
        body={"request_id": request.id, "op": "warning", "text": text},
        thread=request.id,
        clock=clock,
    )
    _audit(session, request, AuditAction.request_preservation_warned, ctx, clock)


def on_preservation(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """What the other node says about a preservation, checked against the same rules."""
    body, envelope, session = incoming.body, incoming.envelope, hc.session
    request = session.get(Request, (envelope.to, str(body.get("request_id"))))
    if (
        request is None
        or request.kind != "preservation"
        or envelope.sender not in (request.requesting, request.requested)
    ):
        raise errors.MalformedError("no such preservation request between these authorities")
    sender_side = Side.requesting if envelope.sender == request.requesting else Side.requested
    now, actor, op = hc.clock.now(), f"authority:{envelope.sender}", body.get("op")
    if op == "extend":
        problem = extension_problem(request, side=sender_side, days=body.get("days"))
        if problem is not None:
            raise PreservationRefused(problem)
        _extend(request, body["days"], hc, actor, now)
    elif op == "expiry" and sender_side is Side.requested and isinstance(body.get("expiry"), str):
        request.preservation_expiry = datetime.fromisoformat(body["expiry"])
        request.preservation_days = (
            body.get("days") if isinstance(body.get("days"), int) else request.preservation_days
        )
        refresh_due(session, request)
        _event(
            session,
            request,
            "extend",
            actor=actor,
            reason=f"preserved until {body['expiry']}",
            at=now,
        )
        _audit(
            session,
            request,
            AuditAction.request_preservation_extended,
            hc.ctx,
            hc.clock,
            expiry=body["expiry"],
        )
    elif op == "warning" and isinstance(body.get("text"), str):
        problem = warning_problem(request, side=sender_side)
        if problem is not None:
            raise PreservationRefused(problem)
        _event(session, request, "warning", actor=actor, reason=body["text"][:5000], at=now)
        _audit(session, request, AuditAction.request_preservation_warned, hc.ctx, hc.clock)
        _notify_warning(session, request, body["text"][:5000], envelope.id, hc.clock)
    else:
        raise errors.MalformedError(f"unknown preservation message {op!r} from {envelope.sender}")


def _extend(
    request: Request, days: int, hc: kinds.HandlerContext, actor: str, now: datetime
) -> None:
    """The requested node applies an extension and tells the requesting node the new expiry
    (extension_problem has checked that the preservation is in place)."""
    session = hc.session
    current = request.preservation_expiry or now
    request.preservation_expiry = current + timedelta(days=days)
    request.preservation_days = (request.preservation_days or 0) + days
    refresh_due(session, request)
    _event(session, request, "extend", actor=actor, reason=f"extended by {days} days", at=now)
    _audit(
        session,
        request,
        AuditAction.request_preservation_extended,
        hc.ctx,
        hc.clock,
        days=days,
        expiry=request.preservation_expiry.isoformat(),
    )
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requesting,
        kind=KIND,
        body={
            "request_id": request.id,
            "op": "expiry",
            "expiry": request.preservation_expiry.isoformat(),
            "days": request.preservation_days,
        },
        thread=request.id,
        clock=hc.clock,
    )


def _notify_warning(
    session: Session, request: Request, text: str, envelope_id: str, clock: Clock
) -> None:
    for user_id in service.assignees(session=session, request=request):
        notifications.notify(
            session=session,
            user_id=user_id,
            category="warning",
            subject="Data may not remain available: preservation "
            f"{request.reference or request.id}",
            body=text,
            target=f"request:{request.holder}:{request.id}",
            dedupe=envelope_id,
            clock=clock,
        )
