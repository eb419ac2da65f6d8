"""Evidence items attached to a request copy, and their chain of custody.

An item names its content by digest only: the bytes live encrypted in the node's blob store
(see docs/evidence-store.md), and each blob carries its own wrapped key, so the row needs no key
material. Two items with the same content share one blob.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class EvidenceItem(Base):
    __tablename__ = "evidence_items"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        Index("ix_evidence_items_request", "holder", "request_id"),
        # Retention looks for live items past their date; deletion for other items sharing a blob.
        Index("ix_evidence_items_retention", "deleted_at", "retention_until"),
        Index("ix_evidence_items_digest", "digest"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36))
    digest: Mapped[str] = mapped_column(String(71))
    size: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    acquired_by: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The acquirer's UTC offset, in minutes: the time is stored in UTC, but a court reads it as
    # the acquirer wrote it ("09:00 in Moscow"), and the package carries it so.
    acquired_offset: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    acquisition_method: Mapped[str] = mapped_column(Text, default="")
    acquisition_tool: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retention_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def acquired_at_local(self) -> datetime:
        """The acquisition time with the acquirer's own UTC offset."""
        return self.acquired_at.astimezone(timezone(timedelta(minutes=self.acquired_offset)))


class CustodyEvent(Base):
    """One link of an item's chain of custody. Append-only: no code path updates or deletes."""

    __tablename__ = "evidence_custody"
    __table_args__ = (Index("ix_evidence_custody_item", "item_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_items.id"))
    holder: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest: Mapped[str] = mapped_column(String(71))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class EvidenceUpload(Base):
    """A resumable (tus) upload in progress: its bytes grow in ``<data_dir>/uploads/<id>.part``
    until complete, then become an evidence item and the file goes."""

    __tablename__ = "evidence_uploads"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        Index("ix_evidence_uploads_expires", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36))
    # Only its creator may continue or end it: an upload is not shared, even within the authority.
    user_id: Mapped[str] = mapped_column(String(36))
    length: Mapped[int] = mapped_column(BigInteger)
    # Bytes stored and fsynced (evidence/partial.py): the Upload-Offset a client resumes from.
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    # The decoded Upload-Metadata, as given.
    meta: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    item_id: Mapped[str | None] = mapped_column(String(36), default=None)
