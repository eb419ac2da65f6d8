"""Resumable uploads (tus 1.0): an evidence item that arrives over several requests.

The upload row holds what the item will be (Upload-Metadata, checked at creation so a bad
upload is refused before a byte is sent) and the committed offset; the bytes grow in
``<data_dir>/uploads/<id>.part`` through evidence/partial.py. When the last byte is in, the file
is ingested like any upload (hash, encryption, store, custody) and removed. An upload belongs to
the user who created it; anyone else is told it does not exist. Never commits.
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
from liaison.audit.context import AuditContext
from liaison.core.errors import InvalidInput, LiaisonError, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import Action
from liaison.evidence import partial, service
from liaison.evidence.ingest import EvidenceTooLarge
from liaison.evidence.models import EvidenceItem, EvidenceUpload
from liaison.evidence.schemas import Acquisition, check_name
from liaison.node import Node
from liaison.requests import service as requests

FOLDER = "uploads"
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


class ChecksumMismatch(LiaisonError):
    """tus checksum extension: the piece does not match Upload-Checksum."""

    status_code = 460


class UnsupportedChecksum(InvalidInput):
    status_code = 400


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
        from liaison.evidence.store.base import check_digest

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
        action=Action.evidence_upload_created,
        target=f"upload:{upload.id}",
        authority_id=request.holder,
        detail={"request": request.id, "name": name, "length": length},
        clock=node.clock,
    )
    return upload


def get(*, session: Session, node: Node, user: User, upload_id: str) -> EvidenceUpload:
    """The user's own, unexpired upload; NotFound for anything else, whoever asks."""
    upload = session.get(EvidenceUpload, upload_id)
    if upload is None or upload.user_id != user.id or upload.expires_at <= node.clock.now():
        raise NotFound(f"no upload {upload_id}")
    return upload


@dataclass(frozen=True)
class Piece:
    """What a PATCH needs after the upload was looked up (outside any transaction)."""

    upload_id: str
    committed: int
    length: int
    path: Path


def start_piece(*, session: Session, node: Node, user: User, upload_id: str, offset: int) -> Piece:
    upload = get(session=session, node=node, user=user, upload_id=upload_id)
    if upload.item_id is not None:
        raise partial.OffsetMismatch(f"upload {upload_id} is complete")
    if offset != upload.offset:
        raise partial.OffsetMismatch(
            f"Upload-Offset {offset} is not the {upload.offset} bytes stored; HEAD for the offset"
        )
    return Piece(upload.id, upload.offset, upload.length, part_path(node, upload.id))


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
    upload_id: str,
    end: int,
    ctx: AuditContext,
) -> EvidenceUpload:
    """Commit the new offset; the last byte turns the upload into an evidence item."""
    upload = get(session=session, node=node, user=user, upload_id=upload_id)
    upload.offset = end
    if end < upload.length:
        return upload
    path = part_path(node, upload.id)
    meta = upload.meta
    name, acquisition = _checked(meta)
    with path.open("rb") as source:
        item = service.ingest_item(
            session=session,
            node=node,
            user=user,
            request_id=upload.request_id,
            source=source,
            name=name,
            description=meta.get("description", ""),
            source_label=meta.get("source", ""),
            acquisition=acquisition,
            ctx=ctx,
            declared_digest=meta.get("digest") or None,
        )
    upload.item_id = item.id
    audit.record(
        session=session,
        ctx=ctx,
        action=Action.evidence_upload_completed,
        target=f"upload:{upload.id}",
        authority_id=upload.holder,
        detail={"item": item.id, "digest": item.digest, "length": upload.length},
        clock=node.clock,
    )
    return upload


def item_of(session: Session, upload: EvidenceUpload) -> EvidenceItem | None:
    return session.get(EvidenceItem, upload.item_id) if upload.item_id else None


def terminate(
    *, session: Session, node: Node, user: User, upload_id: str, ctx: AuditContext
) -> None:
    upload = get(session=session, node=node, user=user, upload_id=upload_id)
    session.delete(upload)
    audit.record(
        session=session,
        ctx=ctx,
        action=Action.evidence_upload_terminated,
        target=f"upload:{upload.id}",
        authority_id=upload.holder,
        detail={"offset": upload.offset, "length": upload.length},
        clock=node.clock,
    )
    partial.discard(part_path(node, upload.id))


def expire(*, session: Session, node: Node) -> list[str]:
    """Remove uploads past their expiry (rows and partial files); their ids."""
    gone = list(
        session.scalars(select(EvidenceUpload).where(EvidenceUpload.expires_at <= node.clock.now()))
    )
    for upload in gone:
        session.delete(upload)
        partial.discard(part_path(node, upload.id))
    return [upload.id for upload in gone]
