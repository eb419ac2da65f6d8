"""A request as one authority holds it. Each side keeps its own copy under the same id; a node
that hosts both authorities keeps both copies, told apart by `holder`. Its words for full-text
search are kept beside it (RequestText), rewritten whenever a flush changes its texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime
from liaison.requests.table import Side
from liaison.requests.texts import index_text


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_holder_status", "holder", "status"),
        # Lists sorted and filtered by what is due next.
        Index("ix_requests_holder_due", "holder", "due_at"),
        # The follow-ups of a preservation are found by the link they carry.
        Index("ix_requests_follow_ups", "holder", "linked_request"),
        # The web interface's lists (migration 0013): incoming and outgoing counted per state,
        # sorted by what is due, and the dashboard's recent arrivals.
        Index("ix_requests_incoming", "holder", "requested", "status", "kind"),
        Index("ix_requests_outgoing", "holder", "requesting", "status", "kind"),
        Index("ix_requests_incoming_due", "holder", "requested", "due_at"),
        Index("ix_requests_outgoing_due", "holder", "requesting", "due_at"),
        Index("ix_requests_holder_received", "holder", "received_at"),
    )

    holder: Mapped[str] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subtype: Mapped[str | None] = mapped_column(String(40), default=None)
    requesting: Mapped[str] = mapped_column(String(64))
    requested: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    # Transitions applied since transmission; the requesting copy replays them in this order.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    # Content version: bumped by every edit of a draft; the approval signs one version.
    version: Mapped[int] = mapped_column(Integer, default=1)
    reference: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSONText)
    # Facts of the request kept here only (the reasons for them are free texts of the contents,
    # translated like the rest): urgent, the wished deadline, and the conditions that travel with
    # the data (confidentiality, no user notice, speciality, onward transfer, retention).
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    wished_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)
    submitted_by: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Compact JWS by the approver's personal key over the canonical approved content and the
    # approver's, drafter's and submitter's ids (requests/lifecycle/approval.py)...
    approval: Mapped[str | None] = mapped_column(Text, default=None)
    # ...and the approver's certificate (PEM), issued by the requesting authority's key.
    approval_certificate: Mapped[str | None] = mapped_column(Text, default=None)
    # The approver's user id (on the requesting node's user table; as certified, on a copy).
    approver_id: Mapped[str | None] = mapped_column(String(36), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ground: Mapped[str | None] = mapped_column(String(64), default=None)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Preservation (art. 42): starts at execution, at least 60 days; a follow-up MLA holds it.
    preservation_days: Mapped[int | None] = mapped_column(Integer, default=None)
    preservation_start: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    preservation_expiry: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # On a follow-up (MLA, disclosure): the preservation it follows up, of the same two
    # authorities (requests.follow_ups). Never set on a preservation.
    linked_request: Mapped[str | None] = mapped_column(String(36), default=None)
    response: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # What is due next on this copy and by when (deadlines.policy.refresh_due keeps it).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_what: Mapped[str | None] = mapped_column(String(32), default=None)
    # Consents received from the other side lifting a condition for one use (onward transfer to
    # one authority, use in one other proceeding): [{"condition", "to"|"proceeding", "at"}].
    authorisations: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)

    @property
    def side(self) -> Side:
        """Which side of the request this copy's holder is on."""
        return Side.requesting if self.holder == self.requesting else Side.requested

    @property
    def counterpart(self) -> str:
        """The other authority of the request."""
        return self.requested if self.side is Side.requesting else self.requesting


class RequestEvent(Base):
    """Status history: every transition, who took it, why. Append-only like the audit log."""

    __tablename__ = "request_events"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        Index("ix_request_events_request", "holder", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ground: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class RequestAssignment(Base):
    """Users of the holder authority working on the request: they see it and get its reminders."""

    __tablename__ = "request_assignments"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
    )

    holder: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DomesticProsecution(Base):
    """Aut dedere aut judicare (art. 37): the follow-up an extradition refused for nationality
    opens on both copies. Here beside the request (not in requests.prosecution) because the
    deadline engine reads it too."""

    __tablename__ = "domestic_prosecutions"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
    )

    holder: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The refusal's ground (from the closed list) and when it opened the obligation.
    ground: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "Without undue delay": by when the case is to be submitted, and by when its outcome
    # reported once submitted (settings prosecution_submission_days, _outcome_days).
    submission_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_to: Mapped[str | None] = mapped_column(String(300), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome: Mapped[str | None] = mapped_column(Text, default=None)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RequestText(Base):
    """The words of one request copy, for full-text search (requests.texts cuts them, the same
    way for every script and both databases). Its integer id is what the search index refers
    to: on SQLite an FTS5 table kept by triggers, on PostgreSQL a GIN index over its tsvector
    (migration 0013; requests.search queries them)."""

    __tablename__ = "request_texts"
    __table_args__ = (
        ForeignKeyConstraint(["holder", "request_id"], ["requests.holder", "requests.id"]),
        UniqueConstraint("holder", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(Text)


# The search index itself is the database's (migration 0013), outside the models: the drift
# check between models and migrations skips these names (and FTS5's own tables under them).
Base.metadata.info.setdefault("unmapped", set()).update(
    {"request_texts_fts", "ix_request_texts_body_search"}
)

# Of a request, what its words come from.
_TEXT_FIELDS = ("reference", "content", "response", "status_reason")


def _changed_texts(request: Request) -> bool:
    state = inspect(request)
    return state.pending or any(state.attrs[f].history.has_changes() for f in _TEXT_FIELDS)


def _index_texts(session: Session, _context: object, _instances: object) -> None:
    """Before every flush: the words of each new or edited request, written in the same
    transaction as the change itself (drafting, an arrival, a response all pass here)."""
    for request in [*session.new, *session.dirty]:
        if not isinstance(request, Request) or not _changed_texts(request):
            continue
        body = index_text(
            reference=request.reference or "",
            content=request.content,
            response=request.response,
            status_reason=request.status_reason,
        )
        with session.no_autoflush:
            row = None
            if not inspect(request).pending:
                row = session.scalar(
                    select(RequestText).where(
                        RequestText.holder == request.holder,
                        RequestText.request_id == request.id,
                    )
                )
        if row is None:
            session.add(RequestText(holder=request.holder, request_id=request.id, body=body))
        elif row.body != body:
            row.body = body


event.listen(Session, "before_flush", _index_texts)
