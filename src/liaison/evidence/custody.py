"""Chain of custody: append-only events per item, each one also an audit entry.

The custody table is what the CASE export and the item's history show; the audit chain is what
makes it tamper-evident. Both are written in the caller's transaction, so an event exists in
both or in neither. This module only appends and reads: there is no update or delete.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import AuditAction
from liaison.evidence.models import CustodyEvent, EvidenceItem
from liaison.requests.models import Request


class Event(StrEnum):
    acquired = "acquired"
    ingested = "ingested"
    sealed = "sealed"
    sent = "sent"
    received = "received"
    verified = "verified"
    opened = "opened"
    downloaded = "downloaded"
    exported = "exported"
    deleted = "deleted"


# Events with an audit action of their own, so the log can be searched for them directly;
# the others share evidence:custody:recorded and carry the event name in the detail.
_ACTIONS = {
    Event.ingested: AuditAction.evidence_item_ingested,
    Event.downloaded: AuditAction.evidence_item_downloaded,
    Event.exported: AuditAction.evidence_item_exported,
    Event.deleted: AuditAction.evidence_item_deleted,
}


def record(
    *,
    session: Session,
    item: EvidenceItem,
    event: Event,
    ctx: AuditContext,
    actor: str | None = None,
    at: datetime | None = None,
    detail: dict[str, Any] | None = None,
    clock: Clock = system_clock,
    recorded_by: str | None = None,
) -> CustodyEvent:
    """Append one custody event and its audit entry. Never commits.

    ``actor`` and ``at`` default to who is acting now; the ``acquired`` event passes the person
    and time of the acquisition, which happened before the item reached the system.
    ``recorded_by`` names the authority whose node recorded the event when it is not this one:
    the sender's chain, carried signed inside a package, continued here. Such an event shares
    the generic audit action (this node did not ingest or download anything).
    """
    detail = dict(detail or {})
    if recorded_by is not None:
        detail["recorded_by"] = recorded_by
    row = CustodyEvent(
        item_id=item.id,
        holder=item.holder,
        event=event.value,
        actor=(actor or ctx.actor)[:200],
        at=at or clock.now(),
        digest=item.digest,
        detail=detail,
    )
    session.add(row)
    session.flush()
    own = recorded_by is None
    audit.record(
        session=session,
        ctx=ctx,
        action=_ACTIONS.get(event, AuditAction.evidence_custody_recorded)
        if own
        else AuditAction.evidence_custody_recorded,
        target=f"evidence:{item.id}",
        authority_id=item.holder,
        detail={
            "event": event.value,
            "custody_id": row.id,
            "request": item.request_id,
            "digest": item.digest,
            "actor": row.actor,
            "at": row.at.isoformat(),
            **detail,
        },
        clock=clock,
    )
    return row


def events(*, session: Session, item: EvidenceItem) -> list[CustodyEvent]:
    """The item's chain of custody, oldest first."""
    return list(
        session.scalars(
            select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.id)
        )
    )


def record_sealed(
    *,
    session: Session,
    holder: str,
    request: str,
    digests: set[str],
    package: str,
    recipient: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> int:
    """``sealed`` on the live items of ``holder``'s copy of ``request`` (its id or reference)
    whose content went into ``package``, matched by digest; returns how many. A sealed file
    that is no item has no chain to extend (the caller's audit entry is its record)."""
    copy = session.scalars(
        select(Request).where(
            Request.holder == holder, or_(Request.id == request, Request.reference == request)
        )
    ).first()
    if copy is None:
        return 0
    items = session.scalars(
        select(EvidenceItem).where(
            EvidenceItem.holder == holder,
            EvidenceItem.request_id == copy.id,
            EvidenceItem.deleted_at.is_(None),
            EvidenceItem.digest.in_(digests),
        )
    ).all()
    for item in items:
        record(
            session=session,
            item=item,
            event=Event.sealed,
            ctx=ctx,
            detail={"package": package, "for": recipient, "via": "cli"},
            clock=clock,
        )
    return len(items)
