"""Checkpoints of the audit log. Like the log itself, never updated or deleted by the code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class AuditCheckpoint(Base):
    """A signed tree head of the audit log: the Merkle root of entries 1..seq, signed by the
    node's log key as a C2SP checkpoint (a signed note)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The tree size: entries 1..seq are covered.
    seq: Mapped[int] = mapped_column(Integer, index=True)
    # The chain hash of entry seq, for the reader who walks the chain.
    hash: Mapped[str] = mapped_column(String(71))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(ForeignKey("keys.id"))
    # "sha256:<hex>" Merkle root (RFC 9162) over the entries' hashes; None on the compact-JWS
    # checkpoints written before the log was a Merkle tree.
    root: Mapped[str | None] = mapped_column(String(71), default=None)
    # The signed note, exactly as signed and sent to the witnesses.
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # The tree's compact range at this size (hex): the next checkpoint and the consistency
    # proofs to later sizes start from here instead of from the first entry.
    frontier: Mapped[list[str] | None] = mapped_column(JSONText, default=None)
    # The compact JWS of the checkpoints written before notes (payload: node, seq, hash, at).
    signature: Mapped[str | None] = mapped_column(Text, default=None)
