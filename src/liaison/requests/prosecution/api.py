"""Routes of the domestic prosecution a refused extradition obliges (requested side)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.requests import service
from liaison.requests.prosecution import service as prosecution
from liaison.requests.schemas import (
    ProsecutionOutcomeCreate,
    RequestRead,
    SubmissionToProsecutionCreate,
)

router = APIRouter(prefix="/requests", tags=["requests"])
Executor = Annotated[Principal, Depends(require(Permission.request_execute))]


@router.post("/{request_id}/prosecution/submission", response_model=RequestRead)
def submitted(
    request_id: str,
    body: SubmissionToProsecutionCreate,
    principal: Executor,
    session: SessionDep,
    node: NodeDep,
) -> RequestRead:
    """Record the authority the case was submitted to for prosecution, and when; sent to the
    requesting authority. Requested side. Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    prosecution.record_submission(
        session=session,
        request=request,
        user=principal.user,
        submitted_to=body.submitted_to,
        submitted_at=body.submitted_at,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/prosecution/outcome", response_model=RequestRead)
def decided(
    request_id: str,
    body: ProsecutionOutcomeCreate,
    principal: Executor,
    session: SessionDep,
    node: NodeDep,
) -> RequestRead:
    """Report the outcome of the domestic prosecution (art. 37(4)); sent to the requesting
    authority. Requested side. Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    prosecution.record_outcome(
        session=session,
        request=request,
        user=principal.user,
        outcome=body.outcome,
        decided_at=body.decided_at,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())
