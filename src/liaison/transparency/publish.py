"""Sending this node's checkpoints to its witnesses, and keeping their cosignatures. Never
commits (the task in liaison.transparency.tasks is the boundary).

Every node whose log the directory lists is a witness of every other. The newest checkpoint
goes to each witness that has not had it, with a consistency proof from the size the witness
holds (the last one sent: they arrive in order, on one thread per witness). The answer is a
cosignature (kept), or the size the witness actually holds (the next send proves from there),
or a refusal: the witness saw this log contradict itself, which raises an alert here too.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.authorities import service as authorities
from liaison.checkpoints import service as checkpoints
from liaison.checkpoints import tree
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import Clock
from liaison.core.ids import new_id_str
from liaison.core.permissions import Permission, Role, permissions_for
from liaison.crypto import notes
from liaison.directory import service as directory
from liaison.directory.document import DirectoryDocument, DirectoryLog
from liaison.federation import outbox
from liaison.federation.kinds import HandlerContext, Incoming
from liaison.protocol import errors
from liaison.transparency.models import LogCosignature, LogPeer
from liaison.transparency.witness import KIND_CHECKPOINT, raise_alert, sender_log


def outbox_scope(user: User) -> ColumnElement[bool]:
    """Checkpoints and cosignatures in the outbox: for who may read the audit log."""
    granted = permissions_for(frozenset(Role(r) for r in user.roles), node_admin=user.is_node_admin)
    return true() if Permission.audit_log_read in granted else false()


def _first_authority(doc: DirectoryDocument, endpoint: str, hosted: set[str] | None) -> str | None:
    ids = sorted(
        a.id
        for a in doc.authorities
        if a.endpoint == endpoint and (hosted is None or a.id in hosted)
    )
    return ids[0] if ids else None


def publish(*, session: Session, origin: str, clock: Clock) -> int:
    """Queue the newest checkpoint to every witness that has not had it; how many were queued."""
    doc = directory.current(session=session)
    own = doc.log(origin) if doc is not None else None
    newest = checkpoints.newest(session)
    if doc is None or own is None or newest is None or newest.note is None:
        return 0
    hosted = {a.id for a in authorities.list_all(session=session)}
    sender = _first_authority(doc, own.endpoint, hosted)
    if sender is None:
        return 0
    queued = 0
    for witness in doc.logs:
        recipient = _first_authority(doc, witness.endpoint, None)
        if witness.origin == origin or recipient is None:
            continue
        peer = session.get(LogPeer, witness.origin)
        if peer is None:
            peer = LogPeer(witness=witness.origin, thread=new_id_str())
            session.add(peer)
        old_size = peer.sent_size if peer.sent_size is not None else (peer.known_size or 0)
        if old_size >= newest.seq:
            continue
        proof = (
            tree.consistency(session, old_size=old_size, new_size=newest.seq) if old_size else []
        )
        outbox.enqueue(
            session=session,
            sender=sender,
            recipient=recipient,
            kind=KIND_CHECKPOINT,
            body={
                "checkpoint": newest.note,
                "old_size": old_size,
                "proof": [base64.b64encode(h).decode() for h in proof],
            },
            thread=peer.thread,
            clock=clock,
        )
        peer.sent_size, peer.sent_at = newest.seq, clock.now()
        queued += 1
    return queued


def _size(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise errors.MalformedError(f"{key} must be a size (an integer from 0)")
    return value


def on_cosignature(incoming: Incoming, hctx: HandlerContext) -> None:
    session, body = hctx.session, incoming.body
    doc = directory.current(session=session)
    if doc is None:
        raise errors.UnknownKeyError("no directory imported")
    witness = sender_log(doc, incoming.envelope.sender)
    peer = session.get(LogPeer, witness.origin)
    if peer is None:
        raise errors.MalformedError(f"no checkpoint was sent to {witness.origin}")
    status, size = body.get("status"), _size(body, "size")
    if status == "cosigned":
        _keep_cosignature(session, hctx, doc=doc, witness=witness, body=body, size=size)
        peer.known_size = max(size, peer.known_size or 0)
    elif status == "conflict":
        known = _size(body, "known_size")
        peer.known_size, peer.sent_size = known, None
        own = checkpoints.newest(session)
        if own is not None and known > own.seq:
            _alert(hctx, witness, f"it holds a tree of {known} entries, this log {own.seq}")
    elif status == "refused":
        reason = str(body.get("reason", ""))[:200]
        peer.sent_size = None
        _alert(hctx, witness, f"it refused the checkpoint of {size} entries: {reason}")
    else:
        raise errors.MalformedError("status must be cosigned, conflict or refused")
    peer.answered_at = hctx.clock.now()


def _keep_cosignature(
    session: Session,
    hctx: HandlerContext,
    *,
    doc: DirectoryDocument,
    witness: DirectoryLog,
    body: dict[str, Any],
    size: int,
) -> None:
    text, line = body.get("checkpoint"), body.get("line")
    if not isinstance(text, str) or not isinstance(line, str):
        raise errors.MalformedError("a cosignature carries the checkpoint text and its line")
    cp = session.scalars(
        select(AuditCheckpoint).where(
            AuditCheckpoint.seq == size,
            AuditCheckpoint.note.startswith(text + "\n", autoescape=True),
        )
    ).first()
    if cp is None or cp.note is None or cp.root is None:
        raise errors.MalformedError(f"this log signed no such checkpoint of {size} entries")
    try:
        sig = notes.parse(f"{text}\n{line.rstrip(chr(10))}\n").signatures[0]
    except notes.NoteError as exc:
        raise errors.MalformedError(f"not a cosignature line: {exc}") from None
    for key in doc.usable_keys(witness, "witness"):
        try:
            at = notes.verify_cosignature(text, sig, name=witness.origin, public_raw=key.public_raw)
        except notes.NoteError:
            continue
        session.add(
            LogCosignature(
                witness=witness.origin,
                size=size,
                root=cp.root,
                note=cp.note,
                line=sig.line(),
                cosigned_at=datetime.fromtimestamp(at, UTC),
                received_at=hctx.clock.now(),
            )
        )
        return
    raise errors.BadSignatureError(f"not a cosignature by a witness key of {witness.origin}")


def _alert(hctx: HandlerContext, witness: DirectoryLog, what: str) -> None:
    origin = hctx.settings.node_name
    newest = checkpoints.newest(hctx.session)
    raise_alert(
        session=hctx.session,
        ctx=hctx.ctx,
        clock=hctx.clock,
        origin=origin,
        reason=f"witness {witness.origin} disagrees with this node's audit log: {what}",
        known="",
        claimed=(newest.note or "") if newest is not None else "",
        detail={"witness": witness.origin},
        envelope_id=hctx.ctx.request_id,
    )
