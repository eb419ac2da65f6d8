"""Writing to the audit log, in the caller's transaction. A leaf: it signs nothing and knows no key
(signed checkpoints of the chain are liaison.checkpoints)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS, check_unsealed_chain, entry_hash
from liaison.audit.context import AuditContext
from liaison.audit.models import AuditEntry, AuditHead
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import AuditAction
from liaison.crypto import seal as sealing
from liaison.node import AUDIT_SEAL_KEY

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


def write_head(session: Session, *_args: object) -> None:
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
event.listen(Session, "before_commit", write_head)
event.listen(Session, "after_transaction_create", _no_savepoint_over_unwritten_head)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint that audit appends inside and before it survive either way it ends."""
    write_head(session)
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
    action: AuditAction,
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
    key = session.info.get(AUDIT_SEAL_KEY)
    if key is None:
        # Sessions come from the node's Database, which carries the key (liaison.node).
        raise RuntimeError("audit entries are sealed: open sessions through the node's database")
    fields["seal"] = sealing.seal(key, digest.encode())
    # Core statements on the session's connection, not the unit of work: the log is written on
    # every hot path and the ORM's bookkeeping would double its cost.
    connection = session.connection()
    connection.execute(_INSERT_ENTRY, {**fields, "hash": digest})
    # The head row itself is written once, later (write_head): one statement fewer per entry.
    session.info["audit_head"] = (session.get_transaction(), seq, digest)
    session.info["audit_head_unwritten"] = session.info["audit_head"]
    # Tells the request boundary that a checkpoint may be due once this commits.
    session.info["audit_appended"] = True
    return AuditEntry(**fields, hash=digest)


def seal_legacy_entries(*, session: Session, ctx: AuditContext, clock: Clock = system_clock) -> int:
    """Seal the entries of a log written before entries were sealed, once: only while no entry
    has a seal (afterwards an unsealed entry is an alteration, never sealed after the fact),
    and only if the chain is intact. Returns how many entries were sealed."""
    key = session.info.get(AUDIT_SEAL_KEY)
    if key is None:
        raise RuntimeError("audit entries are sealed: open sessions through the node's database")
    if session.scalar(select(AuditEntry.seq).where(AuditEntry.seal.is_not(None)).limit(1)):
        return 0
    rows = list(session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq)))
    if not rows:
        return 0
    check_unsealed_chain(session)
    session.connection().execute(
        update(_ENTRIES).where(_ENTRIES.c.seq == bindparam("s")).values(seal=bindparam("v")),
        [{"s": seq, "v": sealing.seal(key, digest.encode())} for seq, digest in rows],
    )
    record(
        session=session,
        ctx=ctx,
        action=AuditAction.audit_log_sealed,
        target="audit:log",
        detail={"entries": len(rows)},
        clock=clock,
    )
    return len(rows)
