"""One notification for one user. The dedupe key makes repeated scans idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import UTCDateTime

# The largest id a notification can have: `id` is an INTEGER, 32 bits on PostgreSQL; a larger
# number in a URL is an unknown notification, not a database error.
MAX_ID = 2**31 - 1


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # e.g. "reminder", "overdue", "escalation", "expiry_warning"
    category: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # What it is about, e.g. "request:vn-mps:<id>"
    target: Mapped[str] = mapped_column(String(200))
    dedupe: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
