"""API shapes for messages and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from liaison.federation.messages import MAX_NOTE_CHARS
from liaison.protocol.fields import EnvelopeId

AuthorityRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
Uuid = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: AuthorityRef
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NOTE_CHARS)]
    # An existing thread of your authority (its id is an envelope id, a UUIDv7).
    thread: EnvelopeId | None = None
    # Chosen by the client to make a retried POST harmless (idempotency): your key, unique
    # within your authority; the note's own id is made by the node.
    id: Uuid | None = None


class PingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: AuthorityRef


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    direction: str
    counterpart: str
    kind: str
    thread: str
    in_reply_to: str | None
    text: str
    author: str | None
    created_at: datetime
    received_at: datetime | None


class ThreadRead(BaseModel):
    thread: str
    counterpart: str
    messages: int
    last_activity: datetime


class OutboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    recipient: str
    kind: str
    thread: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None = Field(default=None)
    receipt_reason: str | None = None
