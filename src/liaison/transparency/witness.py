"""Witnessing other nodes' audit logs: the `audit.checkpoint` envelope. Never commits.

A node's checkpoint arrives with a consistency proof from the last size this node cosigned of
that log. Verified (the node's log key from the directory; the proof against the root this node
holds), it is stored and cosigned, and the cosignature goes back (`audit.cosignature`). A
checkpoint that contradicts what this node cosigned before — the same size with another root,
or a proof that fails — is a fork or a rewritten history: both signed notes are kept as an
alert, the node's auditors and administrators are notified, and the answer says it was refused.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.checkpoints import tree
from liaison.core.clock import Clock
from liaison.core.permissions import AuditAction, Role
from liaison.crypto import merkle, notes
from liaison.directory import service as directory
from liaison.directory.document import DirectoryDocument, DirectoryLog
from liaison.federation import outbox
from liaison.federation.kinds import HandlerContext, Incoming
from liaison.keyring import service as keyring
from liaison.notifications import service as notifications
from liaison.protocol import errors
from liaison.transparency.models import WitnessAlert, WitnessedCheckpoint

KIND_CHECKPOINT = "audit.checkpoint"
KIND_COSIGNATURE = "audit.cosignature"
MAX_PROOF = 64
_ALERTED = (Role.auditor.value, Role.admin.value)


def sender_log(doc: DirectoryDocument, authority_id: str) -> DirectoryLog:
    """The log of the node that hosts `authority_id`: an authority speaks for its node's log
    only (they share the endpoint)."""
    entry = doc.authority(authority_id)
    log = doc.log_at(entry.endpoint) if entry is not None else None
    if log is None:
        raise errors.UnknownKeyError(f"the directory publishes no audit log for {authority_id}")
    return log


def checked_note(doc: DirectoryDocument, log: DirectoryLog, wire: Any) -> notes.Note:
    """A checkpoint note of `log`, signed by one of its published log keys."""
    if not isinstance(wire, str):
        raise errors.MalformedError("the checkpoint must be a signed note (text)")
    try:
        note = notes.parse(wire)
        body = notes.parse_checkpoint(note.text)
    except notes.NoteError as exc:
        raise errors.MalformedError(f"not a checkpoint: {exc}") from None
    if body.origin != log.origin:
        raise errors.MalformedError(f"a checkpoint of {body.origin!r} sent by {log.origin!r}")
    for key in doc.usable_keys(log, "log"):
        try:
            notes.verify(note, name=log.origin, public_raw=key.public_raw)
        except notes.NoteError:
            continue
        return note
    raise errors.BadSignatureError(f"the checkpoint is not signed by a log key of {log.origin}")


def _proof(body: dict[str, Any]) -> tuple[int, list[bytes]]:
    old_size, proof = body.get("old_size"), body.get("proof")
    if not isinstance(old_size, int) or isinstance(old_size, bool) or old_size < 0:
        raise errors.MalformedError("old_size must be a size (an integer from 0)")
    if not isinstance(proof, list) or len(proof) > MAX_PROOF:
        raise errors.MalformedError(f"proof must be a list of at most {MAX_PROOF} hashes")
    try:
        hashes = [base64.b64decode(p, validate=True) for p in proof if isinstance(p, str)]
    except (binascii.Error, ValueError):
        raise errors.MalformedError("the proof's hashes must be base64") from None
    if len(hashes) != len(proof) or any(len(h) != merkle.HASH_BYTES for h in hashes):
        raise errors.MalformedError("the proof's hashes must be 32 bytes each")
    return old_size, hashes


def latest(session: Session, origin: str) -> WitnessedCheckpoint | None:
    """The largest tree of `origin` this node cosigned (the newest of that size)."""
    return session.scalars(
        select(WitnessedCheckpoint)
        .where(WitnessedCheckpoint.origin == origin)
        .order_by(WitnessedCheckpoint.size.desc(), WitnessedCheckpoint.id.desc())
        .limit(1)
    ).first()


def on_checkpoint(incoming: Incoming, hctx: HandlerContext) -> None:
    session, envelope = hctx.session, incoming.envelope
    doc = directory.current(session=session)
    if doc is None:
        raise errors.UnknownKeyError("no directory imported")
    log = sender_log(doc, envelope.sender)
    note = checked_note(doc, log, incoming.body.get("checkpoint"))
    old_size, proof = _proof(incoming.body)
    body = notes.parse_checkpoint(note.text)
    known = latest(session, log.origin)
    answer: dict[str, Any]
    if known is None or (body.size == known.size and tree.label(body.root) == known.root):
        answer = _cosign(hctx, note, body, envelope.id)
    elif body.size == known.size:
        answer = _contradiction(
            hctx,
            log=log,
            known=known,
            note=note,
            envelope_id=envelope.id,
            reason="two roots for one size",
        )
    elif body.size < known.size or old_size != known.size:
        # An older tree (a late copy), or a proof from a size this node does not hold: say
        # which size it holds; the log answers with a proof from there.
        answer = {"status": "conflict", "size": body.size, "known_size": known.size}
    else:
        try:
            merkle.verify_consistency(
                old_size=known.size,
                new_size=body.size,
                old_root=tree.unlabel(known.root),
                new_root=body.root,
                proof=proof,
            )
            answer = _cosign(hctx, note, body, envelope.id)
        except merkle.ProofError as exc:
            answer = _contradiction(
                hctx, log=log, known=known, note=note, envelope_id=envelope.id, reason=str(exc)
            )
    outbox.enqueue(
        session=session,
        sender=envelope.to,
        recipient=envelope.sender,
        kind=KIND_COSIGNATURE,
        body=answer,
        thread=envelope.thread,
        in_reply_to=envelope.id,
        clock=hctx.clock,
    )


def _cosign(
    hctx: HandlerContext, note: notes.Note, body: notes.Checkpoint, envelope_id: str
) -> dict[str, Any]:
    name = hctx.settings.node_name
    _key, private_raw = keyring.node_signing_key(
        session=hctx.session, kek=hctx.settings.kek_bytes(), purpose="witness"
    )
    now = hctx.clock.now()
    sig = notes.cosign(
        note.text, name=name, private_raw=private_raw, timestamp=int(now.timestamp())
    )
    own = [s for s in note.signatures if s.name != name]
    hctx.session.add(
        WitnessedCheckpoint(
            origin=body.origin,
            size=body.size,
            root=tree.label(body.root),
            note=notes.Note(note.text, (*own, sig)).render(),
            received_at=now,
            envelope_id=envelope_id,
        )
    )
    return {"status": "cosigned", "size": body.size, "checkpoint": note.text, "line": sig.line()}


def _contradiction(
    hctx: HandlerContext,
    *,
    log: DirectoryLog,
    known: WitnessedCheckpoint,
    note: notes.Note,
    envelope_id: str,
    reason: str,
) -> dict[str, Any]:
    body = notes.parse_checkpoint(note.text)
    raise_alert(
        session=hctx.session,
        ctx=hctx.ctx,
        clock=hctx.clock,
        origin=log.origin,
        reason=(
            f"the log {log.origin} contradicts the tree of {known.size} entries this node "
            f"cosigned: {reason}"
        ),
        known=known.note,
        claimed=note.render(),
        detail={"known_size": known.size, "claimed_size": body.size},
        envelope_id=envelope_id,
    )
    return {"status": "refused", "size": body.size, "known_size": known.size, "reason": reason}


def raise_alert(
    *,
    session: Session,
    ctx: AuditContext,
    clock: Clock,
    origin: str,
    reason: str,
    known: str,
    claimed: str,
    detail: dict[str, Any],
    envelope_id: str,
) -> WitnessAlert:
    """Keep the evidence, log it, and tell every auditor and administrator of the node."""
    alert = WitnessAlert(
        origin=origin,
        reason=reason[:300],
        known=known,
        claimed=claimed,
        detail=detail,
        at=clock.now(),
        envelope_id=envelope_id,
    )
    session.add(alert)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.audit_witness_alert,
        target=f"log:{origin}",
        detail={"reason": reason, **detail},
        clock=clock,
    )
    users = session.scalars(select(User).where(User.disabled.is_(False)))
    for user in users:
        if user.is_node_admin or any(r in _ALERTED for r in user.roles):
            notifications.notify(
                session=session,
                user_id=user.id,
                category="audit_alert",
                subject=f"Audit log alert: {origin}",
                body=reason,
                target=f"log:{origin}",
                dedupe=f"witness-alert:{alert.id}",
                clock=clock,
            )
    return alert
