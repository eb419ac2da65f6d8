"""`liaison request new|edit|submit|approve|return|send`: a request before it is sent, as a
named user of an authority hosted here (checked and audited as through the API, see
liaison.accounts.operator)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import ValidationError

from liaison.accounts.operator import acting
from liaison.cli_support import fail, handle_errors
from liaison.core.permissions import Permission
from liaison.i18n import best_language
from liaison.requests import service
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, Reason, RequestId, app
from liaison.requests.lifecycle import workflow
from liaison.requests.schemas import RequestCreate, RequestUpdate


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
    urgency_reason: Annotated[
        str | None, typer.Option("--urgency-reason", help="Why it is urgent (in --language)")
    ] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="ISO date-time")] = None,
    deadline_reason: Annotated[
        str | None, typer.Option("--deadline-reason", help="Why by then (in --language)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Draft a new request to another authority (permission request:request:draft)."""
    out.check_kind(kind)
    data = out.read_json_object(content, "content")
    # The reasons are free texts of the contents (translatable like the others); the options
    # are a shortcut for an original in the request's language.
    for name, text in (("urgency_reason", urgency_reason), ("deadline_reason", deadline_reason)):
        if text is not None:
            data[name] = {"original": text, "original_language": language}
    try:
        body = RequestCreate(
            kind=kind,
            subtype=subtype,
            to=to,
            reference=reference,
            language=language,
            content=data,
            urgent=urgent,
            wished_deadline=out.parse_deadline(deadline),
            preservation_days=preservation_days,
            linked_request=linked_request,
        )
    except ValidationError as exc:
        raise fail(f"invalid request: {out.validation_problems(exc)}", 2) from None
    with acting(username, Permission.request_draft) as actor:
        request = service.create_draft(
            session=actor.session,
            user=actor.user,
            draft=body,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, f"draft {request.id} created")


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
        update = RequestUpdate(**changes)
    except ValidationError as exc:
        raise fail(f"invalid change: {out.validation_problems(exc)}", 2) from None
    with acting(username, Permission.request_draft) as actor:
        request = out.find_request(actor, request_id)
        service.update_draft(
            session=actor.session,
            request=request,
            update=update,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(
            actor, request, as_json, f"draft {request.id} is now version {request.version}"
        )


@app.command("submit")
@handle_errors
def submit(
    username: AsUser,
    request_id: RequestId,
    lang: Annotated[str, typer.Option("--lang", help="Language of the missing-items list")] = "en",
    as_json: AsJson = False,
) -> None:
    """Submit a draft for approval; refused with every missing item listed."""
    with acting(username, Permission.request_draft) as actor:
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
            actor, request, as_json, "submitted; a supervisor who did not draft it must approve"
        )


@app.command("approve")
@handle_errors
def approve(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
    """Approve and sign (four eyes: a supervisor who neither drafted nor submitted it)."""
    with acting(username, Permission.request_approve) as actor:
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
            actor, request, as_json, "approved and signed; `liaison request send` transmits it"
        )


@app.command("return")
@handle_errors
def return_to_draft(
    username: AsUser, request_id: RequestId, reason: Reason, as_json: AsJson = False
) -> None:
    """Send a submitted request back to its drafter, with a reason."""
    with acting(username, Permission.request_approve) as actor:
        request = out.find_request(actor, request_id)
        workflow.return_to_draft(
            session=actor.session,
            request=request,
            user=actor.user,
            reason=reason,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, "returned to draft")


@app.command("send")
@handle_errors
def send(username: AsUser, request_id: RequestId, as_json: AsJson = False) -> None:
    """Transmit an approved request (queued; `liaison worker` delivers it)."""
    with acting(username, Permission.request_draft) as actor:
        request = out.find_request(actor, request_id)
        workflow.send(
            session=actor.session,
            request=request,
            user=actor.user,
            ctx=actor.ctx,
            kek=actor.node.kek,
            max_envelope_bytes=actor.node.settings.federation_max_envelope_bytes,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, f"queued for {request.requested}")
