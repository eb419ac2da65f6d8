"""`liaison request ack|start|...|respond|consult|assign`: every step after transmission, on either
side, as a named user (the same permissions, workflow and audit as the API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from liaison.accounts import service as accounts
from liaison.accounts.operator import acting
from liaison.cli_support import console, handle_errors
from liaison.core.errors import NotFound
from liaison.core.permissions import Permission
from liaison.requests import service
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, Ground, Reason, RequestId, app
from liaison.requests.lifecycle import consultations, workflow
from liaison.requests.table import Action


def step(
    username: str,
    request_id: str,
    action: Action,
    *,
    as_json: bool,
    ground: str | None = None,
    reason: str | None = None,
    response: dict[str, Any] | None = None,
) -> None:
    with acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        event = workflow.act(
            session=actor.session,
            request=request,
            user=actor.user,
            action=action,
            ctx=actor.ctx,
            ground=ground,
            reason=reason,
            response=response,
            kek=actor.node.kek,
            max_envelope_bytes=actor.node.settings.federation_max_envelope_bytes,
            clock=actor.node.clock,
        )
        # On the requesting side an action after transmission is a proposal: the requested
        # node applies it and echoes it back, so the status here changes only then.
        note = (
            f"{action.value.replace('_', ' ')} proposed to {request.requested}; "
            "applied when its node confirms"
            if event is None
            else f"now {request.status}"
        )
        out.show_request(actor, request, as_json, note)


def _simple(action: Action, doc: str) -> Callable[[str, str, bool], None]:
    def command(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
        step(username, request_id, action, as_json=as_json)

    command.__doc__ = doc
    return handle_errors(command)


def _with_reason(action: Action, doc: str) -> Callable[[str, str, str, bool], None]:
    def command(
        username: AsUser, request_id: RequestId, reason: Reason, as_json: AsJson = False
    ) -> None:
        step(username, request_id, action, reason=reason, as_json=as_json)

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
        step(username, request_id, action, ground=ground, reason=reason, as_json=as_json)

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
    step(username, request_id, action, response=data, as_json=as_json)


@app.command("consult")
@handle_errors
def consult(
    username: AsUser,
    request_id: RequestId,
    text: Annotated[str, typer.Option("--text", help="What you tell the other authority")],
    as_json: AsJson = False,
) -> None:
    """Consult the other authority (required before refusing on some grounds)."""
    with acting(username, Permission.request_execute) as actor:
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
    with acting(username, Permission.request_assign) as actor:
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
