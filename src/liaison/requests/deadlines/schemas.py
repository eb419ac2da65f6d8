"""API shapes for deadline policies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DeadlinePolicyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urgent: bool = False
    ack_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    response_days: int | None = Field(default=None, ge=1, le=3650)
    expiry_warning_days: int = Field(default=7, ge=1, le=365)


class DeadlinePolicyRead(DeadlinePolicyUpdate):
    model_config = ConfigDict(from_attributes=True)

    kind: str
