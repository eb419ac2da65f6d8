"""`liaison keys ...`"""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.audit.context import cli_context
from liaison.authorities import service as authorities
from liaison.cli_support import console, handle_errors, load_node, unit_of_work
from liaison.keyring import service

app = typer.Typer(help="Signing and encryption keys.", no_args_is_help=True)


@app.command("rotate")
@handle_errors
def rotate(authority: Annotated[str, typer.Argument(help="Authority id")]) -> None:
    """New signing and encryption keys; old public keys stay for verifying old data."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        fresh = service.rotate(
            session=session,
            kek=node.kek,
            authority_id=authority,
            ctx=cli_context(),
            clock=node.clock,
        )
        for key in fresh:
            console.print(f"{key.purpose}: new key {key.id} ({key.algorithm})", highlight=False)


@app.command("list")
@handle_errors
def list_keys(authority: Annotated[str, typer.Argument(help="Authority id")]) -> None:
    """Keys of an authority, active and retired."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        for key in service.keys_of(session=session, authority_id=authority):
            state = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "active"
            typer.echo(f"{key.id}\t{key.purpose}\t{key.algorithm}\t{key.public_key}\t{state}")
