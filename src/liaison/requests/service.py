"""Requests as data: drafts, reading with visibility rules, assignments. Never commits.

Who sees a request: only users of the authority holding the copy (the two authorities of a
request each hold one), and within it its supervisors, the users assigned to it, and — for
the 24/7 kinds — the authority's 24/7 contacts. A third authority's users never see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction, Role
from liaison.federation.models import OutboxEnvelope
from liaison.requests import contents, drafting, follow_ups
from liaison.requests.contents.conditions import Conditions
from liaison.requests.models import DomesticProsecution, Request, RequestAssignment
from liaison.requests.schemas import ProsecutionRead, RequestCreate, RequestRead, RequestUpdate
from liaison.requests.table import Status

# Kinds a 24/7 contact point handles without being assigned (art. 41 to 43).
CONTACT_KINDS = frozenset({"preservation", "disclosure"})


def _assign(session: Session, request: Request, user_id: str, now: datetime) -> None:
    if session.get(RequestAssignment, (request.holder, request.id, user_id)) is None:
        session.add(
            RequestAssignment(
                holder=request.holder, request_id=request.id, user_id=user_id, assigned_at=now
            )
        )


def validated_content(
    kind: str, subtype: str | None, data: dict[str, Any], *, lang: str = "en"
) -> dict[str, Any]:
    """Validated, normalised content (JSON-ready), or InvalidInput naming each bad field (its
    problems at their paths in the request, "content.offences.0.code", in `lang`)."""
    try:
        model = contents.parse_content(kind, data, subtype=subtype)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(
            f"invalid request content: {problems}",
            [p.under("content") for p in contents.format_problems(exc, lang=lang)],
        ) from None
    except (KeyError, ValueError) as exc:
        raise InvalidInput(
            f"invalid request: {exc}", drafting.kind_problems(kind, subtype, data, lang=lang)
        ) from None
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


def new_request(
    *, user: User, draft: RequestCreate, content: dict[str, Any], now: datetime
) -> Request:
    """The draft `user` writes, not stored: create_draft stores it; the check of a draft on
    demand (liaison.requests.validation) looks at it and lets it go."""
    return Request(
        holder=user.authority_id,
        id=new_id_str(),
        kind=draft.kind,
        subtype=draft.subtype,
        requesting=user.authority_id,
        requested=draft.to,
        status=Status.draft,
        seq=0,
        version=1,
        reference=draft.reference,
        language=draft.language,
        content=content,
        urgent=draft.urgent,
        wished_deadline=draft.wished_deadline,
        conditions=draft.conditions.model_dump(),
        preservation_days=draft.preservation_days,
        linked_request=draft.linked_request,
        created_by=user.id,
        created_at=now,
        updated_at=now,
        response={},
    )


def create_draft(
    *,
    session: Session,
    user: User,
    draft: RequestCreate,
    ctx: AuditContext,
    clock: Clock = system_clock,
    lang: str = "en",
) -> Request:
    """A new draft from the validated create-schema, whole: every field, and the audit entry
    sees them all. Refused (InvalidInput, its problems in `lang`) to an authority a request
    cannot reach (neither hosted here nor in the directory), to one's own, or with a link to a
    preservation it cannot follow up; and when the contents are malformed."""
    refused = drafting.refusals(session=session, user=user, draft=draft, lang="en")
    if refused:
        raise InvalidInput(
            "; ".join(p.message for p in refused),
            drafting.refusals(session=session, user=user, draft=draft, lang=lang),
        )
    now = clock.now()
    content = validated_content(draft.kind, draft.subtype, draft.content, lang=lang)
    request = new_request(user=user, draft=draft, content=content, now=now)
    session.add(request)
    session.flush()
    _assign(session, request, user.id, now)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_draft_created,
        target=f"request:{request.id}",
        authority_id=user.authority_id,
        detail={
            "kind": draft.kind,
            "to": draft.to,
            "urgent": draft.urgent,
            "preservation_days": draft.preservation_days,
            "linked_request": draft.linked_request,
        },
        clock=clock,
    )
    return request


def update_draft(
    *,
    session: Session,
    request: Request,
    update: RequestUpdate,
    ctx: AuditContext,
    clock: Clock = system_clock,
    lang: str = "en",
) -> Request:
    """Apply the fields the update sets (and only those) to a draft; a new version."""
    if request.status != Status.draft:
        raise InvalidInput(f"only a draft can be edited; this request is {request.status}")
    changes = update.model_dump(exclude_unset=True)
    if "content" in changes:
        if changes["content"] is None:
            raise InvalidInput("content: send the request's contents as an object, not null")
        changes["content"] = validated_content(
            request.kind, request.subtype, changes["content"], lang=lang
        )
    if "conditions" in changes:
        changes["conditions"] = (update.conditions or Conditions()).model_dump()
    for name, value in changes.items():
        setattr(request, name, value)
    request.version += 1
    request.updated_at = clock.now()
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.request_draft_updated,
        target=f"request:{request.id}",
        authority_id=request.holder,
        detail={"fields": sorted(changes), "version": request.version},
        clock=clock,
    )
    return request


def visible_to(user: User) -> ColumnElement[bool]:
    """The SQL form of can_see: the list and its count filter in the database, not in Python."""
    roles = set(user.roles)
    holder = Request.holder == user.authority_id
    if Role.supervisor in roles:
        return holder
    assigned = exists().where(
        RequestAssignment.holder == Request.holder,
        RequestAssignment.request_id == Request.id,
        RequestAssignment.user_id == user.id,
    )
    if Role.contact_24_7 in roles:
        return and_(holder, or_(Request.kind.in_(CONTACT_KINDS), assigned))
    return and_(holder, assigned)


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


def visible_ids(user: User) -> Select[str]:
    """The ids of the requests the user may see (a subquery for other features' lists)."""
    return select(Request.id).where(visible_to(user))


def outbox_scope(user: User) -> ColumnElement[bool]:
    """Outbox envelopes of a request (its id is their thread) only for who may see it."""
    return OutboxEnvelope.thread.in_(visible_ids(user))


Sort = Literal["newest", "due"]


@dataclass(frozen=True)
class Page:
    items: list[Request]
    total: int


def read_model(*, session: Session, request: Request, now: datetime) -> RequestRead:
    """The request as the API and the CLI show it: its fields, what is due, and for a
    preservation what holds it and until when."""
    read = RequestRead.model_validate(request)
    extra: dict[str, Any] = {"overdue": request.due_at is not None and request.due_at <= now}
    if request.kind == "preservation":
        extra["held_by"] = follow_ups.held_by(session, request)
        extra["effective_expiry"] = follow_ups.effective_expiry(session, request)
    prosecution = session.get(DomesticProsecution, (request.holder, request.id))
    if prosecution is not None:
        extra["prosecution"] = ProsecutionRead.model_validate(prosecution)
    return read.model_copy(update=extra)


def list_for(
    *,
    session: Session,
    user: User,
    status: str | None = None,
    sort: Sort = "newest",
    due_before: datetime | None = None,
    due_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """The requests the user may see, one page at a time, with the total: newest first, or
    what is due soonest first (nothing due: last, newest first among them)."""
    where = [visible_to(user)]
    if status:
        where.append(Request.status == status)
    if due_only or due_before is not None:
        where.append(Request.due_at.is_not(None))
    if due_before is not None:
        where.append(Request.due_at <= due_before)
    total = session.scalar(select(func.count()).select_from(Request).where(*where)) or 0
    order = (
        (Request.due_at.is_(None), Request.due_at, Request.id.desc())
        if sort == "due"
        else (Request.id.desc(),)
    )
    items = session.scalars(
        select(Request).where(*where).order_by(*order).limit(limit).offset(offset)
    )
    return Page(items=list(items), total=total)


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
        action=AuditAction.request_assignment_changed,
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
