"""The hash chain: how an entry's hash is computed, and how the whole log is checked.

hash = sha256(canonical JSON of every field but the hash itself, prev_hash included). The first
entry's prev_hash is GENESIS. Entries are numbered 1..n without gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liaison.crypto.hashing import canonical_json, same_digest, sha256_digest, sha256_label

GENESIS = sha256_label("0" * 64)


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
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def check_link(*, expected_seq: int, prev_hash: str, row: Any) -> Problem | None:
    """Check one row (an AuditEntry) against its predecessor."""
    if row.seq != expected_seq:
        missing = "missing" if row.seq > expected_seq else "out of order"
        return Problem(
            expected_seq, f"{missing}: found entry {row.seq} where {expected_seq} belongs"
        )
    if not same_digest(row.prev_hash, prev_hash):
        return Problem(row.seq, "prev_hash does not match the previous entry's hash")
    computed = entry_hash(
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
    if not same_digest(row.hash, computed):
        return Problem(row.seq, "content does not match its hash (edited)")
    return None
