"""An authority's own deadlines per request kind (the defaults apply where none is set)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from liaison.api.deps import Principal, SessionDep, require
from liaison.core.permissions import Permission
from liaison.requests.contents import RequestKind
from liaison.requests.deadlines import set_policy
from liaison.requests.models import DeadlinePolicy

router = APIRouter(prefix="/deadline-policies", tags=["requests"])
Supervisor = Annotated[Principal, Depends(require(Permission.request_assign))]


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urgent: bool = False
    ack_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    response_days: int | None = Field(default=None, ge=1, le=3650)
    expiry_warning_days: int = Field(default=7, ge=1, le=365)


class PolicyRead(PolicyBody):
    model_config = ConfigDict(from_attributes=True)

    kind: str


@router.get("", response_model=list[PolicyRead])
def list_policies(principal: Supervisor, session: SessionDep) -> list[PolicyRead]:
    """Your authority's configured deadlines. Permission: request:request:assign."""
    rows = session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.authority_id == principal.authority_id)
    )
    return [PolicyRead.model_validate(r) for r in rows]


@router.put("/{kind}", response_model=PolicyRead)
def put_policy(
    kind: RequestKind, body: PolicyBody, principal: Supervisor, session: SessionDep
) -> PolicyRead:
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
    )
    return PolicyRead.model_validate(row)
