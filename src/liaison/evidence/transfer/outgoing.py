"""The sender's side: queue a package, seal it in the worker, announce it to the recipient.

Sealing a large package takes seconds; it happens in the worker, outside any transaction, so no
database lock is held while the bytes stream (SQLite takes its write lock at the first
statement). The API call only records what to send. Never commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import InvalidInput, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto
from liaison.crypto.hashing import sha256_hex
from liaison.directory import service as directory
from liaison.evidence import chain, custody
from liaison.evidence.actors import actor_names
from liaison.evidence.custody import Event
from liaison.evidence.ingest import open_blob
from liaison.evidence.models import EvidenceItem
from liaison.evidence.package import PayloadItem, PayloadStream, SealResult, seal_package
from liaison.evidence.service import discard_stored, store_for
from liaison.evidence.store.direct import open_new
from liaison.evidence.transfer import kept
from liaison.evidence.transfer.models import PackageTransfer
from liaison.federation import outbox
from liaison.federation.models import OutboxEnvelope
from liaison.federation.outbox import backoff
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.models import Request
from liaison.requests.table import Status

log = logging.getLogger("liaison.transfer")
KIND_PACKAGE = "evidence.package"
OUT_FOLDER = Path("packages") / "out"
# A request the other side does not hold yet has nowhere to receive evidence.
_NOT_SENT = frozenset({Status.draft, Status.awaiting_approval, Status.approved})
_WORKER = "system:transfer"


def peer_of(request: Request) -> str:
    return request.counterpart


def describe(item: EvidenceItem) -> dict[str, Any]:
    """What the receiver needs to re-create the item on its copy of the request."""
    return {
        "item": item.id,
        "name": item.name,
        "digest": item.digest,
        "size": item.size,
        "description": item.description,
        "source": item.source,
        "acquired_by": item.acquired_by,
        "acquired_at": item.acquired_at.isoformat(),
        "acquisition_method": item.acquisition_method,
        "acquisition_tool": item.acquisition_tool,
    }


def offer(
    *,
    session: Session,
    node: Node,
    user: User,
    request_id: str,
    item_ids: list[str] | None,
    ctx: AuditContext,
) -> PackageTransfer:
    """Queue the request's items (all live ones, or those named) for the other authority."""
    request = requests.get_for(session=session, user=user, request_id=request_id)
    if Status(request.status) in _NOT_SENT:
        raise InvalidInput(
            f"request {request.id} has not been sent yet: evidence can travel once the other "
            "authority holds the request"
        )
    live = {
        item.id: item
        for item in session.scalars(
            select(EvidenceItem)
            .where(
                EvidenceItem.holder == request.holder,
                EvidenceItem.request_id == request.id,
                EvidenceItem.deleted_at.is_(None),
            )
            .order_by(EvidenceItem.created_at, EvidenceItem.id)
        )
    }
    if item_ids:
        unknown = [i for i in item_ids if i not in live]
        if unknown:
            raise NotFound(
                f"request {request.id} has no live evidence item {', '.join(sorted(unknown))}"
            )
        chosen = [live[i] for i in dict.fromkeys(item_ids)]
    else:
        chosen = list(live.values())
    if not chosen:
        raise InvalidInput(f"request {request.id} has no evidence item to send")
    names = [item.name for item in chosen]
    if len(set(names)) != len(names):
        raise InvalidInput("two items share a name; a package needs one name per file")
    now = node.clock.now()
    row = PackageTransfer(
        id=new_id_str(),
        direction="out",
        holder=request.holder,
        peer=peer_of(request),
        request_id=request.id,
        status="sealing",
        size=0,
        offset=0,
        bytes_transferred=0,
        items=[describe(item) for item in chosen],
        attempts=0,
        next_attempt_at=now,
        report=[],
        created_by=ctx.actor,
        created_at=now,
    )
    session.add(row)
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.evidence_package_queued,
        target=f"transfer:{row.id}",
        authority_id=request.holder,
        detail={"request": request.id, "to": row.peer, "items": [i.id for i in chosen]},
        clock=node.clock,
    )
    return row


