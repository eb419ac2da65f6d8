"""One row per package on each node: the sender's ``out`` row and the receiver's ``in`` row.

Sender:   sealing → offered → sent → confirmed (the receiver verified it) | failed
Receiver: expected → received → verified | failed
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class PackageTransfer(Base):
    __tablename__ = "evidence_transfers"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        # The receiver finds its row by the package's name; an encrypted package never repeats.
        UniqueConstraint("direction", "package_digest", name="uq_evidence_transfers_package"),
        Index("ix_evidence_transfers_due", "direction", "status", "next_attempt_at"),
        Index("ix_evidence_transfers_request", "holder", "request_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" | "in"
    holder: Mapped[str] = mapped_column(String(64))  # our authority
    peer: Mapped[str] = mapped_column(String(64))  # the other authority
    request_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    # "sha256:<hex>" of the encrypted package; None while the sender is still sealing it.
    package_digest: Mapped[str | None] = mapped_column(String(71), default=None)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    # Bytes the receiver holds, fsynced; the sender's copy is what the receiver last confirmed.
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    # Bytes that crossed the wire, resends included: how much a resume saved.
    bytes_transferred: Mapped[int] = mapped_column(BigInteger, default=0)
    # What travels: [{"item": id, "name", "digest", "size", "description", "source",
    # "acquired_by", "acquired_at", "acquisition_method", "acquisition_tool"}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    # Sender: the announcing envelope. Receiver: the sender's transfer id, which receipts name.
    envelope_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # The sending authority's key that signed the bag (its kid in the directory).
    signing_key: Mapped[str | None] = mapped_column(String(100), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # The receiver's verification: [{"check", "ok", "file", "detail"}], on both sides.
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The signing time the package records (bag-info.txt): what its key is judged at.
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Receiver: its first chunk stored, and the whole file stored and checked (its own clock).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The package as sent (sender) or as received and verified (receiver), kept in the evidence
    # store under its digest so its signature can be checked again; until its items' retention
    # ends, when it is deleted too.
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    package_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # This node's evidence items the package carries (receiver: those made from it).
    item_ids: Mapped[list[str]] = mapped_column(JSONText, default=list, server_default="[]")
