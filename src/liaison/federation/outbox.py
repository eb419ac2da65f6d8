"""Putting envelopes in the outbox, in the caller's transaction. Never commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput, NotFound
from liaison.core.ids import new_id_str
from liaison.directory import service as directory
from liaison.federation.models import OutboxEnvelope


def enqueue(
    *,
    session: Session,
    sender: str,
    recipient: str,
    kind: str,
    body: dict[str, Any],
    thread: str | None = None,
    in_reply_to: str | None = None,
    envelope_id: str | None = None,
    clock: Clock = system_clock,
) -> OutboxEnvelope:
    """Queue an envelope for delivery; the worker seals and sends it."""
    if sender == recipient:
        raise InvalidInput("an authority cannot send an envelope to itself")
    doc = directory.current(session=session)
    if doc is None or doc.authority(recipient) is None:
        raise NotFound(f"authority {recipient!r} is not in the directory")
    now = clock.now()
    envelope_id = envelope_id or new_id_str()
    row = OutboxEnvelope(
        id=envelope_id,
        sender=sender,
        recipient=recipient,
        kind=kind,
        thread=thread or envelope_id,
        in_reply_to=in_reply_to,
        body=body,
        created_at=now,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        digests=[],
    )
    # No flush: the row is written with the caller's other changes, in one batch at commit.
    session.add(row)
    return row


def backoff(*, attempts: int, maximum: float, jitter: float) -> timedelta:
    """Exponential backoff 0.5 s, 1 s, 2 s … capped; `jitter` in [0, 1) spreads retries so
    many senders do not hammer a peer that just came back at the same instant."""
    base = min(maximum, 0.5 * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=base * (0.5 + jitter / 2))
