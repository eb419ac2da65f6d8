"""The domestic-prosecution follow-up of a refused extradition. Never commits.

Opened on both copies by the refusal itself (the transition both nodes apply, `open_if_owed`),
on a ground whose `requires_prosecution` is set (the person is a national of the requested
State). The requested side then records to which of its authorities the case was submitted and
when, and later the outcome; each travels to the requesting node as a `request.prosecution`
envelope in the request's thread, under the same rules on both nodes (submission before
outcome, each once, only from the requested side). Both steps have deadlines the worker
reminds of, like any other (deadlines.policy).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Conflict, InvalidInput
from liaison.core.permissions import AuditAction
from liaison.federation import kinds, outbox
from liaison.protocol import errors
from liaison.requests import contents
from liaison.requests.deadlines.policy import refresh_due
from liaison.requests.models import DomesticProsecution, Request, RequestEvent
from liaison.requests.table import Side

KIND = "request.prosecution"
# "Without undue delay" (art. 37(3)) has no figure in the convention: these are the defaults
# the reminders work to (submission after the refusal; the outcome after the submission).
SUBMISSION_DAYS = 30
OUTCOME_DAYS = 365


class ProsecutionRefused(errors.ProtocolError):
    reason = "invalid_transition"
    status_code = 409


def owed(request: Request, ground: str | None) -> bool:
    return (
        request.kind == "extradition"
        and ground is not None
        and contents.ground(ground).requires_prosecution
    )


def open_if_owed(
    *, session: Session, request: Request, ground: str | None, ctx: AuditContext, clock: Clock
) -> DomesticProsecution | None:
    """On the refusal (both copies apply it): open the follow-up the ground obliges."""
    if not owed(request, ground) or _record(session, request) is not None:
        return None
    now = clock.now()
    record = DomesticProsecution(
        holder=request.holder,
        request_id=request.id,
        ground=str(ground),
        opened_at=now,
        submission_due_at=now + timedelta(days=SUBMISSION_DAYS),
    )
    session.add(record)
    session.flush()
    _audit(session, request, AuditAction.request_prosecution_opened, ctx, clock, ground=ground)
    return record


def _record(session: Session, request: Request) -> DomesticProsecution | None:
    return session.get(DomesticProsecution, (request.holder, request.id))


def submission_problem(
    record: DomesticProsecution | None, *, side: Side, submitted_to: object
) -> str | None:
    if record is None:
        return "no prosecution follows this request (only a refusal for nationality opens one)"
    if side is not Side.requested:
        return "the requested authority records where the case was submitted"
    if record.submitted_at is not None:
        return f"the case was already recorded as submitted to {record.submitted_to}"
    if not isinstance(submitted_to, str) or not submitted_to.strip():
        return "name the authority the case was submitted to"
    return None


def outcome_problem(
    record: DomesticProsecution | None, *, side: Side, outcome: object
) -> str | None:
    if record is None:
        return "no prosecution follows this request (only a refusal for nationality opens one)"
    if side is not Side.requested:
        return "the requested authority reports the outcome"
    if record.submitted_at is None:
        return "record where the case was submitted before its outcome"
    if record.outcome is not None:
        return "the outcome was already reported"
    if not isinstance(outcome, str) or not outcome.strip():
        return "say what the outcome was"
    return None


def _check(problem: str | None) -> None:
    if problem is not None:
        raise (InvalidInput if problem.startswith(("name ", "say ")) else Conflict)(problem)


def record_submission(
    *,
    session: Session,
    request: Request,
    user: User,
    submitted_to: str,
    submitted_at: datetime | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> DomesticProsecution:
    """The requested side: the case went to this authority of its own (e.g. a prosecutor's
    office), at this moment (now by default)."""
    record = _record(session, request)
    _check(submission_problem(record, side=request.side, submitted_to=submitted_to))
    if record is None:  # refused above already; this only tells the type checker
        raise Conflict("no prosecution follows this request")
    when = submitted_at or clock.now()
    if when.tzinfo is None:
        raise InvalidInput("submitted_at needs a time zone")
    _submit(
        session,
        request,
        record,
        submitted_to=submitted_to.strip(),
        when=when,
        actor=f"user:{user.id}",
        ctx=ctx,
        clock=clock,
    )
    _send(session, request, clock, op="submitted", to=record.submitted_to, at=when.isoformat())
    return record


def record_outcome(
    *,
    session: Session,
    request: Request,
    user: User,
    outcome: str,
    decided_at: datetime | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> DomesticProsecution:
    """The requested side reports what its authorities decided (art. 37(4))."""
    record = _record(session, request)
    _check(outcome_problem(record, side=request.side, outcome=outcome))
    if record is None:  # refused above already; this only tells the type checker
        raise Conflict("no prosecution follows this request")
    when = decided_at or clock.now()
    if when.tzinfo is None:
        raise InvalidInput("decided_at needs a time zone")
    _decide(
        session,
        request,
        record,
        outcome=outcome.strip(),
        when=when,
        actor=f"user:{user.id}",
        ctx=ctx,
        clock=clock,
    )
    _send(session, request, clock, op="outcome", outcome=record.outcome, at=when.isoformat())
    return record


def _submit(
    session: Session,
    request: Request,
    record: DomesticProsecution,
    *,
    submitted_to: str,
    when: datetime,
    actor: str,
    ctx: AuditContext,
    clock: Clock,
) -> None:
    record.submitted_to, record.submitted_at = submitted_to[:300], when
    record.outcome_due_at = when + timedelta(days=OUTCOME_DAYS)
    reason = f"submitted to {submitted_to}"
    _event(session, request, "prosecution_submitted", actor=actor, reason=reason, clock=clock)
    _audit(session, request, AuditAction.request_prosecution_submitted, ctx, clock, to=submitted_to)
    refresh_due(session, request)


def _decide(
    session: Session,
    request: Request,
    record: DomesticProsecution,
    *,
    outcome: str,
    when: datetime,
    actor: str,
    ctx: AuditContext,
    clock: Clock,
) -> None:
    record.outcome, record.outcome_at = outcome[:20_000], when
    _event(session, request, "prosecution_outcome", actor=actor, reason=outcome[:5000], clock=clock)
    _audit(session, request, AuditAction.request_prosecution_decided, ctx, clock)
    refresh_due(session, request)


def on_prosecution(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """The requested node's report, on the requesting copy, under the same rules."""
    body, envelope, session = incoming.body, incoming.envelope, hc.session
    request = session.get(Request, (envelope.to, str(body.get("request_id"))))
    if request is None or envelope.sender not in (request.requesting, request.requested):
        raise errors.MalformedError("no such request between these authorities")
    side = Side.requesting if envelope.sender == request.requesting else Side.requested
    record, actor = _record(session, request), f"authority:{envelope.sender}"
    when = _time(body.get("at"))
    if body.get("op") == "submitted":
        problem = submission_problem(record, side=side, submitted_to=body.get("to"))
        if problem is not None or record is None:
            raise ProsecutionRefused(problem or "no prosecution")
        _submit(
            session,
            request,
            record,
            submitted_to=str(body["to"]),
            when=when,
            actor=actor,
            ctx=hc.ctx,
            clock=hc.clock,
        )
    elif body.get("op") == "outcome":
        problem = outcome_problem(record, side=side, outcome=body.get("outcome"))
        if problem is not None or record is None:
            raise ProsecutionRefused(problem or "no prosecution")
        _decide(
            session,
            request,
            record,
            outcome=str(body["outcome"]),
            when=when,
            actor=actor,
            ctx=hc.ctx,
            clock=hc.clock,
        )
    else:
        raise errors.MalformedError(f"unknown prosecution message {body.get('op')!r}")


def _time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise errors.MalformedError("a prosecution report needs its time (ISO 8601)") from None
    if when.tzinfo is None:
        raise errors.MalformedError("a prosecution report's time needs a time zone")
    return when


def _send(session: Session, request: Request, clock: Clock, **body: Any) -> None:
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requesting,
        kind=KIND,
        body={"request_id": request.id, **body},
        thread=request.id,
        clock=clock,
    )


def _event(
    session: Session, request: Request, action: str, *, actor: str, reason: str, clock: Clock
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
            at=clock.now(),
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
