"""Preservation specifics (art. 42): extending the period, the follow-up MLA request that holds
it, and the requested side's warning that the data may not remain available. Never commits.

These are not state transitions: they travel as `request.preservation` envelopes in the
request's thread, so they stay in order with its transitions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
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


def held(session: Session, request: Request) -> bool:
    """A follow-up MLA request that is not decided yet keeps the preservation alive."""
    return bool(follow_ups.held_by(session, request))


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
    if request.kind != "preservation" or request.side is not Side.requesting:
        raise InvalidInput(
            "only the requesting authority of a preservation request can ask to extend it"
        )
    if request.status != Status.executed or request.preservation_expiry is None:
        raise InvalidInput("a preservation can be extended once it is in place (executed)")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"an extension is 1 to {MAX_EXTENSION_DAYS} days")
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requested,
        kind=KIND,
        body={"request_id": request.id, "op": "extend", "days": days},
        thread=request.id,
        clock=clock,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_action_proposed,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"action": "extend", "days": days},
        clock=clock,
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
    if request.kind != "preservation" or request.side is not Side.requested:
        raise InvalidInput(
            "only the requested authority of a preservation request sends this warning"
        )
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
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_status_transition,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"action": "warning"},
        clock=clock,
    )


def on_preservation(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    body, envelope, session = incoming.body, incoming.envelope, hc.session
    request = session.get(Request, (envelope.to, str(body.get("request_id"))))
    if (
        request is None
        or request.kind != "preservation"
        or envelope.sender not in (request.requesting, request.requested)
    ):
        raise errors.MalformedError("no such preservation request between these authorities")
    now, actor, op = hc.clock.now(), f"authority:{envelope.sender}", body.get("op")
    if op == "extend" and envelope.sender == request.requesting:
        days = body.get("days")
        if (
            not isinstance(days, int)
            or not 1 <= days <= MAX_EXTENSION_DAYS
            or request.preservation_expiry is None
        ):
            raise errors.MalformedError(
                "an extension names 1 to 3650 days of a preservation in place"
            )
        request.preservation_expiry = request.preservation_expiry + timedelta(days=days)
        request.preservation_days = (request.preservation_days or 0) + days
        refresh_due(session, request)
        _event(session, request, "extend", actor=actor, reason=f"extended by {days} days", at=now)
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
    elif (
        op == "expiry"
        and envelope.sender == request.requested
        and isinstance(body.get("expiry"), str)
    ):
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
    elif (
        op == "warning"
        and envelope.sender == request.requested
        and isinstance(body.get("text"), str)
    ):
        _event(session, request, "warning", actor=actor, reason=body["text"][:5000], at=now)
        for user_id in service.assignees(session=session, request=request):
            notifications.notify(
                session=session,
                user_id=user_id,
                category="warning",
                subject="Data may not remain available: preservation "
                f"{request.reference or request.id}",
                body=body["text"][:5000],
                target=f"request:{request.holder}:{request.id}",
                dedupe=f"{envelope.id}",
                clock=hc.clock,
            )
    else:
        raise errors.MalformedError(f"unknown preservation message {op!r} from {envelope.sender}")
