"""The audit log as a Merkle tree (RFC 9162): leaf i is entry i+1's chain hash, so the tree
commits to every field of every entry. Reads only; builds roots and proofs from the stored
entries, starting from a checkpoint's compact range where one is at hand."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEntry
from liaison.checkpoints.models import AuditCheckpoint
from liaison.crypto import merkle
from liaison.crypto.hashing import sha256_label

_LABEL = "sha256:"


def leaf(entry_hash: str) -> bytes:
    """The leaf hash of an entry, from its "sha256:<hex>" chain hash."""
    return merkle.leaf_hash(unlabel(entry_hash))


def label(digest: bytes) -> str:
    return sha256_label(digest.hex())


def unlabel(text: str) -> bytes:
    if not text.startswith(_LABEL) or len(text) != len(_LABEL) + 64:
        raise ValueError(f"not a sha256 label: {text[:20]!r}")
    return bytes.fromhex(text[len(_LABEL) :])


def leaves(session: Session, *, after: int = 0, upto: int | None = None) -> list[bytes]:
    """Leaf hashes of entries after..upto (seq numbers), in order."""
    query = select(AuditEntry.hash).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
    if upto is not None:
        query = query.where(AuditEntry.seq <= upto)
    return [leaf(h) for h in session.scalars(query.execution_options(yield_per=5000))]


def stored_range(cp: AuditCheckpoint) -> merkle.CompactRange | None:
    if cp.frontier is None:
        return None
    compact = merkle.CompactRange(cp.seq, [bytes.fromhex(h) for h in cp.frontier])
    if len(compact.nodes) != cp.seq.bit_count():
        return None
    return compact


def compact_range(session: Session, size: int) -> merkle.CompactRange:
    """The compact range at `size`: from a checkpoint of that size if there is one, else from
    the leaves."""
    cp = session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.seq == size, AuditCheckpoint.frontier.is_not(None))
        .order_by(AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    found = stored_range(cp) if cp is not None else None
    if found is not None:
        return found
    compact = merkle.CompactRange()
    for item in leaves(session, upto=size):
        compact.append(item)
    if compact.size != size:
        raise merkle.ProofError(f"the log has {compact.size} entries, not {size}")
    return compact


def extend(compact: merkle.CompactRange, items: Iterable[bytes]) -> merkle.CompactRange:
    grown = compact.copy()
    for item in items:
        grown.append(item)
    return grown


def consistency(session: Session, *, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the log at old_size is a prefix of the log at new_size."""
    old = compact_range(session, old_size)
    later = leaves(session, after=old_size, upto=new_size)
    if old_size + len(later) != new_size:
        raise merkle.ProofError(f"the log has fewer than {new_size} entries")
    return merkle.consistency_proof(old, later)


def inclusion(session: Session, *, seq: int, size: int) -> list[bytes]:
    """The audit path of entry `seq` in the tree of `size` entries."""
    items = leaves(session, upto=size)
    if len(items) != size:
        raise merkle.ProofError(f"the log has fewer than {size} entries")
    return merkle.inclusion_proof(seq - 1, items)