def package_path(data_dir: Path, digest: str, folder: Path = OUT_FOLDER) -> Path:
    return Path(data_dir) / folder / f"{sha256_hex(digest)}.age"


def _recipient_age(session: Session, node: Node, authority_id: str) -> str:
    public = directory.peer_encryption_key(
        session=session, authority_id=authority_id, at=node.clock.now()
    ).public
    return keycrypto.age_recipient(keycrypto.b64u_decode(public))


def _payload(session: Session, node: Node, item: EvidenceItem) -> PayloadItem:
    """The file, described and with its acquisition: what a court asks first travels with it."""
    return PayloadItem(
        item.name,
        item.size,
        _opener(node, item.digest),
        item.digest,
        description=item.description,
        acquired=chain.acquisition_of(item, custody.events(session=session, item=item)),
    )


def _opener(node: Node, digest: str) -> Callable[[], PayloadStream]:
    return lambda: open_blob(store=store_for(node), digest=digest, kek=node.kek)


def claim(node: Node, direction: str, status: str) -> str | None:
    """Lease the oldest due row of ``direction`` in ``status`` to this worker; its id, or None.

    The lease (``next_attempt_at`` moved ahead) keeps other workers off it; a worker killed
    mid-step loses nothing but the lease's wait.
    """
    with node.db.session() as session:
        now = node.clock.now()
        row = session.scalars(
            select(PackageTransfer)
            .where(
                PackageTransfer.direction == direction,
                PackageTransfer.status == status,
                PackageTransfer.next_attempt_at <= now,
            )
            .order_by(PackageTransfer.next_attempt_at, PackageTransfer.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        lease(row, node)
        return row.id


def lease(row: PackageTransfer, node: Node) -> None:
    row.next_attempt_at = node.clock.now() + dt.timedelta(
        seconds=node.settings.worker_lease_seconds
    )
    row.attempts += 1


def seal_next(node: Node) -> bool:
    """Seal one queued package, if any; True if one was handled."""
    transfer_id = claim(node, "out", "sealing")
    if transfer_id is None:
        return False
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, transfer_id)
        request = session.get_one(Request, (row.holder, row.request_id))
        items = [session.get(EvidenceItem, entry["item"]) for entry in row.items]
        gone = [e["item"] for e, item in zip(row.items, items, strict=True) if not _live(item)]
        if gone:
            fail(row, node, f"items deleted before sealing: {', '.join(gone)}")
            return True
        live = [item for item in items if item is not None]
        signing = keyring.active_key(session=session, authority_id=row.holder, purpose="signing")
        if signing is None:
            fail(row, node, f"{row.holder} has no signing key")
            return True
        signing_raw = keyring.private_raw(kek=node.kek, key=signing)
        recipient_age = _recipient_age(session, node, row.peer)
        events = chain.package_chain(session=session, items=live)
        payload = [_payload(session, node, item) for item in live]
        sealed_by = actor_names(session=session, actors=[row.created_by], holder=row.holder)[
            row.created_by
        ]
        request_ref, holder, peer = request.reference or request.id, row.holder, row.peer
    folder = Path(node.settings.data_dir) / OUT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{transfer_id}.part"
    part.unlink(missing_ok=True)  # left by a worker killed mid-seal
    result: SealResult | None = None
    try:
        with open_new(part) as handle:
            result = seal_package(
                out=handle,
                items=payload,
                request_ref=request_ref,
                sender=holder,
                recipient=peer,
                recipient_age=recipient_age,
                signing_private_raw=signing_raw,
                signing_key_id=signing.id,
                custody=events,
                now=node.clock.now(),
                sealed_by=sealed_by,
            )
            os.fsync(handle.fileno())
        path = package_path(node.settings.data_dir, result.digest)
        part.replace(path)
        # The package as sent stays, so its signature can be checked again at trial; the file
        # beside is only the sender's working copy for the push.
        stored = kept.keep(node=node, path=path, digest=result.digest)
    except Exception as exc:  # noqa: BLE001 - any failure: keep the row, retry later, say why
        part.unlink(missing_ok=True)
        if result is not None:
            remove_package_file(node.settings.data_dir, result.digest)
        log.warning("sealing package %s failed: %s", transfer_id, exc)
        with node.db.session() as session:
            retry(session.get_one(PackageTransfer, transfer_id), node, str(exc))
        return True
    try:
        with node.db.session() as session:
            row = session.get_one(PackageTransfer, transfer_id)
            _announce(session, node, row, result, signing.id)
    except BaseException:
        # Not announced, so no row says it was kept: the next attempt seals afresh.
        discard_stored(node=node, result=stored)
        remove_package_file(node.settings.data_dir, result.digest)
        raise
    return True


def _announce(
    session: Session, node: Node, row: PackageTransfer, sealed: SealResult, key_id: str
) -> None:
    """The package is on disk: record the seal and tell the recipient what is coming."""
    digest, size = sealed.digest, sealed.size
    ctx = AuditContext(actor=_WORKER, channel=Channel.system, authority_id=row.holder)
    row.package_digest, row.size, row.status = digest, size, "offered"
    row.sealed_at = dt.datetime.fromisoformat(sealed.sealed_at)
    row.kept_at = node.clock.now()
    row.item_ids = [entry["item"] for entry in row.items]
    row.attempts, row.last_error = 0, None
    row.next_attempt_at = node.clock.now()
    for entry in row.items:
        custody.record(
            session=session,
            item=session.get_one(EvidenceItem, entry["item"]),
            event=Event.sealed,
            ctx=ctx,
            detail={"package": digest, "for": row.peer, "transfer": row.id},
            clock=node.clock,
        )
    envelope = outbox.enqueue(
        session=session,
        sender=row.holder,
        recipient=row.peer,
        kind=KIND_PACKAGE,
        body={
            "transfer_id": row.id,
            "request_id": row.request_id,
            "package": digest,
            "size": size,
            "signing_key": key_id,
            "items": row.items,
        },
        thread=row.id,
        clock=node.clock,
    )
    row.envelope_id = envelope.id


def _live(item: EvidenceItem | None) -> bool:
    return item is not None and item.deleted_at is None


def fail(row: PackageTransfer, node: Node, error: str) -> None:
    row.status, row.last_error = "failed", error[:2000]
    row.completed_at = node.clock.now()


def retry(row: PackageTransfer, node: Node, error: str) -> None:

    row.last_error = error[:2000]
    row.next_attempt_at = node.clock.now() + backoff(
        attempts=row.attempts,
        maximum=node.settings.worker_backoff_max_seconds,
        jitter=int.from_bytes(os.urandom(2)) / 65536,
    )


def remove_package_file(data_dir: Path, digest: str | None) -> None:
    if digest:
        package_path(data_dir, digest).unlink(missing_ok=True)


def list_for(*, session: Session, user: User, request_id: str) -> list[PackageTransfer]:
    """The packages of a request on this node, both ways, newest first."""
    request = requests.get_for(session=session, user=user, request_id=request_id)
    return list(
        session.scalars(
            select(PackageTransfer)
            .where(
                PackageTransfer.holder == request.holder, PackageTransfer.request_id == request.id
            )
            .order_by(PackageTransfer.created_at.desc(), PackageTransfer.id.desc())
        )
    )


def outbox_scope(user: User) -> ColumnElement[bool]:
    """Outbox envelopes about a package (their thread is its transfer or announcement) only
    for who may see the request it belongs to."""
    return exists().where(
        PackageTransfer.holder == OutboxEnvelope.sender,
        or_(
            PackageTransfer.id == OutboxEnvelope.thread,
            PackageTransfer.envelope_id == OutboxEnvelope.thread,
        ),
        PackageTransfer.request_id.in_(requests.visible_ids(user)),
    )
