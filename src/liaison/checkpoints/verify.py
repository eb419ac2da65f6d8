"""Verifying the audit log: the chain and its seals entry by entry, the Merkle tree, and the
signed checkpoints against log keys the caller trusts (the directory's, never a key row of this
database). Reads only; safe on a live node."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS, Problem, check_link
from liaison.audit.models import AuditEntry, AuditHead
from liaison.audit.service import write_head
from liaison.checkpoints import tree
from liaison.checkpoints.models import AuditCheckpoint
from liaison.crypto import jose, merkle, notes
from liaison.crypto.hashing import same_digest
from liaison.node import AUDIT_SEAL_KEY


@dataclass(frozen=True)
class LogKey:
    """A log key from outside the database: its key id and raw Ed25519 public key."""

    kid: str
    public_raw: bytes


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    newest_size: int | None = None
    newest_at: datetime | None = None
    # Merkle roots of the log as it stands, at each checkpoint size and each size asked for.
    roots: dict[int, bytes] = field(default_factory=dict)
    chain_hashes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        numbered = [p for p in self.problems if p.seq is not None]
        if numbered:
            return min(numbered, key=lambda p: p.seq or 0)
        return self.problems[0] if self.problems else None


def _walk(
    session: Session, report: VerifyReport, sizes: set[int]
) -> tuple[str, merkle.CompactRange]:
    key = session.info[AUDIT_SEAL_KEY]
    compact = merkle.CompactRange()
    expected, prev = 1, GENESIS
    # Streamed in batches (a server-side cursor on PostgreSQL), closed even when we stop early.
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    )
    try:
        for row in rows:
            problem = check_link(expected_seq=expected, prev_hash=prev, row=row, seal_key=key)
            if problem is not None:
                report.problems.append(problem)
                break
            compact.append(tree.leaf(row.hash))
            if row.seq in sizes:
                report.roots[row.seq] = compact.root()
                report.chain_hashes[row.seq] = row.hash
            report.entries += 1
            expected, prev = row.seq + 1, row.hash
    finally:
        rows.close()
    return prev, compact


def check_chain(*, session: Session) -> VerifyReport:
    """The chain, its seals and the head only: what this database says of itself. Not a
    verdict on the log (that needs the checkpoints and keys from outside, see verify)."""
    report = VerifyReport()
    write_head(session)
    prev, _compact = _walk(session, report, set())
    if not report.problems:
        _check_head(session, report, prev)
    return report


def _check_head(session: Session, report: VerifyReport, prev: str) -> None:
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != report.entries or not same_digest(head.hash, prev)):
        report.problems.append(
            Problem(
                report.entries + 1 if head.seq > report.entries else head.seq,
                f"the log ends at entry {report.entries} but its head records entry {head.seq}",
            )
        )


def verify(
    *,
    session: Session,
    origin: str,
    log_keys: Collection[LogKey],
    now: datetime,
    max_age: timedelta,
    max_unchecked: int,
    sizes: Collection[int] = (),
) -> VerifyReport:
    """Everything that can be checked from this database and the trusted log keys."""
    report = VerifyReport()
    write_head(session)
    checkpoints = list(
        session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id))
    )
    prev, compact = _walk(session, report, {cp.seq for cp in checkpoints} | set(sizes))
    if report.problems:
        return report
    report.roots[compact.size] = compact.root()
    _check_head(session, report, prev)
    if not log_keys:
        report.problems.append(
            Problem(None, f"no log key for {origin!r} is trusted: checkpoints cannot be checked")
        )
        return report
    for cp in checkpoints:
        problem = _check_checkpoint(cp, origin, log_keys, report)
        if problem is not None:
            report.problems.append(problem)
        else:
            report.checkpoints += 1
    _check_coverage(report, checkpoints, now, max_age, max_unchecked)
    return report


def _check_coverage(
    report: VerifyReport,
    checkpoints: list[AuditCheckpoint],
    now: datetime,
    max_age: timedelta,
    max_unchecked: int,
) -> None:
    if not checkpoints:
        report.problems.append(
            Problem(None, "no signed checkpoint: nothing vouches for the log (deleted?)")
        )
        return
    newest = max(checkpoints, key=lambda cp: (cp.seq, cp.at))
    report.newest_size, report.newest_at = newest.seq, newest.at
    if now - newest.at > max_age:
        report.problems.append(
            Problem(
                None,
                f"the newest checkpoint was signed at {newest.at.isoformat(timespec='seconds')}, "
                f"longer ago than {max_age}: the recent log is not vouched for",
            )
        )
    unchecked = report.entries - newest.seq
    if unchecked > max_unchecked:
        report.problems.append(
            Problem(
                newest.seq + 1,
                f"{unchecked} entries follow the newest checkpoint (more than {max_unchecked})",
            )
        )


def _check_checkpoint(
    cp: AuditCheckpoint, origin: str, log_keys: Collection[LogKey], report: VerifyReport
) -> Problem | None:
    if cp.note is None:
        return _check_jws_checkpoint(cp, log_keys, report)
    signed = _signed_body(cp, origin, log_keys)
    if isinstance(signed, Problem):
        return signed
    if cp.seq > report.entries:
        return Problem(
            report.entries + 1,
            f"missing: checkpoint {cp.id} covers {cp.seq} entries, the log holds {report.entries}",
        )
    if report.roots.get(cp.seq) != signed.root:
        return Problem(
            cp.seq,
            f"the log was rewritten: its tree at entry {cp.seq} differs from checkpoint {cp.id}",
        )
    return None


def _signed_body(
    cp: AuditCheckpoint, origin: str, log_keys: Collection[LogKey]
) -> notes.Checkpoint | Problem:
    """What the checkpoint row's note says, if a trusted key signed it and the row agrees."""
    try:
        note = notes.parse(cp.note or "")
        body = notes.parse_checkpoint(note.text)
    except notes.NoteError as exc:
        return Problem(cp.seq, f"checkpoint {cp.id} is not a checkpoint: {exc}")
    if not any(_signed_by(note, origin, key) for key in log_keys):
        return Problem(cp.seq, f"checkpoint {cp.id} is not signed by a trusted log key")
    if body.origin != origin or body.size != cp.seq or tree.label(body.root) != cp.root:
        return Problem(cp.seq, f"checkpoint {cp.id} row differs from what was signed")
    return body


