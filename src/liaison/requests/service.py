"""Requests as data: drafts, reading with visibility rules, assignments. Never commits.

Who sees a request: only users of the authority holding the copy (the two authorities of a
request each hold one), and within it its supervisors, the users assigned to it, and — for
the 24/7 kinds — the authority's 24/7 contacts. A third authority's users never see it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import Action, Role
from liaison.requests.models import Request, RequestAssignment
from liaison.requests.statemachine import Status

# Kinds a 24/7 contact point handles without being assigned (art. 41 to 43).
CONTACT_KINDS = frozenset({"preservation", "disclosure"})


def _assign(session: Session, request: Request, user_id: str, now: datetime) -> None:
    if session.get(RequestAssignment, (request.holder, request.id, user_id)) is None:
        session.add(
            RequestAssignment(
                holder=request.holder, request_id=request.id, user_id=user_id, assigned_at=now
            )
        )


def create_draft(
    *,
    session: Session,
    user: User,
    kind: str,
    requested: str,
    content: dict[str, Any],
    language: str,
    reference: str,
    subtype: str | None,
    conditions: dict[str, Any],
    urgent: bool = False,
    urgency_reason: str | None = None,
    wished_deadline: datetime | None = None,
    deadline_reason: str | None = None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> Request:
    if requested == user.authority_id:
        raise InvalidInput("a request goes to another authority, not to your own")
    now = clock.now()
    request = Request(
        holder=user.authority_id,
        id=new_id_str(),
        kind=kind,
        subtype=subtype,
        requesting=user.authority_id,
        requested=requested,
        status=Status.draft,
        seq=0,
        version=1,
        reference=reference,
        language=language,
        content=content,
        urgent=urgent,
        urgency_reason=urgency_reason,
        wished_deadline=wished_deadline,
        deadline_reason=deadline_reason,
        conditions=conditions,
        created_by=user.id,
        created_at=now,
        updated_at=now,
        response={},
    )
    session.add(request)
    session.flush()
    _assign(session, request, user.id, now)
    audit.record(
        session=session,
        ctx=ctx,
        action=Action.request_draft_created,
        target=f"request:{request.id}",
        authority_id=user.authority_id,
        detail={"kind": kind, "to": requested},
        clock=clock,
    )
    return request


def update_draft(
    *,
    session: Session,
    request: Request,
    changes: dict[str, Any],
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> Request:
    if request.status != Status.draft:
        raise InvalidInput(f"only a draft can be edited; this request is {request.status}")
    for name, value in changes.items():
        setattr(request, name, value)
    request.version += 1
    request.updated_at = clock.now()
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=Action.request_draft_updated,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"fields": sorted(changes), "version": request.version},
        clock=clock,
    )
    return request


def can_see(session: Session, user: User, request: Request) -> bool:
    if user.authority_id != request.holder:
        return False
    roles = set(user.roles)
    if Role.supervisor in roles:
        return True
    if Role.contact_24_7 in roles and request.kind in CONTACT_KINDS:
        return True
    return session.get(RequestAssignment, (request.holder, request.id, user.id)) is not None


def get_for(*, session: Session, user: User, request_id: str) -> Request:
    """The copy held by the user's authority, if the user may see it; otherwise NotFound, so a
    third party cannot even learn that the request exists."""
    request = session.get(Request, (user.authority_id, request_id))
    if request is None or not can_see(session, user, request):
        raise NotFound(f"no request {request_id}")
    return request


def get_copy(*, session: Session, holder: str, request_id: str) -> Request | None:
    return session.get(Request, (holder, request_id))


def list_for(
    *, session: Session, user: User, status: str | None = None, limit: int = 200
) -> list[Request]:
    query = select(Request).where(Request.holder == user.authority_id)
    if status:
        query = query.where(Request.status == status)
    rows = session.scalars(query.order_by(Request.id.desc()).limit(limit * 4))
    return [r for r in rows if can_see(session, user, r)][:limit]


def assign(
    *,
    session: Session,
    request: Request,
    user_id: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    user = session.get(User, user_id)
    if user is None or user.authority_id != request.holder:
        raise NotFound(f"no user {user_id} in {request.holder}")
    _assign(session, request, user_id, clock.now())
    audit.record(
        session=session,
        ctx=ctx,
        action=Action.request_assignment_changed,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"assigned": user_id},
        clock=clock,
    )


def assignees(*, session: Session, request: Request) -> list[str]:
    return list(
        session.scalars(
            select(RequestAssignment.user_id).where(
                RequestAssignment.holder == request.holder,
                RequestAssignment.request_id == request.id,
            )
        )
    )
