"""The steps of a request as pages: each asks what it needs, says what it will send, and is
taken only when requests.offered offers it to the reader now. Each step then goes through the
same service function as its API route, under the same permission.

The table's steps and consultations ask a reason or a ground (here); the others ask fields of
their own (web_sharing: export, forward, authorise; web_reports: the preservation's extension
and warning, the prosecution's reports), through web_step_forms.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from liaison.core.errors import Conflict, InvalidInput, PermissionDenied
from liaison.core.permissions import Permission
from liaison.requests import service, web_reports, web_sharing, web_step_forms, web_words
from liaison.requests.lifecycle import consultations, workflow
from liaison.requests.models import Request
from liaison.requests.offered import ACTION_OF, Offer, Step, offer, permission_of
from liaison.requests.web_contents import ground_label
from liaison.web.forms import Problems
from liaison.web.pages import Page, Section, form_for, page_for
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
# Every step's page needs request:request:read to see the request; the step's own
# permission is checked again (permission_of) before anything is done.
Reader = Annotated[Page, Depends(page_for(Permission.request_read))]
Poster = Annotated[Page, Depends(form_for(Permission.request_read))]
# The steps that ask fields of their own; with the table's steps and consultations, every step
# requests.offered can offer has a page.
FORMS = {**web_sharing.FORMS, **web_reports.FORMS}
PAGED = frozenset({*ACTION_OF, Step.consult, *FORMS})
REASON_LIMIT = 10_000


def _offer(page: Page, request: Request, step: Step) -> Offer:
    permissions = page.principal.permissions if page.principal else frozenset()
    if permission_of(step) not in permissions:
        raise PermissionDenied("your role does not allow this step")
    found = offer(
        session=page.session,
        user=page.user,
        permissions=permissions,
        request=request,
        step=step,
    )
    if found is None or step not in PAGED:
        raise Conflict("this step is not open to you on this request now")
    return found


def _step(value: str) -> Step:
    try:
        return Step(value)
    except ValueError:
        raise InvalidInput("no such step") from None


def _form(
    page: Page,
    request: Request,
    found: Offer,
    problems: Problems,
    *,
    reason: str = "",
    ground: str = "",
    status: int = 200,
) -> Response:
    page.nav = "incoming" if request.requested == page.user.authority_id else "outgoing"
    return page.render(
        "requests/step.html",
        status=status,
        request=request,
        offer=found,
        problems=problems,
        reason=reason,
        chosen_ground=ground,
        grounds=[
            (g.code.value, ground_label(g.code.value, page.lang), open_now)
            for g, open_now in found.grounds
        ],
        words=web_words,
        asks_text=found.needs_reason or found.step is Step.consult,
    )


@router.get("/requests/{request_id}/steps/{step}")
def step_form(request_id: str, step: str, page: Reader) -> Response:
    """What the step asks and what it will send. Permission: request:request:read, and the
    step's own (request:request:draft, approve or execute)."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    chosen = _step(step)
    found = _offer(page, request, chosen)
    if chosen in FORMS:
        return web_step_forms.show(page, request, found, FORMS[chosen])
    return _form(page, request, found, Problems())


@router.post("/requests/{request_id}/steps/{step}")
def take_step(request_id: str, step: str, page: Poster) -> Response:
    """Take the step. Permission: request:request:read, and the step's own."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    chosen = _step(step)
    found = _offer(page, request, chosen)
    if chosen in FORMS:
        return web_step_forms.post(page, request, found, FORMS[chosen])
    reason, ground = page.field("reason", REASON_LIMIT), page.field("ground", 64)
    problems = Problems()
    if len(reason) > REASON_LIMIT:
        problems.add("reason", page._(N_("Shorten the text to at most 10,000 characters")))
    elif (found.needs_reason or chosen is Step.consult) and not reason:
        problems.add("reason", page._(N_("Write what the other side should know")))
    grounds = {g.code.value: open_now for g, open_now in found.grounds}
    if found.grounds:
        if ground not in grounds:
            problems.add("ground", page._(N_("Choose a ground from the list")))
        elif not grounds[ground]:
            problems.add(
                "ground",
                page._(N_("This ground needs a consultation of the other side first")),
            )
    if problems:
        return _form(page, request, found, problems, reason=reason, ground=ground, status=422)
    try:
        _take(page, request, chosen, reason=reason or None, ground=ground or None)
    except InvalidInput as exc:
        # The service's own sentence (what is missing, which rule refused); nothing was written.
        page.session.rollback()
        problems.add("reason", exc.message)
        return _form(page, request, found, problems, reason=reason, ground=ground, status=422)
    return page.redirect(f"/requests/{request.id}?done={chosen.value}")


def _take(
    page: Page, request: Request, step: Step, *, reason: str | None, ground: str | None
) -> None:
    session, user, ctx, clock = page.session, page.user, page.ctx, page.node.clock
    if step is Step.submit:
        workflow.submit(
            session=session, request=request, user=user, ctx=ctx, lang=page.lang, clock=clock
        )
    elif step is Step.approve:
        workflow.approve(
            session=session, kek=page.node.kek, request=request, user=user, ctx=ctx, clock=clock
        )
    elif step is Step.return_to_draft:
        workflow.return_to_draft(
            session=session, request=request, user=user, reason=reason or "", ctx=ctx, clock=clock
        )
    elif step is Step.send:
        workflow.send(
            session=session,
            request=request,
            user=user,
            ctx=ctx,
            kek=page.node.kek,
            max_envelope_bytes=page.node.settings.federation_max_envelope_bytes,
            clock=clock,
        )
    elif step is Step.consult:
        consultations.consult(
            session=session, request=request, user=user, text=reason or "", ctx=ctx, clock=clock
        )
    else:
        workflow.act(
            session=session,
            request=request,
            user=user,
            action=ACTION_OF[step],
            ctx=ctx,
            ground=ground,
            reason=reason,
            # A decision (response, refusal) issues the signed response document.
            kek=page.node.kek,
            max_envelope_bytes=page.node.settings.federation_max_envelope_bytes,
            clock=clock,
        )


section = Section(router=router)
