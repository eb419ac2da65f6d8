"""Requests: drafting, four-eyes approval, sending, and every later step. Routes stay thin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from liaison.accounts.deps import Principal, require
from liaison.api.deps import LanguageDep, NodeDep, SessionDep
from liaison.core.errors import InvalidInput
from liaison.core.permissions import Permission
from liaison.requests import service, validation
from liaison.requests.lifecycle import consultations, workflow
from liaison.requests.schemas import (
    AssignmentCreate,
    ConsultationCreate,
    DraftCheck,
    DraftProblems,
    EventRead,
    FieldProblem,
    RequestCreate,
    RequestPagination,
    RequestRead,
    RequestUpdate,
    SubmissionCreate,
    TransitionCreate,
)
from liaison.requests.service import Sort
from liaison.requests.table import Action

router = APIRouter(prefix="/requests", tags=["requests"])
Reader = Annotated[Principal, Depends(require(Permission.request_read))]
Drafter = Annotated[Principal, Depends(require(Permission.request_draft))]
Approver = Annotated[Principal, Depends(require(Permission.request_approve))]
Executor = Annotated[Principal, Depends(require(Permission.request_execute))]
Assigner = Annotated[Principal, Depends(require(Permission.request_assign))]
# Actions taken through /actions/{action} (the others have their own routes): only these are
# offered, so the document never lists an action the route refuses.
StepName = Literal[
    "acknowledge",
    "start",
    "request_clarification",
    "respond_partially",
    "respond",
    "refuse",
    "postpone",
    "resume",
    "clarify",
    "withdraw",
    "close",
]


@router.post("", response_model=RequestRead, status_code=status.HTTP_201_CREATED)
def create(
    body: RequestCreate, principal: Drafter, session: SessionDep, node: NodeDep, lang: LanguageDep
) -> RequestRead:
    """A new draft to another authority: one hosted on this node or listed in the directory
    (422 otherwise, with the problem at `to`); malformed contents are refused with each problem
    at its path (`content.offences.0.code`). Permission: request:request:draft."""
    request = service.create_draft(
        session=session,
        user=principal.user,
        draft=body,
        ctx=principal.ctx,
        clock=node.clock,
        lang=lang,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


# Before the /{request_id} routes, though no method of theirs takes this path.
@router.post("/validate", response_model=DraftProblems)
def validate(
    body: DraftCheck, principal: Drafter, session: SessionDep, node: NodeDep, lang: LanguageDep
) -> DraftProblems:
    """Check a draft, whole or partial, as drafting and submission would: every problem at its
    path in the request, in the user's language (`?lang=` or Accept-Language). Nothing is
    stored. Permission: request:request:draft."""
    problems = validation.check_draft(
        session=session, user=principal.user, draft=body, lang=lang, clock=node.clock
    )
    return DraftProblems(
        submittable=not problems,
        problems=[FieldProblem(path=p.path, message=p.message) for p in problems],
    )


@router.get("", response_model=RequestPagination)
def list_requests(
    principal: Reader,
    session: SessionDep,
    node: NodeDep,
    state: Annotated[str | None, Query(pattern="^[a-z_]{2,32}$")] = None,
    sort: Annotated[Sort, Query(description="newest first, or what is due soonest first")] = (
        "newest"
    ),
    due_before: Annotated[
        datetime | None, Query(description="only what is due before then (overdue: now)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> RequestPagination:
    """Requests of your authority you may see, a page at a time, with the total: newest first,
    or by what is due next (those with nothing due last). Permission: request:request:read."""
    if due_before is not None and due_before.tzinfo is None:
        raise InvalidInput("due_before needs a time zone")
    page = service.list_for(
        session=session,
        user=principal.user,
        status=state,
        sort=sort,
        due_before=due_before,
        limit=limit,
        offset=offset,
    )
    return RequestPagination(
        items=[
            service.read_model(session=session, request=r, now=node.clock.now()) for r in page.items
        ],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/{request_id}", response_model=RequestRead)
def read(request_id: str, principal: Reader, session: SessionDep, node: NodeDep) -> RequestRead:
    """One request. Permission: request:request:read (and being able to see it)."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.get("/{request_id}/events", response_model=list[EventRead])
