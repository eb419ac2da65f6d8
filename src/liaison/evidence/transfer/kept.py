"""Kept packages: the sealed package as it was sent, and as it was received and verified, stays.

A verification on arrival is one node's word; the package is what anyone can check again — at
trial, by the defence, years later — against the sender's key as the directory stood when it
was signed. So both nodes keep it in their evidence store (encrypted at rest like any blob, named
by its digest), those who may see the request download it, and it goes only when the retention
of every item it carries has ended, with a signed deletion record. Never commits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import InvalidInput, LiaisonError, NotFound
from liaison.core.permissions import AuditAction
from liaison.crypto import jose
from liaison.evidence import custody
from liaison.evidence.custody import Event
from liaison.evidence.ingest import BlobReader, IngestResult, open_blob
from liaison.evidence.models import EvidenceItem
from liaison.evidence.service import store_content, store_for
from liaison.evidence.store import BlobNotFoundError
from liaison.evidence.transfer.models import PackageTransfer
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.requests import service as requests

_ACTOR = "system:retention"
REASON = "the retention of every evidence item it carries has ended"


class PackageGone(LiaisonError):
    """The package was kept, then deleted at the end of its items' retention."""

    status_code = 410
    exit_code = 3


def keep(*, node: Node, path: Path, digest: str) -> IngestResult:
    """Store the package file under its digest (checked again on the way in). No database."""
    with path.open("rb") as handle:
        return store_content(node=node, source=handle, declared_digest=digest)


@dataclass
class KeptPackage:
    row: PackageTransfer
    reader: BlobReader
    filename: str


def chunks(reader: BlobReader, size: int = 1 << 20) -> Iterator[bytes]:
    """The package's bytes for a streamed response; closes the reader at the end."""
    try:
        while data := reader.read(size):
            yield data
    finally:
        reader.close()


def open_kept(
    *,
    session: Session,
    node: Node,
    user: User,
    request_id: str,
    transfer_id: str,
    ctx: AuditContext,
) -> KeptPackage:
    """Open a kept package of a request the user may see, and record the download on the
    chain of custody of each live item it carries. The caller closes the reader."""
    request = requests.get_for(session=session, user=user, request_id=request_id)
    row = session.get(PackageTransfer, transfer_id)
    if (
        row is None
        or row.holder != request.holder
        or row.request_id != request.id
        or row.kept_at is None
        or row.package_digest is None
    ):
        raise NotFound(f"request {request_id} has no kept package {transfer_id}")
    if row.package_deleted_at is not None:
        raise PackageGone(
            f"package {row.package_digest} was deleted on {row.package_deleted_at:%Y-%m-%d}, "
            f"when {REASON}"
        )
    reader = open_blob(store=store_for(node), digest=row.package_digest, kek=node.kek)
    try:
        for item_id in row.item_ids:
            item = session.get(EvidenceItem, item_id)
            if item is not None and item.deleted_at is None:
                custody.record(
                    session=session,
                    item=item,
                    event=Event.downloaded,
                    ctx=ctx,
                    detail={"package": row.package_digest, "transfer": row.id},
                    clock=node.clock,
                )
    except BaseException:
        reader.close()
        raise
    name = f"{request.reference or request.id}-{row.package_digest.removeprefix('sha256:')[:12]}"
    return KeptPackage(row=row, reader=reader, filename=f"{name}.age")


def delete_expired(*, session: Session, node: Node, now: datetime) -> list[str]:
    """Delete the kept packages all of whose items are gone (retention); their transfer ids.

    Run after the items' own deletion. Each leaves a deletion record signed by the holder
    authority (as for items), in its audit entry."""
    deleted = []
    rows = session.scalars(
        select(PackageTransfer)
        .where(PackageTransfer.kept_at.is_not(None), PackageTransfer.package_deleted_at.is_(None))
        .order_by(PackageTransfer.id)
    )
    for row in list(rows):
        items = [session.get(EvidenceItem, item_id) for item_id in row.item_ids]
        if not items or any(i is not None and i.deleted_at is None for i in items):
            continue
        _delete(session, node, row, now)
        deleted.append(row.id)
    return deleted


def _delete(session: Session, node: Node, row: PackageTransfer, now: datetime) -> None:
    key = keyring.active_key(session=session, authority_id=row.holder, purpose="signing")
    if key is None:
        raise InvalidInput(f"{row.holder} has no signing key to sign the deletion record")
    record = jose.sign_json(
        {
            "package": row.package_digest,
            "holder": row.holder,
            "request": row.request_id,
            "transfer": row.id,
            "deleted_at": now.isoformat(),
            "reason": REASON,
        },
        private_raw=keyring.private_raw(kek=node.kek, key=key),
        key_id=key.id,
        typ=jose.Typ.deletion,
    )
    row.package_deleted_at = now
    audit.record(
        session=session,
        ctx=AuditContext(actor=_ACTOR, channel=Channel.system, authority_id=row.holder),
        action=AuditAction.evidence_package_deleted,
        target=f"transfer:{row.id}",
        authority_id=row.holder,
        detail={"package": row.package_digest, "items": row.item_ids, "record": record},
        clock=node.clock,
    )
    session.flush()
    # Rows first, then the blob (as for items); another node's row on this same node (sender
    # and receiver both hosted here) may still keep the same package.
    shared = session.scalar(
        select(PackageTransfer.id).where(
            PackageTransfer.package_digest == row.package_digest,
            PackageTransfer.kept_at.is_not(None),
            PackageTransfer.package_deleted_at.is_(None),
            PackageTransfer.id != row.id,
        )
    )
    if shared is None and row.package_digest:
        with contextlib.suppress(BlobNotFoundError):
            store_for(node).delete(row.package_digest)
