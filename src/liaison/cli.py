"""The `liaison` command."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import Command  # typer's own copy of click, which its groups hold
from typer.core import TyperGroup

from liaison import composition
from liaison.cli_lazy import LazyCommands, single
from liaison.cli_support import console, fail, handle_errors, load_node, unit_of_work
from liaison.config import Env, load_settings

if TYPE_CHECKING:
    from liaison import localnet


def _group(name: str) -> Command:
    command: Command = typer.main.get_group(composition.command_group(name))
    return command


def _ping() -> Command:
    from liaison.federation.cli import ping_command  # noqa: PLC0415 - lazy: see _Liaison

    return single("ping", ping_command)


def _outbox() -> Command:
    from liaison.federation.cli import outbox_command  # noqa: PLC0415 - lazy: see _Liaison

    return single("outbox", outbox_command)


class _Liaison(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # Each group (composition.COMMAND_GROUPS) and command imported when it is looked up.
        loaders = {name: partial(_group, name) for name in composition.COMMAND_GROUPS}
        self.commands = LazyCommands(self.commands, loaders | {"ping": _ping, "outbox": _outbox})


app = typer.Typer(
    cls=_Liaison,
    help="Liaison: cross-border cooperation against cybercrime.",
    no_args_is_help=True,
)


@app.command("init")
@handle_errors
def init() -> None:
    """Create the data folder, bring the database to the latest schema, create the node key
    and any authority key that is missing. Safe to run again."""
    from liaison.audit import service as audit  # noqa: PLC0415 - only `init` ...
    from liaison.audit.context import cli_context  # noqa: PLC0415 - ... writes keys ...
    from liaison.authorities import service as authorities  # noqa: PLC0415 - ... for the ...
    from liaison.db import migrate  # noqa: PLC0415 - ... authorities, and migrates (Alembic)
    from liaison.keyring import service as keyring  # noqa: PLC0415 - idem

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)  # also when it existed before
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
        sealed = audit.seal_legacy_entries(session=session, ctx=ctx, clock=node.clock)
    if sealed:
        console.print(f"{sealed} audit entries written before sealing are now sealed")
    console.print(f"node ready in {settings.data_dir} ({len(created)} new keys)")


@app.command("serve")
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Run the web/API server."""
    import uvicorn  # noqa: PLC0415 - only `serve` loads the web server ...

    from liaison.app import create_app  # noqa: PLC0415 - ... and the web application

    settings = load_settings()
    if settings.env is Env.prod and host not in ("127.0.0.1", "::1", "localhost"):
        console.print("note: serving plain HTTP; put a TLS-terminating reverse proxy in front")
    application = create_app(node=load_node())
    # proxy_headers off: the application believes forwarded headers only from the proxies it
    # is configured with (trusted_proxies), never uvicorn's default of any local client.
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


@app.command("demo")
@handle_errors
def demo(
    nodes: Annotated[int, typer.Option(help="Nodes to run, each its own process and database")] = 3,
    port: Annotated[int, typer.Option(help="Port of the first node; the others follow")] = 8001,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only prepare the demo data")
    ] = False,
) -> None:
    """The embedded demo: authorities of several States on SQLite and local folders, talking
    through the federation protocol on 127.0.0.1. Ctrl-C stops every process."""

    from liaison import localnet  # noqa: PLC0415 - only the demo starts nodes
    from liaison.demo import DEMO_PASSWORD  # noqa: PLC0415 - idem

    settings = load_settings()
    if settings.env is not Env.dev:
        raise fail("the demo runs only with LIAISON_ENV=dev", 2)
    if not 1 <= nodes <= 4:
        raise fail("--nodes must be between 1 and 4", 2)
    base = settings.data_dir
    local = localnet.prepare(base=base, layout=localnet.default_layout(nodes), port_base=port)
    if no_serve:
        console.print(f"demo data of {len(local)} node(s) ready in {base}")
        return
    processes = localnet.Processes(local, base)
    stop = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        console.print(f"starting {len(local)} node(s); their addresses follow once each answers")
        processes.start_all()  # returns once every node's health check answers
        _print_demo(local, base, DEMO_PASSWORD)
        while not stop:
            time.sleep(0.5)
            for name, role in processes.dead():
                console.print(f"{name} {role} exited; restarting (log in {base})")
                processes.start(name, role)
    except KeyboardInterrupt:
        console.print("stopping")  # Ctrl-C is how the demo is meant to end
    finally:
        processes.stop_all()


def _print_demo(local: Sequence[localnet.LocalNode], base: Path, password: str) -> None:
    """What a demo user needs, printed once every node answers: the addresses, the logins."""
    console.print(f"\n[bold]Liaison demo[/] — {len(local)} node(s) up, data in {base}")
    for node in local:
        console.print(f"  {node.name}: {node.url}/  hosts {', '.join(node.authorities)}")
    console.print(
        "  / is the web interface: sign in with a login below; the API reference is at "
        "/api/v1/docs (POST /api/v1/auth/login, then try any route)"
    )
    console.print(
        f"Logins: <cc>.officer, .supervisor, .contact, .custodian, .auditor, .admin "
        f"(cc = {', '.join(a.split('-')[0] for n in local for a in n.authorities)}); "
        f"password [bold]{password}[/]"
    )
    first = local[0]
    # The command as this process was started (e.g. .venv/bin/liaison), so the hint runs as is.
    command = Path(sys.executable).parent / "liaison"
    console.print(
        f"Try:  LIAISON_CONFIG={base / first.name / 'liaison.toml'} {command} note send "
        f'--from {first.authorities[0]} --to {local[-1].authorities[-1]} "Xin chào"'
    )
    console.print("Ctrl-C stops every node")


@app.command("worker")
@handle_errors
def worker(
    once: Annotated[bool, typer.Option("--once", help="One step of every loop, then exit")] = False,
) -> None:
    """The node's background work: deliver the outbox, move evidence packages, remind of
    deadlines, apply retention, expire uploads, e-mail notifications, sign audit checkpoints."""

    from liaison import worker as runner  # noqa: PLC0415 - only `worker` runs the loops

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    report = runner.run(load_node(), composition.worker_loops(), once=once)
    if once:
        done = ", ".join(f"{name} {count}" for name, count in report.done.items())
        console.print(f"one pass: {done}")


def main() -> None:
    # Everything the node creates (SQLite files, keys, the demo's operator key, evidence) is
    # the node's alone: files 0600, folders 0700.
    os.umask(0o077)
    app()
