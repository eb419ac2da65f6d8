"""API shapes for evidence packages between nodes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PackageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The items to send; all live items of the request when absent.
    items: list[str] | None = Field(default=None, max_length=100_000)


class TransferRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    direction: str
    holder: str
    peer: str
    request_id: str
    status: str
    package_digest: str | None
    size: int
    offset: int
    bytes_transferred: int
    items: list[dict[str, Any]]
    report: list[dict[str, Any]]
    last_error: str | None
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    sealed_at: datetime | None = None  # the signing time the package records
    started_at: datetime | None = None  # receiver: its first chunk stored (its own clock)
    received_at: datetime | None = None  # receiver: the last byte stored and checked
    kept_at: datetime | None = None  # the package kept: GET .../packages/{id}/package
    package_deleted_at: datetime | None = None