def _signed_by(note: notes.Note, origin: str, key: LogKey) -> bool:
    try:
        notes.verify(note, name=origin, public_raw=key.public_raw)
    except notes.NoteError:
        return False
    return True


def _check_jws_checkpoint(
    cp: AuditCheckpoint, log_keys: Collection[LogKey], report: VerifyReport
) -> Problem | None:
    """A checkpoint written before notes: a JWS over (node, seq, chain hash, time)."""
    key = next((k for k in log_keys if k.kid == cp.key_id), None)
    if key is None or cp.signature is None:
        return Problem(cp.seq, f"checkpoint {cp.id} is not signed by a trusted log key")
    try:
        payload = jose.verify(
            cp.signature, public_raw=key.public_raw, typ=jose.Typ.checkpoint, key_id=cp.key_id
        )
    except jose.TokenError:
        return Problem(cp.seq, f"checkpoint {cp.id} signature does not verify")
    signed = json.loads(payload)
    if signed.get("seq") != cp.seq or signed.get("hash") != cp.hash:
        return Problem(cp.seq, f"checkpoint {cp.id} row differs from what was signed")
    if cp.seq > report.entries:
        return Problem(report.entries + 1, f"missing: checkpoint {cp.id} covers entry {cp.seq}")
    if not same_digest(report.chain_hashes.get(cp.seq, ""), cp.hash):
        return Problem(cp.seq, f"the log was rewritten: entry {cp.seq} differs from checkpoint")
    return None
