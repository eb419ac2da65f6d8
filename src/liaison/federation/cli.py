"""`liaison note ...`, `liaison ping`, `liaison worker`, `liaison outbox`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from liaison.audit.context import cli_context
from liaison.authorities import service as authorities
from liaison.cli_support import handle_errors, load_node, print_fields, print_table, unit_of_work
from liaison.federation import messages
from liaison.federation.models import OutboxEnvelope

note_app = typer.Typer(help="Notes between authorities.", no_args_is_help=True)


@note_app.command("send")
@handle_errors
def send(
    sender: Annotated[str, typer.Option("--from", help="Sending authority (hosted here)")],
    recipient: Annotated[str, typer.Option("--to", help="Receiving authority (in the directory)")],
    text: Annotated[str, typer.Argument(help="The note")],
    thread: Annotated[str | None, typer.Option(help="Reply in this thread")] = None,
) -> None:
    """Queue a note; `liaison worker` delivers it."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=sender)
        message = messages.send_note(
            session=session,
            sender=sender,
            recipient=recipient,
            text=text,
            ctx=cli_context(),
            thread=thread,
            clock=node.clock,
        )
    print_fields([("Note", message.id), ("Thread", message.thread), ("Queued for", recipient)])


@note_app.command("list")
@handle_errors
def list_notes(
    authority: Annotated[str, typer.Option("--authority", "-a")],
    thread: Annotated[str | None, typer.Option(help="Show one thread")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Threads of an authority, or the messages of one thread."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        if thread is None:
            rows = messages.threads(session=session, authority_id=authority)
            print_table(
                ["thread", "with", "messages", "last (UTC)"],
                [[t, who, str(count), f"{last:%Y-%m-%d %H:%M:%S}"] for t, who, count, last in rows],
                empty=f"no threads of {authority}",
            )
            return
        found = messages.thread_messages(session=session, authority_id=authority, thread=thread)
        if as_json:
            typer.echo(
                json.dumps(
                    [
                        {
                            "id": m.id,
                            "direction": m.direction,
                            "kind": m.kind,
                            "text": m.text,
                            "counterpart": m.counterpart,
                        }
                        for m in found
                    ],
                    ensure_ascii=False,
                )
            )
            return
        for m in found:
            arrow = "→" if m.direction == "out" else "←"
            typer.echo(f"{m.created_at:%H:%M:%S} {arrow} {m.counterpart} [{m.kind}] {m.text}")


def ping(
    sender: Annotated[str, typer.Option("--from")],
    recipient: Annotated[str, typer.Option("--to")],
) -> None:
    """Ping another authority; its node answers pong (see `liaison note list`)."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=sender)
        message = messages.send_ping(
            session=session, sender=sender, recipient=recipient, ctx=cli_context(), clock=node.clock
        )
    typer.echo(f"ping {message.id} queued for {recipient}")


def outbox(
    authority: Annotated[str | None, typer.Option("--authority", "-a")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only what is still waiting")] = False,
) -> None:
    """Envelopes sent from this node and their delivery state."""
    node = load_node()
    with unit_of_work(node) as session:
        query = select(OutboxEnvelope).order_by(OutboxEnvelope.id)
        if authority:
            query = query.where(OutboxEnvelope.sender == authority)
        if pending:
            query = query.where(OutboxEnvelope.status == "pending")
        rows = [
            [
                row.id,
                f"{row.sender} → {row.recipient}",
                row.kind,
                row.status,
                str(row.attempts),
                row.last_error or "" if row.status == "pending" else "",
            ]
            for row in session.scalars(query)
        ]
    print_table(
        ["envelope", "from → to", "kind", "status", "attempts", "last error"],
        rows,
        empty="nothing pending" if pending else "nothing sent from this node",
    )


ping_command = handle_errors(ping)
outbox_command = handle_errors(outbox)
