"""Federation routes. For users (`router`, under /api/v1): notes, pings, threads and the delivery
status of one's own authority, each route declaring its permission. For peers (`peer_router`,
/federation/v1): the inbox, where peers authenticate by signing every envelope, not with user
tokens: the only permission there is a valid signature by a key the directory lists for the
sender."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select

from liaison.accounts.deps import Principal, require
from liaison.api.bodies import BodyTooLarge, read_body, too_large_response
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.federation import envelope as env
from liaison.federation import inbox, kinds, messages
from liaison.federation.models import OutboxEnvelope
from liaison.federation.schemas import MessageRead, NoteCreate, OutboxRead, PingCreate, ThreadRead
from liaison.node import Node

router = APIRouter(tags=["messages"])
peer_router = APIRouter(prefix="/federation/v1", tags=["federation"])
Sender = Annotated[Principal, Depends(require(Permission.message_send))]
Reader = Annotated[Principal, Depends(require(Permission.message_read))]


@peer_router.post("/inbox")
async def receive_one(request: Request) -> JSONResponse:
    """One envelope (compact JWS as the body). 200 with the signed receipt when accepted (or a
    duplicate); a 4xx with the reason and the signed rejection receipt otherwise.
    Permission: the envelope's signature (checked against the directory)."""
    node: Node = request.app.state.node
    try:
        raw = await read_body(request, node.settings.federation_max_envelope_bytes)
    except BodyTooLarge as exc:
        return too_large_response(exc)
    wire = raw.decode("ascii", errors="replace").strip()
    outcome = await run_in_threadpool(inbox.receive, node, wire)
    payload = {
        "receipt": outcome.receipt,
        "status": "accepted" if outcome.accepted else "rejected",
        "reason": outcome.reason,
    }
    if not outcome.accepted:
        payload["detail"] = f"envelope rejected: {outcome.reason}"
        status = outcome.status_code if 400 <= outcome.status_code < 500 else 400
        return JSONResponse(payload, status_code=status)
    return JSONResponse(payload, status_code=200)


@peer_router.post("/inbox/batch")
async def receive_batch(request: Request) -> JSONResponse:
    """Up to 100 envelopes: `{"envelopes": [...]}` → `{"receipts": [...]}`, one signed receipt
    per envelope in the same order (accepted or rejected). 400 for a malformed batch, 413 when
    too large. Permission: each envelope's signature (checked against the directory)."""
    node: Node = request.app.state.node
    try:
        raw = await read_body(request, node.settings.federation_max_batch_bytes)
    except BodyTooLarge as exc:
        return too_large_response(exc)
    try:
        batch = env.BatchRequest.model_validate_json(raw)
    except ValidationError as exc:
        return JSONResponse(
            {"detail": f"malformed batch: {exc.errors()[0]['msg']}", "reason": "malformed"},
            status_code=400,
        )

    outcomes = await run_in_threadpool(inbox.receive_batch, node, list(batch.envelopes))
    receipts = [outcome.receipt for outcome in outcomes]
    return JSONResponse(env.BatchResponse(receipts=receipts).model_dump(), status_code=200)


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
        client_key=body.id,
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
    state: Annotated[str | None, Query(pattern="^(pending|delivered|rejected|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OutboxRead]:
    """What your authority sent and whether it arrived: its messages, and the envelopes of
    requests (and their evidence) you may see. Permission: federation:message:read."""
    query = select(OutboxEnvelope).where(kinds.outbox_visible(principal.user))
    if state:
        query = query.where(OutboxEnvelope.status == state)
    rows = session.scalars(query.order_by(OutboxEnvelope.id.desc()).limit(limit))
    return [OutboxRead.model_validate(r) for r in rows]
