"""Evidence items: ingest into the node's store, read, download, export. Never commits.

Who sees an item: exactly who sees the request copy it is attached to
(:func:`liaison.requests.service.get_for`); anyone else gets the same NotFound as for an item that
does not exist. Every read of the content and every export is a custody event.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.errors import LiaisonError, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.evidence import custody
from liaison.evidence.custody import Event
from liaison.evidence.ingest import BlobReader, IngestResult, ingest, open_blob
from liaison.evidence.models import EvidenceItem
from liaison.evidence.schemas import Acquisition, check_name
from liaison.evidence.store import BlobNotFoundError, BlobStore, LocalBlobStore
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.contents.conditions import Conditions, binding
from liaison.requests.models import Request
from liaison.requests.sharing.uses import ConditionRefused, Use, check_use
from liaison.requests.table import Side, Status

# Largest item accepted. A module constant rather than a setting: settings belong to config.py,
# and 64 GiB covers a full disk image of a seized phone while still stopping a runaway upload.
MAX_ITEM_BYTES = 64 << 30
STORE_FOLDER = "evidence"
# States after which a request is over: its retention period runs from then.
CLOSED = frozenset({Status.executed, Status.refused, Status.withdrawn, Status.closed})


class ItemGone(LiaisonError):
    """The item existed but its content was deleted (end of retention)."""

    status_code = 410
    exit_code = 3


def store_for(node: Node) -> BlobStore:
    """The node's evidence store; the folder is created on first use."""
    return LocalBlobStore(Path(node.settings.data_dir) / STORE_FOLDER)


def bound_conditions(request: Request) -> Conditions:
    """The conditions this copy's evidence must respect: those the other side set."""
    return binding(
        holder_is_requesting=request.side is Side.requesting,
        conditions=request.conditions,
        response=request.response,
    )


def retention_end(request: Request) -> datetime | None:
    """When the request's evidence must be gone: N days after the request closed; None while it
    is open or when the conditions set no retention."""
    days = bound_conditions(request).retention_days
    if days is None:
        return None
    if request.executed_at is not None:
        closed_at = request.executed_at
    elif request.status in CLOSED:
        closed_at = request.updated_at
    else:
        return None
    return closed_at + timedelta(days=days)


def retention_until(request: Request, now: datetime) -> datetime | None:
    """The date stored at ingest. While the request is open it is provisional (N days from now):
    retention re-checks the request and never deletes before it closed N days ago."""
    end = retention_end(request)
    days = bound_conditions(request).retention_days
    if end is not None or days is None:
        return end
    return now + timedelta(days=days)


def ingest_item(
    *,
    session: Session,
    node: Node,
    user: User,
    request_id: str,
    source: BinaryIO,
    name: str,
    description: str,
    source_label: str,
    acquisition: Acquisition,
    ctx: AuditContext,
    declared_digest: str | None = None,
) -> EvidenceItem:
    """Stream ``source`` into the store and attach it to the request as a new item.

    On any failure nothing is left: ingest removes its own partial blob, and a blob this call
    created is deleted again when the rows cannot be written.
    """
    request = requests.get_for(session=session, user=user, request_id=request_id)
    check_name(name)
    result = store_content(node=node, source=source, declared_digest=declared_digest)
    try:
        return record_ingested(
            session=session,
            node=node,
            request=request,
            result=result,
            name=name,
            description=description,
            source_label=source_label,
            acquisition=acquisition,
            ctx=ctx,
        )
    except BaseException:
        discard_stored(node=node, result=result)
        raise


def store_content(
    *, node: Node, source: BinaryIO, declared_digest: str | None = None
) -> IngestResult:
    """Hash, encrypt and store ``source`` (``ingest``'s refusals leave nothing). No database:
    a caller can run it before its transaction begins, which on SQLite holds the node's write
    lock for as long as a large file takes to ingest."""
    return ingest(
        source=source,
        store=store_for(node),
        kek=node.kek,
        max_bytes=MAX_ITEM_BYTES,
        declared_digest=declared_digest,
    )


def discard_stored(*, node: Node, result: IngestResult) -> None:
    """Undo ``store_content`` when its item cannot be written: only a blob it created, as an
    existing one belongs to other items too."""
    if result.stored:
        with contextlib.suppress(BlobNotFoundError):
            store_for(node).delete(result.digest)


def record_ingested(
    *,
    session: Session,
    node: Node,
    request: Request,
    result: IngestResult,
    name: str,
    description: str,
    source_label: str,
    acquisition: Acquisition,
    ctx: AuditContext,
) -> EvidenceItem:
    """The item for content just stored, with its custody events ``acquired`` and
    ``ingested``. The caller checked the request's visibility and the name, and calls
    ``discard_stored`` if this fails."""
    item = attach_item(
        session=session,
        node=node,
        request=request,
        result=result,
        name=name,
        description=description,
        source_label=source_label,
        acquisition=acquisition,
        ctx=ctx,
        created_by=ctx.actor,
        acquired_detail={},
    )
    custody.record(
        session=session,
        item=item,
        event=Event.ingested,
        ctx=ctx,
        detail={"name": name, "size": result.size, "deduplicated": not result.stored},
        clock=node.clock,
    )
    return item


