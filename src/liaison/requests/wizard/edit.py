"""A draft's steps: each page asks one group of questions generated from the kind's schema,
saves its answers into the draft (the same update as PATCH /api/v1/requests/{id}), and can be
checked in place (htmx posts it to /check and swaps in the problems; without JavaScript the
same button reloads the page with them). Then "check your answers", the preview of the formal
document, and submission for approval (the workflow's own step; four eyes follow)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from liaison.authorities.models import Authority
from liaison.core.errors import Conflict, InvalidInput, LiaisonError, NotFound
from liaison.core.permissions import Permission
from liaison.documents.render import render_pdf
from liaison.i18n import LANGUAGES
from liaison.requests import service, validation
from liaison.requests.formal import issued
from liaison.requests.forms import codes
from liaison.requests.forms.schema import content_schema
from liaison.requests.lifecycle import rules, workflow
from liaison.requests.models import Request
from liaison.requests.schemas import DraftCheck, RequestUpdate
from liaison.requests.table import Side, Status
from liaison.requests.wizard import answers, conditions, drafts, render
from liaison.requests.wizard.steps import (
    CONDITIONS,
    EXPLAINED,
    Step,
    step_named,
    step_of_path,
    steps_of,
)
from liaison.web.cookies import FIELD
from liaison.web.forms import Problems
from liaison.web.pages import Page, form_for, page_for
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
Drafter = Annotated[Page, Depends(page_for(Permission.request_draft))]
DraftForm = Annotated[Page, Depends(form_for(Permission.request_draft))]
Reader = Annotated[Page, Depends(page_for(Permission.request_read))]
ACTION = "wizard_action"
UNSENT = frozenset({Status.draft, Status.awaiting_approval, Status.approved})


@dataclass
class View:
    """What the fields' templates need besides the fields."""

    zone: str
    default_language: str
    accepted: str
    gaps: set[str]
    code_list: Any
    explained: dict[str, str] = field(default_factory=lambda: dict(EXPLAINED))
    suggested: set[str] = field(default_factory=set)


@dataclass
class Draft:
    request: Request
    schema: dict[str, Any]
    ctx: render.Context
    view: View


