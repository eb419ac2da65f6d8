"""Pings and notes: the first two envelope kinds, and the threads they form. Never commits.

ping → the recipient stores it and answers pong automatically (in_reply_to the ping), so both
sides see the round trip. note → a text from one authority to another, stored in a thread.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Conflict, InvalidInput, NotFound
from liaison.core.permissions import AuditAction
from liaison.federation import kinds, outbox
from liaison.federation.models import Message
from liaison.protocol import errors

MAX_NOTE_CHARS = 20_000
_INSERT_MESSAGE = insert(cast(Table, Message.__table__))


def _store(
    *,
    session: Session,
    message_id: str,
    authority_id: str,
    direction: str,
    counterpart: str,
    kind: str,
    thread: str,
    in_reply_to: str | None,
    text: str,
    author: str | None,
    clock: Clock,
    received: bool,
) -> Message:
    now = clock.now()
    message = Message(
        id=message_id,
        authority_id=authority_id,
        direction=direction,
        counterpart=counterpart,
        kind=kind,
        thread=thread,
        in_reply_to=in_reply_to,
        text=text,
        author=author,
        created_at=now,
        received_at=now if received else None,
    )
    session.add(message)
    return message


def send_note(
    *,
    session: Session,
    sender: str,
    recipient: str,
    text: str,
    ctx: AuditContext,
    thread: str | None = None,
    client_key: str | None = None,
    clock: Clock = system_clock,
) -> Message:
    """Store the note in its thread and queue it. `client_key` is the sender's retry key: a
    second call with the same key and note returns the first note (the key is scoped to the
    sender's authority, and the envelope id is always the node's own)."""
    if not text.strip():
        raise InvalidInput("the note is empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"the note is longer than {MAX_NOTE_CHARS} characters")
    if client_key is not None:
        existing = session.scalar(
            select(Message).where(Message.authority_id == sender, Message.client_key == client_key)
        )
        if existing is not None:
            if existing.text != text or existing.counterpart != recipient:
                raise Conflict(
                    f"your authority already sent another note with the key {client_key}"
                )
            return existing
    if (
        thread is not None
        and session.scalar(
            select(Message.id)
            .where(Message.authority_id == sender, Message.thread == thread)
            .limit(1)
        )
        is None
    ):
        raise NotFound(f"no thread {thread}")
    row = outbox.enqueue(
        session=session,
        sender=sender,
        recipient=recipient,
        kind="note",
        body={"text": text, "author": ctx.actor},
        thread=thread,
        clock=clock,
    )
    message = _store(
        session=session,
        message_id=row.id,
        authority_id=sender,
        direction="out",
        counterpart=recipient,
        kind="note",
        thread=row.thread,
        in_reply_to=None,
        text=text,
        author=ctx.actor,
        clock=clock,
        received=False,
    )
    message.client_key = client_key
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.federation_note_sent,
        target=f"envelope:{row.id}",
        authority_id=sender,
        detail={"to": recipient, "thread": row.thread, "chars": len(text)},
        clock=clock,
    )
    return message


def send_ping(
    *, session: Session, sender: str, recipient: str, ctx: AuditContext, clock: Clock = system_clock
) -> Message:
    row = outbox.enqueue(
        session=session, sender=sender, recipient=recipient, kind="ping", body={}, clock=clock
    )
    message = _store(
        session=session,
        message_id=row.id,
        authority_id=sender,
        direction="out",
        counterpart=recipient,
        kind="ping",
        thread=row.thread,
        in_reply_to=None,
        text="",
        author=ctx.actor,
        clock=clock,
        received=False,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.federation_ping_sent,
        target=f"envelope:{row.id}",
        authority_id=sender,
        detail={"to": recipient},
        clock=clock,
    )
    return message


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE_CHARS:
        raise errors.MalformedError("a note carries a non-empty text of at most 20,000 characters")
    return text


def _author(body: dict[str, Any]) -> str | None:
    author = body.get("author")
    return author[:120] if isinstance(author, str) else None


def _receive(kind: str) -> kinds.Handler:
    def handle(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
        env = incoming.envelope
        text = _text(incoming.body) if kind == "note" else ""
        now = hc.clock.now()
        # A prepared Core insert: every received note passes here, and nothing reads it back.
        hc.session.connection().execute(
            _INSERT_MESSAGE,
            {
                "id": env.id,
                "authority_id": env.to,
                "direction": "in",
                "counterpart": env.sender,
                "kind": kind,
                "thread": env.thread,
                "in_reply_to": env.in_reply_to,
                "text": text,
                "author": _author(incoming.body),
                "created_at": now,
                "received_at": now,
            },
        )
        if kind == "ping":
            row = outbox.enqueue(
                session=hc.session,
                sender=env.to,
                recipient=env.sender,
                kind="pong",
                body={},
                thread=env.thread,
                in_reply_to=env.id,
                clock=hc.clock,
            )
            _store(
                session=hc.session,
                message_id=row.id,
                authority_id=env.to,
                direction="out",
                counterpart=env.sender,
                kind="pong",
                thread=env.thread,
                in_reply_to=env.id,
                text="",
                author="system",
                clock=hc.clock,
                received=False,
            )

    return handle


# The note's text is checked before anything is written: no savepoint needed (checks_first).
on_ping, on_pong, on_note = _receive("ping"), _receive("pong"), _receive("note")


def threads(*, session: Session, authority_id: str) -> list[tuple[str, str, int, Any]]:
    """(thread, counterpart, message count, last activity) for one authority, newest first."""
    rows = session.execute(
        select(
            Message.thread,
            func.min(Message.counterpart),
            func.count(),
            func.max(Message.created_at),
        )
        .where(Message.authority_id == authority_id)
        .group_by(Message.thread)
        .order_by(func.max(Message.created_at).desc())
    ).all()
    return [(r[0], r[1], int(r[2]), r[3]) for r in rows]


def thread_messages(*, session: Session, authority_id: str, thread: str) -> list[Message]:
    """A thread as this authority sees it, in the order the messages were written (ids are
    UUIDv7, time-ordered by their senders)."""
    found = list(
        session.scalars(
            select(Message)
            .where(Message.authority_id == authority_id, Message.thread == thread)
            .order_by(Message.id)
        )
    )
    if not found:
        raise NotFound(f"no thread {thread}")
    return found
