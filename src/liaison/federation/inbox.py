"""Receiving envelopes: verify, dedupe, decrypt, hand to the kind's handler, answer a receipt.

Each envelope is its own transaction: an accepted one commits its handler's changes, its inbox
row (with the receipt) and its audit entry together; a rejected one stores only an audit entry.
Order of checks (docs/protocol.md §3): size and shape, signer key in the directory, signature,
recipient hosted here, duplicate, freshness, decryption, kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.audit import refusals
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.authorities.models import Authority
from liaison.core.permissions import AuditAction
from liaison.db.session import per_transaction
from liaison.directory import service as directory
from liaison.federation import envelope as env
from liaison.federation import kinds, receipts
from liaison.federation.models import InboxEnvelope
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey
from liaison.node import Node
from liaison.protocol import errors

_INBOX = cast(Table, InboxEnvelope.__table__)
# Prepared once (values come as parameters), so each envelope reuses the compiled statement.
_INSERT_INBOX = insert(_INBOX)
_KNOWN = select(_INBOX.c.envelope_id, _INBOX.c.receipt).where(
    _INBOX.c.envelope_id.in_(bindparam("ids", expanding=True))
)


@dataclass(frozen=True)
class Outcome:
    receipt: str
    accepted: bool
    reason: str | None
    status_code: int


def _sign_receipt(
    session: Session,
    node: Node,
    *,
    receiver: str,
    envelope_id: str | None,
    digest: str,
    accepted: bool,
    reason: str | None,
) -> str:
    key = keyring.active_key(session=session, authority_id=receiver, purpose="signing")
    if key is None:
        raise errors.NotHostedError(f"no signing key for {receiver}")
    return receipts.make_receipt(
        envelope_id=envelope_id,
        envelope_digest=digest,
        received_at=node.clock.now(),
        status="accepted" if accepted else "rejected",
        reason=reason,
        receiver=receiver,
        receiver_key_id=key.id,
        receiver_private_raw=keyring.private_raw(kek=node.kek, key=key),
    ).wire


def _any_hosted(session: Session) -> str:
    authority_id = session.scalar(select(Authority.id).order_by(Authority.id).limit(1))
    if authority_id is None:
        raise errors.NotHostedError("this node hosts no authority")
    return authority_id


def _hosted(session: Session) -> frozenset[str]:
    return per_transaction(
        session, "inbox.hosted", lambda: frozenset(session.scalars(select(Authority.id)))
    )


def _private_for(session: Session, node: Node, *, recipient: str, kid: str) -> bytes:
    def load() -> bytes | None:
        key = session.get(StoredKey, kid)
        if key is None or key.authority_id != recipient or key.purpose != "encryption":
            return None
        return keyring.private_raw(kek=node.kek, key=key)

    private_raw = per_transaction(session, f"inbox.enc:{recipient}:{kid}", load)
    if private_raw is None:
        raise errors.DecryptFailedError(
            f"the body is encrypted to key {kid}, not one of {recipient}"
        )
    return private_raw


class _Progress:
    """How far an envelope got: a refusal before its signature verified is anonymous."""

    verified = False


def _accept(
    session: Session,
    node: Node,
    wire: str,
    peeked: env.Peeked,
    known: dict[str, str],
    *,
    progress: _Progress,
) -> Outcome:
    claimed = peeked.unverified
    now = node.clock.now()
    key = directory.peer_signing_key(
        session=session, authority_id=claimed.sender, kid=peeked.signer_kid, at=now
    )
    envelope = env.verify(
        wire,
        signer_public_raw=key.public_raw,
        max_bytes=node.settings.federation_max_envelope_bytes,
    )
    progress.verified = True
    if envelope.to not in _hosted(session):
        raise errors.NotHostedError(f"authority {envelope.to!r} is not hosted on this node")
    seen = known.get(envelope.id)
    if seen is not None:
        return Outcome(receipt=seen, accepted=True, reason=None, status_code=200)
    env.check_fresh(
        envelope, now=now, window=timedelta(seconds=node.settings.federation_freshness_seconds)
    )
    private_raw = _private_for(session, node, recipient=envelope.to, kid=env.body_key_id(envelope))
    body = env.decrypt_body(envelope, recipient_private_raw=private_raw)
    handler = kinds.handler_for(envelope.kind)
    if handler is None:
        raise errors.UnknownKindError(f"{envelope.to} does not handle the kind {envelope.kind!r}")
    ctx = AuditContext(
        actor=f"authority:{envelope.sender}",
        channel=Channel.federation,
        authority_id=envelope.to,
        request_id=envelope.id,
    )
    # Signed before the handler runs: nothing can fail after the handler has written.
    receipt = _sign_receipt(
        session,
        node,
        receiver=envelope.to,
        envelope_id=envelope.id,
        digest=peeked.digest,
        accepted=True,
        reason=None,
    )
    handler(
        kinds.Incoming(envelope=envelope, body=body, digest=peeked.digest, received_at=now),
        kinds.HandlerContext(session=session, ctx=ctx, clock=node.clock, settings=node.settings),
    )
    # A prepared Core insert: this runs for every envelope received.
    session.connection().execute(
        _INSERT_INBOX,
        {
            "envelope_id": envelope.id,
            "sender": envelope.sender,
            "recipient": envelope.to,
            "kind": envelope.kind,
            "thread": envelope.thread,
            "digest": peeked.digest,
            "created_at": envelope.created_at,
            "received_at": now,
            "receipt": receipt,
        },
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.federation_envelope_accepted,
        target=f"envelope:{envelope.id}",
        detail={"kind": envelope.kind, "from": envelope.sender, "digest": peeked.digest},
        clock=node.clock,
    )
    session.flush()
    return Outcome(receipt=receipt, accepted=True, reason=None, status_code=200)


def receive(node: Node, wire: str) -> Outcome:
    """Process one envelope and return the receipt to answer."""
    return receive_batch(node, [wire])[0]


def receive_batch(node: Node, wires: list[str]) -> list[Outcome]:
    """Process a delivery in one transaction, each envelope in a savepoint of its own: an
    accepted one keeps its changes, a rejected one keeps only its audit entry. One commit per
    batch, and one look-up of already-received ids, is what lets a node take hundreds of
    envelopes a second."""
    peeked: list[env.Peeked | errors.ProtocolError] = []
    for wire in wires:
        try:
            peeked.append(env.peek(wire, max_bytes=node.settings.federation_max_envelope_bytes))
        except errors.ProtocolError as exc:
            peeked.append(exc)
    ids = [p.unverified.id for p in peeked if isinstance(p, env.Peeked)]
    with node.db.session() as session:
        rows = session.connection().execute(_KNOWN, {"ids": ids}).all() if ids else []
        known: dict[str, str] = {str(row[0]): str(row[1]) for row in rows}
        outcomes = []
        for wire, item in zip(wires, peeked, strict=True):
            if isinstance(item, errors.ProtocolError):
                outcomes.append(_reject(session, node, wire, None, item, authenticated=False))
            else:
                outcomes.append(_receive_one(session, node, wire, item, known))
        return outcomes


def _receive_one(
    session: Session, node: Node, wire: str, peeked: env.Peeked, known: dict[str, str]
) -> Outcome:
    progress = _Progress()
    try:
        if kinds.checks_first(peeked.unverified.kind):
            # Every refusal comes before the first write (kinds.register): no savepoint.
            outcome = _accept(session, node, wire, peeked, known, progress=progress)
        else:
            with audit.savepoint(session):
                outcome = _accept(session, node, wire, peeked, known, progress=progress)
    except IntegrityError:
        if kinds.checks_first(peeked.unverified.kind):
            # Without a savepoint the delivery rolls back whole; the sender retries it, and the
            # retry finds the other copy already received.
            raise
        # The same envelope arrived twice at once and the other copy committed first.
        seen = session.get(InboxEnvelope, peeked.unverified.id)
        if seen is None:
            raise
        return Outcome(receipt=seen.receipt, accepted=True, reason=None, status_code=200)
    except errors.ProtocolError as exc:
        return _reject(session, node, wire, peeked, exc, authenticated=progress.verified)
    # A second copy later in the same delivery gets this receipt.
    known[peeked.unverified.id] = outcome.receipt
    return outcome


def _reject(
    session: Session,
    node: Node,
    wire: str,
    peeked: env.Peeked | None,
    exc: errors.ProtocolError,
    *,
    authenticated: bool,
) -> Outcome:
    """The signed rejection receipt. A refusal of a peer whose signature verified is an audit
    entry; anything before that (junk, a forged or unknown signature) could come from anyone,
    so it is only counted (audit.refusals), and anonymous callers cannot grow the log."""
    digest = (
        peeked.digest
        if peeked
        else env.wire_digest(wire[: node.settings.federation_max_envelope_bytes])
    )
    claimed = peeked.unverified if peeked else None
    hosted = claimed is not None and session.get(Authority, claimed.to) is not None
    receiver = claimed.to if claimed is not None and hosted else _any_hosted(session)
    ctx = AuditContext(
        actor=f"authority:{claimed.sender}" if claimed else "federation:unknown",
        channel=Channel.federation,
        authority_id=receiver,
        request_id=claimed.id if claimed else "",
    )
    if authenticated:
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.federation_envelope_rejected,
            target=f"envelope:{claimed.id if claimed else 'unreadable'}",
            detail={"reason": exc.reason, "message": exc.message, "digest": digest},
            clock=node.clock,
        )
    else:
        refusals.count(session=session, channel="federation", reason=exc.reason, clock=node.clock)
    receipt = _sign_receipt(
        session,
        node,
        receiver=receiver,
        envelope_id=claimed.id if claimed else None,
        digest=digest,
        accepted=False,
        reason=exc.reason,
    )
    return Outcome(receipt=receipt, accepted=False, reason=exc.reason, status_code=exc.status_code)
