"""Using a request beyond itself: export for domestic use, forwarding, authorisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.requests import service
from liaison.requests.sharing import exports
from liaison.requests.sharing.schemas import AuthorisationCreate, ExportCreate, ForwardCreate

router = APIRouter(prefix="/requests", tags=["requests"])
Executor = Annotated[Principal, Depends(require(Permission.request_execute))]
Approver = Annotated[Principal, Depends(require(Permission.request_approve))]


@router.post("/{request_id}/export")
def export(
    request_id: str, body: ExportCreate, principal: Executor, session: SessionDep, node: NodeDep
) -> dict[str, object]:
    """The request and its results for domestic use, if the other side's conditions allow it
    (speciality). Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    return exports.export(
        session=session,
        request=request,
        user=principal.user,
        use=body.use,
        proceeding=body.proceeding,
        ctx=principal.ctx,
        clock=node.clock,
    )


@router.post("/{request_id}/forward", status_code=status.HTTP_202_ACCEPTED)
def forward(
    request_id: str, body: ForwardCreate, principal: Approver, session: SessionDep, node: NodeDep
) -> dict[str, str]:
    """Give the request and its results to a third authority, if the other side authorised it
    (no onward transfer). Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    envelope = exports.forward(
        session=session,
        request=request,
        user=principal.user,
        to=body.to,
        note=body.note,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return {"envelope": envelope}


@router.post("/{request_id}/authorisations", status_code=status.HTTP_202_ACCEPTED)
def authorise(
    request_id: str,
    body: AuthorisationCreate,
    principal: Approver,
    session: SessionDep,
    node: NodeDep,
) -> dict[str, str]:
    """Lift a condition you set, for one use; sent to the other side.
    Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    exports.authorise(
        session=session,
        request=request,
        user=principal.user,
        condition=body.condition,
        value=body.value,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return {"status": "sent"}
