"""The lists of requests the pages show: incoming and outgoing, filtered, searched, sorted,
counted, one page at a time; and what a dashboard needs. Every query is scoped by
`service.visible_to`, the same condition as the API's list: a request a user may not see is
in none of these, nor in any count. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, null, or_, select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.authorities.models import Authority
from liaison.directory import service as directory
from liaison.federation.models import OutboxEnvelope
from liaison.requests import search, service
from liaison.requests.models import Request
from liaison.requests.service import CONTACT_KINDS, Page
from liaison.requests.table import Status

Direction = Literal["incoming", "outgoing", "all"]
DueFilter = Literal["", "overdue", "today", "week", "none"]
SortOrder = Literal["newest", "due"]
# States in which a request still asks something of someone.
ENDED = frozenset({Status.closed, Status.withdrawn, Status.executed, Status.refused})


@dataclass(frozen=True)
class Filters:
    direction: Direction = "all"
    kind: str | None = None
    status: str | None = None
    # The State of the other authority of the request (ISO 3166-1 alpha-2).
    state: str | None = None
    urgent: bool | None = None
    due: DueFilter = ""
    q: str = ""
    sort: SortOrder = "newest"


def authorities_of_state(session: Session, state: str) -> set[str]:
    """The authorities of a State this node knows: its own, and the directory's."""
    found = set(session.scalars(select(Authority.id).where(Authority.state == state)))
    document = directory.current(session=session)
    if document is not None:
        found |= {a.id for a in document.authorities if a.state == state}
    return found


def known_states(session: Session) -> list[str]:
    """The States of every authority this node knows (public: the directory lists them)."""
    found = set(session.scalars(select(Authority.state).distinct()))
    document = directory.current(session=session)
    if document is not None:
        found |= {a.state for a in document.authorities}
    return sorted(found)


def _direction(user: User, direction: Direction) -> list[ColumnElement[bool]]:
    # Written against the user's authority (not requests.holder) so that the index on
    # (holder, requested) / (holder, requesting) serves it.
    if direction == "incoming":
        return [Request.requested == user.authority_id]
    if direction == "outgoing":
        return [Request.requesting == user.authority_id]
    return []


def _where(
    session: Session, user: User, filters: Filters, *, now: datetime, day_end: datetime
) -> list[ColumnElement[bool]]:
    where = [service.visible_to(user), *_direction(user, filters.direction)]
    if filters.kind:
        where.append(Request.kind == filters.kind)
    if filters.status:
        where.append(Request.status == filters.status)
    if filters.urgent is not None:
        where.append(Request.urgent.is_(filters.urgent))
    if filters.state:
        ids = authorities_of_state(session, filters.state)
        if filters.direction == "incoming":
            where.append(Request.requesting.in_(ids))
        elif filters.direction == "outgoing":
            where.append(Request.requested.in_(ids))
        else:
            where.append(or_(Request.requesting.in_(ids), Request.requested.in_(ids)))
    if filters.due == "overdue":
        where.append(Request.due_at <= now)
    elif filters.due == "today":
        where += [Request.due_at > now, Request.due_at < day_end]
    elif filters.due == "week":
        where += [Request.due_at > now, Request.due_at < now + timedelta(days=7)]
    elif filters.due == "none":
        # Written so that no index on due_at serves it: a third of the rows may have nothing
        # due, and SQLite's statistics, which know no NULLs, would take it for a rare value.
        where.append(func.coalesce(Request.due_at, null()).is_(None))
    return where


def find(
    *,
    session: Session,
    user: User,
    filters: Filters,
    now: datetime,
    day_end: datetime,
    limit: int,
    offset: int,
) -> Page:
    """One page of the requests matching `filters`, with how many match in all: newest first,
    or what is due soonest first (nothing due: after them, newest first)."""
    where = _where(session, user, filters, now=now, day_end=day_end)
    counted = search.restrict(session, select(func.count()).select_from(Request), filters.q)
    total = session.scalar(counted.where(*where)) or 0
    rows = search.restrict(session, select(Request), filters.q).where(*where)
    if filters.sort == "newest":
        newest = rows.order_by(Request.id.desc())
        return Page(items=_page(session, newest, limit, offset), total=total)
    # Sorted by due time in two parts, so that an index on (holder, side, due_at) serves the
    # first: ORDER BY "due_at IS NULL" would sort every matching row before the first page.
    due = rows.where(Request.due_at.is_not(None))
    due_count = session.scalar(counted.where(*where, Request.due_at.is_not(None))) or 0
    items = _page(session, due.order_by(Request.due_at, Request.id.desc()), limit, offset)
    if len(items) < limit:
        rest = rows.where(Request.due_at.is_(None)).order_by(Request.id.desc())
        items += _page(session, rest, limit - len(items), max(0, offset - due_count))
    return Page(items=items, total=total)


