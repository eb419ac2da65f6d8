"""Counting refusals of unauthenticated input (see models.RefusalCount). Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from liaison.audit.models import RefusalCount
from liaison.core.clock import Clock, system_clock


def count(*, session: Session, channel: str, reason: str, clock: Clock = system_clock) -> None:
    """One more refusal of this kind in the current hour (an upsert: safe under concurrency)."""
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RefusalCount).values(
        hour=hour, channel=channel, reason=reason[:64], count=1, last_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["hour", "channel", "reason"],
        set_={"count": RefusalCount.count + 1, "last_at": now},
    )
    session.execute(statement)


def since(*, session: Session, start: datetime) -> list[RefusalCount]:
    return list(
        session.scalars(
            select(RefusalCount)
            .where(RefusalCount.hour >= start.replace(minute=0, second=0, microsecond=0))
            .order_by(RefusalCount.hour, RefusalCount.channel, RefusalCount.reason)
        )
    )
