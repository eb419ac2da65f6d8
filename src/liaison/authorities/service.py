"""Authorities hosted on this node. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.authorities.models import Authority
from liaison.authorities.schemas import AuthorityCreate
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Conflict, NotFound
from liaison.core.permissions import AuditAction
from liaison.keyring import service as keyring


def create(
    *,
    session: Session,
    data: AuthorityCreate,
    kek: bytes,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> Authority:
    """Create an authority and its signing and encryption keys."""
    if session.get(Authority, data.id) is not None:
        raise Conflict(f"authority {data.id!r} already exists")
    authority = Authority(
        id=data.id,
        state=data.state,
        names=data.names,
        roles=[str(r) for r in data.roles],
        accepted_languages=data.accepted_languages,
        require_totp=data.require_totp,
        created_at=clock.now(),
    )
    session.add(authority)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.node_authority_created,
        target=f"authority:{data.id}",
        authority_id=data.id,
        detail={"state": data.state, "roles": authority.roles},
        clock=clock,
    )
    keyring.ensure_keys(session=session, kek=kek, authority_id=data.id, ctx=ctx, clock=clock)
    return authority


def get(*, session: Session, authority_id: str) -> Authority:
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise NotFound(f"no authority {authority_id!r} on this node")
    return authority


def list_all(*, session: Session) -> list[Authority]:
    return list(session.scalars(select(Authority).order_by(Authority.id)))
