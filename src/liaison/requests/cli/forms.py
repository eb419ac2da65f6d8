"""`liaison request codes|schema|validate`: what the API gives a form, on the command line — the
code lists and the JSON Schema of a kind's contents in a language, and the check of a draft
without storing it (as a named user, permission request:request:draft).

The words come from the formal document's catalogs, which load the documents package: imported
when a command runs, so that every other command starts without them.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from liaison.accounts.operator import acting
from liaison.cli_support import console, fail, handle_errors
from liaison.core.permissions import Permission
from liaison.i18n import best_language
from liaison.requests.cli import printing as out
from liaison.requests.cli.app import AsJson, AsUser, app

Lang = Annotated[str, typer.Option("--lang", help="Language of labels and messages, e.g. ru")]
Kind = Annotated[str, typer.Option("--kind", help="mla, preservation, disclosure, ...")]
Subtype = Annotated[
    str | None, typer.Option("--subtype", help="MLA sub-type, or provisional_arrest")
]


@app.command("codes")
@handle_errors
def codes(
    name: Annotated[str, typer.Argument(help="request-kinds, offences, states, time-zones, ...")],
    lang: Lang = "en",
    as_json: AsJson = False,
) -> None:
    """A code list with its labels in a language (as GET /api/v1/codes/{name})."""
    from liaison.requests.forms import codes as lists  # noqa: PLC0415 - lazy, see top

    choices = [c.value for c in lists.CodeList]
    if name not in choices:
        raise fail(f"unknown code list {name!r}; choose one of: {', '.join(choices)}", 2)
    entries = lists.code_list(name, best_language([lang]))
    if as_json:
        out.emit_json(entries)
        return
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for entry in entries:
        table.add_row(entry["code"], entry["label"])
    console.print(table)


@app.command("schema")
@handle_errors
def schema(kind: Kind, subtype: Subtype = None, lang: Lang = "en") -> None:
    """The JSON Schema of a kind's contents, worded in a language (as GET
    /api/v1/request-kinds/{kind}/schema): one JSON document."""
    from liaison.requests.forms.schema import content_schema  # noqa: PLC0415 - lazy, see top

    out.check_kind(kind)
    try:
        document = content_schema(kind, lang=best_language([lang]), subtype=subtype)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    out.emit_json(document)


@app.command("validate")
@handle_errors
def validate(
    username: AsUser,
    kind: Kind,
    to: Annotated[str, typer.Option("--to", help="Requested authority (in the directory)")],
    language: Annotated[str, typer.Option("--language", help="Language of the request, e.g. en")],
    content: Annotated[str, typer.Option("--content", help="Contents: FILE.json, or - for stdin")],
    subtype: Subtype = None,
    linked_request: Annotated[str | None, typer.Option("--linked-request")] = None,
    preservation_days: Annotated[int | None, typer.Option("--preservation-days")] = None,
    without_translation: Annotated[
        bool, typer.Option("--without-translation", help="As `submit` would be told")
    ] = False,
    lang: Lang = "en",
    as_json: AsJson = False,
) -> None:
    """Check a draft as drafting and submission would, storing nothing (as POST
    /api/v1/requests/validate). Exit 0 when nothing stands in the way of submission, 2 with
    each problem listed."""
    from liaison.requests import validation  # noqa: PLC0415 - lazy, see top
    from liaison.requests.schemas import (  # noqa: PLC0415 - lazy
        DraftCheck,
        DraftProblems,
        FieldProblem,
    )

    data = out.read_json_object(content, "content")
    try:
        draft = DraftCheck(
            kind=kind,
            subtype=subtype,
            to=to,
            language=language,
            content=data,
            linked_request=linked_request,
            preservation_days=preservation_days,
            without_translation=without_translation,
        )
    except ValidationError as exc:
        raise fail(f"invalid request: {out.validation_problems(exc)}", 2) from None
    with acting(username, Permission.request_draft) as actor:
        problems = validation.check_draft(
            session=actor.session,
            user=actor.user,
            draft=draft,
            lang=best_language([lang]),
            clock=actor.node.clock,
        )
    if as_json:
        found = [FieldProblem(path=p.path, message=p.message) for p in problems]
        out.emit_json(out.dump(DraftProblems(submittable=not problems, problems=found)))
    elif problems:
        for problem in problems:
            console.print(f"{problem.path}: {problem.message}", highlight=False, markup=False)
    else:
        console.print("nothing stands in the way of submission", highlight=False)
    if problems:
        raise typer.Exit(2)
