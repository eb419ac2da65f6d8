"""`liaison audit ...`"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from liaison.audit import refusals
from liaison.checkpoints import service
from liaison.cli_support import (
    console,
    err_console,
    handle_errors,
    load_node,
    print_table,
    unit_of_work,
)

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
@handle_errors
def verify() -> None:
    """Walk the hash chain and the signed checkpoints; exit 1 naming the first bad entry."""
    node = load_node()
    with unit_of_work(node) as session:
        report = service.verify(session=session)
    if report.ok:
        console.print(
            f"audit log intact: {report.entries} entries, {report.checkpoints} signed checkpoints"
        )
        return
    first = report.first
    err_console.print(f"audit log NOT intact: first bad entry {first.seq if first else '?'}")
    for problem in sorted(report.problems, key=lambda p: p.seq):
        err_console.print(f"  {problem}", highlight=False)
    raise typer.Exit(1)


@app.command("checkpoint")
@handle_errors
def checkpoint() -> None:
    """Sign the current head of the chain with the node key now."""
    node = load_node()
    with unit_of_work(node) as session:
        cp = service.checkpoint(
            session=session, kek=node.kek, node_name=node.settings.node_name, clock=node.clock
        )
        if cp is None:
            console.print("nothing new to checkpoint")
        else:
            console.print(f"checkpoint at entry {cp.seq} signed by key {cp.key_id}")


@app.command("refusals")
@handle_errors
def refusals_command(
    hours: Annotated[int, typer.Option("--hours", min=1, max=24 * 366, help="How far back")] = 24,
) -> None:
    """Refusals of unauthenticated input (junk at the inbox, throttled sign-ins), counted per
    hour: what anonymous callers tried, without an audit entry each."""
    node = load_node()
    with unit_of_work(node) as session:
        rows = refusals.since(session=session, start=node.clock.now() - timedelta(hours=hours))
    if not rows:
        console.print(f"no refusals in the last {hours} hours")
        return
    print_table(
        ["hour (UTC)", "channel", "reason", "refused"],
        [[f"{row.hour:%Y-%m-%d %H:00}", row.channel, row.reason, str(row.count)] for row in rows],
    )
