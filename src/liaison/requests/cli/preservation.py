"""`liaison request extend|warn`: a preservation in place, extended (requesting side) or
warned about (requested side); checked and audited as through the API."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.accounts.operator import acting
from liaison.cli_support import handle_errors
from liaison.core.permissions import Permission
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, RequestId, app
from liaison.requests.preservation import service as preservation


@app.command("extend")
@handle_errors
def extend(
    username: AsUser,
    request_id: RequestId,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="How many days more")],
    as_json: AsJson = False,
) -> None:
    """Ask the requested authority to keep preserved data longer (requesting side)."""
    with acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        preservation.request_extension(
            session=actor.session,
            request=request,
            user=actor.user,
            days=days,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        note = f"extension by {days} days asked of {request.requested}; applied when it confirms"
        out.show_request(actor, request, as_json, note)


@app.command("warn")
@handle_errors
def warn(
    username: AsUser,
    request_id: RequestId,
    text: Annotated[str, typer.Option("--text", help="Why the data may not remain available")],
    as_json: AsJson = False,
) -> None:
    """Warn the requesting authority that the data may not remain available (requested side)."""
    with acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        preservation.warn_unavailable(
            session=actor.session,
            request=request,
            user=actor.user,
            text=text,
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, f"warning sent to {request.requesting}")
