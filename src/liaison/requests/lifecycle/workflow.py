"""Moving a request through its table. Never commits; every transition writes its event and its
audit entry in the caller's transaction, and (after transmission) its federation message.

- requesting side before transmission: submit, return to draft, approve (four eyes, signed), send;
- requested side: its transitions apply at once and are echoed to the requesting node;
- requesting side after transmission: clarify, withdraw, close are proposals the requested node
  applies (or refuses) and echoes back.

Sending and deciding issue a signed formal document (requests/formal/issued.py): the author's
node signs it in the same transaction, keeps it, and it travels in the act's envelope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput, PermissionDenied
from liaison.core.permissions import AuditAction, Role
from liaison.crypto.hashing import sha256_digest
from liaison.federation import outbox
from liaison.federation.envelope import DEFAULT_MAX_WIRE_BYTES
from liaison.requests.contents.conditions import Conditions
from liaison.requests.deadlines.policy import refresh_due
from liaison.requests.lifecycle import acts, rules
from liaison.requests.lifecycle.approval import sign_approval
from liaison.requests.lifecycle.consultations import consulted
from liaison.requests.models import Request, RequestEvent
from liaison.requests.prosecution import service as prosecution
from liaison.requests.table import Action, Side, Status, Transition, find

KIND_TRANSMIT = "request.transmit"
KIND_ACTION = "request.action"
KIND_STATE = "request.state"
DECISIONS = acts.DECISIONS


def apply(
    *,
    session: Session,
    request: Request,
    transition: Transition,
    actor: str,
    ctx: AuditContext,
    ground: str | None,
    reason: str | None,
    clock: Clock,
    seq: int | None = None,
    document: str | None = None,
) -> RequestEvent:
    """Record one transition on this copy (the table was consulted by the caller).

    `document` is the digest of the signed formal document the act issued or brought, which
    the audit entry records, so the hash-chained log vouches for the very bytes kept."""
    now = clock.now()
    source = request.status
    request.status = transition.target
    if not transition.local:
        request.seq = seq if seq is not None else request.seq + 1
    request.updated_at = now
    if transition.needs_ground or transition.target in (Status.refused, Status.postponed):
        request.ground = ground
    if reason is not None:
        request.status_reason = reason
    if transition.target is Status.received:
        request.received_at = now
    if transition.target is Status.executed:
        request.executed_at = now
        rules.on_executed(request, now)
    event = RequestEvent(
        holder=request.holder,
        request_id=request.id,
        seq=request.seq,
        action=transition.action,
        from_status=source,
        to_status=transition.target,
        side=transition.side,
        actor=actor,
        at=now,
        ground=ground,
        reason=reason,
    )
    session.add(event)
    session.flush()
    if transition.target is Status.refused:
        # Both copies apply the refusal, so both open what it obliges (aut dedere aut judicare).
        prosecution.open_if_owed(
            session=session, request=request, ground=ground, ctx=ctx, clock=clock
        )
    refresh_due(session, request)
    if request.linked_request:
        # A follow-up's state decides whether its preservation is held.
        preservation = session.get(Request, (request.holder, request.linked_request))
        if preservation is not None:
            refresh_due(session, preservation)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_status_transition,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={
            "action": transition.action,
            "from": source,
            "to": transition.target,
            "ground": ground,
            "seq": request.seq,
            **({"document": document} if document else {}),
        },
        clock=clock,
    )
    return event


def _checked(
    request: Request, action: Action, side: Side, *, ground: str | None, reason: str | None
) -> Transition:
    transition = find(action, Status(request.status), side)
    if transition.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(f"{action.value.replace('_', ' ')} needs a written reason")
    if transition.needs_ground:
        rules.check_ground(kind=request.kind, action=action, ground=ground)
    return transition


def submit(
    *,
    session: Session,
    request: Request,
    user: User,
    ctx: AuditContext,
    lang: str,
    without_translation: bool = False,
    clock: Clock = system_clock,
) -> RequestEvent:
    """Draft → awaiting approval, once every required item is present (listed all at once).

    A free text with no version in a language the recipient accepts is refused unless the
    officer says explicitly to send it untranslated (recorded in the event)."""
    transition = _checked(request, Action.submit, request.side, ground=None, reason=None)
    rules.check_complete(request, lang=lang)
    gaps = rules.translation_gaps(session=session, request=request)
    if gaps and not without_translation:
        raise InvalidInput(
            f"no translation into a language {request.requested} accepts for: {', '.join(gaps)}; "
            "add translations, or submit again choosing to send without translation",
            rules.untranslated(gaps, lang=lang),
        )
    request.submitted_by = user.id
    reason = f"submitted without translation of: {', '.join(gaps)}" if gaps else None
    return apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"user:{user.id}",
        ctx=ctx,
        ground=None,
        reason=reason,
        clock=clock,
    )


def return_to_draft(
    *,
    session: Session,
    request: Request,
    user: User,
    reason: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> RequestEvent:
    _require_role(user, Role.supervisor, "return a request for changes")
    transition = _checked(request, Action.return_to_draft, request.side, ground=None, reason=reason)
    return apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"user:{user.id}",
        ctx=ctx,
        ground=None,
        reason=reason,
        clock=clock,
    )


def approve(
    *,
    session: Session,
    kek: bytes,
    request: Request,
    user: User,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> RequestEvent:
    """Four eyes: a supervisor of the same authority, who neither drafted nor submitted it."""
    _require_role(user, Role.supervisor, "approve a request")
    if user.authority_id != request.requesting:
        raise PermissionDenied("only a supervisor of the requesting authority can approve")
    if user.id in (request.created_by, request.submitted_by):
        raise PermissionDenied(
            "four-eyes rule: you cannot approve a request you drafted or submitted"
        )
    transition = _checked(request, Action.approve, request.side, ground=None, reason=None)
    request.approved_by, request.approver_id = user.display_name, user.id
    request.approved_at = clock.now()
    request.approval, request.approval_certificate = sign_approval(
        session=session, kek=kek, request=request, approver=user, ctx=ctx, clock=clock
    )
    return apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"user:{user.id}",
        ctx=ctx,
        ground=None,
        reason=None,
        clock=clock,
    )


def send(
    *,
    session: Session,
    request: Request,
    user: User,
    ctx: AuditContext,
    kek: bytes,
    max_envelope_bytes: int = DEFAULT_MAX_WIRE_BYTES,
    clock: Clock = system_clock,
) -> RequestEvent:
    """Approved → sent: the request document is rendered and signed by the requesting
    authority, kept, and goes with the approved request into the outbox, in this transaction.

    `max_envelope_bytes` is the node's `federation_max_envelope_bytes`: a request whose envelope
    would exceed it is refused here, before anything changes."""
    transition = _checked(request, Action.send, request.side, ground=None, reason=None)
    body, digest = acts.transmit_body(
        session=session, kek=kek, request=request, limit=max_envelope_bytes, clock=clock
    )
    request.sent_at = clock.now()
    outbox.enqueue(
        session=session,
        sender=request.requesting,
        recipient=request.requested,
        kind=KIND_TRANSMIT,
        body=body,
        thread=request.id,
        clock=clock,
    )
    return apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"user:{user.id}",
        ctx=ctx,
        ground=None,
        reason=None,
        clock=clock,
        document=digest,
    )


def act(
    *,
    session: Session,
    request: Request,
    user: User,
    action: Action,
    ctx: AuditContext,
    ground: str | None = None,
    reason: str | None = None,
    response: dict[str, Any] | None = None,
    kek: bytes | None = None,
    max_envelope_bytes: int = DEFAULT_MAX_WIRE_BYTES,
    clock: Clock = system_clock,
) -> RequestEvent | None:
    """A user's action after transmission. On the requested side it applies now and is echoed;
    on the requesting side it is proposed to the requested node (returns None until echoed).

    A decision (respond partially, respond, refuse, postpone) is issued as a response document
    signed by the requested authority, which needs the node's `kek`; it travels in the echo."""
    side = request.side
    transition = _checked(request, action, side, ground=ground, reason=reason)
    if transition.local:
        raise InvalidInput(f"{action.value} is not taken this way")
    if (
        action is Action.refuse
        and ground
        and rules.consult_first(ground)
        and not consulted(session, request)
    ):
        raise InvalidInput(
            f"ground {ground!r} requires consulting the requesting authority before refusing"
        )
    if side is Side.requesting:
        outbox.enqueue(
            session=session,
            sender=request.holder,
            recipient=request.requested,
            kind=KIND_ACTION,
            body={
                "request_id": request.id,
                "action": action.value,
                "ground": ground,
                "reason": reason,
            },
            thread=request.id,
            clock=clock,
        )
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.request_action_proposed,
            target=f"request:{request.id}",
            authority_id=request.holder,
            detail={"action": action.value},
            clock=clock,
        )
        return None
    merged = dict(request.response)
    if response is not None:
        if "conditions" in response:
            # The requested side's conditions on its results, validated like the request's.
            response = {
                **response,
                "conditions": Conditions.model_validate(response["conditions"]).model_dump(),
            }
        merged = {**merged, **response}
    document = None
    if action in DECISIONS:
        if kek is None:
            raise TypeError("a decision issues a signed response document: pass the node's kek")
        document = acts.decision_document(
            session=session,
            kek=kek,
            request=request,
            user=user,
            transition=transition,
            decision=(ground, reason, merged),
            limit=max_envelope_bytes,
            clock=clock,
        )
    request.response = merged
    event = apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"user:{user.id}",
        ctx=ctx,
        ground=ground,
        reason=reason,
        clock=clock,
        document=sha256_digest(document) if document is not None else None,
    )
    if document is not None:
        acts.keep_decision(
            session=session, request=request, seq=event.seq, pdf=document, clock=clock
        )
    echo(session=session, request=request, event=event, clock=clock, document=document)
    return event


def echo(
    *,
    session: Session,
    request: Request,
    event: RequestEvent,
    clock: Clock,
    document: bytes | None = None,
) -> None:
    """Tell the requesting node what the requested node applied, in order (thread = request)."""
    step = (event.seq, event.action, event.from_status, event.to_status, event.ground, event.reason)
    outbox.enqueue(
        session=session,
        sender=request.holder,
        recipient=request.requesting,
        kind=KIND_STATE,
        body=acts.state_body(request, step, response=request.response, document=document),
        thread=request.id,
        clock=clock,
    )


def _require_role(user: User, role: Role, what: str) -> None:
    if role not in user.roles:
        raise PermissionDenied(f"only a {role.value} can {what}")
