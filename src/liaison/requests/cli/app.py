"""The `liaison request` command group, and the options its commands share.

Each command is imported when it is looked up (liaison.cli_lazy): `liaison request list` loads
the reading commands, not the drafting service behind `new` and `edit`. COMMANDS names the
module that registers each command; a test holds it to what the modules register."""

from __future__ import annotations

from functools import partial
from importlib import import_module
from typing import Annotated, Any

import typer
from typer._click import Command
from typer.core import TyperGroup

from liaison.cli_lazy import LazyCommands, registered

COMMANDS = {
    **dict.fromkeys(("show", "list", "grounds"), "reading"),
    **dict.fromkeys(("new", "edit", "submit", "approve", "return", "send"), "drafting"),
    **dict.fromkeys(
        (
            *("ack", "start", "clarify-request", "clarify", "refuse", "postpone", "resume"),
            *("withdraw", "close", "respond", "consult", "assign"),
        ),
        "execution",
    ),
    **dict.fromkeys(("codes", "schema", "validate"), "forms"),
    **dict.fromkeys(("extend", "warn"), "preservation"),
    **dict.fromkeys(("prosecution-submitted", "prosecution-outcome"), "prosecution"),
}


def _load(name: str) -> Command:
    # A module of this package, named in COMMANDS; importing it registers its commands on app.
    import_module(f"liaison.requests.cli.{COMMANDS[name]}")
    return registered(app, name)


class _Requests(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(
            self.commands, {name: partial(_load, name) for name in COMMANDS}
        )


app = typer.Typer(
    cls=_Requests,
    help="Requests: draft, approve, send, and every later step.",
    no_args_is_help=True,
)

AsUser = Annotated[
    str, typer.Option("--as", help="Act as this user of an authority hosted on this node")
]
RequestId = Annotated[str, typer.Argument(help="Request id")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document (API fields)")]
Reason = Annotated[str, typer.Option("--reason", help="Written reason")]
Ground = Annotated[str, typer.Option("--ground", help="Code from `liaison request grounds`")]
