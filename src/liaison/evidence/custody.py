"""Chain of custody: append-only events per item, each one also an audit entry.

The custody table is what the CASE export and the item's history show; the audit chain is what
makes it tamper-evident. Both are written in the caller's transaction, so an event exists in
both or in neither. This module only appends and reads: there is no update or delete.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import Action
from liaison.evidence.models import CustodyEvent, EvidenceItem


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
    Event.ingested: Action.evidence_item_ingested,
    Event.downloaded: Action.evidence_item_downloaded,
    Event.exported: Action.evidence_item_exported,
    Event.deleted: Action.evidence_item_deleted,
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
) -> CustodyEvent:
    """Append one custody event and its audit entry. Never commits.

    ``actor`` and ``at`` default to who is acting now; the ``acquired`` event passes the person
    and time of the acquisition, which happened before the item reached the system.
    """
    row = CustodyEvent(
        item_id=item.id,
        holder=item.holder,
        event=event.value,
        actor=(actor or ctx.actor)[:200],
        at=at or clock.now(),
        digest=item.digest,
        detail=detail or {},
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=_ACTIONS.get(event, Action.evidence_custody_recorded),
        target=f"evidence:{item.id}",
        authority_id=item.holder,
        detail={
            "event": event.value,
            "custody_id": row.id,
            "request": item.request_id,
            "digest": item.digest,
            "actor": row.actor,
            "at": row.at.isoformat(),
            **(detail or {}),
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