def _page(session: Session, statement: Select[Any], limit: int, offset: int) -> list[Request]:
    return list(session.scalars(statement.limit(limit).offset(offset)))


def counts_by_status(*, session: Session, user: User, direction: Direction) -> dict[str, int]:
    rows = session.execute(
        select(Request.status, func.count())
        .where(service.visible_to(user), *_direction(user, direction))
        .group_by(Request.status)
    )
    return {str(status): int(count) for status, count in rows}


def _open() -> ColumnElement[bool]:
    return Request.status.not_in([s.value for s in ENDED])


def _first(session: Session, statement: Select[Any], limit: int) -> list[Request]:
    return list(session.scalars(statement.limit(limit)))


@dataclass(frozen=True)
class Work:
    """What needs the user now, each list short and most pressing first."""

    urgent: list[Request]
    due_today: list[Request]
    overdue: list[Request]
    to_approve: list[Request]
    sent_back: list[Request]
    received: list[Request]
    receipts: list[tuple[OutboxEnvelope, Request]]


def work(*, session: Session, user: User, now: datetime, day_end: datetime, limit: int) -> Work:
    visible = service.visible_to(user)
    mine = or_(Request.created_by == user.id, Request.submitted_by == user.id)
    receipts = session.execute(
        select(OutboxEnvelope, Request)
        .join(Request, Request.id == OutboxEnvelope.thread)
        .where(
            visible,
            OutboxEnvelope.sender == user.authority_id,
            Request.holder == user.authority_id,
            OutboxEnvelope.status == "delivered",
            OutboxEnvelope.delivered_at > now - timedelta(days=7),
        )
        .order_by(OutboxEnvelope.delivered_at.desc())
        .limit(limit)
    )
    return Work(
        urgent=_first(
            session,
            # Those with something due (the rest asks nothing of anyone now), soonest first:
            # the index on (holder, due_at) gives them in order.
            select(Request)
            .where(
                visible,
                _open(),
                Request.due_at.is_not(None),
                or_(Request.urgent.is_(True), Request.kind.in_(CONTACT_KINDS)),
            )
            .order_by(Request.due_at),
            limit,
        ),
        due_today=_first(
            session,
            select(Request)
            .where(visible, Request.due_at > now, Request.due_at < day_end)
            .order_by(Request.due_at),
            limit,
        ),
        overdue=_first(
            session,
            select(Request).where(visible, Request.due_at <= now).order_by(Request.due_at),
            limit,
        ),
        # Four eyes: a supervisor approves what others drafted and submitted.
        to_approve=_first(
            session,
            select(Request)
            .where(
                visible,
                Request.status == Status.awaiting_approval,
                Request.requesting == user.authority_id,
                or_(Request.created_by.is_(None), Request.created_by != user.id),
                or_(Request.submitted_by.is_(None), Request.submitted_by != user.id),
            )
            .order_by(Request.updated_at),
            limit,
        )
        if "supervisor" in user.roles
        else [],
        # A draft with a reason was returned by a supervisor (only that step leads back).
        sent_back=_first(
            session,
            select(Request)
            .where(
                visible, Request.status == Status.draft, Request.status_reason.is_not(None), mine
            )
            .order_by(Request.updated_at.desc()),
            limit,
        ),
        received=_first(
            session,
            select(Request)
            .where(
                visible,
                Request.requested == user.authority_id,
                Request.received_at > now - timedelta(days=7),
            )
            .order_by(Request.received_at.desc()),
            limit,
        ),
        receipts=[(envelope, request) for envelope, request in receipts],
    )
