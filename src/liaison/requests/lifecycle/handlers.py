"""Federation kinds of requests: transmission, proposals, state echoes, consultations.

They run inside the inbox transaction: a refusal raises a ProtocolError whose reason goes into
the signed receipt, and nothing the handler did is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liaison.directory import service as directory
from liaison.federation import kinds
from liaison.notifications import service as notifications
from liaison.protocol import errors
from liaison.requests import follow_ups
from liaison.requests.deadlines.policy import refresh_due
from liaison.requests.deadlines.reminders import responsible
from liaison.requests.formal import issued, received
from liaison.requests.lifecycle import workflow
from liaison.requests.lifecycle.approval import InvalidApprovalError, check_approval
from liaison.requests.models import Request, RequestEvent
from liaison.requests.table import TABLE, Action, InvalidTransition, Side, Status, find


class InvalidTransitionError(errors.ProtocolError):
    reason = "invalid_transition"
    status_code = 409


class OutOfOrderError(errors.ProtocolError):
    """A state echo that arrived before an earlier one of its thread: retried, not final."""

    reason = "out_of_order"
    status_code = 409


class UnknownRequestError(errors.ProtocolError):
    reason = "unknown_request"
    status_code = 404


class InvalidLinkError(errors.ProtocolError):
    """A follow-up that names no preservation of the same two authorities held here."""

    reason = "invalid_link"
    status_code = 422


def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind):
        raise errors.MalformedError(f"{name} is missing or not a {kind.__name__}")
    return value


def _copy(session: Session, holder: str, body: dict[str, Any]) -> Request:
    request = session.get(Request, (holder, _field(body, "request_id", str)))
    if request is None:
        raise UnknownRequestError(f"{holder} holds no request {body.get('request_id')}")
    return request


def on_transmit(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    envelope, session = incoming.envelope, hc.session
    fields = _field(incoming.body, "request", dict)
    token = _field(incoming.body, "approval", str)
    if fields.get("requesting") != envelope.sender or fields.get("requested") != envelope.to:
        raise errors.MalformedError("the request's authorities differ from the envelope's")
    # The approval must be a supervisor's own signature over exactly these fields, certified
    # by a signing key the directory lists for the requesting authority.
    approved_at = incoming.body.get("approved_at")
    try:
        approved = datetime.fromisoformat(str(approved_at))
    except ValueError:
        raise InvalidApprovalError("the approval has no time") from None
    if approved.tzinfo is None:
        raise InvalidApprovalError("the approval's time has no offset")
    approver = check_approval(
        token=token,
        certificate_pem=_field(incoming.body, "approval_certificate", str),
        fields=fields,
        authority_id=envelope.sender,
        issuer_keys=[
            k.public_raw
            for k in directory.peer_signing_keys(
                session=session, authority_id=envelope.sender, at=hc.clock.now()
            )
        ],
        approved_at=approved,
        now=hc.clock.now(),
    )
    if session.get(Request, (envelope.to, fields["id"])) is not None:
        raise InvalidTransitionError("this request was already received")
    # The sender's node checked the link when drafting; a node that did not (or lied) must not
    # reach a preservation of another pair of authorities held here.
    problem = follow_ups.link_problem(
        session,
        holder=envelope.to,
        kind=str(fields.get("kind")),
        requesting=envelope.sender,
        requested=envelope.to,
        linked_request=fields.get("linked_request"),
    )
    if problem is not None:
        raise InvalidLinkError(problem)
    # The request document must be the one the requesting authority signed for this version.
    document = issued.decode(incoming.body.get(issued.FIELD))
    signer = received.check(
        session=session,
        author=envelope.sender,
        pdf=document,
        marker=issued.request_marker(str(fields.get("id")), fields.get("version")),
        at=hc.clock.now(),
    )
    # ...and signed by the very supervisor whose approval it carries.
    if signer is None or signer.user_id != approver.user_id:
        raise received.InvalidDocumentError(
            "the request document is not signed by the supervisor who approved it"
        )
    now = hc.clock.now()
    request = Request(
        holder=envelope.to,
        id=fields["id"],
        kind=fields["kind"],
        subtype=fields.get("subtype"),
        requesting=envelope.sender,
        requested=envelope.to,
        status=Status.sent,
        seq=0,
        version=int(fields["version"]),
        reference=fields.get("reference") or "",
        language=fields["language"],
        content=fields["content"],
        urgent=bool(fields.get("urgent")),
        wished_deadline=datetime.fromisoformat(fields["wished_deadline"])
        if fields.get("wished_deadline")
        else None,
        conditions=fields.get("conditions") or {},
        created_at=now,
        updated_at=now,
        # Who approved as the verified certificate names them, not as the sender says.
        approved_by=approver.name,
        approver_id=approver.user_id,
        approved_at=approved,
        approval=token,
        approval_certificate=incoming.body["approval_certificate"],
        preservation_days=fields.get("preservation_days"),
        linked_request=fields.get("linked_request"),
        response={},
    )
    session.add(request)
    session.flush()
    assert document is not None  # noqa: S101 - received.check refuses a missing document
    kept = issued.keep(
        session=session,
        request=request,
        role=issued.REQUEST,
        seq=0,
        author=envelope.sender,
        pdf=document,
        clock=hc.clock,
    )
    transition = find(Action.receive, Status.sent, Side.requested)
    event = workflow.apply(
        session=session,
        request=request,
        transition=transition,
        actor=f"authority:{envelope.sender}",
        ctx=hc.ctx,
        ground=None,
        reason=None,
        clock=hc.clock,
        document=kept.digest,
    )
    workflow.echo(session=session, request=request, event=event, clock=hc.clock)
    _announce(session, request, hc)


def _announce(session: Session, request: Request, hc: kinds.HandlerContext) -> None:
    """Whoever answers for a new arrival hears of it at once (24/7 contacts, supervisors)."""
    target = f"request:{request.holder}:{request.id}"
    subject = (
        f"New {request.kind} request {request.reference or request.id} from {request.requesting}"
    )
    for user_id in responsible(session, request):
        notifications.notify(
            session=session,
            user_id=user_id,
            category="new_request",
            subject=subject,
            body=subject,
            target=target,
            dedupe=f"{target}|new",
            clock=hc.clock,
        )


def on_action(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """A proposal of the requesting side, applied here if our table allows it, then echoed."""
    request = _copy(hc.session, incoming.envelope.to, incoming.body)
    if request.requesting != incoming.envelope.sender:
        raise UnknownRequestError("only the requesting authority proposes actions on this request")
    try:
        action = Action(_field(incoming.body, "action", str))
        transition = find(action, Status(request.status), Side.requesting)
    except (ValueError, InvalidTransition) as exc:
        raise InvalidTransitionError(str(exc)) from exc
    reason = incoming.body.get("reason")
    event = workflow.apply(
        session=hc.session,
        request=request,
        transition=transition,
        actor=f"authority:{incoming.envelope.sender}",
        ctx=hc.ctx,
        ground=incoming.body.get("ground"),
        reason=reason if isinstance(reason, str) else None,
        clock=hc.clock,
    )
    workflow.echo(session=hc.session, request=request, event=event, clock=hc.clock)


def on_state(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """The requested node's transition, replayed on the requesting copy in the same order."""
    request = _copy(hc.session, incoming.envelope.to, incoming.body)
    if request.requested != incoming.envelope.sender:
        raise UnknownRequestError("only the requested authority reports the state of this request")
    body = incoming.body
    seq = _field(body, "seq", int)
    try:
        action, source, target = (
            Action(str(body.get("action"))),
            Status(str(body.get("from"))),
            Status(str(body.get("to"))),
        )
    except ValueError as exc:
        raise InvalidTransitionError(str(exc)) from exc
    if seq > request.seq + 1:
        # An earlier echo was refused for a passing reason (stale, key change) and comes again.
        raise OutOfOrderError(f"step {seq} arrived before step {request.seq + 1}")
    transition = next((t for t in _candidates(action, source) if t.target is target), None)
    if transition is None or request.status != source or seq != request.seq + 1:
        raise InvalidTransitionError(
            f"cannot apply {action.value} ({source.value} → {target.value}, step {seq}) "
            f"to a copy that is {request.status} at step {request.seq}"
        )
    document = None
    if action in workflow.DECISIONS:
        # A decision comes with the response document the requested authority signed for it.
        document = issued.decode(body.get(issued.FIELD))
        received.check(
            session=hc.session,
            author=incoming.envelope.sender,
            pdf=document,
            marker=issued.response_marker(request.id, seq),
            at=hc.clock.now(),
        )
    if isinstance(body.get("response"), dict):
        request.response = body["response"]
    digest = None
    if document is not None:
        digest = issued.keep(
            session=hc.session,
            request=request,
            role=issued.RESPONSE,
            seq=seq,
            author=incoming.envelope.sender,
            pdf=document,
            clock=hc.clock,
        ).digest
    workflow.apply(
        session=hc.session,
        request=request,
        transition=transition,
        actor=f"authority:{incoming.envelope.sender}",
        ctx=hc.ctx,
        ground=body.get("ground"),
        reason=body.get("reason"),
        clock=hc.clock,
        seq=seq,
        document=digest,
    )
    if body.get("preservation_expiry"):
        request.preservation_expiry = datetime.fromisoformat(body["preservation_expiry"])
        refresh_due(hc.session, request)


def _candidates(action: Action, source: Status) -> list[Any]:

    return [t for t in TABLE if t.action is action and t.source is source and not t.local]


def on_consultation(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    request = _copy(hc.session, incoming.envelope.to, incoming.body)
    if incoming.envelope.sender not in (request.requesting, request.requested):
        raise UnknownRequestError("not a party to this request")
    text = _field(incoming.body, "text", str)
    hc.session.add(
        RequestEvent(
            holder=request.holder,
            request_id=request.id,
            seq=request.seq,
            action="consult",
            from_status=request.status,
            to_status=request.status,
            side=request.side,
            actor=f"authority:{incoming.envelope.sender}",
            at=hc.clock.now(),
            reason=text[:20_000],
        )
    )