def events(request_id: str, principal: Reader, session: SessionDep) -> list[EventRead]:
    """Status history and consultations. Permission: request:request:read."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    return [
        EventRead.model_validate(e) for e in consultations.history(session=session, request=request)
    ]


@router.patch("/{request_id}", response_model=RequestRead)
def update(
    request_id: str,
    body: RequestUpdate,
    principal: Drafter,
    session: SessionDep,
    node: NodeDep,
    lang: LanguageDep,
) -> RequestRead:
    """Edit a draft. Permission: request:request:draft."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    service.update_draft(
        session=session,
        request=request,
        update=body,
        ctx=principal.ctx,
        clock=node.clock,
        lang=lang,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/submit", response_model=RequestRead)
def submit(
    request_id: str,
    principal: Drafter,
    session: SessionDep,
    node: NodeDep,
    lang: LanguageDep,
    body: SubmissionCreate | None = None,
) -> RequestRead:
    """Submit for approval; refused (422) with every missing item listed, and when a free text
    has no version in a language the recipient accepts unless `without_translation` is chosen:
    the sentence in `detail`, and each problem at its path in `problems` (`content.facts`), in
    the user's language (`?lang=` or Accept-Language). Permission: request:request:draft."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    workflow.submit(
        session=session,
        request=request,
        user=principal.user,
        ctx=principal.ctx,
        lang=lang,
        without_translation=bool(body and body.without_translation),
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/approve", response_model=RequestRead)
def approve(
    request_id: str, principal: Approver, session: SessionDep, node: NodeDep
) -> RequestRead:
    """Approve and sign (four eyes). Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    workflow.approve(
        session=session,
        kek=node.kek,
        request=request,
        user=principal.user,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/return", response_model=RequestRead)
def return_to_draft(
    request_id: str, body: TransitionCreate, principal: Approver, session: SessionDep, node: NodeDep
) -> RequestRead:
    """Send back to the drafter with a reason. Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    workflow.return_to_draft(
        session=session,
        request=request,
        user=principal.user,
        reason=body.reason or "",
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/send", response_model=RequestRead)
def send(request_id: str, principal: Drafter, session: SessionDep, node: NodeDep) -> RequestRead:
    """Transmit the approved request. Permission: request:request:draft."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    workflow.send(
        session=session,
        request=request,
        user=principal.user,
        ctx=principal.ctx,
        kek=node.kek,
        max_envelope_bytes=node.settings.federation_max_envelope_bytes,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post(
    "/{request_id}/actions/{action}",
    response_model=RequestRead,
    responses={202: {"description": "proposed to the requested authority"}},
)
def step(
    request_id: str,
    action: StepName,
    body: TransitionCreate,
    principal: Executor,
    session: SessionDep,
    node: NodeDep,
) -> RequestRead:
    """acknowledge, start, request_clarification, respond_partially, respond, refuse, postpone,
    resume (requested side); clarify, withdraw, close (requesting side, applied when the
    requested node confirms). Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    workflow.act(
        session=session,
        request=request,
        user=principal.user,
        action=Action(action),
        ctx=principal.ctx,
        ground=body.ground,
        reason=body.reason,
        response=body.response,
        kek=node.kek,
        max_envelope_bytes=node.settings.federation_max_envelope_bytes,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post(
    "/{request_id}/consultations", response_model=EventRead, status_code=status.HTTP_201_CREATED
)
def consult(
    request_id: str,
    body: ConsultationCreate,
    principal: Executor,
    session: SessionDep,
    node: NodeDep,
) -> EventRead:
    """Consult the other authority (needed before refusing on some grounds).
    Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    return EventRead.model_validate(
        consultations.consult(
            session=session,
            request=request,
            user=principal.user,
            text=body.text,
            ctx=principal.ctx,
            clock=node.clock,
        )
    )


@router.post("/{request_id}/assignments", status_code=status.HTTP_204_NO_CONTENT)
def assign(
    request_id: str, body: AssignmentCreate, principal: Assigner, session: SessionDep, node: NodeDep
) -> None:
    """Assign a user of your authority. Permission: request:request:assign."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    service.assign(
        session=session, request=request, user_id=body.user_id, ctx=principal.ctx, clock=node.clock
    )
