"""Deadline policies: an authority's own deadlines per kind and urgency."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base


class DeadlinePolicy(Base):
    """An authority's own deadlines for one kind (and urgency), overriding the defaults."""

    __tablename__ = "deadline_policies"

    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    urgent: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    ack_hours: Mapped[int | None] = mapped_column(Integer, default=None)
    response_days: Mapped[int | None] = mapped_column(Integer, default=None)
    expiry_warning_days: Mapped[int] = mapped_column(Integer, default=7)
