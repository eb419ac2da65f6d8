"""`liaison request prosecution-submitted|prosecution-outcome`: the domestic prosecution a
refused extradition obliges (requested side), checked and audited as through the API."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.accounts.operator import acting
from liaison.cli_support import handle_errors
from liaison.core.permissions import Permission
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, RequestId, app
from liaison.requests.prosecution import service as prosecution

At = Annotated[str | None, typer.Option("--at", help="When (ISO date-time with zone); now")]


@app.command("prosecution-submitted")
@handle_errors
def submitted(
    username: AsUser,
    request_id: RequestId,
    to: Annotated[str, typer.Option("--to", help="The authority the case was submitted to")],
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Record where a refused extradition's case went for prosecution (requested side)."""
    with acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        prosecution.record_submission(
            session=actor.session,
            request=request,
            user=actor.user,
            submitted_to=to,
            submitted_at=out.parse_deadline(at, "--at"),
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, f"submission sent to {request.requesting}")


@app.command("prosecution-outcome")
@handle_errors
def decided(
    username: AsUser,
    request_id: RequestId,
    outcome: Annotated[str, typer.Option("--outcome", help="What the authorities decided")],
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Report the outcome of the domestic prosecution (requested side)."""
    with acting(username, Permission.request_execute) as actor:
        request = out.find_request(actor, request_id)
        prosecution.record_outcome(
            session=actor.session,
            request=request,
            user=actor.user,
            outcome=outcome,
            decided_at=out.parse_deadline(at, "--at"),
            ctx=actor.ctx,
            clock=actor.node.clock,
        )
        out.show_request(actor, request, as_json, f"outcome sent to {request.requesting}")
