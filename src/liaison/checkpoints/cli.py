"""`liaison audit ...`"""

from __future__ import annotations

import typer

from liaison.checkpoints import service
from liaison.cli_support import console, err_console, handle_errors, load_node, unit_of_work

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
