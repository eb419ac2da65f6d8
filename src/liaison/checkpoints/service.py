"""Signed checkpoints of the audit log, and verifying the log against them.

A checkpoint is the node key's signature over (node, seq, hash) of the chain head. It sits above
both the audit log (which it reads) and the keyring (whose node key signs), so that neither of
those two imports the other's caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS, Problem, check_link
from liaison.audit.models import AuditEntry, AuditHead
from liaison.audit.service import write_head
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import Clock, system_clock
from liaison.crypto import jose
from liaison.crypto.hashing import same_digest
from liaison.keyring import service as keyring
from liaison.node import Node


def _checkpoint_payload(node: str, seq: int, digest: str, at: str) -> dict[str, Any]:
    return {"node": node, "seq": seq, "hash": digest, "at": at}


def checkpoint(
    *, session: Session, kek: bytes, node_name: str, clock: Clock = system_clock
) -> AuditCheckpoint | None:
    """Sign the current head with the node key. None when the log is empty or already covered."""
    write_head(session)
    head = session.get(AuditHead, 1)
    if head is None:
        return None
    last = session.scalar(select(func.max(AuditCheckpoint.seq)))
    if last is not None and last >= head.seq:
        return None
    key, private_raw = keyring.node_signing_key(session=session, kek=kek)
    at = clock.now()
    payload = _checkpoint_payload(node_name, head.seq, head.hash, at.isoformat())
    token = jose.sign_json(payload, private_raw=private_raw, key_id=key.id, typ=jose.Typ.checkpoint)
    cp = AuditCheckpoint(seq=head.seq, hash=head.hash, at=at, key_id=key.id, signature=token)
    session.add(cp)
    session.flush()
    return cp


def maybe_checkpoint(
    *, session: Session, kek: bytes, node_name: str, every: int, clock: Clock = system_clock
) -> AuditCheckpoint | None:
    """Checkpoint when at least `every` entries were appended since the last checkpoint."""
    write_head(session)
    head_seq = session.scalar(select(AuditHead.seq).where(AuditHead.id == 1))
    if head_seq is None:
        return None
    last = session.scalar(select(func.max(AuditCheckpoint.seq))) or 0
    if head_seq - last < every:
        return None
    return checkpoint(session=session, kek=kek, node_name=node_name, clock=clock)


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.seq) if self.problems else None


def verify(*, session: Session) -> VerifyReport:
    """Walk the chain and the checkpoints. Reads only; safe on a live node."""
    report = VerifyReport()
    write_head(session)
    checkpoints = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)))
    wanted = {cp.seq for cp in checkpoints}
    hashes_at: dict[int, str] = {}
    expected, prev = 1, GENESIS
    # Streamed in batches (a server-side cursor on PostgreSQL), closed even when we stop early.
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    )
    try:
        for row in rows:
            problem = check_link(expected_seq=expected, prev_hash=prev, row=row)
            if problem is not None:
                report.problems.append(problem)
                break
            if row.seq in wanted:
                hashes_at[row.seq] = row.hash
            report.entries += 1
            expected, prev = row.seq + 1, row.hash
    finally:
        rows.close()
    if report.problems:
        return report
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != report.entries or not same_digest(head.hash, prev)):
        report.problems.append(
            Problem(
                report.entries + 1 if head.seq > report.entries else head.seq,
                f"chain ends at entry {report.entries} but the head records entry {head.seq}",
            )
        )
    for cp in checkpoints:
        report.checkpoints += 1
        problem = _check_checkpoint(session, cp, hashes_at)
        if problem is not None:
            report.problems.append(problem)
    return report


def _check_checkpoint(
    session: Session, cp: AuditCheckpoint, hashes_at: dict[int, str]
) -> Problem | None:
    public_raw = keyring.public_raw_by_id(session=session, key_id=cp.key_id)
    if public_raw is None:
        return Problem(cp.seq, f"checkpoint {cp.id} is signed by unknown key {cp.key_id}")
    try:
        payload = jose.verify(
            cp.signature, public_raw=public_raw, typ=jose.Typ.checkpoint, key_id=cp.key_id
        )
    except jose.TokenError:
        return Problem(cp.seq, f"checkpoint {cp.id} signature does not verify")
    signed = json.loads(payload)
    if signed.get("seq") != cp.seq or signed.get("hash") != cp.hash:
        return Problem(cp.seq, f"checkpoint {cp.id} row differs from what was signed")
    actual = hashes_at.get(cp.seq)
    if actual is None:
        return Problem(cp.seq, f"missing: checkpoint {cp.id} covers entry {cp.seq}, which is gone")
    if not same_digest(actual, cp.hash):
        return Problem(cp.seq, f"chain was rewritten: entry hash differs from checkpoint {cp.id}")
    return None


def checkpoint_if_due(node: Node) -> None:
    """Sign the audit head every `audit_checkpoint_every` entries, in its own transaction."""
    with node.db.session() as session:
        maybe_checkpoint(
            session=session,
            kek=node.kek,
            node_name=node.settings.node_name,
            every=node.settings.audit_checkpoint_every,
            clock=node.clock,
        )
