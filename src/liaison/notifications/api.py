"""Your notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.notifications import service
from liaison.notifications.models import MAX_ID
from liaison.notifications.schemas import NotificationRead

# Database integers are 64-bit: a larger id is no notification (not an overflow).
router = APIRouter(prefix="/notifications", tags=["notifications"])
Me = Annotated[Principal, Depends(require(Permission.own_profile_read))]


@router.get("", response_model=list[NotificationRead])
def mine(principal: Me, session: SessionDep, unread: bool = False) -> list[NotificationRead]:
    """Your reminders and alerts, newest first. Permission: self:profile:read."""
    return [
        NotificationRead.model_validate(n)
        for n in service.for_user(session=session, user_id=principal.user.id, unread_only=unread)
    ]


@router.post("/{notification_id}/read", response_model=NotificationRead)
def read(
    notification_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: Me,
    session: SessionDep,
    node: NodeDep,
) -> NotificationRead:
    """Mark one as read. Permission: self:profile:read."""
    return NotificationRead.model_validate(
        service.mark_read(
            session=session,
            user_id=principal.user.id,
            notification_id=notification_id,
            clock=node.clock,
        )
    )
