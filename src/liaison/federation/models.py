"""Outbox, inbox and the messages of a thread.

The outbox row is written in the same transaction as the change that causes it; the worker
seals and delivers it. The inbox row is the receiving side's memory of an envelope: it makes
deliveries idempotent (a duplicate gets the stored receipt back, byte for byte).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class OutboxEnvelope(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    # The envelope id (UUIDv7): fixed at enqueue, kept across re-sealing.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    thread: Mapped[str] = mapped_column(String(36), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(36), default=None)
    # The kind's payload in clear: sealing happens at delivery, re-sealing when a wait outlived
    # the freshness window. It never leaves the node unencrypted.
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending → delivered | rejected (the receiver refused it for good) | failed (it can never
    # be sealed: this node will not send it, and says why in last_error)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    wire: Mapped[str | None] = mapped_column(Text, default=None)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Every digest this envelope was sent under; a receipt must name one of them.
    digests: Mapped[list[str]] = mapped_column(JSONText, default=list)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    receipt: Mapped[str | None] = mapped_column(Text, default=None)
    receipt_reason: Mapped[str | None] = mapped_column(Text, default=None)


class InboxEnvelope(Base):
    __tablename__ = "inbox"

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender: Mapped[str] = mapped_column(String(64), index=True)
    recipient: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    thread: Mapped[str] = mapped_column(String(36), index=True)
    digest: Mapped[str] = mapped_column(String(71))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The signed receipt as first answered; duplicates get exactly these bytes.
    receipt: Mapped[str] = mapped_column(Text)


class Message(Base):
    """A ping, pong or note in a thread, as one authority sees it (sent or received)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_owner_thread", "authority_id", "thread", "created_at"),
        # A sender's own retry key: unique per authority, so one authority's key can never
        # collide with (or reveal) another's note.
        Index("uq_messages_client_key", "authority_id", "client_key", unique=True),
    )

    # The envelope id, the same on both sides; with the owner, since a node hosting both
    # authorities keeps the sent and the received copy.
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" | "in"
    counterpart: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    thread: Mapped[str] = mapped_column(String(36))
    in_reply_to: Mapped[str | None] = mapped_column(String(36), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    client_key: Mapped[str | None] = mapped_column(String(36), default=None)
