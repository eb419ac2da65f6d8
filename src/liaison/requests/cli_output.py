"""The plumbing of `liaison request`: who acts (checked as the API checks), what is read (JSON
files) and what is printed (the API's shapes, or rich tables).

JSON output goes through the API's own pydantic schemas so a script sees exactly the fields the
API returns, and is always one document on stdout (errors go to stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table
from sqlalchemy.orm import Session

from liaison.accounts import service as accounts
from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.cli_support import console, fail, load_node, unit_of_work
from liaison.core.errors import AuthenticationFailed, PermissionDenied
from liaison.core.permissions import Action as AuditAction
from liaison.core.permissions import Permission, Role, permissions_for
from liaison.node import Node
from liaison.requests import service, workflow
from liaison.requests.models import Request, RequestEvent
from liaison.requests.schemas import EventRead, RequestRead
from liaison.requests.statemachine import Action


class PermissionDeniedLogged(PermissionDenied):
    # As in the API: a refused attempt is a security event, so its audit entry is kept.
    keep_changes = True


@dataclass(frozen=True)
class Actor:
    node: Node
    session: Session
    user: User
    ctx: AuditContext


@contextmanager
def acting(username: str, permission: Permission) -> Iterator[Actor]:
    """One transaction as `username`, who must hold `permission` (the API route's permission)."""
    node = load_node()
    with unit_of_work(node) as session:
        user = accounts.by_username(session=session, username=username)
        if user.disabled:
            raise AuthenticationFailed(f"user {username!r} is disabled")
        ctx = AuditContext(
            actor=f"cli:{username}", channel=Channel.cli, authority_id=user.authority_id
        )
        roles = frozenset(Role(r) for r in user.roles)
        if permission not in permissions_for(roles, node_admin=user.is_node_admin):
            audit.record(
                session=session,
                ctx=ctx,
                action=AuditAction.authz_access_denied,
                target=f"permission:{permission}",
                clock=node.clock,
            )
            raise PermissionDeniedLogged(f"{username} lacks the permission {permission}")
        yield Actor(node=node, session=session, user=user, ctx=ctx)


def find_request(actor: Actor, request_id: str) -> Request:
    return service.get_for(session=actor.session, user=actor.user, request_id=request_id)


def show_request(request: Request, as_json: bool, note: str = "") -> None:
    if as_json:
        emit_json(request_json(request))
    else:
        print_request(request, note=note)


def check_kind(kind: str) -> None:
    from liaison.requests.contents import RequestKind

    if kind not in {k.value for k in RequestKind}:
        choices = ", ".join(k.value for k in RequestKind)
        raise fail(f"unknown request kind {kind!r}; choose one of: {choices}", 2)


def parse_deadline(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"--deadline {value!r} is not an ISO date-time, e.g. 2026-04-01T17:00+07:00", 2
        ) from None


def step(
    username: str,
    request_id: str,
    action: Action,
    *,
    as_json: bool,
    ground: str | None = None,
    reason: str | None = None,
    response: dict[str, Any] | None = None,
) -> None:
    with acting(username, Permission.request_execute) as actor:
        request = find_request(actor, request_id)
        event = workflow.act(
            session=actor.session,
            request=request,
            user=actor.user,
            action=action,
            ctx=actor.ctx,
            ground=ground,
            reason=reason,
            response=response,
            clock=actor.node.clock,
        )
        # On the requesting side an action after transmission is a proposal: the requested
        # node applies it and echoes it back, so the status here changes only then.
        note = (
            f"{action.value.replace('_', ' ')} proposed to {request.requested}; "
            "applied when its node confirms"
            if event is None
            else f"now {request.status}"
        )
        show_request(request, as_json, note)


def read_json_object(source: str, what: str) -> dict[str, Any]:
    """A JSON object from a file, or from stdin when `source` is "-"; a sentence if not."""
    name = "stdin" if source == "-" else source
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise fail(f"cannot read the {what} file {name}: {reason}", 2) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise fail(
            f"the {what} in {name} is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})",
            2,
        ) from None
    if not isinstance(data, dict):
        raise fail(f"the {what} in {name} must be a JSON object {{...}}", 2)
    return data


def validation_problems(exc: ValidationError) -> str:
    """Every problem pydantic found, as one line a user can act on."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def dump(model: BaseModel) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json")
    return dumped


def request_json(request: Request) -> dict[str, Any]:
    return dump(RequestRead.model_validate(request))


def events_json(events: Sequence[RequestEvent]) -> list[dict[str, Any]]:
    return [dump(EventRead.model_validate(e)) for e in events]


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else ""


def print_request(request: Request, *, note: str = "") -> None:
    """A compact summary: identity, parties, state and the dates that matter."""
    read = RequestRead.model_validate(request)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    kind = f"{read.kind}/{read.subtype}" if read.subtype else read.kind
    rows: list[tuple[str, str]] = [
        ("request", read.id),
        ("kind", kind),
        ("from → to", f"{read.requesting} → {read.requested}"),
        ("held by", read.holder),
        ("status", read.status),
        ("reference", read.reference),
        ("language", read.language),
        ("urgent", f"yes: {read.urgency_reason or ''}" if read.urgent else ""),
        ("wished deadline", _when(read.wished_deadline)),
        ("approved", f"{read.approved_by} {_when(read.approved_at)}" if read.approved_by else ""),
        ("sent", _when(read.sent_at)),
        ("received", _when(read.received_at)),
        ("executed", _when(read.executed_at)),
        ("ground", read.ground or ""),
        ("reason", read.status_reason or ""),
        ("preserved until", _when(read.preservation_expiry)),
        ("linked request", read.linked_request or ""),
        ("response", json.dumps(read.response, ensure_ascii=False) if read.response else ""),
        ("updated", _when(read.updated_at)),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, value)
    console.print(table)
    if note:
        console.print(note, highlight=False)


def print_events(events: Sequence[RequestEvent]) -> None:
    table = Table(title="history", title_justify="left")
    for column in ("seq", "at", "action", "from → to", "side", "ground", "reason"):
        table.add_column(column, overflow="fold")
    for event in events:
        read = EventRead.model_validate(event)
        table.add_row(
            str(read.seq),
            _when(read.at),
            read.action,
            f"{read.from_status} → {read.to_status}",
            read.side,
            read.ground or "",
            read.reason or "",
        )
    console.print(table)


def print_list(requests: Sequence[Request]) -> None:
    if not requests:
        console.print("no requests")
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in ("kind", "from → to", "status", "reference", "updated"):
        table.add_column(column, overflow="fold")
    for request in requests:
        table.add_row(
            request.id,
            request.kind,
            f"{request.requesting} → {request.requested}",
            request.status,
            request.reference,
            _when(request.updated_at),
        )
    console.print(table)


def grounds_rows(kind: str) -> list[dict[str, Any]]:
    """The closed lists for one kind: refusal grounds first, then postponement grounds."""
    from liaison.requests import contents

    rows = []
    for use, grounds in (
        ("refuse", contents.refusal_grounds(kind)),
        ("postpone", contents.postponement_grounds(kind)),
    ):
        rows += [
            {
                "code": g.code.value,
                "use": use,
                "label": g.label,
                "article": g.article,
                "consult_first": g.consult_first,
            }
            for g in grounds
        ]
    return rows


def print_grounds(kind: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print(f"a {kind} is never refused or postponed: there are no grounds")
        return
    table = Table(title=f"grounds for a {kind} request", title_justify="left")
    table.add_column("code", no_wrap=True)
    for column in ("use", "article", "consult first", "label"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["code"],
            row["use"],
            row["article"],
            "yes" if row["consult_first"] else "",
            row["label"],
        )
    console.print(table)
