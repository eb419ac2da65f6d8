"""The plumbing of `liaison request`: what is read (JSON files) and what is printed (the API's
shapes, or rich tables). Who acts is liaison.accounts.operator.

JSON output goes through the API's own pydantic schemas so a script sees exactly the fields the
API returns, and is always one document on stdout (errors go to stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError

from liaison.accounts.operator import Actor
from liaison.cli_support import console, fail, print_fields, print_table
from liaison.requests import service
from liaison.requests.contents import RequestKind
from liaison.requests.models import Request, RequestEvent
from liaison.requests.schemas import EventRead, RequestPagination, RequestRead


def find_request(actor: Actor, request_id: str) -> Request:
    return service.get_for(session=actor.session, user=actor.user, request_id=request_id)


def read_of(actor: Actor, request: Request) -> RequestRead:
    """The API's read model of the request (what is due, a preservation's hold)."""
    return service.read_model(session=actor.session, request=request, now=actor.node.clock.now())


def show_request(actor: Actor, request: Request, as_json: bool, note: str = "") -> None:
    read = read_of(actor, request)
    if as_json:
        emit_json(dump(read))
    else:
        print_request(read, note=note)


def check_kind(kind: str) -> None:

    if kind not in {k.value for k in RequestKind}:
        choices = ", ".join(k.value for k in RequestKind)
        raise fail(f"unknown request kind {kind!r}; choose one of: {choices}", 2)


def parse_deadline(value: str | None, option: str = "--deadline") -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option} {value!r} is not an ISO date-time, e.g. 2026-04-01T17:00+07:00", 2
        ) from None


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


def page_json(actor: Actor, page: service.Page, *, limit: int, offset: int) -> dict[str, Any]:
    return dump(
        RequestPagination(
            items=[read_of(actor, r) for r in page.items],
            total=page.total,
            limit=limit,
            offset=offset,
        )
    )


def events_json(events: Sequence[RequestEvent]) -> list[dict[str, Any]]:
    return [dump(EventRead.model_validate(e)) for e in events]


def _when(value: object) -> str:
    return f"{_utc(value)} UTC" if value is not None else ""


def _utc(value: object) -> str:
    """For a column headed "(UTC)": the date and time alone, so that they fit on one line."""
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""


def _due(read: RequestRead, *, when: Callable[[object], str] = _when) -> str:
    if read.due_what is None:
        return ""
    late = " (overdue)" if read.overdue else ""
    return f"{read.due_what.replace('_', ' ')} by {when(read.due_at)}{late}"


def print_request(read: RequestRead, *, note: str = "") -> None:
    """A compact summary: identity, parties, state and the dates that matter."""
    kind = f"{read.kind}/{read.subtype}" if read.subtype else read.kind
    rows: list[tuple[str, str]] = [
        ("request", read.id),
        ("kind", kind),
        ("from → to", f"{read.requesting} → {read.requested}"),
        ("copy of", read.holder),
        ("status", read.status),
        ("reference", read.reference),
        ("language", read.language),
        ("urgent", "yes" if read.urgent else ""),
        ("wished deadline", _when(read.wished_deadline)),
        ("approved", f"{read.approved_by} {_when(read.approved_at)}" if read.approved_by else ""),
        ("sent", _when(read.sent_at)),
        ("received", _when(read.received_at)),
        ("executed", _when(read.executed_at)),
        ("ground", read.ground or ""),
        ("reason", read.status_reason or ""),
        ("due next", _due(read)),
        ("preserved until", _when(read.preservation_expiry)),
        ("held by", ", ".join(read.held_by)),
        ("kept until", _when(read.effective_expiry) if read.kind == "preservation" else ""),
        ("linked request", read.linked_request or ""),
        ("response", json.dumps(read.response, ensure_ascii=False) if read.response else ""),
        ("updated", _when(read.updated_at)),
    ]
    print_fields(rows)
    if note:
        console.print(note, highlight=False)


def print_events(events: Sequence[RequestEvent]) -> None:
    rows = []
    for event in events:
        read = EventRead.model_validate(event)
        rows.append(
            [
                str(read.seq),
                _utc(read.at),
                read.action,
                f"{read.from_status} → {read.to_status}",
                read.side,
                read.ground or "",
                read.reason or "",
            ]
        )
    headers = ["seq", "at (UTC)", "action", "from → to", "side", "ground", "reason"]
    print_table(headers, rows, title="history", empty="no step yet")


def print_list(requests: Sequence[RequestRead], *, total: int, offset: int = 0) -> None:
    if not requests:
        console.print("no requests" if total == 0 else f"no requests after the first {offset}")
        return
    print_table(
        ["id", "kind", "from → to", "status", "reference", "due next (UTC)"],
        [
            [
                request.id,
                request.kind,
                f"{request.requesting} → {request.requested}",
                request.status,
                request.reference,
                _due(request, when=_utc),
            ]
            for request in requests
        ],
    )
    if total > len(requests):
        first = offset + 1
        console.print(f"{first}-{offset + len(requests)} of {total}; --offset shows more")


def print_grounds(kind: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print(f"a {kind} is never refused or postponed: there are no grounds")
        return
    print_table(
        ["code", "use", "article", "consult first", "label"],
        [
            [
                row["code"],
                row["use"],
                row["article"],
                "yes" if row["consult_first"] else "",
                row["label"],
            ]
            for row in rows
        ],
        title=f"grounds for {kind} requests",
    )
