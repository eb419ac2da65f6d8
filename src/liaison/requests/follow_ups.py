"""Requests that follow up a preservation (art. 42(1), 43): the MLA request for the data it
preserves, a disclosure of traffic data. A follow-up names its preservation (`linked_request`);
nothing is written on the preservation itself, so one preservation can be followed up by
several requests, none can displace another, and a third authority cannot touch it: a link is
valid only between the same two authorities, checked when drafting and again on arrival."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.requests.models import Request, RequestEvent
from liaison.requests.table import Status

# Kinds that can follow up a preservation.
FOLLOW_UP_KINDS = frozenset({"mla", "disclosure"})
# An MLA request holds the preservation from transmission until it is decided.
NOT_YET_SENT = frozenset({Status.draft, Status.awaiting_approval, Status.approved})
DECIDED = frozenset({Status.executed, Status.refused, Status.withdrawn, Status.closed})


def link_problem(
    session: Session,
    *,
    holder: str,
    kind: str,
    requesting: str,
    requested: str,
    linked_request: str | None,
) -> str | None:
    """Why ``linked_request`` cannot be followed up by a ``kind`` request from ``requesting``
    to ``requested`` held by ``holder`` (None if it can). The same sentence whether the id is
    unknown or belongs to another pair of authorities, so nothing about others leaks."""
    if linked_request is None:
        return None
    if kind not in FOLLOW_UP_KINDS:
        return f"a {kind} request does not follow up a preservation; leave linked_request empty"
    target = session.get(Request, (holder, linked_request))
    if (
        target is None
        or target.kind != "preservation"
        or target.requesting != requesting
        or target.requested != requested
    ):
        return (
            f"linked_request: no preservation request {linked_request} from {requesting} "
            f"to {requested}"
        )
    return None


def follow_ups(session: Session, preservation: Request) -> list[Request]:
    """The requests of the same two authorities that name this preservation, oldest first."""
    return list(
        session.scalars(
            select(Request)
            .where(
                Request.holder == preservation.holder,
                Request.linked_request == preservation.id,
                Request.requesting == preservation.requesting,
                Request.requested == preservation.requested,
            )
            .order_by(Request.id)
        )
    )


def effective_expiry(session: Session, preservation: Request) -> datetime | None:
    """Until when the data is preserved: the period, or longer while a follow-up MLA request is
    pending (art. 42: kept until that request is decided), then until its decision. None while
    held, or before the preservation is in place."""
    if preservation.preservation_expiry is None or held_by(session, preservation):
        return None
    decided = [
        session.scalar(
            select(func.min(RequestEvent.at)).where(
                RequestEvent.holder == r.holder,
                RequestEvent.request_id == r.id,
                RequestEvent.to_status.in_([s.value for s in DECIDED]),
            )
        )
        for r in follow_ups(session, preservation)
        if r.kind == "mla" and r.status in DECIDED
    ]
    return max([preservation.preservation_expiry, *(d for d in decided if d is not None)])


def held_by(session: Session, preservation: Request) -> list[str]:
    """The follow-up MLA requests sent and not yet decided: while any is, the preservation
    holds (both copies agree: the requested side knows only what was sent)."""
    if preservation.kind != "preservation":
        return []
    return [
        r.id
        for r in follow_ups(session, preservation)
        if r.kind == "mla" and r.status not in DECIDED and r.status not in NOT_YET_SENT
    ]
