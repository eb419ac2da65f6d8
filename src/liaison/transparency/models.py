"""What this node keeps of witnessing: its own log as its peers saw it, and other nodes' logs
as it saw them. Rows are added, never changed, except a peer's publication state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class LogPeer(Base):
    """Publishing this node's checkpoints to one peer (a witness): what was sent, and the size
    the witness is known to hold (from its last answer)."""

    __tablename__ = "log_peers"

    witness: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The thread all checkpoints to this witness go on: delivered in order, one after another.
    thread: Mapped[str] = mapped_column(String(36))
    sent_size: Mapped[int | None] = mapped_column(Integer, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    known_size: Mapped[int | None] = mapped_column(Integer, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class LogCosignature(Base):
    """A witness's cosignature of one of this node's checkpoints (a C2SP cosignature/v1)."""

    __tablename__ = "log_cosignatures"
    __table_args__ = (UniqueConstraint("witness", "size", "line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    witness: Mapped[str] = mapped_column(String(100), index=True)
    size: Mapped[int] = mapped_column(Integer, index=True)
    root: Mapped[str] = mapped_column(String(71))
    # The signed note as the witness cosigned it (text and our signature) ...
    note: Mapped[str] = mapped_column(Text)
    # ... and the witness's signature line.
    line: Mapped[str] = mapped_column(Text)
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WitnessedCheckpoint(Base):
    """A checkpoint of another node's log that this node verified and cosigned."""

    __tablename__ = "witnessed_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(100), index=True)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(71))
    # The origin's signed note with this node's cosignature appended: what anyone may fetch.
    note: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    envelope_id: Mapped[str] = mapped_column(String(36))


class WitnessAlert(Base):
    """Another node's log seen to contradict itself: two checkpoints that cannot both be true
    (a fork, or history rewritten). Both notes are kept, each signed by that node's log key:
    proof anyone can check."""

    __tablename__ = "witness_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    # The checkpoint this node had cosigned, and the one that contradicts it.
    known: Mapped[str] = mapped_column(Text)
    claimed: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    envelope_id: Mapped[str] = mapped_column(String(36))
