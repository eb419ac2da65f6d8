"""`liaison request show|list|grounds`: what a user may see of their authority's requests, and the
closed lists of grounds (their words loaded when `grounds` runs: see cli/forms.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.accounts.operator import acting
from liaison.cli_support import fail, handle_errors
from liaison.core.permissions import Permission
from liaison.i18n import best_language
from liaison.requests import service
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, RequestId, app
from liaison.requests.lifecycle import consultations
from liaison.requests.table import Status


@app.command("show")
@handle_errors
def show(
    username: AsUser,
    request_id: RequestId,
    events: Annotated[bool, typer.Option("--events", help="Include the status history")] = False,
    as_json: AsJson = False,
) -> None:
    """One request. With --json --events: {"request": {...}, "events": [...]}."""
    with acting(username, Permission.request_read) as actor:
        request = out.find_request(actor, request_id)
        history = consultations.history(session=actor.session, request=request) if events else []
        read = out.read_of(actor, request)
        if as_json:
            dumped = out.dump(read)
            out.emit_json(
                {"request": dumped, "events": out.events_json(history)} if events else dumped
            )
            return
        out.print_request(read)
        if events:
            out.print_events(history)


@app.command("list")
@handle_errors
def list_requests(
    username: AsUser,
    status: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="At most this many")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many first")] = 0,
    due: Annotated[
        bool, typer.Option("--due", help="Only what has something due, soonest first")
    ] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only what is overdue")] = False,
    as_json: AsJson = False,
) -> None:
    """Requests of your authority that you may see, newest first (or, with --due, by what is
    due next)."""
    if status is not None and status not in {s.value for s in Status}:
        raise fail(
            f"unknown status {status!r}; choose one of: {', '.join(s.value for s in Status)}", 2
        )
    with acting(username, Permission.request_read) as actor:
        page = service.list_for(
            session=actor.session,
            user=actor.user,
            status=status,
            sort="due" if due or overdue else "newest",
            due_only=due or overdue,
            due_before=actor.node.clock.now() if overdue else None,
            limit=limit,
            offset=offset,
        )
        if as_json:
            out.emit_json(out.page_json(actor, page, limit=limit, offset=offset))
        else:
            out.print_list(
                [out.read_of(actor, r) for r in page.items], total=page.total, offset=offset
            )


@app.command("grounds")
@handle_errors
def grounds(
    kind: Annotated[str, typer.Option("--kind", help="Request kind")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels, e.g. ru")] = "en",
    as_json: AsJson = False,
) -> None:
    """The closed lists of grounds to refuse or postpone a kind, with the consult-first flag
    (as GET /api/v1/request-kinds/{kind}/grounds)."""
    from liaison.requests.forms import codes  # noqa: PLC0415 - loads the catalogs' words

    out.check_kind(kind)
    rows = codes.grounds(kind, best_language([lang]))
    if as_json:
        out.emit_json(rows)
    else:
        out.print_grounds(kind, rows)
