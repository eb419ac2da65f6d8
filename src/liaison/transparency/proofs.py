"""Proving one entry of the audit log to someone who sees nothing else of it.

`prove` writes the entry, its inclusion proof (RFC 9162) and a checkpoint cosigned by at least
one witness; `check` verifies such a proof with only the directory: the entry's hash from its
fields, the path to the checkpoint's root, the log's signature and each witness's cosignature
against the keys the directory publishes. It says which witnesses vouch, and nothing more.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.chain import entry_hash
from liaison.audit.models import AuditEntry
from liaison.checkpoints import tree
from liaison.core.errors import InvalidInput, NotFound
from liaison.crypto import merkle, notes
from liaison.directory.document import DirectoryDocument
from liaison.transparency.models import LogCosignature

FORMAT = "liaison-audit-inclusion/v1"
_FIELDS = (
    "seq",
    "at",
    "actor",
    "authority",
    "action",
    "target",
    "request_id",
    "channel",
    "detail",
    "prev_hash",
    "hash",
)


class ProofInvalid(InvalidInput):
    """The proof does not prove what it says."""

    exit_code = 1


def prove(*, session: Session, origin: str, seq: int) -> dict[str, Any]:
    """The proof of entry `seq` against the newest checkpoint that covers it and that a witness
    cosigned."""
    entry = session.get(AuditEntry, seq)
    if entry is None:
        raise NotFound(f"the audit log has no entry {seq}")
    cosigned = session.scalars(
        select(LogCosignature)
        .where(LogCosignature.size >= seq)
        .order_by(LogCosignature.size.desc(), LogCosignature.id.desc())
    ).first()
    if cosigned is None:
        raise NotFound(
            f"no witness has cosigned a checkpoint covering entry {seq} yet: run the worker "
            "(checkpoints are sent to the witnesses) and try again"
        )
    checkpoint = notes.parse(cosigned.note)
    lines = session.scalars(
        select(LogCosignature.line).where(
            LogCosignature.size == cosigned.size, LogCosignature.note == cosigned.note
        )
    )
    signed = "".join(s.line() for s in checkpoint.signatures) + "".join(dict.fromkeys(lines))
    path = tree.inclusion(session, seq=seq, size=cosigned.size)
    proof = {
        "format": FORMAT,
        "origin": origin,
        "entry": {
            "seq": entry.seq,
            "at": entry.at.isoformat(timespec="microseconds"),
            "actor": entry.actor,
            "authority": entry.authority_id,
            "action": entry.action,
            "target": entry.target,
            "request_id": entry.request_id,
            "channel": entry.channel,
            "detail": entry.detail,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        },
        "tree_size": cosigned.size,
        "inclusion_proof": [base64.b64encode(h).decode() for h in path],
        "checkpoint": f"{checkpoint.text}\n{signed}",
    }
    check(proof=proof, doc=None, root=tree.unlabel(cosigned.root))
    return proof


@dataclass(frozen=True)
class Verdict:
    origin: str
    seq: int
    action: str
    at: datetime
    tree_size: int
    cosigners: tuple[str, ...]


def _entry(proof: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    entry = proof.get("entry")
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        raise ProofInvalid(f"the entry must have exactly the fields {', '.join(_FIELDS)}")
    if not isinstance(entry["seq"], int) or isinstance(entry["seq"], bool) or entry["seq"] < 1:
        raise ProofInvalid("the entry's seq must be a number from 1")
    try:
        at = datetime.fromisoformat(entry["at"])
        computed = entry_hash(
            seq=entry["seq"],
            at=at,
            actor=entry["actor"],
            authority_id=entry["authority"],
            action=entry["action"],
            target=entry["target"],
            request_id=entry["request_id"],
            channel=entry["channel"],
            detail=entry["detail"],
            prev_hash=entry["prev_hash"],
        )
    except (TypeError, ValueError) as exc:
        raise ProofInvalid(f"the entry's fields are not an audit entry: {exc}") from None
    if computed != entry["hash"]:
        raise ProofInvalid("the entry's fields do not match its hash: it was altered")
    return entry, tree.leaf(computed)


def _path(proof: dict[str, Any]) -> list[bytes]:
    path = proof.get("inclusion_proof")
    if not isinstance(path, list) or len(path) > 64:
        raise ProofInvalid("inclusion_proof must be a list of at most 64 hashes")
    try:
        hashes = [base64.b64decode(p, validate=True) for p in path]
    except (binascii.Error, ValueError, TypeError):
        raise ProofInvalid("the inclusion proof's hashes must be base64") from None
    if any(len(h) != merkle.HASH_BYTES for h in hashes):
        raise ProofInvalid("the inclusion proof's hashes must be 32 bytes each")
    return hashes


def check(
    *, proof: dict[str, Any], doc: DirectoryDocument | None, root: bytes | None = None
) -> Verdict:
    """Verify a proof. With `doc`, the signatures are checked against its keys and at least one
    witness must have cosigned; without it (`prove` checking its own output) only the path to
    `root` is."""
    if proof.get("format") != FORMAT:
        raise ProofInvalid(f"not a {FORMAT} proof")
    origin, size = proof.get("origin"), proof.get("tree_size")
    if not isinstance(origin, str) or not isinstance(size, int) or isinstance(size, bool):
        raise ProofInvalid("the proof names no origin and tree size")
    entry, leaf = _entry(proof)
    try:
        note = notes.parse(str(proof.get("checkpoint")))
        body = notes.parse_checkpoint(note.text)
    except notes.NoteError as exc:
        raise ProofInvalid(f"the checkpoint is not a signed checkpoint: {exc}") from None
    if body.origin != origin or body.size != size:
        raise ProofInvalid("the checkpoint is of another log or another size than the proof says")
    cosigners: tuple[str, ...] = ()
    if doc is not None:
        cosigners = _signatures(doc, origin, note)
    try:
        merkle.verify_inclusion(
            index=entry["seq"] - 1,
            size=size,
            leaf=leaf,
            proof=_path(proof),
            root_hash=root if root is not None else body.root,
        )
    except merkle.ProofError as exc:
        raise ProofInvalid(f"the entry is not in the checkpoint's tree: {exc}") from None
    return Verdict(
        origin, entry["seq"], entry["action"], datetime.fromisoformat(entry["at"]), size, cosigners
    )


def _signatures(doc: DirectoryDocument, origin: str, note: notes.Note) -> tuple[str, ...]:
    log = doc.log(origin)
    if log is None:
        raise ProofInvalid(f"the directory publishes no audit log {origin!r}")
    signed = False
    for key in doc.usable_keys(log, "log"):
        try:
            notes.verify(note, name=origin, public_raw=key.public_raw)
            signed = True
            break
        except notes.NoteError:
            continue
    if not signed:
        raise ProofInvalid(f"the checkpoint is not signed by a log key of {origin}")
    cosigners = []
    for witness in doc.logs:
        if witness.origin == origin:
            continue
        for sig in note.signatures:
            if sig.name != witness.origin:
                continue
            for key in doc.usable_keys(witness, "witness"):
                try:
                    notes.verify_cosignature(
                        note.text, sig, name=sig.name, public_raw=key.public_raw
                    )
                    cosigners.append(witness.origin)
                    break
                except notes.NoteError:
                    continue
    if not cosigners:
        raise ProofInvalid("no witness's cosignature of the checkpoint verifies")
    return tuple(dict.fromkeys(cosigners))
