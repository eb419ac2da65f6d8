"""Resumable uploads (tus 1.0): an evidence item that arrives over several requests.

The upload row holds what the item will be (Upload-Metadata, checked at creation so a bad
upload is refused before a byte is sent) and the committed offset; the bytes grow in
``<data_dir>/uploads/<id>.part`` through evidence/partial.py. When the last byte is in, the file
is ingested like any upload (hash, encryption, store, custody) and removed. An upload belongs to
the user who created it; anyone else is told it does not exist. Never commits.

Uploads are removed by the worker (``expire``) once nothing arrived for ``EXPIRY``: the partial
files are plaintext, and an abandoned one should not outlive its use.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import Conflict, InvalidInput, LiaisonError, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.evidence import partial, service
from liaison.evidence.ingest import DigestMismatch, EvidenceTooLarge, IngestResult
from liaison.evidence.models import EvidenceUpload
from liaison.evidence.schemas import Acquisition, check_name
from liaison.evidence.store.base import check_digest
from liaison.node import Node
from liaison.requests import service as requests

FOLDER = "uploads"
# Counted from the last byte stored, so a slow link can take days as long as it makes progress.
EXPIRY = dt.timedelta(hours=24)
CHECKSUMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
# Upload-Metadata keys and whether an upload needs them (tuspy sends "filename" by default).
KEYS = {
    "request_id": True,
    "acquired_by": True,
    "acquired_at": True,
    "filename": False,
    "name": False,
    "description": False,
    "source": False,
    "acquisition_method": False,
    "acquisition_tool": False,
    "digest": False,
}
# The limits of the multipart upload's form fields (evidence/api.py), for the same fields.
_MAX_CHARS = {"description": 20000, "source": 500}
_EXPIRY_ACTOR = "system:uploads"


class ChecksumMismatch(LiaisonError):
    """tus checksum extension: the piece does not match Upload-Checksum."""

    status_code = 460


class UnsupportedChecksum(InvalidInput):
    status_code = 400


class BytesLost(Conflict):
    """The stored bytes are shorter than the committed offset (removed from the disk by hand,
    or by a removal whose commit failed). Appending would leave a hole in the evidence, so the
    upload starts again from 0; that reset is committed although the request fails."""

    keep_changes = True


def parse_metadata(header: str) -> dict[str, str]:
    """``key base64value, key2 base64value2`` → dict; refuses what tus does not allow."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or " " in encoded.strip() or key in found:
            raise InvalidInput(f"Upload-Metadata is malformed near {pair[:40]!r}")
        try:
            found[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput(f"Upload-Metadata {key!r} is not base64 of UTF-8 text") from None
    return found


def _checked(meta: dict[str, str]) -> tuple[str, Acquisition]:
    unknown = sorted(set(meta) - set(KEYS))
    missing = sorted(k for k, needed in KEYS.items() if needed and not meta.get(k))
    if unknown or missing:
        raise InvalidInput(
            "Upload-Metadata: "
            + "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unknown keys {', '.join(unknown)}" if unknown else "",
                )
                if part
            )
        )
    name = meta.get("name") or meta.get("filename") or ""
    check_name(name)
    for key, limit in _MAX_CHARS.items():
        if len(meta.get(key, "")) > limit:
            raise InvalidInput(f"Upload-Metadata: {key} is longer than {limit} characters")
    try:
        acquisition = Acquisition(
            by=meta["acquired_by"],
            at=meta["acquired_at"],
            how=meta.get("acquisition_method", ""),
            tool=meta.get("acquisition_tool", ""),
        )
    except ValidationError as exc:
        raise InvalidInput(f"Upload-Metadata: {exc.errors()[0]['msg']}") from None
    if meta.get("digest"):
        check_digest(meta["digest"])
    return name, acquisition


def part_path(node: Node, upload_id: str) -> Path:
    return Path(node.settings.data_dir) / FOLDER / f"{upload_id}.part"


