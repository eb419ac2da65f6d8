"""The `liaison request` command group, and the options its commands share."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Requests: draft, approve, send, and every later step.", no_args_is_help=True
)

AsUser = Annotated[
    str, typer.Option("--as", help="Act as this user of an authority hosted on this node")
]
RequestId = Annotated[str, typer.Argument(help="Request id")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document (API fields)")]
Reason = Annotated[str, typer.Option("--reason", help="Written reason")]
Ground = Annotated[str, typer.Option("--ground", help="Code from `liaison request grounds`")]
