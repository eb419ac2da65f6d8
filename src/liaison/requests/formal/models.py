"""The signed formal documents a copy of a request holds, byte for byte as their author signed
them: the request (signed by the requesting authority when it sent it) and each decision on it
(signed by the requested authority when it took it). Both nodes keep the same bytes.

A table of its own rather than a column of `requests`: a request row is read by every list and
every transition, and a 30-300 kB PDF has no business in those reads; a decision may be
followed by another (postponed, then executed), and each signed act is kept. Not the evidence
store: these are small, written in the same transaction as the transition and the envelope that
carries them (a blob written outside it could outlive a rolled-back send), and they say no more
than the request row already holds, under the same protection.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import UTCDateTime


class RequestDocument(Base):
    __tablename__ = "request_documents"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        # One document per act: the request (step 0), or the decision taken at step `seq`.
        Index("uq_request_documents_act", "holder", "request_id", "role", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36))
    # "request" or "response".
    role: Mapped[str] = mapped_column(String(16))
    # The request's step the document belongs to: 0 for the request, the decision's seq.
    seq: Mapped[int] = mapped_column(Integer)
    # The authority that signed it (its author), never the holder unless they are the same.
    author: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(71))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
