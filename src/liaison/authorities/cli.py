"""`liaison authority ...`"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from liaison.audit.context import cli_context
from liaison.authorities import service
from liaison.authorities.schemas import AuthorityCreate
from liaison.cli_support import console, fail, handle_errors, load_node, print_table, unit_of_work
from liaison.core.permissions import AuthorityRole

app = typer.Typer(help="Authorities hosted on this node.", no_args_is_help=True)


def _names(pairs: list[str]) -> dict[str, str]:
    names = {}
    for pair in pairs:
        lang, sep, name = pair.partition("=")
        if not sep:
            raise fail(f"--name takes LANG=NAME, got {pair!r}", 2)
        names[lang.strip()] = name.strip()
    return names


@app.command("add")
@handle_errors
def add(
    authority_id: Annotated[str, typer.Argument(help="Short id, e.g. vn-mps")],
    state: Annotated[str, typer.Option("--state", help="ISO 3166-1 alpha-2, e.g. VN")],
    name: Annotated[list[str], typer.Option("--name", help="LANG=NAME; repeat per language")],
    role: Annotated[list[AuthorityRole], typer.Option("--role", help="Repeat for several roles")],
    lang: Annotated[list[str], typer.Option("--lang", help="Accepted language; repeat")],
    require_totp: Annotated[bool, typer.Option("--require-totp")] = False,
) -> None:
    """Host a new authority here, with its signing and encryption keys."""
    try:
        data = AuthorityCreate(
            id=authority_id,
            state=state,
            names=_names(name),
            roles=role,
            accepted_languages=lang,
            require_totp=require_totp,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = first["loc"][0] if first["loc"] else "input"
        raise fail(f"invalid {where}: {first['msg']}", 2) from None
    node = load_node()
    with unit_of_work(node) as session:
        service.create(
            session=session, data=data, kek=node.kek, ctx=cli_context(), clock=node.clock
        )
    console.print(f"authority {authority_id} ({state}) added with fresh keys")


@app.command("list")
@handle_errors
def list_authorities() -> None:
    """Authorities on this node."""
    node = load_node()
    with unit_of_work(node) as session:
        hosted = service.list_all(session=session)
    print_table(
        ["id", "state", "roles", "name"],
        [
            [a.id, a.state, ", ".join(a.roles), a.names.get("en") or next(iter(a.names.values()))]
            for a in hosted
        ],
        empty="no authority is hosted on this node",
    )
