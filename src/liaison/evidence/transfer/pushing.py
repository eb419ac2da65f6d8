"""The sender's worker pushes announced packages, chunk by chunk, resuming where the receiver
stands (it asks first: the receiver's committed offset is the only truth after a crash)."""

from __future__ import annotations

import datetime as dt
import logging
import mmap
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.permissions import AuditAction
from liaison.directory import service as directory
from liaison.evidence import custody
from liaison.evidence.custody import Event
from liaison.evidence.ingest import close_buffer
from liaison.evidence.models import EvidenceItem
from liaison.evidence.transfer import wire
from liaison.evidence.transfer.models import PackageTransfer
from liaison.evidence.transfer.outgoing import (
    fail,
    lease,
    package_path,
    remove_package_file,
    retry,
)
from liaison.federation.models import OutboxEnvelope
from liaison.federation.transport import TransportError
from liaison.keyring import service as keyring
from liaison.node import Node

log = logging.getLogger("liaison.transfer")
# Refusals that will not change by retrying: the receiver does not know the package (its offer
# was refused) or will never accept this sender's token.
_FINAL = frozenset({403, 404})
# Other refusals (a chunk or the whole file failing its digest at the receiver) may be a fluke
# of the wire; this many in a row mean the package itself is bad.
MAX_REFUSALS = 5
# How often the sender's row learns the receiver's offset while a transfer runs (for display).
_PROGRESS_SECONDS = 1.0


def _claim(node: Node) -> str | None:
    """Lease one announced package whose announcement reached the receiver."""
    with node.db.session() as session:
        now = node.clock.now()
        found = session.execute(
            select(PackageTransfer, OutboxEnvelope.status, OutboxEnvelope.receipt_reason)
            .join(OutboxEnvelope, OutboxEnvelope.id == PackageTransfer.envelope_id)
            .where(
                PackageTransfer.direction == "out",
                PackageTransfer.status == "offered",
                PackageTransfer.next_attempt_at <= now,
                OutboxEnvelope.status != "pending",
            )
            .order_by(PackageTransfer.next_attempt_at, PackageTransfer.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=PackageTransfer)
        ).first()
        if found is None:
            return None
        row, envelope_status, reason = found
        if envelope_status == "rejected":
            fail(row, node, f"the receiver refused the announcement: {reason}")
            remove_package_file(node.settings.data_dir, row.package_digest)
            return None
        lease(row, node)
        return row.id


def push_next(node: Node, client: wire.PackageClient) -> bool:
    """Push one package as far as it goes; True if there was one."""
    transfer_id = _claim(node)
    if transfer_id is None:
        return False
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, transfer_id)
        endpoint = directory.endpoint_of(session=session, authority_id=row.peer)
        key = keyring.active_key(session=session, authority_id=row.holder, purpose="signing")
        private = keyring.private_raw(kek=node.kek, key=key) if key else None
        digest, size, holder, peer = row.package_digest or "", row.size, row.holder, row.peer
    if key is None or private is None:
        with node.db.session() as session:
            fail(
                session.get_one(PackageTransfer, transfer_id), node, f"{holder} has no signing key"
            )
        return True

    def token() -> str:
        return wire.make_token(
            package=digest,
            sender=holder,
            recipient=peer,
            private_raw=private,
            key_id=key.id,
            now=node.clock.now().timestamp(),
        )

    push = _Push(node, client, endpoint, digest, size, token, transfer_id)
    try:
        ack = push.run()
    except wire.ChunkRefused as exc:
        with node.db.session() as session:
            row = session.get_one(PackageTransfer, transfer_id)
            if exc.status in _FINAL or row.attempts >= MAX_REFUSALS:
                fail(row, node, str(exc))
            else:
                retry(row, node, str(exc))
        return True
    except (TransportError, OSError) as exc:
        log.info("transfer %s paused: %s", transfer_id, exc)
        with node.db.session() as session:
            retry(session.get_one(PackageTransfer, transfer_id), node, str(exc))
        return True
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, transfer_id)
        row.offset = ack.offset
        # The receiver's count when it gives one: a chunk whose answer was lost reached it all
        # the same, and both nodes must then report the same figure.
        row.bytes_transferred = (
            ack.received if ack.received is not None else row.bytes_transferred + push.sent
        )
        row.attempts = 0  # progress: earlier failures say nothing about the next one
        if ack.status == "expected":
            row.next_attempt_at = node.clock.now()  # more to send: go again at once
        else:
            _sent(session, node, row)
    return True


@dataclass
class _Push:
    node: Node
    client: wire.PackageClient
    endpoint: str
    digest: str
    size: int
    token: Callable[[], str]
    transfer_id: str
    sent: int = 0

    def run(self) -> wire.Ack:
        """Chunks from the receiver's offset to the end; returns the receiver's last answer."""
        ack = self.client.offset(endpoint=self.endpoint, package=self.digest, token=self.token())
        # Page-aligned: the chunk's digest is computed at full speed (see crypto/hashing).
        buffer = mmap.mmap(-1, self.node.settings.transfer_chunk_bytes)
        view = memoryview(buffer)
        try:
            path = package_path(self.node.settings.data_dir, self.digest)
            with path.open("rb", buffering=0) as handle:
                return self._chunks(ack, handle.fileno(), view)
        finally:
            view.release()
            close_buffer(buffer)

    def _chunks(self, ack: wire.Ack, fd: int, view: memoryview) -> wire.Ack:
        rate = self.node.settings.transfer_max_bytes_per_second
        started = last_progress = time.monotonic()
        while ack.status == "expected" and ack.offset < self.size:
            count = os.preadv(fd, [view[: min(len(view), self.size - ack.offset)]], ack.offset)
            if count <= 0:
                raise OSError(f"the package file ended at {ack.offset} of {self.size} bytes")
            ack = self.client.send(
                endpoint=self.endpoint,
                package=self.digest,
                token=self.token(),
                offset=ack.offset,
                chunk=view[:count],
            )
            self.sent += count
            if rate:
                # Sleep off whatever the cap says this much data should have taken.
                ahead = self.sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            if time.monotonic() - last_progress >= _PROGRESS_SECONDS:
                last_progress = time.monotonic()
                _progress(self.node, self.transfer_id, ack.offset)
        return ack


def _progress(node: Node, transfer_id: str, offset: int) -> None:
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, transfer_id)
        row.offset = offset
        # Still at work on it: keep the lease from running out under a long transfer.
        row.next_attempt_at = node.clock.now() + dt.timedelta(
            seconds=node.settings.worker_lease_seconds
        )


def _sent(session: Session, node: Node, row: PackageTransfer) -> None:
    row.status, row.completed_at, row.last_error = "sent", node.clock.now(), None
    ctx = AuditContext(actor="system:transfer", channel=Channel.system, authority_id=row.holder)
    for entry in row.items:
        custody.record(
            session=session,
            item=session.get_one(EvidenceItem, entry["item"]),
            event=Event.sent,
            ctx=ctx,
            detail={"package": row.package_digest, "to": row.peer, "transfer": row.id},
            clock=node.clock,
        )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.evidence_package_sent,
        target=f"transfer:{row.id}",
        authority_id=row.holder,
        detail={
            "package": row.package_digest,
            "to": row.peer,
            "size": row.size,
            "bytes_transferred": row.bytes_transferred,
        },
        clock=node.clock,
    )
