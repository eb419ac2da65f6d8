"""Delivering the outbox: claim due envelopes, seal, POST in batches, store verified receipts.

A claim is a lease: the row's next_attempt_at moves `worker_lease_seconds` ahead, the
delivery happens outside any transaction, and the outcome is written in another. A worker killed
mid-delivery loses nothing: the lease runs out, the envelope goes again, and the receiver's
dedupe answers with the receipt it already gave. On PostgreSQL several workers share the outbox
(FOR UPDATE SKIP LOCKED); on SQLite run one.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.permissions import AuditAction
from liaison.directory import service as directory
from liaison.federation import envelope as env
from liaison.federation import receipts
from liaison.federation.models import OutboxEnvelope
from liaison.federation.outbox import backoff
from liaison.federation.transport import HttpsTransport, Transport, TransportError
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.protocol import errors

log = logging.getLogger("liaison.delivery")
# Receipts that mean "the receiver will never take this one": stop retrying. A request action
# the requested node's table refuses (invalid_transition) is final too: retrying it forever
# would only hold back the request's thread (docs/adr/0005-request-state-ordering.md).
PERMANENT = frozenset(
    {
        "malformed",
        "bad_signature",
        "not_hosted",
        "unknown_kind",
        "decrypt_failed",
        "too_large",
        "invalid_transition",
        "invalid_link",
        # The signed formal document of a request or decision is not its author's, or was
        # altered: sending the same bytes again cannot make it verify.
        "invalid_document",
        # An approval the receiver cannot trace to a second person stays so: resending the
        # same signed request cannot change that.
        "invalid_approval",
    }
)


@dataclass
class RunStats:
    delivered: int = 0
    rejected: int = 0
    retried: int = 0


def _claim_and_seal(node: Node, limit: int, stats: RunStats) -> dict[str, list[OutboxEnvelope]]:
    """Lease the due envelopes and seal them, in one short transaction; by endpoint."""
    now = node.clock.now()
    earlier = aliased(OutboxEnvelope)
    # A thread's envelopes go in order: one waiting (backing off, or leased to another worker)
    # holds back the later ones of its thread, from the same sender to the same recipient
    # only, so no authority's envelope can hold back another's (a thread id is not a secret).
    held_back = exists().where(
        earlier.thread == OutboxEnvelope.thread,
        earlier.sender == OutboxEnvelope.sender,
        earlier.recipient == OutboxEnvelope.recipient,
        earlier.status == "pending",
        earlier.id < OutboxEnvelope.id,
        earlier.next_attempt_at > now,
    )
    by_endpoint: dict[str, list[OutboxEnvelope]] = defaultdict(list)
    with node.db.session() as session:
        query = (
            select(OutboxEnvelope)
            .where(
                OutboxEnvelope.status == "pending",
                OutboxEnvelope.next_attempt_at <= now,
                ~held_back,
            )
            .order_by(OutboxEnvelope.created_at, OutboxEnvelope.id)
            .limit(limit)
        )
        if not node.settings.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            row.next_attempt_at = now + timedelta(seconds=node.settings.worker_lease_seconds)
            row.attempts += 1
            try:
                _seal(session, node, row)
                by_endpoint[
                    directory.endpoint_of(session=session, authority_id=row.recipient)
                ].append(row)
            except UNSEALABLE as exc:
                # Retrying cannot help, and would hold back its thread at every retry.
                _fail(session, node, row, exc)
                stats.rejected += 1
            except errors.ProtocolError as exc:
                _retry(row, node, exc.message)
                stats.retried += 1
        session.flush()
        # Detached snapshots from here on: delivery happens outside any transaction.
        session.expunge_all()
    return by_endpoint


# What sealing can refuse for good: the envelope itself is invalid (an id or field that is not
# what the protocol allows) or larger than any peer accepts. Everything else (a peer's key not
# yet in the directory, say) may pass and is retried.
UNSEALABLE = (errors.MalformedError, errors.TooLargeError)


def _fail(session: Session, node: Node, row: OutboxEnvelope, exc: errors.ProtocolError) -> None:
    row.status, row.last_error = "failed", f"cannot be sealed: {exc.message}"[:1000]
    audit.record(
        session=session,
        ctx=AuditContext(
            actor="worker", channel=Channel.federation, authority_id=row.sender, request_id=row.id
        ),
        action=AuditAction.federation_envelope_failed,
        target=f"envelope:{row.id}",
        detail={"to": row.recipient, "kind": row.kind, "reason": exc.reason},
        clock=node.clock,
    )


def _seal(session: Session, node: Node, row: OutboxEnvelope) -> tuple[str, str]:
    """Seal, or re-seal an envelope whose earlier sealing is too old to be accepted as fresh."""
    now = node.clock.now()
    half_window = timedelta(seconds=node.settings.federation_freshness_seconds / 2)
    if row.wire is not None and row.sealed_at is not None and now - row.sealed_at < half_window:
        return row.wire, row.digests[-1]
    key = keyring.active_key(session=session, authority_id=row.sender, purpose="signing")
    if key is None:
        raise errors.UnknownKeyError(f"{row.sender} has no signing key")
    peer = directory.peer_encryption_key(session=session, authority_id=row.recipient, at=now)
    sealed = env.seal(
        kind=row.kind,
        sender=row.sender,
        recipient=row.recipient,
        body=row.body,
        sender_key_id=key.id,
        sender_private_raw=keyring.private_raw(kek=node.kek, key=key),
        recipient_key_id=peer.kid,
        recipient_public_raw=peer.public_raw,
        now=now,
        thread=row.thread,
        in_reply_to=row.in_reply_to,
        envelope_id=row.id,
        max_bytes=node.settings.federation_max_envelope_bytes,
    )
    row.wire, row.sealed_at = sealed.wire, now
    row.digests = [*row.digests, sealed.digest]
    return sealed.wire, sealed.digest


def _retry(row: OutboxEnvelope, node: Node, error: str) -> None:
    row.last_error = error[:1000]
    row.next_attempt_at = node.clock.now() + backoff(
        attempts=row.attempts,
        maximum=node.settings.worker_backoff_max_seconds,
        jitter=random.random(),  # noqa: S311 - spreading retries, not a secret
    )


def _settle(
    session: Session, node: Node, row: OutboxEnvelope, receipt_wire: str, stats: RunStats
) -> None:
    now = node.clock.now()
    try:
        receiver, kid = receipts.receipt_signer(receipt_wire)
        key = directory.peer_signing_key(
            session=session, authority_id=row.recipient, kid=kid, at=now
        )
        if receiver != row.recipient:
            raise errors.ReceiptMismatchError(
                f"receipt signed by {receiver}, sent to {row.recipient}"
            )
        receipt = receipts.verify_receipt(
            receipt_wire,
            public_raw=key.public_raw,
            expected_envelope_id=row.id,
            expected_digest=row.digests,
        )
    except errors.ProtocolError as exc:
        _retry(row, node, f"receipt not accepted: {exc.message}")
        stats.retried += 1
        return
    ctx = AuditContext(
        actor="worker", channel=Channel.federation, authority_id=row.sender, request_id=row.id
    )
    if receipt.status == "accepted":
        # The signed receipt on the row is the record of delivery; no audit entry per envelope.
        row.status, row.delivered_at, row.receipt = "delivered", now, receipt_wire
        row.last_error = None
        stats.delivered += 1
    elif receipt.reason in PERMANENT:
        row.status, row.receipt, row.receipt_reason = "rejected", receipt_wire, receipt.reason
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.federation_envelope_refused,
            target=f"envelope:{row.id}",
            detail={"to": row.recipient, "reason": receipt.reason},
            clock=node.clock,
        )
        stats.rejected += 1
    else:
        # stale, unknown/expired key (directories out of step): seal afresh and try again.
        row.wire = None
        _retry(row, node, f"rejected for now: {receipt.reason}")
        stats.retried += 1


_SETTLED = (
    "status",
    "next_attempt_at",
    "last_error",
    "wire",
    "delivered_at",
    "receipt",
    "receipt_reason",
)


def _persist(
    node: Node, rows: list[OutboxEnvelope], stats: RunStats, receipts: list[str] | None
) -> None:
    """Record outcomes with one bulk UPDATE by primary key (plus audit entries for refusals)."""
    with node.db.session() as session:
        for index, row in enumerate(rows):
            if receipts is not None:
                _settle(session, node, row, receipts[index], stats)
        session.execute(
            update(OutboxEnvelope),
            [{"id": row.id, **{name: getattr(row, name) for name in _SETTLED}} for row in rows],
        )


def _deliver(
    node: Node, transport: Transport, endpoint: str, rows: list[OutboxEnvelope], stats: RunStats
) -> None:
    try:
        receipts = transport.deliver(endpoint=endpoint, wires=[row.wire or "" for row in rows])
    except TransportError as exc:
        log.warning("delivery to %s failed: %s", endpoint, exc)
        for row in rows:
            _retry(row, node, str(exc))
            stats.retried += 1
        _persist(node, rows, stats, None)
        return
    _persist(node, rows, stats, receipts)


def deliver_once(node: Node, transport: Transport, *, limit: int | None = None) -> RunStats:
    """One pass: claim and seal what is due, deliver per endpoint, record the outcomes."""
    stats = RunStats()
    batches = _claim_and_seal(node, limit or node.settings.worker_batch_size, stats)
    for endpoint, rows in batches.items():
        _deliver(node, transport, endpoint, rows, stats)
    return stats


class _Pipeline:
    """Seal the next batch while the previous one is on the wire, so the two nodes work at the
    same time instead of taking turns. Thread order still holds: envelopes in flight are leased,
    and a leased envelope holds back the later ones of its thread from the next claim."""

    def __init__(self, node: Node, transport: Transport) -> None:
        self.node, self.transport = node, transport
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liaison-delivery")
        self.inflight: list[Future[None]] = []

    def step(self, stats: RunStats) -> int:
        """Claim, seal and hand over one batch; returns how many envelopes were claimed."""
        batches = _claim_and_seal(self.node, self.node.settings.worker_batch_size, stats)
        for endpoint, rows in batches.items():
            self.inflight.append(
                self.pool.submit(_deliver, self.node, self.transport, endpoint, rows, stats)
            )
        # At most one batch stays in flight while the next is sealed.
        while len(self.inflight) > (1 if batches else 0):
            self.inflight.pop(0).result()
        return sum(len(rows) for rows in batches.values())

    def close(self) -> None:
        for future in self.inflight:
            future.result()
        self.pool.shutdown()


class OutboxDelivery:
    """The worker's loop over the outbox: each step claims, seals and hands over one batch
    (``liaison.worker`` runs it; the composition root registers it)."""

    def __init__(self, node: Node, transport: Transport | None = None) -> None:
        self.transport = transport or HttpsTransport(node.settings)
        self.pipeline = _Pipeline(node, self.transport)
        self.stats = RunStats()

    def step(self) -> int:
        return self.pipeline.step(self.stats)

    def close(self) -> None:
        self.pipeline.close()
        self.transport.close()
