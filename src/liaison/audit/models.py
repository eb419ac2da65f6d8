"""Audit tables. The code offers no update or delete on any of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    # The position in the chain, 1, 2, 3...; assigned under the head lock, never by the database.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    authority_id: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    target: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText)
    prev_hash: Mapped[str] = mapped_column(String(71))
    hash: Mapped[str] = mapped_column(String(71), unique=True)
    # HMAC of the hash under a key derived from the KEK (liaison.crypto.seal): recomputing the
    # chain after an edit needs the KEK as well as the database. None only for entries written
    # before sealing existed, which `liaison init` seals once.
    seal: Mapped[str | None] = mapped_column(String(80), default=None)


class AuditHead(Base):
    """One row: the chain's last sequence number and hash. Updating it first serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(71))


class RefusalCount(Base):
    """Refusals of unauthenticated input (junk at the inbox, throttled sign-ins), counted per
    hour rather than logged one entry each: anonymous callers must not grow the chain."""

    __tablename__ = "refusal_counts"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