def attach_item(
    *,
    session: Session,
    node: Node,
    request: Request,
    result: IngestResult,
    name: str,
    description: str,
    source_label: str,
    acquisition: Acquisition,
    ctx: AuditContext,
    created_by: str,
    acquired_detail: dict[str, Any] | None,
) -> EvidenceItem:
    """The item row for stored content, with its first link of custody: ``acquired``, by the
    person and at the time of the acquisition (before the item reached any system). With
    ``acquired_detail`` None the caller records the chain itself (an item arriving in a package
    continues the sender's)."""
    now = node.clock.now()
    offset = acquisition.at.utcoffset()
    item = EvidenceItem(
        id=new_id_str(),
        holder=request.holder,
        request_id=request.id,
        digest=result.digest,
        size=result.size,
        name=name,
        description=description,
        source=source_label,
        acquired_by=acquisition.by,
        acquired_at=acquisition.at,
        acquired_offset=int(offset.total_seconds() // 60) if offset else 0,
        acquisition_method=acquisition.how,
        acquisition_tool=acquisition.tool,
        created_by=created_by,
        created_at=now,
        retention_until=retention_until(request, now),
    )
    session.add(item)
    session.flush()
    if acquired_detail is None:
        return item
    custody.record(
        session=session,
        item=item,
        event=Event.acquired,
        ctx=ctx,
        actor=acquisition.by,
        at=acquisition.at,
        detail={
            "how": acquisition.how,
            "tool": acquisition.tool,
            "source": source_label,
            **acquired_detail,
        },
        clock=node.clock,
    )
    return item


def list_items(*, session: Session, user: User, request_id: str) -> list[EvidenceItem]:
    """Items of a request the user can see, deleted ones included (their history stays)."""
    request = requests.get_for(session=session, user=user, request_id=request_id)
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.holder == request.holder, EvidenceItem.request_id == request.id)
            .order_by(EvidenceItem.id)
        )
    )


def get_item(*, session: Session, user: User, item_id: str) -> EvidenceItem:
    """The item, if the user can see its request; otherwise NotFound, revealing nothing."""
    missing = NotFound(f"no evidence item {item_id}")
    item = session.get(EvidenceItem, item_id)
    if item is None or item.holder != user.authority_id:
        raise missing
    try:
        requests.get_for(session=session, user=user, request_id=item.request_id)
    except NotFound:
        raise missing from None
    return item


def _readable(item: EvidenceItem) -> None:
    if item.deleted_at is not None:
        raise ItemGone(
            f"evidence item {item.id} was deleted on {item.deleted_at:%Y-%m-%d} at the end of "
            "its retention period; its content no longer exists"
        )


@dataclass
class Download:
    item: EvidenceItem
    reader: BlobReader


def open_for_download(
    *, session: Session, node: Node, user: User, item_id: str, ctx: AuditContext
) -> Download:
    """Open the decrypted content and record the download. The caller closes the reader."""
    item = get_item(session=session, user=user, item_id=item_id)
    _readable(item)
    reader = open_blob(store=store_for(node), digest=item.digest, kek=node.kek)
    try:
        custody.record(
            session=session, item=item, event=Event.downloaded, ctx=ctx, clock=node.clock
        )
    except BaseException:
        reader.close()
        raise
    return Download(item=item, reader=reader)


@dataclass
class Export:
    item: EvidenceItem
    conditions: Conditions


def export_item(
    *,
    session: Session,
    node: Node,
    user: User,
    item_id: str,
    use: Use,
    proceeding: str | None,
    to: str | None,
    ctx: AuditContext,
) -> Export:
    """Release the item for ``use`` if the request's conditions allow it; record it.

    A refusal raises ConditionRefused naming the condition, and its audit entry is kept.
    """
    item = get_item(session=session, user=user, item_id=item_id)
    _readable(item)
    request = requests.get_for(session=session, user=user, request_id=item.request_id)
    bound = bound_conditions(request)
    try:
        check_use(
            bound=bound,
            authorisations=request.authorisations,
            use=use,
            to=to,
            proceeding=proceeding,
        )
    except ConditionRefused as exc:
        # The refused attempt is a record to keep even though the request fails.
        exc.keep_changes = True
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.evidence_use_refused,
            target=f"evidence:{item.id}",
            authority_id=item.holder,
            detail={"use": use.value, "condition": exc.condition, "to": to},
            clock=node.clock,
        )
        raise
    custody.record(
        session=session,
        item=item,
        event=Event.exported,
        ctx=ctx,
        detail={"use": use.value, "proceeding": proceeding, "to": to},
        clock=node.clock,
    )
    return Export(item=item, conditions=bound)
