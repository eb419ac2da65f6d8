"""The `liaison` command."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.accounts.cli import app as user_app
from liaison.audit.cli import app as audit_app
from liaison.authorities.cli import app as authority_app
from liaison.cli_support import console, fail, handle_errors, load_node, unit_of_work
from liaison.config import Env, load_settings
from liaison.directory.cli import app as directory_app
from liaison.federation.cli import note_app, outbox_command, ping_command, worker_command
from liaison.keyring.cli import app as keys_app

app = typer.Typer(
    help="Liaison: cross-border cooperation against cybercrime.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(authority_app, name="authority")
app.add_typer(note_app, name="note")
app.command("ping")(ping_command)
app.command("worker")(worker_command)
app.command("outbox")(outbox_command)
app.add_typer(directory_app, name="directory")


@app.command("init")
@handle_errors
def init() -> None:
    """Create the data folder, bring the database to the latest schema, create the node key
    and any authority key that is missing. Safe to run again."""
    from liaison.audit.context import cli_context
    from liaison.authorities import service as authorities
    from liaison.db import migrate
    from liaison.keyring import service as keyring

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.sqlalchemy_url)
    node = load_node()
    with unit_of_work(node) as session:
        ctx = cli_context("init")
        created = keyring.ensure_keys(
            session=session, kek=node.kek, authority_id=None, ctx=ctx, clock=node.clock
        )
        for authority in authorities.list_all(session=session):
            created += keyring.ensure_keys(
                session=session, kek=node.kek, authority_id=authority.id, ctx=ctx, clock=node.clock
            )
    console.print(f"node ready in {settings.data_dir} ({len(created)} new keys)")


@app.command("serve")
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Run the web/API server."""
    import uvicorn

    from liaison.app import create_app

    settings = load_settings()
    if settings.env is Env.prod and host not in ("127.0.0.1", "::1", "localhost"):
        console.print("note: serving plain HTTP; put a TLS-terminating reverse proxy in front")
    application = create_app(node=load_node())
    uvicorn.run(application, host=host, port=port, log_level="info", access_log=False)


@app.command("demo")
@handle_errors
def demo(
    port: Annotated[int, typer.Option(help="Port for the web/API server")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only prepare the demo data")
    ] = False,
) -> None:
    """The embedded demo: several authorities on SQLite and a local folder, on 127.0.0.1."""
    from liaison.audit.context import cli_context
    from liaison.db import migrate
    from liaison.demo import DEMO_PASSWORD, seed
    from liaison.keyring import service as keyring

    settings = load_settings()
    if settings.env is not Env.dev:
        raise fail("the demo runs only with LIAISON_ENV=dev", 2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.sqlalchemy_url)
    node = load_node()
    with unit_of_work(node) as session:
        ctx = cli_context("demo")
        keyring.ensure_keys(
            session=session, kek=node.kek, authority_id=None, ctx=ctx, clock=node.clock
        )
        logins = seed(session=session, kek=node.kek, ctx=ctx, clock=node.clock)
    console.print(f"\n[bold]Liaison demo[/] — data in {settings.data_dir}")
    console.print(f"API:     http://127.0.0.1:{port}/api/v1/docs")
    console.print(f"Logins (password [bold]{DEMO_PASSWORD}[/]):")
    for username, authority in logins:
        console.print(f"  {username:<16} {authority}", highlight=False)
    if not no_serve:
        serve(host="127.0.0.1", port=port)


def main() -> None:
    app()
