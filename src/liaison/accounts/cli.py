"""`liaison user ...`"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from liaison.accounts import service, signin
from liaison.accounts.schemas import UserCreate
from liaison.audit.context import cli_context
from liaison.authorities import service as authorities
from liaison.cli_support import (
    console,
    fail,
    handle_errors,
    load_node,
    print_table,
    read_secret,
    unit_of_work,
)
from liaison.core.permissions import Role

app = typer.Typer(help="Users of an authority.", no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    authority: Annotated[str, typer.Option("--authority", "-a", help="Authority id, e.g. vn-mps")],
    username: Annotated[str, typer.Argument(help="Sign-in name: a-z, 0-9, . _ -")],
    role: Annotated[list[Role], typer.Option("--role", "-r", help="Repeat for several roles")],
    name: Annotated[str | None, typer.Option("--name", help="Display name")] = None,
    node_admin: Annotated[
        bool, typer.Option("--node-admin", help="May read every authority")
    ] = False,
) -> None:
    """Add a user. The password is read from the terminal (or stdin when piped)."""
    password = read_secret("Password", confirm=True)
    try:
        data = UserCreate(
            username=username, display_name=name or username, password=password, roles=role
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"invalid {first['loc'][0]}: {first['msg']}", 2) from None
    node = load_node()
    with unit_of_work(node) as session:
        user = service.create(
            session=session,
            authority_id=authority,
            data=data,
            ctx=cli_context(),
            node_admin=node_admin,
            clock=node.clock,
        )
        console.print(
            f"added user [bold]{user.username}[/] ({', '.join(user.roles)}) to {authority}"
        )


@app.command("passwd")
@handle_errors
def passwd(username: Annotated[str, typer.Argument()]) -> None:
    """Set a user's password (read from the terminal, or stdin when piped); ends their sessions."""
    password = read_secret("New password", confirm=True)
    node = load_node()
    with unit_of_work(node) as session:
        user = service.by_username(session=session, username=username)
        service.set_password(
            session=session, user=user, password=password, ctx=cli_context(), clock=node.clock
        )
    console.print(f"password of {username} changed")


@app.command("totp")
@handle_errors
def totp(username: Annotated[str, typer.Argument()]) -> None:
    """Enrol (or re-enrol) a TOTP second factor; prints the otpauth:// URI for the app."""
    node = load_node()
    with unit_of_work(node) as session:
        user = service.by_username(session=session, username=username)
        uri = signin.enroll_totp(
            session=session, kek=node.kek, user=user, ctx=cli_context(), clock=node.clock
        )
    console.print(uri, highlight=False, soft_wrap=True)


@app.command("list")
@handle_errors
def list_users(authority: Annotated[str, typer.Option("--authority", "-a")]) -> None:
    """Users of one authority."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        users = service.list_for(session=session, authority_id=authority)
    print_table(
        ["user", "roles", "state"],
        [
            [user.username, ", ".join(user.roles), "disabled" if user.disabled else "active"]
            for user in users
        ],
        empty=f"{authority} has no users",
    )
