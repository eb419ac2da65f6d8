"""One timeline of everything that happened to a request copy, and what is coming: its
transitions and consultations (the event history), the messages its node sent in its thread
with their signed receipts, those it received (each verified on arrival), notes, the
deadlines ahead, and the reminders its reader was sent. Data only; the page words it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.federation.models import InboxEnvelope, Message, OutboxEnvelope
from liaison.notifications.models import Notification
from liaison.requests.deadlines.policy import due_of
from liaison.requests.lifecycle.consultations import history
from liaison.requests.models import Request


@dataclass(frozen=True)
class Entry:
    at: datetime
    # event (a transition, consultation or preservation step), sent, delivered, refused,
    # pending, failed, received, note, due, overdue, reminder
    kind: str
    # The event's action, the message's envelope kind, what is due, the reminder's category.
    what: str
    actor: str = ""
    # The actor is an authority (its id; the page names it), not a person.
    by_authority: bool = False
    counterpart: str = ""
    from_status: str = ""
    to_status: str = ""
    ground: str | None = None
    text: str | None = None


def _actor(session: Session, actor: str, names: dict[str, str]) -> str:
    """A person by name if they are a user here; an authority by its id (the page names it)."""
    kind, _, ident = actor.partition(":")
    if kind == "user":
        if ident not in names:
            user = session.get(User, ident)
            names[ident] = user.display_name if user else ""
        return names[ident]
    return ident if kind == "authority" else actor


def _events(session: Session, request: Request) -> list[Entry]:
    names: dict[str, str] = {}
    return [
        Entry(
            at=e.at,
            kind="event",
            what=e.action,
            actor=_actor(session, e.actor, names),
            by_authority=e.actor.startswith("authority:"),
            from_status=e.from_status,
            to_status=e.to_status,
            ground=e.ground,
            text=e.reason,
        )
        for e in history(session=session, request=request)
    ]


def _sent(session: Session, request: Request) -> list[Entry]:
    rows = session.scalars(
        select(OutboxEnvelope).where(
            OutboxEnvelope.thread == request.id, OutboxEnvelope.sender == request.holder
        )
    )
    entries = []
    for row in rows:
        if row.status == "delivered" and row.delivered_at is not None:
            # Marked delivered only once the receiver's signed receipt was verified.
            entries.append(
                Entry(row.delivered_at, "delivered", row.kind, counterpart=row.recipient)
            )
        elif row.status == "rejected":
            entries.append(
                Entry(
                    row.created_at, "refused", row.kind,
                    counterpart=row.recipient, text=row.receipt_reason,
                )
            )  # fmt: skip
        elif row.status == "failed":
            entries.append(
                Entry(row.created_at, "failed", row.kind, counterpart=row.recipient, text=None)
            )
        else:
            entries.append(Entry(row.created_at, "pending", row.kind, counterpart=row.recipient))
    return entries


def _received(session: Session, request: Request) -> list[Entry]:
    rows = session.scalars(
        select(InboxEnvelope).where(
            InboxEnvelope.thread == request.id, InboxEnvelope.recipient == request.holder
        )
    )
    # Stored only after its signature was verified against the directory.
    return [Entry(r.received_at, "received", r.kind, counterpart=r.sender) for r in rows]


def _notes(session: Session, request: Request) -> list[Entry]:
    rows = session.scalars(
        select(Message).where(
            Message.authority_id == request.holder,
            Message.thread == request.id,
            Message.kind == "note",
        )
    )
    return [
        Entry(m.created_at, "note", m.direction, counterpart=m.counterpart, text=m.text)
        for m in rows
    ]


def _reminders(session: Session, request: Request, user: User) -> list[Entry]:
    rows = session.scalars(
        select(Notification).where(
            Notification.user_id == user.id,
            Notification.target == f"request:{request.holder}:{request.id}",
        )
    )
    return [Entry(n.created_at, "reminder", n.category) for n in rows]


def timeline(*, session: Session, request: Request, user: User, now: datetime) -> list[Entry]:
    """Everything, oldest first; what is still due at the end, soonest first."""
    past = (
        _events(session, request)
        + _sent(session, request)
        + _received(session, request)
        + _notes(session, request)
        + _reminders(session, request, user)
    )
    past.sort(key=lambda e: e.at)
    coming = sorted(
        (
            Entry(item.at, "overdue" if item.at <= now else "due", item.what.value)
            for item in due_of(session, request)
        ),
        key=lambda e: e.at,
    )
    return past + coming
