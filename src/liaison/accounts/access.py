"""The one authorisation step: does this user hold the permission, and if not, the refusal is
audited. API dependencies (liaison.accounts.deps) and CLI commands (liaison.accounts.operator)
both go through here, so a refusal reads the same in the log whichever way it was tried."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock
from liaison.core.errors import PermissionDenied
from liaison.core.permissions import AuditAction, Permission, Role, permissions_for


class AccessDenied(PermissionDenied):
    # A refused access attempt is a security event: keep its audit entry.
    keep_changes = True


def permissions_of(user: User) -> frozenset[Permission]:
    return permissions_for(frozenset(Role(r) for r in user.roles), node_admin=user.is_node_admin)


def authorize(
    *,
    session: Session,
    ctx: AuditContext,
    permissions: frozenset[Permission],
    permission: Permission,
    clock: Clock,
) -> None:
    """Raise AccessDenied (audited) unless ``permission`` is among ``permissions``."""
    if permission in permissions:
        return
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.authz_access_denied,
        target=f"permission:{permission}",
        clock=clock,
    )
    raise AccessDenied(f"this needs the permission {permission}")


def authorize_authority(
    *, session: Session, ctx: AuditContext, member_of: str, authority_id: str, clock: Clock
) -> None:
    """Tenancy: an authority's administrators act on their own authority only (audited)."""
    if member_of == authority_id:
        return
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.authz_access_denied,
        target=f"authority:{authority_id}",
        clock=clock,
    )
    raise AccessDenied(f"you are not a member of authority {authority_id!r}")
