"""Writing to the audit log (in the caller's transaction), checkpointing it, verifying it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS, Problem, check_link, entry_hash
from liaison.audit.context import AuditContext
from liaison.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import Action
from liaison.crypto import signing
from liaison.crypto.hashing import same_digest
from liaison.keyring import service as keyring

_ENTRIES = cast(Table, AuditEntry.__table__)
_HEAD = cast(Table, AuditHead.__table__)
# Built once: statements whose values come as parameters are compiled once and then reused
# from SQLAlchemy's cache; building `.values(...)` per call costs more than the SQL itself.
_INSERT_ENTRY = insert(_ENTRIES)
_LOCK_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_SECRET_WORDS = ("password", "secret", "token", "totp", "otp", "kek", "private", "identity")
_MAX_TEXT = 500


def redact(value: Any, key: str = "") -> Any:
    """Secrets never reach the log; long texts are cut so the log stays a log."""
    if any(word in key.lower() for word in _SECRET_WORDS):
        return "[redacted]"
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return value[:_MAX_TEXT] + "…"
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _forget_head(session: Session, *_args: object) -> None:
    session.info.pop("audit_head", None)
    session.info.pop("audit_head_unwritten", None)


def _write_head(session: Session, *_args: object) -> None:
    """Write the head row once, for every append since the last write (each append only
    remembers it): before a commit or a savepoint's release (the `before_commit` event), before
    a savepoint begins (`savepoint`), and before anything reads it."""
    pending = session.info.pop("audit_head_unwritten", None)
    if pending is not None and pending[0] is session.get_transaction():
        session.connection().execute(_MOVE_HEAD, {"new_seq": pending[1], "new_hash": pending[2]})


def _no_savepoint_over_unwritten_head(session: Session, transaction: object) -> None:
    if getattr(transaction, "nested", False) and session.info.get("audit_head_unwritten"):
        # A savepoint rollback would leave the head row behind entries made before it.
        raise RuntimeError("begin savepoints with audit.savepoint(), which writes the chain head")


# A rollback (of the transaction or of a savepoint) may undo appends: forget the remembered head.
# (A commit needs nothing: the next transaction is another object, so the memo no longer matches;
# and releasing a savepoint keeps what was appended in it.)
event.listen(Session, "after_soft_rollback", _forget_head)
event.listen(Session, "before_commit", _write_head)
event.listen(Session, "after_transaction_create", _no_savepoint_over_unwritten_head)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint that audit appends inside and before it survive either way it ends."""
    _write_head(session)
    with session.begin_nested():
        yield


def _head(session: Session) -> tuple[int, str]:
    """The next position and the previous hash, holding the head lock from here to commit.

    The first append of a transaction does UPDATE ... RETURNING: it takes PostgreSQL's row lock
    and SQLite's write lock, so two writers can never both append after the same head. Later
    appends in the same transaction already hold the lock and continue from what the last one
    wrote; any rollback, even of a savepoint, forgets it (the listeners above).
    """
    cached = session.info.get("audit_head")
    if cached is not None and cached[0] is session.get_transaction():
        return int(cached[1]) + 1, str(cached[2])
    row = (
        session.connection()
        .execute(
            update(_HEAD)
            .where(_HEAD.c.id == 1)
            .values(seq=_HEAD.c.seq)
            .returning(_HEAD.c.seq, _HEAD.c.hash)
        )
        .one_or_none()
    )
    if row is None:
        session.connection().execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        return 1, GENESIS
    return int(row.seq) + 1, str(row.hash)


def record(
    *,
    session: Session,
    ctx: AuditContext,
    action: Action,
    target: str,
    detail: dict[str, Any] | None = None,
    authority_id: str | None = None,
    clock: Clock = system_clock,
) -> AuditEntry:
    """Append one entry. Never commits: the entry lives or dies with the caller's change."""
    seq, prev_hash = _head(session)
    at = clock.now()
    clean = redact(detail or {})
    if ctx.address:
        clean = {**clean, "address": ctx.address}
    fields: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "actor": ctx.actor[:120],
        "authority_id": authority_id if authority_id is not None else ctx.authority_id,
        "action": str(action),
        "target": target[:200],
        "request_id": ctx.request_id[:64],
        "channel": str(ctx.channel),
        "detail": clean,
        "prev_hash": prev_hash,
    }
    digest = entry_hash(**fields)
    # Core statements on the session's connection, not the unit of work: the log is written on
    # every hot path and the ORM's bookkeeping would double its cost.
    connection = session.connection()
    connection.execute(_INSERT_ENTRY, {**fields, "hash": digest})
    # The head row itself is written once, later (_write_head): one statement fewer per entry.
    session.info["audit_head"] = (session.get_transaction(), seq, digest)
    session.info["audit_head_unwritten"] = session.info["audit_head"]
    # Tells the request boundary that a checkpoint may be due once this commits.
    session.info["audit_appended"] = True
    return AuditEntry(**fields, hash=digest)


def _checkpoint_payload(node: str, seq: int, digest: str, at: str) -> dict[str, Any]:
    return {"node": node, "seq": seq, "hash": digest, "at": at}


def checkpoint(
    *, session: Session, kek: bytes, node_name: str, clock: Clock = system_clock
) -> AuditCheckpoint | None:
    """Sign the current head with the node key. None when the log is empty or already covered."""
    _write_head(session)
    head = session.get(AuditHead, 1)
    if head is None:
        return None
    last = session.scalar(select(func.max(AuditCheckpoint.seq)))
    if last is not None and last >= head.seq:
        return None
    key, private_raw = keyring.node_signing_key(session=session, kek=kek)
    at = clock.now()
    payload = _checkpoint_payload(node_name, head.seq, head.hash, at.isoformat())
    token = signing.sign_json(
        payload, private_raw=private_raw, key_id=key.id, typ="audit-checkpoint"
    )
    cp = AuditCheckpoint(seq=head.seq, hash=head.hash, at=at, key_id=key.id, signature=token)
    session.add(cp)
    session.flush()
    return cp


def maybe_checkpoint(
    *, session: Session, kek: bytes, node_name: str, every: int, clock: Clock = system_clock
) -> AuditCheckpoint | None:
    """Checkpoint when at least `every` entries were appended since the last checkpoint."""
    _write_head(session)
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
    _write_head(session)
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
        payload = signing.verify(cp.signature, public_raw=public_raw)
    except signing.SignatureInvalid:
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
