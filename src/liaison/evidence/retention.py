"""Retention (part 8): items past their retention date lose their content, provably.

Each deletion leaves a deletion record signed by the holder authority (compact JWS over the item
id, digest, time and reason), kept in the item's chain of custody, so the authority can later
show what it deleted and when. The row stays, marked deleted; its content can no longer be read
(the API answers 410 Gone). Never commits.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import InvalidInput
from liaison.crypto import jose
from liaison.evidence import custody
from liaison.evidence.custody import Event
from liaison.evidence.models import EvidenceItem
from liaison.evidence.service import retention_end, store_for
from liaison.evidence.store import BlobNotFoundError
from liaison.evidence.transfer import kept
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.requests.models import Request

DELETION_TYP = jose.Typ.deletion
RETENTION_REASON = "end of the retention period set by the request's conditions"
_ACTOR = "system:retention"


def deletion_payload(item: EvidenceItem, *, deleted_at: datetime, reason: str) -> dict[str, Any]:
    return {
        "item": item.id,
        "holder": item.holder,
        "request": item.request_id,
        "digest": item.digest,
        "deleted_at": deleted_at.isoformat(),
        "reason": reason,
    }


def delete_item_for_retention(
    *, session: Session, node: Node, item: EvidenceItem, now: datetime, reason: str
) -> str:
    """Delete the item's content, mark it deleted, and return the signed deletion record."""
    if item.deleted_at is not None:
        raise InvalidInput(f"evidence item {item.id} is already deleted")
    key = keyring.active_key(session=session, authority_id=item.holder, purpose="signing")
    if key is None:
        raise InvalidInput(f"{item.holder} has no signing key to sign the deletion record")
    token = jose.sign_json(
        deletion_payload(item, deleted_at=now, reason=reason),
        private_raw=keyring.private_raw(kek=node.kek, key=key),
        key_id=key.id,
        typ=DELETION_TYP,
    )
    item.deleted_at = now
    ctx = AuditContext(actor=_ACTOR, channel=Channel.system, authority_id=item.holder)
    custody.record(
        session=session,
        item=item,
        event=Event.deleted,
        ctx=ctx,
        at=now,
        detail={"reason": reason, "record": token},
        clock=node.clock,
    )
    session.flush()
    # The rows are written before the blob goes: should the commit still fail, the item stays
    # live without content (reads fail, a later run deletes it again) rather than a deleted item
    # whose content survives. Items sharing the blob (same content) keep it until the last goes.
    shared = session.scalar(
        select(EvidenceItem.id).where(
            EvidenceItem.digest == item.digest,
            EvidenceItem.deleted_at.is_(None),
            EvidenceItem.id != item.id,
        )
    )
    if shared is None:
        with contextlib.suppress(BlobNotFoundError):
            store_for(node).delete(item.digest)
    return token


def apply_retention(*, session: Session, node: Node, now: datetime) -> list[str]:
    """Delete every item whose request closed more than its retention period before ``now``;
    returns their ids. Items of a request still open keep their content. A kept package goes
    with the last of its items (transfer/kept.py)."""
    due = list(
        session.scalars(
            select(EvidenceItem)
            .where(
                EvidenceItem.deleted_at.is_(None),
                EvidenceItem.retention_until.is_not(None),
                EvidenceItem.retention_until <= now,
            )
            .order_by(EvidenceItem.id)
        )
    )
    deleted = []
    for item in due:
        # The stored date is provisional while the request is open: ask the request again.
        request = session.get(Request, (item.holder, item.request_id))
        end = None if request is None else retention_end(request)
        if end is None or end > now:
            if end is not None:
                item.retention_until = end
            continue
        delete_item_for_retention(
            session=session, node=node, item=item, now=now, reason=RETENTION_REASON
        )
        deleted.append(item.id)
    kept.delete_expired(session=session, node=node, now=now)
    return deleted


def verify_deletion_record(*, token: str, key_id: str, public_raw: bytes) -> dict[str, Any]:
    """The signed payload of a deletion record by key ``key_id``; raises jose.TokenError if the
    token is not one (another kind of signature included)."""
    payload: dict[str, Any] = json.loads(
        jose.verify(token, public_raw=public_raw, typ=DELETION_TYP, key_id=key_id)
    )
    return payload
