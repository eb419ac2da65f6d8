"""Signing checkpoints of the audit log: the Merkle root of every entry so far, as a C2SP
checkpoint signed by the node's log key.

A checkpoint is signed every `audit_checkpoint_every` entries (at the request boundary) and by
the worker every `audit_checkpoint_seconds` — also when nothing was appended, with a fresh time,
so that an old newest checkpoint means the log stopped being vouched for (or checkpoints were
deleted), never that the node was merely quiet. It sits above both the audit log (which it
reads) and the keyring (whose node key signs), so neither imports the other's caller.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.models import AuditHead
from liaison.audit.service import write_head
from liaison.checkpoints import tree
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import Clock, system_clock
from liaison.crypto import merkle, notes
from liaison.keyring import service as keyring
from liaison.node import Node


def newest(session: Session) -> AuditCheckpoint | None:
    """The checkpoint of the largest tree, the latest signed of those."""
    return session.scalars(
        select(AuditCheckpoint)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.at.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()


def checkpoint(
    *,
    session: Session,
    kek: bytes,
    origin: str,
    clock: Clock = system_clock,
    refresh_after: timedelta | None = None,
) -> AuditCheckpoint | None:
    """Sign the log as it stands. None when the newest checkpoint already covers every entry
    (and, with `refresh_after`, is younger than that)."""
    write_head(session)
    head = session.get(AuditHead, 1)
    if head is None:
        return None
    last = newest(session)
    now = clock.now()
    fresh = refresh_after is None or (last is not None and now - last.at < refresh_after)
    if last is not None and last.seq >= head.seq and fresh:
        return None
    start = tree.stored_range(last) if last is not None and last.seq <= head.seq else None
    compact = start or merkle.CompactRange()
    compact = tree.extend(compact, tree.leaves(session, after=compact.size, upto=head.seq))
    if compact.size != head.seq:
        raise RuntimeError(f"the audit head says {head.seq} entries, the log holds {compact.size}")
    key, private_raw = keyring.node_signing_key(session=session, kek=kek)
    root = compact.root()
    body = notes.Checkpoint(origin, head.seq, root, (f"time {int(now.timestamp())}",))
    note = notes.sign(body.text(), name=origin, private_raw=private_raw)
    cp = AuditCheckpoint(
        seq=head.seq,
        hash=head.hash,
        at=now,
        key_id=key.id,
        root=tree.label(root),
        note=note.render(),
        frontier=[node.hex() for node in compact.nodes],
    )
    session.add(cp)
    session.flush()
    return cp


def maybe_checkpoint(
    *, session: Session, kek: bytes, origin: str, every: int, clock: Clock = system_clock
) -> AuditCheckpoint | None:
    """Checkpoint when at least `every` entries were appended since the newest checkpoint."""
    write_head(session)
    head_seq = session.scalar(select(AuditHead.seq).where(AuditHead.id == 1))
    if head_seq is None:
        return None
    last = newest(session)
    if head_seq - (last.seq if last is not None else 0) < every:
        return None
    return checkpoint(session=session, kek=kek, origin=origin, clock=clock)


def checkpoint_if_due(node: Node) -> None:
    """Sign the audit head every `audit_checkpoint_every` entries, in its own transaction."""
    with node.db.session() as session:
        maybe_checkpoint(
            session=session,
            kek=node.kek,
            origin=node.settings.node_name,
            every=node.settings.audit_checkpoint_every,
            clock=node.clock,
        )
