"""An authority's own deadlines per request kind (the defaults apply where none is set)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.requests.contents import RequestKind
from liaison.requests.deadlines.models import DeadlinePolicy
from liaison.requests.deadlines.policy import set_policy
from liaison.requests.deadlines.schemas import DeadlinePolicyRead, DeadlinePolicyUpdate

router = APIRouter(prefix="/deadline-policies", tags=["requests"])
Supervisor = Annotated[Principal, Depends(require(Permission.request_assign))]


@router.get("", response_model=list[DeadlinePolicyRead])
def list_policies(principal: Supervisor, session: SessionDep) -> list[DeadlinePolicyRead]:
    """Your authority's configured deadlines. Permission: request:request:assign."""
    rows = session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.authority_id == principal.authority_id)
    )
    return [DeadlinePolicyRead.model_validate(r) for r in rows]


@router.put("/{kind}", response_model=DeadlinePolicyRead)
def put_policy(
    kind: RequestKind,
    body: DeadlinePolicyUpdate,
    principal: Supervisor,
    session: SessionDep,
    node: NodeDep,
) -> DeadlinePolicyRead:
    """Set your authority's deadlines for one kind and urgency.
    Permission: request:request:assign."""
    row = set_policy(
        session=session,
        authority_id=principal.authority_id,
        kind=kind.value,
        urgent=body.urgent,
        ack_hours=body.ack_hours,
        response_days=body.response_days,
        expiry_warning_days=body.expiry_warning_days,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return DeadlinePolicyRead.model_validate(row)