def create(
    *,
    session: Session,
    node: Node,
    user: User,
    length: int,
    metadata: dict[str, str],
    ctx: AuditContext,
) -> EvidenceUpload:
    if length <= 0:
        raise InvalidInput("Upload-Length must be a positive number of bytes (no empty evidence)")
    if length > service.MAX_ITEM_BYTES:
        raise EvidenceTooLarge(
            f"Upload-Length {length} is over the {service.MAX_ITEM_BYTES} bytes an item may hold"
        )
    name, _acquisition = _checked(metadata)
    request = requests.get_for(session=session, user=user, request_id=metadata["request_id"])
    now = node.clock.now()
    upload = EvidenceUpload(
        id=new_id_str(),
        holder=request.holder,
        request_id=request.id,
        user_id=user.id,
        length=length,
        offset=0,
        meta=metadata,
        created_at=now,
        expires_at=now + EXPIRY,
    )
    session.add(upload)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.evidence_upload_created,
        target=f"upload:{upload.id}",
        authority_id=request.holder,
        detail={"request": request.id, "name": name, "length": length},
        clock=node.clock,
    )
    return upload


def get(*, session: Session, node: Node, user: User, upload_id: str) -> EvidenceUpload:
    """The user's own, unexpired upload; NotFound for anything else, whoever asks."""
    upload = _own(session, user, upload_id)
    if upload.expires_at <= node.clock.now():
        raise NotFound(f"no upload {upload_id}")
    return upload


def _own(session: Session, user: User, upload_id: str, *, lock: bool = False) -> EvidenceUpload:
    # Read again, not from the session's identity map: a PATCH uses its session on both sides
    # of a long body, and the row may have changed (or gone) in between.
    upload = session.get(EvidenceUpload, upload_id, populate_existing=True, with_for_update=lock)
    # The authority check is implied by the user's; it stays as a second lock on tenancy.
    if upload is None or upload.user_id != user.id or upload.holder != user.authority_id:
        raise NotFound(f"no upload {upload_id}")
    return upload


@dataclass(frozen=True)
class Piece:
    """What a PATCH needs after the upload was looked up (outside any transaction)."""

    upload_id: str
    committed: int
    length: int
    path: Path
    meta: dict[str, str]


def start_piece(*, session: Session, node: Node, user: User, upload_id: str, offset: int) -> Piece:
    """Check a PATCH before its body is read: the user's upload, still of a request they see
    (refused before the bytes travel, not after), at the stored offset, its bytes all there."""
    upload = get(session=session, node=node, user=user, upload_id=upload_id)
    requests.get_for(session=session, user=user, request_id=upload.request_id)
    if upload.item_id is not None:
        raise partial.OffsetMismatch(f"upload {upload_id} is complete")
    path = part_path(node, upload.id)
    if _stored(path) < upload.offset:
        upload.offset = 0
        raise BytesLost(
            f"the bytes of upload {upload_id} were lost on the server; it starts again from "
            "byte 0: HEAD for the offset"
        )
    if offset != upload.offset:
        raise partial.OffsetMismatch(
            f"Upload-Offset {offset} is not the {upload.offset} bytes stored; HEAD for the offset"
        )
    return Piece(upload.id, upload.offset, upload.length, path, dict(upload.meta))


