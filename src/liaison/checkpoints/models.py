"""Checkpoints of the audit log. Like the log itself, never updated or deleted by the code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import UTCDateTime


class AuditCheckpoint(Base):
    """A signature by the node key over (node, seq, hash) of the chain at some point."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    hash: Mapped[str] = mapped_column(String(71))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(ForeignKey("keys.id"))
    # Compact JWS (EdDSA) whose payload is the canonical JSON of the checkpoint.
    signature: Mapped[str] = mapped_column(Text)
