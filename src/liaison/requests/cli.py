"""`liaison request ...`: every step of a request, as a named user of an authority hosted here.

The CLI is operator access on the node itself, so it asks for no password; but whatever the user
does is checked exactly as through the API (the same permissions, the same service and workflow
functions, so the same four-eyes and visibility rules), and audited as `cli:<username>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from liaison.accounts import service as accounts
from liaison.cli_support import console, fail, handle_errors
from liaison.core.errors import NotFound
from liaison.core.permissions import Permission
from liaison.i18n import best_language
from liaison.requests import cli_output as out
from liaison.requests import history as consultations
from liaison.requests import service, workflow
from liaison.requests.contents_bridge import parse_content
from liaison.requests.schemas import RequestCreate, RequestUpdate
from liaison.requests.statemachine import Action, Status

app = typer.Typer(
    help="Requests: draft, approve, send, and every later step.", no_args_is_help=True
)

AsUser = Annotated[
    str, typer.Option("--as", help="Act as this user of an authority hosted on this node")
]
RequestId = Annotated[str, typer.Argument(help="Request id")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document (API fields)")]
Reason = Annotated[str, typer.Option("--reason", help="Written reason")]
Ground = Annotated[str, typer.Option("--ground", help="Code from `liaison request grounds`")]


@app.command("new")
@handle_errors
def new(
    username: AsUser,
    kind: Annotated[str, typer.Option("--kind", help="mla, preservation, disclosure, ...")],
    to: Annotated[str, typer.Option("--to", help="Requested authority (in the directory)")],
    language: Annotated[str, typer.Option("--language", help="Language of the request, e.g. en")],
    content: Annotated[str, typer.Option("--content", help="Contents: FILE.json, or - for stdin")],
    subtype: Annotated[str | None, typer.Option("--subtype", help="MLA sub-type")] = None,
    reference: Annotated[str, typer.Option("--reference", help="Your case reference")] = "",
    preservation_days: Annotated[int | None, typer.Option("--preservation-days")] = None,
    linked_request: Annotated[str | None, typer.Option("--linked-request")] = None,
    urgent: Annotated[bool, typer.Option("--urgent")] = False,
    urgency_reason: Annotated[str | None, typer.Option("--urgency-reason")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="ISO date-time")] = None,
    deadline_reason: Annotated[str | None, typer.Option("--deadline-reason")] = None,
    as_json: AsJson = False,
) -> None:
    """Draft a new request to another authority (permission request:request:draft)."""
    out.check_kind(kind)
    data = out.read_json_object(content, "content")
    try:
        body = RequestCreate(
            kind=kind,
            subtype=subtype,
            to=to,
            reference=reference,
            language=language,
            content=data,
            urgent=urgent,
            urgency_reason=urgency_reason,
            wished_deadline=out.parse_deadline(deadline),
            deadline_reason=deadline_reason,
            preservation_days=preservation_days,
            linked_request=linked_request,
        )
    except ValidationError as exc:
        raise fail(f"invalid request: {out.validation_problems(exc)}", 2) from None
    with out.acting(username, Permission.request_draft) as actor:
        request = service.create_draft(
            session=actor.session,
            user=actor.user,
            kind=body.kind,
            requested=body.to,
            content=parse_content(body.kind, body.subtype, body.content),
            language=body.language,
            reference=body.reference,
            subtype=body.subtype,
            conditions=body.conditions.model_dump(),
            urgent=body.urgent,
            urgency_reason=body.urgency_reason,
            wished_deadline=body.wished_deadline,
            deadline_reason=body.deadline_reason,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        # Set after creation exactly as the API route does.
        request.preservation_days = body.preservation_days
        request.linked_request = body.linked_request
        actor.session.flush()
        out.show_request(request, as_json, f"draft {request.id} created")


@app.command("edit")
@handle_errors
def edit(
    username: AsUser,
    request_id: RequestId,
    content: Annotated[
        str | None, typer.Option("--content", help="New contents: FILE.json, or - for stdin")
    ] = None,
    reference: Annotated[str | None, typer.Option("--reference")] = None,
    as_json: AsJson = False,
) -> None:
    """Edit a draft's contents or reference (permission request:request:draft)."""
    changes: dict[str, Any] = {}
    if content is not None:
        changes["content"] = out.read_json_object(content, "content")
    if reference is not None:
        changes["reference"] = reference
    if not changes:
        raise fail("nothing to change: give --content and/or --reference", 2)
    try:
        changes = RequestUpdate(**changes).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise fail(f"invalid change: {out.validation_problems(exc)}", 2) from None
    with out.acting(username, Permission.request_draft) as actor:
        request = out.find_request(actor, request_id)
        if "content" in changes:
            changes["content"] = parse_content(request.kind, request.subtype, changes["content"])
        service.update_draft(
            session=actor.session,
            request=request,
            changes=changes,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(request, as_json, f"draft {request.id} is now version {request.version}")


@app.command("submit")
@handle_errors
def submit(
    username: AsUser,
    request_id: RequestId,
    lang: Annotated[str, typer.Option("--lang", help="Language of the missing-items list")] = "en",
    as_json: AsJson = False,
) -> None:
    """Submit a draft for approval; refused with every missing item listed."""
    with out.acting(username, Permission.request_draft) as actor:
        request = out.find_request(actor, request_id)
        workflow.submit(
            session=actor.session,
            request=request,
            user=actor.user,
            ctx=actor.ctx,
            lang=best_language([lang]),
            clock=actor.node.clock,
        )
        out.show_request(
            request, as_json, "submitted; a supervisor who did not draft it must approve"
        )


@app.command("approve")
@handle_errors
def approve(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
    """Approve and sign (four eyes: a supervisor who neither drafted nor submitted it)."""
    with out.acting(username, Permission.request_approve) as actor:
        request = out.find_request(actor, request_id)
        workflow.approve(
            session=actor.session,
            kek=actor.node.kek,
            request=request,
            user=actor.user,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(
            request, as_json, "approved and signed; `liaison request send` transmits it"
        )


@app.command("return")
@handle_errors
def return_to_draft(
    username: AsUser, request_id: RequestId, reason: Reason, as_json: AsJson = False
) -> None:
    """Send a submitted request back to its drafter, with a reason."""
    with out.acting(username, Permission.request_approve) as actor:
        request = out.find_request(actor, request_id)
        workflow.return_to_draft(
            session=actor.session,
            request=request,
            user=actor.user,
            reason=reason,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(request, as_json, "returned to draft")


@app.command("send")
@handle_errors
def send(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
    """Transmit an approved request (queued; `liaison worker` delivers it)."""
    with out.acting(username, Permission.request_draft) as actor:
        request = out.find_request(actor, request_id)
        workflow.send(
            session=actor.session,
            request=request,
            user=actor.user,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(request, as_json, f"queued for {request.requested}")


def _simple(action: Action, doc: str) -> Callable[[str, str, bool], None]:
    def command(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
        out.step(username, request_id, action, as_json=as_json)

    command.__doc__ = doc
    return handle_errors(command)


def _with_reason(action: Action, doc: str) -> Callable[[str, str, str, bool], None]:
    def command(
        username: AsUser, request_id: RequestId, reason: Reason, as_json: AsJson = False
    ) -> None:
        out.step(username, request_id, action, reason=reason, as_json=as_json)

    command.__doc__ = doc
    return handle_errors(command)


def _with_ground(action: Action, doc: str) -> Callable[[str, str, str, str, bool], None]:
    def command(
        username: AsUser,
        request_id: RequestId,
        ground: Ground,
        reason: Reason,
        as_json: AsJson = False,
    ) -> None:
        out.step(username, request_id, action, ground=ground, reason=reason, as_json=as_json)

    command.__doc__ = doc
    return handle_errors(command)


app.command("ack")(_simple(Action.acknowledge, "Acknowledge receipt (requested side)."))
app.command("start")(_simple(Action.start, "Start execution (requested side)."))
app.command("clarify-request")(
    _with_reason(Action.request_clarification, "Ask the requesting side for clarification.")
)
app.command("clarify")(
    _with_reason(Action.clarify, "Answer a request for clarification (requesting side).")
)
app.command("refuse")(
    _with_ground(Action.refuse, "Refuse, on a ground from the closed list (requested side).")
)
app.command("postpone")(
    _with_ground(Action.postpone, "Postpone, on a ground from the closed list (requested side).")
)
app.command("resume")(_simple(Action.resume, "Resume a postponed request (requested side)."))
app.command("withdraw")(_with_reason(Action.withdraw, "Withdraw the request (requesting side)."))
app.command("close")(_simple(Action.close, "Close a finished request (requesting side)."))


@app.command("respond")
@handle_errors
def respond(
    username: AsUser,
    request_id: RequestId,
    partial: Annotated[bool, typer.Option("--partial", help="A partial response")] = False,
    response: Annotated[
        str | None, typer.Option("--response", help="Response data: FILE.json, or - for stdin")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Respond (fully, or --partial) to a request in execution (requested side)."""
    data = out.read_json_object(response, "response") if response is not None else None
    action = Action.respond_partially if partial else Action.respond
    out.step(username, request_id, action, response=data, as_json=as_json)


@app.command("consult")
@handle_errors
def consult(
    username: AsUser,
    request_id: RequestId,
    text: Annotated[str, typer.Option("--text", help="What you tell the other authority")],
    as_json: AsJson = False,
) -> None:
    """Consult the other authority (required before refusing on some grounds)."""
    with out.acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        event = consultations.consult(
            session=actor.session,
            request=request,
            user=actor.user,
            text=text,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        if as_json:
            out.emit_json(out.events_json([event])[0])
        else:
            console.print(f"consultation recorded and sent about {request.id}", highlight=False)


@app.command("assign")
@handle_errors
def assign(
    username: AsUser,
    request_id: RequestId,
    assignee: Annotated[str, typer.Option("--user", help="Username to assign")],
) -> None:
    """Assign a user of your authority to the request (permission request:request:assign)."""
    with out.acting(username, Permission.request_assign) as actor:
        request = out.find_request(actor, request_id)
        try:
            target = accounts.by_username(session=actor.session, username=assignee)
        except NotFound:
            target = None
        if target is None or target.authority_id != request.holder:
            raise NotFound(f"no user {assignee!r} in {request.holder}")
        service.assign(
            session=actor.session,
            request=request,
            user_id=target.id,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
    console.print(f"{assignee} assigned to {request_id}", highlight=False)


@app.command("show")
@handle_errors
def show(
    username: AsUser,
    request_id: RequestId,
    events: Annotated[bool, typer.Option("--events", help="Include the status history")] = False,
    as_json: AsJson = False,
) -> None:
    """One request. With --json --events: {"request": {...}, "events": [...]}."""
    with out.acting(username, Permission.request_read) as actor:
        request = out.find_request(actor, request_id)
        history = consultations.history(session=actor.session, request=request) if events else []
        if as_json:
            read = out.request_json(request)
            out.emit_json({"request": read, "events": out.events_json(history)} if events else read)
            return
        out.print_request(request)
        if events:
            out.print_events(history)


@app.command("list")
@handle_errors
def list_requests(
    username: AsUser,
    status: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    as_json: AsJson = False,
) -> None:
    """Requests of your authority that you may see."""
    if status is not None and status not in {s.value for s in Status}:
        raise fail(
            f"unknown status {status!r}; choose one of: {', '.join(s.value for s in Status)}", 2
        )
    with out.acting(username, Permission.request_read) as actor:
        found = service.list_for(session=actor.session, user=actor.user, status=status)
        if as_json:
            out.emit_json([out.request_json(r) for r in found])
        else:
            out.print_list(found)


@app.command("grounds")
@handle_errors
def grounds(
    kind: Annotated[str, typer.Option("--kind", help="Request kind")], as_json: AsJson = False
) -> None:
    """The closed lists of grounds to refuse or postpone a kind, with the consult-first flag."""
    out.check_kind(kind)
    rows = out.grounds_rows(kind)
    if as_json:
        out.emit_json(rows)
    else:
        out.print_grounds(kind, rows)
