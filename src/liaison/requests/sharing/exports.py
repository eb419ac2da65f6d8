"""Using a request and its results beyond the request: exporting, forwarding, and the other
side's authorisations that lift a condition. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction
from liaison.federation import kinds, outbox
from liaison.protocol.errors import MalformedError
from liaison.requests.contents.conditions import binding
from liaison.requests.models import Request
from liaison.requests.sharing.uses import ConditionRefused, Use, check_use
from liaison.requests.table import Side, Status

KIND_AUTHORISATION = "request.authorisation"
LIFTABLE = {"no_onward_transfer": "to", "speciality": "proceeding"}


def _bound(request: Request) -> Any:
    return binding(
        holder_is_requesting=request.side is Side.requesting,
        conditions=request.conditions,
        response=request.response,
    )


def bundle(request: Request) -> dict[str, Any]:
    return {
        "id": request.id,
        "kind": request.kind,
        "subtype": request.subtype,
        "reference": request.reference,
        "requesting": request.requesting,
        "requested": request.requested,
        "status": request.status,
        "content": request.content,
        "response": request.response,
        "conditions": _bound(request).model_dump(),
    }


def export(
    *,
    session: Session,
    request: Request,
    user: User,
    use: Use,
    proceeding: str | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> dict[str, Any]:
    """The request and its results for use at home, if the conditions allow this use."""
    _checked(session, request, ctx, clock, use=use, proceeding=proceeding, to=None)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_data_exported,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"use": use.value, "proceeding": proceeding},
        clock=clock,
    )
    return bundle(request)


def forward(
    *,
    session: Session,
    request: Request,
    user: User,
    to: str,
    note: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> str:
    """Give the request and its results to a third authority, if authorised.
    Returns the envelope id."""
    if to in (request.requesting, request.requested):
        raise InvalidInput(
            "forwarding is to a third authority; both parties already hold the request"
        )
    _checked(session, request, ctx, clock, use=Use.forward, proceeding=None, to=to)
    row = outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=to,
        kind="note",
        body={
            "text": note or f"Forwarded: {request.kind} request {request.reference}",
            "author": ctx.actor,
            "forwarded": bundle(request),
        },
        clock=clock,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_data_forwarded,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"to": to, "envelope": row.id},
        clock=clock,
    )
    return row.id


def _checked(
    session: Session,
    request: Request,
    ctx: AuditContext,
    clock: Clock,
    *,
    use: Use,
    proceeding: str | None,
    to: str | None,
) -> None:
    try:
        check_use(
            bound=_bound(request),
            authorisations=request.authorisations,
            use=use,
            to=to,
            proceeding=proceeding,
        )
    except ConditionRefused as exc:
        # The refusal itself is recorded: the caller's transaction may roll back, so keep_changes.
        exc.keep_changes = True
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.request_use_refused,
            target=f"request:{request.id}",
            authority_id=request.holder,
            detail={"use": use.value, "condition": exc.condition, "to": to},
            clock=clock,
        )
        raise


def authorise(
    *,
    session: Session,
    request: Request,
    user: User,
    condition: str,
    value: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    """The side that set a condition lifts it for one use; the other side stores it on arrival."""
    if condition not in LIFTABLE:
        raise InvalidInput(f"only {', '.join(sorted(LIFTABLE))} can be lifted by an authorisation")
    if request.status in (Status.draft, Status.awaiting_approval, Status.approved):
        raise InvalidInput("authorisations concern a request that was sent")
    other = request.counterpart
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=other,
        kind=KIND_AUTHORISATION,
        body={"request_id": request.id, "condition": condition, LIFTABLE[condition]: value},
        thread=request.id,
        clock=clock,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_condition_lifted,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"condition": condition, "for": value},
        clock=clock,
    )


def on_authorisation(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    body = incoming.body
    request = hc.session.get(Request, (incoming.envelope.to, str(body.get("request_id"))))
    if request is None or incoming.envelope.sender not in (request.requesting, request.requested):
        raise MalformedError("no such request between these authorities")
    condition = body.get("condition")
    if condition not in LIFTABLE or not isinstance(body.get(LIFTABLE[str(condition)]), str):
        raise MalformedError("an authorisation names a liftable condition and what it allows")
    key = LIFTABLE[str(condition)]
    request.authorisations = [
        *request.authorisations,
        {
            "condition": condition,
            key: body[key],
            "at": hc.clock.now().isoformat(),
            "by": incoming.envelope.sender,
        },
    ]