def _stored(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def checksum_of(header: str | None) -> tuple[Any, bytes] | None:
    """``Upload-Checksum: <algorithm> <base64>`` → (new hasher, expected digest)."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise UnsupportedChecksum(
            f"Upload-Checksum algorithm {algorithm!r} is not supported (sha256, sha1)"
        )
    try:
        expected = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise InvalidInput("Upload-Checksum is not base64") from None
    return CHECKSUMS[algorithm](), expected


def finish_piece(
    *,
    session: Session,
    node: Node,
    user: User,
    piece: Piece,
    end: int,
    ctx: AuditContext,
) -> EvidenceUpload:
    """Record the new offset (the caller commits it while the file is still locked); the last
    byte turns the upload into an evidence item.

    The last piece's file is stored (hashed, encrypted) before this transaction begins: on
    SQLite the first statement takes the node's write lock, and a large file takes minutes.
    A declared digest that the whole file does not match ends the upload: the digest is part
    of its metadata, so no resend could fix it. Its row and bytes go, and that is kept
    (``keep_changes``) although the request fails.
    """
    name, acquisition = _checked(piece.meta)
    stored: IngestResult | None = None
    if end == piece.length:
        try:
            with piece.path.open("rb") as source:
                stored = service.store_content(
                    node=node, source=source, declared_digest=piece.meta.get("digest") or None
                )
        except DigestMismatch as exc:
            _remove(
                session, node, _own(session, user, piece.upload_id), ctx=ctx, reason=exc.message
            )
            exc.keep_changes = True
            raise
    try:
        # Not ``get``: an upload that expired while this piece streamed is finished if still
        # there. Locked: a DELETE racing this piece either goes first (404) or waits.
        upload = _own(session, user, piece.upload_id, lock=True)
        if end > upload.offset:
            upload.expires_at = node.clock.now() + EXPIRY
        upload.offset = end
        if stored is not None:
            _complete(
                session=session,
                node=node,
                user=user,
                upload=upload,
                stored=stored,
                name=name,
                acquisition=acquisition,
                ctx=ctx,
            )
    except BaseException:
        if stored is not None:
            service.discard_stored(node=node, result=stored)
        raise
    return upload


def _complete(
    *,
    session: Session,
    node: Node,
    user: User,
    upload: EvidenceUpload,
    stored: IngestResult,
    name: str,
    acquisition: Acquisition,
    ctx: AuditContext,
) -> None:
    # Asked again: the user may have lost the request since the upload began.
    request = requests.get_for(session=session, user=user, request_id=upload.request_id)
    item = service.record_ingested(
        session=session,
        node=node,
        request=request,
        result=stored,
        name=name,
        description=upload.meta.get("description", ""),
        source_label=upload.meta.get("source", ""),
        acquisition=acquisition,
        ctx=ctx,
    )
    upload.item_id = item.id
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.evidence_upload_completed,
        target=f"upload:{upload.id}",
        authority_id=upload.holder,
        detail={"item": item.id, "digest": item.digest, "length": upload.length},
        clock=node.clock,
    )


def terminate(
    *, session: Session, node: Node, user: User, upload_id: str, ctx: AuditContext
) -> None:
    upload = get(session=session, node=node, user=user, upload_id=upload_id)
    _remove(session, node, upload, ctx=ctx, reason="terminated by its creator")


def _remove(
    session: Session,
    node: Node,
    upload: EvidenceUpload,
    *,
    ctx: AuditContext,
    reason: str,
    action: AuditAction = AuditAction.evidence_upload_terminated,
) -> None:
    """Delete the row and its bytes. The file goes before the commit: should the commit fail,
    the row left behind finds its bytes missing and starts again from 0 (``BytesLost``)."""
    session.delete(upload)
    audit.record(
        session=session,
        ctx=ctx,
        action=action,
        target=f"upload:{upload.id}",
        authority_id=upload.holder,
        detail={
            "request": upload.request_id,
            "offset": upload.offset,
            "length": upload.length,
            "reason": reason,
        },
        clock=node.clock,
    )
    partial.discard(part_path(node, upload.id))


def expire(*, session: Session, node: Node) -> list[str]:
    """Remove uploads past their expiry (rows and partial files); their ids. An unfinished
    one is audited, a finished one only loses its row (the item and its custody remain)."""
    gone = list(
        session.scalars(select(EvidenceUpload).where(EvidenceUpload.expires_at <= node.clock.now()))
    )
    for upload in gone:
        if upload.item_id is not None:
            session.delete(upload)
            continue
        ctx = AuditContext(actor=_EXPIRY_ACTOR, channel=Channel.system, authority_id=upload.holder)
        _remove(
            session,
            node,
            upload,
            ctx=ctx,
            reason=f"nothing arrived for {EXPIRY.total_seconds() / 3600:g} hours",
            action=AuditAction.evidence_upload_expired,
        )
    return [upload.id for upload in gone]