def _draft(page: Page, request_id: str) -> Draft:
    """The user's own authority's draft they may see (else the same 404 as any unknown
    request), while it is a draft."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    if request.status != Status.draft or request.side is not Side.requesting:
        raise Conflict(f"only a draft can be edited; this request is {request.status}")
    schema = content_schema(request.kind, lang=page.lang, subtype=request.subtype)

    def code_list(name: str) -> list[tuple[str, str]]:
        return [(c["code"], c["label"]) for c in codes.code_list(name, page.lang)]

    accepted = _accepted(page, request)
    labels = dict(code_list("languages"))
    offered = list(dict.fromkeys([page.lang, request.language, *accepted, *LANGUAGES]))
    notes = {
        "OffenceCode": {
            o["code"]: page._(N_("Article %(article)s"), article=o["article"])
            for o in codes.offences(page.lang)
        }
    }
    ctx = render.Context(schema.get("$defs", {}), code_list, offered, page.zone, notes)
    try:
        gaps = {
            f"content.{g}" for g in rules.translation_gaps(session=page.session, request=request)
        }
    except LiaisonError:
        gaps = set()
    view = View(
        zone=page.zone,
        default_language=page.lang,
        accepted=", ".join(labels.get(a, a) for a in accepted),
        gaps=gaps,
        code_list=code_list,
    )
    return Draft(request, schema, ctx, view)


def _accepted(page: Page, request: Request) -> list[str]:
    local = page.session.get(Authority, request.requested)
    if local is not None:
        return list(local.accepted_languages)
    found = drafts.recipient(session=page.session, user=page.user, authority_id=request.requested)
    return found.languages if found else []


def _step(draft: Draft, slug: str) -> Step:
    found = step_named(draft.schema, slug)
    if found is None:
        raise NotFound("no such step of a draft")
    return found


def _fields(draft: Draft, step: Step, raw: render.Raw | None) -> list[render.Field]:
    properties = draft.schema.get("properties", {})
    chosen = {k: properties[k] for k in step.keys}
    return render.fields(chosen, "content", draft.request.content, raw, draft.ctx)


def _raw(page: Page) -> dict[str, list[str]]:
    form = page.form
    if form is None:
        return {}
    return {
        k: [v for v in form.getlist(k) if isinstance(v, str)]
        for k in form
        if k not in (FIELD, ACTION)
    }


def _page(
    page: Page,
    draft: Draft,
    step: Step,
    found: list[render.Field],
    problems: Problems,
    *,
    status: int = 200,
    chosen: conditions.Chosen | None = None,
) -> Response:
    page.nav = "outgoing"
    listed = steps_of(draft.schema)
    index = listed.index(step)
    properties = draft.schema.get("properties", {})
    return page.render(
        "requests/wizard/step.html",
        status=status,
        request=draft.request,
        title=draft.schema.get("title", ""),
        step=step,
        steps=listed,
        # What each step of the kind's own questions asks, for the list of steps.
        about={
            s.slug: ", ".join(str(properties[k].get("title", k)) for k in s.keys)
            for s in listed
            if s.slug.startswith("details-")
        },
        number=index + 1,
        previous=listed[index - 1] if index else None,
        fields=found,
        problems=problems,
        view=draft.view,
        chosen=chosen or conditions.stored(draft.request, page.zone),
        flags=conditions.FLAGS,
    )


@router.get("/requests/{request_id}/edit/{slug}")
def step_page(request_id: str, slug: str, page: Drafter) -> Response:
    """One step of a draft. Permission: request:request:draft."""
    draft = _draft(page, request_id)
    step = _step(draft, slug)
    return _page(page, draft, step, _fields(draft, step, None), Problems())


@router.post("/requests/{request_id}/edit/{slug}")
def save_step(request_id: str, slug: str, page: DraftForm) -> Response:
    """Save the step into the draft and go on (or add or remove an item, saving nothing yet).
    Permission: request:request:draft."""
    draft = _draft(page, request_id)
    step = _step(draft, slug)
    action = page.field(ACTION, 300)
    if step.slug == CONDITIONS:
        return _save_conditions(page, draft, step)
    raw = _raw(page)
    if action.startswith(("add:", "remove:")):
        raw = render.changed(raw, action)
        return _page(page, draft, step, _fields(draft, step, raw), Problems())
    found = _fields(draft, step, raw)
    content = _content(draft, step, found, page.zone)
    try:
        service.update_draft(
            session=page.session,
            request=draft.request,
            update=RequestUpdate(content=content),
            ctx=page.ctx,
            clock=page.node.clock,
            lang=page.lang,
        )
    except InvalidInput as exc:
        page.session.rollback()
        problems = drafts.placed(exc.problems, render.names(found))
        if not problems:
            problems.add(found[0].name if found else "content", exc.message)
        return _page(page, draft, step, found, problems, status=422)
    return page.redirect(_next(draft, step, action))


def _content(draft: Draft, step: Step, found: list[render.Field], zone: str) -> dict[str, Any]:
    answers_ = {f.key: render.value_of(f, zone) for f in found}
    return drafts.merged(draft.request.content, step.keys, answers_)


def _next(draft: Draft, step: Step, action: str) -> str:
    base = f"/requests/{draft.request.id}/edit"
    listed = steps_of(draft.schema)
    index = listed.index(step)
    if action == "answers" or index + 1 == len(listed):
        return base
    return f"{base}/{listed[index + 1].slug}"


def _save_conditions(page: Page, draft: Draft, step: Step) -> Response:
    chosen = conditions.posted(page)
    problems = conditions.problems(page, chosen)
    if problems:
        return _page(page, draft, step, [], problems, status=422, chosen=chosen)
    service.update_draft(
        session=page.session,
        request=draft.request,
        update=conditions.update(draft.request, chosen, page.zone),
        ctx=page.ctx,
        clock=page.node.clock,
        lang=page.lang,
    )
    return page.redirect(_next(draft, step, page.field(ACTION, 300)))


def _check(page: Page, draft: Draft, content: dict[str, Any], **extra: Any) -> list[Any]:
    request = draft.request
    body = DraftCheck(
        kind=request.kind,
        subtype=request.subtype,
        to=request.requested,
        language=request.language,
        reference=request.reference,
        content=content,
        # What submission checks besides the contents: urgency and a deadline need reasons.
        conditions=request.conditions,
        urgent=request.urgent,
        wished_deadline=request.wished_deadline,
        linked_request=request.linked_request,
        **extra,
    )
    return validation.check_draft(
        session=page.session, user=page.user, draft=body, lang=page.lang, clock=page.node.clock
    )


@router.post("/requests/{request_id}/edit/{slug}/check")
def check_step(request_id: str, slug: str, page: DraftForm) -> Response:
    """The problems of this step as drafting and submission would find them, nothing saved:
    a fragment for htmx, else the page with them. Permission: request:request:draft."""
    draft = _draft(page, request_id)
    step = _step(draft, slug)
    if step.slug == CONDITIONS:
        chosen = conditions.posted(page)
        return _page(page, draft, step, [], conditions.problems(page, chosen), chosen=chosen)
    found = _fields(draft, step, _raw(page))
    found_problems = _check(page, draft, _content(draft, step, found, page.zone))
    keys = step.keys
    problems = drafts.placed(drafts.on_page(found_problems, keys), render.names(found))
    if page.htmx:
        return page.render("requests/wizard/problems.html", problems=problems, checked=True)
    return _page(page, draft, step, found, problems)


def _answers(page: Page, draft: Draft, problems: list[Any], status: int = 200) -> Response:
    page.nav = "outgoing"
    sections = []
    for step in steps_of(draft.schema):
        if step.slug == CONDITIONS:
            continue
        listed = answers.rows(_fields(draft, step, None), page._)
        sections.append((step, listed))
    base = f"/requests/{draft.request.id}/edit"
    linked = [
        (p.message, f"{base}/{step_of_path(draft.schema, p.path)}#field-{p.path}") for p in problems
    ]
    untranslated = any(p.path.removeprefix("content.") in _gap_paths(draft) for p in problems)
    return page.render(
        "requests/wizard/answers.html",
        status=status,
        request=draft.request,
        title=draft.schema.get("title", ""),
        sections=sections,
        conditions=conditions.rows(page, draft.request),
        problems=linked,
        untranslated=untranslated,
    )


def _gap_paths(draft: Draft) -> set[str]:
    return {g.removeprefix("content.") for g in draft.view.gaps}


@router.get("/requests/{request_id}/edit")
def check_answers(request_id: str, page: Drafter) -> Response:
    """Check your answers: every answer with a link to change it, what still stands in the way
    of submission, the preview, and "Submit for approval". Permission: request:request:draft."""
    draft = _draft(page, request_id)
    return _answers(page, draft, _check(page, draft, dict(draft.request.content)))


@router.post("/requests/{request_id}/submission")
def submit(request_id: str, page: DraftForm) -> Response:
    """Submit the draft for approval (the workflow's submit: a supervisor approves, four eyes).
    Permission: request:request:draft."""
    draft = _draft(page, request_id)
    without = page.field("without_translation", 10) == "yes"
    try:
        workflow.submit(
            session=page.session,
            request=draft.request,
            user=page.user,
            ctx=page.ctx,
            lang=page.lang,
            without_translation=without,
            clock=page.node.clock,
        )
    except InvalidInput as exc:
        page.session.rollback()
        draft = _draft(page, request_id)
        return _answers(
            page,
            draft,
            exc.problems or _check(page, draft, dict(draft.request.content)),
            status=422,
        )
    return page.redirect(f"/requests/{request_id}?done=submit")


@router.get("/requests/{request_id}/preview.pdf")
def preview(request_id: str, page: Reader) -> Response:
    """The formal request as it will read, unsigned and marked as a preview on every page,
    until it is sent. Permission: request:request:read."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    if request.status not in UNSENT or request.side is not Side.requesting:
        raise Conflict("a preview is made only of a request not yet sent by your authority")
    doc = issued.preview(session=page.session, request=request, clock=page.node.clock)
    # Rendering takes a fraction of a second: the read transaction ends first (no lock held).
    page.session.commit()
    out = io.BytesIO()
    render_pdf(doc, out=out)
    return Response(
        out.getvalue(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="request-{request_id}-preview.pdf"'},
    )
