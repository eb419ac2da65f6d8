"""API shapes for notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category: str
    subject: str
    body: str
    target: str
    created_at: datetime
    read_at: datetime | None
