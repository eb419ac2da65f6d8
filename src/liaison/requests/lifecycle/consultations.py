"""Consultations between the two authorities, and the event history of a request copy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction
from liaison.federation import outbox
from liaison.requests.models import Request, RequestEvent

KIND_CONSULT = "request.consultation"


def consult(
    *,
    session: Session,
    request: Request,
    user: User,
    text: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> RequestEvent:
    """Record a consultation with the other side (required before some refusals) and send it."""
    if not text.strip():
        raise InvalidInput("a consultation needs a text")
    event = RequestEvent(
        holder=request.holder,
        request_id=request.id,
        seq=request.seq,
        action="consult",
        from_status=request.status,
        to_status=request.status,
        side=request.side,
        actor=f"user:{user.id}",
        at=clock.now(),
        reason=text,
    )
    session.add(event)
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.counterpart,
        kind=KIND_CONSULT,
        body={"request_id": request.id, "text": text},
        thread=request.id,
        clock=clock,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_consultation_recorded,
        target=f"request:{request.id}",
        authority_id=request.holder,
        clock=clock,
    )
    session.flush()
    return event


def consulted(session: Session, request: Request) -> bool:
    return (
        session.scalar(
            select(RequestEvent.id)
            .where(
                RequestEvent.holder == request.holder,
                RequestEvent.request_id == request.id,
                RequestEvent.action == "consult",
            )
            .limit(1)
        )
        is not None
    )


def history(*, session: Session, request: Request) -> list[RequestEvent]:
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.holder == request.holder, RequestEvent.request_id == request.id)
            .order_by(RequestEvent.id)
        )
    )
