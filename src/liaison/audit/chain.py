"""The hash chain: how an entry's hash is computed, and how the whole log is checked.

hash = sha256(canonical JSON of every field but the hash and the seal, prev_hash included); the
first entry's prev_hash is GENESIS. Entries are numbered 1..n without gaps. seal = HMAC of the
hash under a key derived from the KEK: the chain alone can be recomputed by anyone who can write
the database, the seals only by a process that holds the KEK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEntry
from liaison.core.errors import Conflict
from liaison.crypto import seal as sealing
from liaison.crypto.hashing import canonical_json, same_digest, sha256_digest, sha256_label

GENESIS = sha256_label("0" * 64)


class ChainBroken(Conflict):
    """The chain does not hold together: what it says cannot be vouched for."""


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    authority_id: str | None,
    action: str,
    target: str,
    request_id: str,
    channel: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    return sha256_digest(
        canonical_json(
            {
                "seq": seq,
                "at": at.isoformat(timespec="microseconds"),
                "actor": actor,
                "authority": authority_id,
                "action": action,
                "target": target,
                "request_id": request_id,
                "channel": channel,
                "detail": detail,
                "prev_hash": prev_hash,
            }
        )
    )


@dataclass(frozen=True)
class Problem:
    # The first entry it concerns; None for a problem of the log as a whole (no checkpoint).
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.seq is None else f"entry {self.seq}: {self.reason}"


def check_link(*, expected_seq: int, prev_hash: str, row: Any, seal_key: bytes) -> Problem | None:
    """Check one row (an AuditEntry) against its predecessor, and its seal."""
    if row.seq != expected_seq:
        missing = "missing" if row.seq > expected_seq else "out of order"
        return Problem(
            expected_seq, f"{missing}: found entry {row.seq} where {expected_seq} belongs"
        )
    if not same_digest(row.prev_hash, prev_hash):
        return Problem(row.seq, "prev_hash does not match the previous entry's hash")
    if not same_digest(row.hash, row_hash(row)):
        return Problem(row.seq, "content does not match its hash (edited)")
    if row.seal is None:
        return Problem(
            row.seq, "not sealed (its seal was removed, or it was written around the code)"
        )
    if not sealing.same_seal(row.seal, seal_key, row.hash.encode()):
        return Problem(row.seq, "its seal does not match (rewritten by someone without the KEK)")
    return None


def row_hash(row: Any) -> str:
    """The hash an entry (an AuditEntry row) should have, from its fields."""
    return entry_hash(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        authority_id=row.authority_id,
        action=row.action,
        target=row.target,
        request_id=row.request_id,
        channel=row.channel,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )


def check_unsealed_chain(session: Session) -> None:
    """Raise unless every entry links to the one before and matches its hash (seals aside)."""
    expected, prev = 1, GENESIS
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if row.seq != expected or not same_digest(row.prev_hash, prev):
            raise ChainBroken(f"entry {expected}: the chain is broken; not sealing it")
        if not same_digest(row.hash, row_hash(row)):
            raise ChainBroken(f"entry {row.seq}: content does not match its hash; not sealing it")
        expected, prev = row.seq + 1, row.hash
