"""Creating, finding, rotating and unwrapping keys. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto
from liaison.db.session import forget_per_transaction, per_transaction
from liaison.keyring.models import StoredKey

PURPOSES: tuple[keycrypto.Purpose, ...] = ("signing", "encryption")
# The node's own keys: "signing" signs its audit checkpoints (the log key), "witness" cosigns
# other nodes' checkpoints. Both are published in the directory's entry for the node's log.
NODE_PURPOSES: tuple[keycrypto.Purpose, ...] = ("signing", "witness")


def create_key(
    *,
    session: Session,
    kek: bytes,
    authority_id: str | None,
    purpose: keycrypto.Purpose,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> StoredKey:
    pair = keycrypto.generate(purpose)
    key_id = new_id_str()
    key = StoredKey(
        id=key_id,
        authority_id=authority_id,
        purpose=purpose,
        algorithm=keycrypto.ALGORITHMS[purpose],
        public_key=keycrypto.b64u(pair.public_raw),
        private_key_enc=keycrypto.wrap(kek, key_id, pair.private_raw),
        created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    forget_per_transaction(session, "active_key:")
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.keyring_key_created,
        target=f"key:{key_id}",
        authority_id=authority_id,
        detail={"purpose": purpose, "algorithm": key.algorithm, "public_key": key.public_key},
        clock=clock,
    )
    return key


def active_key(
    *, session: Session, authority_id: str | None, purpose: keycrypto.Purpose
) -> StoredKey | None:
    """The key in use (once per transaction: sealing a batch asks for it per envelope)."""
    return per_transaction(
        session,
        f"active_key:{authority_id}:{purpose}",
        lambda: _active_key(session, authority_id, purpose),
    )


def _active_key(
    session: Session, authority_id: str | None, purpose: keycrypto.Purpose
) -> StoredKey | None:
    owner = (
        StoredKey.authority_id.is_(None)
        if authority_id is None
        else StoredKey.authority_id == authority_id
    )
    return session.scalars(
        select(StoredKey)
        .where(owner, StoredKey.purpose == purpose, StoredKey.retired_at.is_(None))
        .order_by(StoredKey.created_at.desc())
    ).first()


def keys_of(*, session: Session, authority_id: str) -> list[StoredKey]:
    """The authority's own keys (its officials' personal keys are not among them)."""
    return list(
        session.scalars(
            select(StoredKey)
            .where(StoredKey.authority_id == authority_id, StoredKey.purpose.in_(PURPOSES))
            .order_by(StoredKey.created_at)
        )
    )


def ensure_keys(
    *,
    session: Session,
    kek: bytes,
    authority_id: str | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> list[StoredKey]:
    """Create whichever active key the owner lacks (an authority, or the node: None)."""
    created = []
    purposes = NODE_PURPOSES if authority_id is None else PURPOSES
    for purpose in purposes:
        if active_key(session=session, authority_id=authority_id, purpose=purpose) is None:
            created.append(
                create_key(
                    session=session,
                    kek=kek,
                    authority_id=authority_id,
                    purpose=purpose,
                    ctx=ctx,
                    clock=clock,
                )
            )
    return created


def rotate(
    *,
    session: Session,
    kek: bytes,
    authority_id: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> list[StoredKey]:
    """Retire the authority's active keys and create new ones. Old public halves stay."""
    now = clock.now()
    fresh = []
    for purpose in PURPOSES:
        old = active_key(session=session, authority_id=authority_id, purpose=purpose)
        if old is not None:
            old.retired_at = now
        session.flush()
        forget_per_transaction(session, "active_key:")
        new = create_key(
            session=session,
            kek=kek,
            authority_id=authority_id,
            purpose=purpose,
            ctx=ctx,
            clock=clock,
        )
        fresh.append(new)
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.keyring_key_rotated,
            target=f"key:{new.id}",
            authority_id=authority_id,
            detail={"purpose": purpose, "retired": old.id if old else None},
            clock=clock,
        )
    return fresh


def private_raw(*, kek: bytes, key: StoredKey) -> bytes:
    return keycrypto.unwrap(kek, key.id, key.private_key_enc)


def node_signing_key(
    *, session: Session, kek: bytes, purpose: keycrypto.Purpose = "signing"
) -> tuple[StoredKey, bytes]:
    """The node's log key ("signing") or witness key, with its private half."""
    key = active_key(session=session, authority_id=None, purpose=purpose)
    if key is None:
        raise NotFound(f"this node has no {purpose} key yet; run 'liaison init'")
    return key, private_raw(kek=kek, key=key)


def node_keys(*, session: Session) -> list[StoredKey]:
    """Every key the node itself ever had (log and witness keys, retired ones too)."""
    return list(
        session.scalars(
            select(StoredKey)
            .where(StoredKey.authority_id.is_(None))
            .order_by(StoredKey.created_at, StoredKey.id)
        )
    )


def public_raw_by_id(*, session: Session, key_id: str) -> bytes | None:
    key = session.get(StoredKey, key_id)
    return None if key is None else keycrypto.b64u_decode(key.public_key)
