"""Notes, pings, threads and delivery status of one's own authority."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import select

from liaison.api.deps import NodeDep, Principal, SessionDep, require
from liaison.core.permissions import Permission
from liaison.federation import messages
from liaison.federation.models import OutboxEnvelope
from liaison.federation.schemas import MessageRead, NoteCreate, OutboxRead, PingCreate, ThreadRead

router = APIRouter(tags=["messages"])
Sender = Annotated[Principal, Depends(require(Permission.message_send))]
Reader = Annotated[Principal, Depends(require(Permission.message_read))]


@router.post("/notes", response_model=MessageRead, status_code=status.HTTP_201_CREATED)
def send_note(
    body: NoteCreate, principal: Sender, session: SessionDep, node: NodeDep
) -> MessageRead:
    """Send a note to another authority; with `id`, a retried call returns the same note.
    Permission: federation:message:send."""
    message = messages.send_note(
        session=session,
        sender=principal.authority_id,
        recipient=body.to,
        text=body.text,
        ctx=principal.ctx,
        thread=body.thread,
        note_id=body.id,
        clock=node.clock,
    )
    return MessageRead.model_validate(message)


@router.post("/pings", response_model=MessageRead, status_code=status.HTTP_201_CREATED)
def send_ping(
    body: PingCreate, principal: Sender, session: SessionDep, node: NodeDep
) -> MessageRead:
    """Ping another authority; its node answers pong. Permission: federation:message:send."""
    message = messages.send_ping(
        session=session,
        sender=principal.authority_id,
        recipient=body.to,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return MessageRead.model_validate(message)


@router.get("/threads", response_model=list[ThreadRead])
def list_threads(principal: Reader, session: SessionDep) -> list[ThreadRead]:
    """Threads of your authority, newest first. Permission: federation:message:read."""
    return [
        ThreadRead(thread=t, counterpart=c, messages=n, last_activity=at)
        for t, c, n, at in messages.threads(session=session, authority_id=principal.authority_id)
    ]


@router.get("/threads/{thread}", response_model=list[MessageRead])
def read_thread(thread: str, principal: Reader, session: SessionDep) -> list[MessageRead]:
    """Messages of one thread of your authority. Permission: federation:message:read."""
    found = messages.thread_messages(
        session=session, authority_id=principal.authority_id, thread=thread
    )
    return [MessageRead.model_validate(m) for m in found]


@router.get("/outbox", response_model=list[OutboxRead])
def list_outbox(
    principal: Reader,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(pending|delivered|rejected)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OutboxRead]:
    """What your authority sent and whether it arrived. Permission: federation:message:read."""
    query = select(OutboxEnvelope).where(OutboxEnvelope.sender == principal.authority_id)
    if state:
        query = query.where(OutboxEnvelope.status == state)
    rows = session.scalars(query.order_by(OutboxEnvelope.id.desc()).limit(limit))
    return [OutboxRead.model_validate(r) for r in rows]
