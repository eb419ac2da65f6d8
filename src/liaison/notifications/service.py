"""Creating and reading notifications. Never commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.core.clock import Clock, system_clock
from liaison.core.errors import NotFound
from liaison.notifications.models import Notification


def notify(
    *,
    session: Session,
    user_id: str,
    category: str,
    subject: str,
    body: str,
    target: str,
    dedupe: str,
    clock: Clock = system_clock,
) -> Notification | None:
    """Create it unless the same (user, dedupe key) exists: scans may run any number of times."""
    key = f"{user_id}|{dedupe}"[:300]
    if session.scalar(select(Notification.id).where(Notification.dedupe == key)) is not None:
        return None
    note = Notification(
        user_id=user_id,
        category=category,
        subject=subject[:300],
        body=body,
        target=target,
        dedupe=key,
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    return note


def for_user(*, session: Session, user_id: str, unread_only: bool = False) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(500)))


def unread_count(*, session: Session, user_id: str) -> int:
    """How many of the user's notifications are unread (the header's count)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(
    *, session: Session, user_id: str, notification_id: int, clock: Clock = system_clock
) -> Notification:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound(f"no notification {notification_id}")
    if note.read_at is None:
        note.read_at = clock.now()
    return note


def unsent_email(*, session: Session, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.emailed_at.is_(None))
            .order_by(Notification.id)
            .limit(limit)
        )
    )
