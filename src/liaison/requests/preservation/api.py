"""Routes of a preservation in place: extending it (requesting side), warning that the data may
not remain available (requested side). Both travel to the other node, which applies the same
rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.requests import service
from liaison.requests.preservation import service as preservation
from liaison.requests.schemas import ExtensionCreate, RequestRead, WarningCreate

router = APIRouter(prefix="/requests", tags=["requests"])
Executor = Annotated[Principal, Depends(require(Permission.request_execute))]


@router.post("/{request_id}/preservation/extension", response_model=RequestRead, status_code=202)
def extend(
    request_id: str, body: ExtensionCreate, principal: Executor, session: SessionDep, node: NodeDep
) -> RequestRead:
    """Ask the requested authority to keep the data longer (requesting side; the preservation
    is in place). Applied when its node confirms. Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    preservation.request_extension(
        session=session,
        request=request,
        user=principal.user,
        days=body.days,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())


@router.post("/{request_id}/preservation/warning", response_model=RequestRead)
def warn(
    request_id: str, body: WarningCreate, principal: Executor, session: SessionDep, node: NodeDep
) -> RequestRead:
    """Tell the requesting authority that preservation will not keep the data available (art.
    42: promptly). Requested side. Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    preservation.warn_unavailable(
        session=session,
        request=request,
        user=principal.user,
        text=body.text,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return service.read_model(session=session, request=request, now=node.clock.now())
