"""Users of an authority. Every read and write is scoped to one authority. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts import tokens
from liaison.accounts.models import User
from liaison.accounts.passwords import check_password
from liaison.accounts.schemas import UserCreate, UserUpdate
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.authorities import service as authorities
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Conflict, NotFound, PermissionDenied
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction, Role
from liaison.crypto.passwords import hash_password


def create(
    *,
    session: Session,
    authority_id: str,
    data: UserCreate,
    ctx: AuditContext,
    node_admin: bool = False,
    clock: Clock = system_clock,
) -> User:
    authorities.get(session=session, authority_id=authority_id)
    check_password(data.password, username=data.username)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(f"a user named {data.username!r} already exists")
    now = clock.now()
    user = User(
        id=new_id_str(),
        authority_id=authority_id,
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        password_hash=hash_password(data.password),
        roles=sorted(str(r) for r in set(data.roles)),
        is_node_admin=node_admin,
        disabled=False,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.authority_user_created,
        target=f"user:{user.id}",
        authority_id=authority_id,
        detail={"username": user.username, "roles": user.roles, "node_admin": node_admin},
        clock=clock,
    )
    return user


def get(*, session: Session, authority_id: str, user_id: str) -> User:
    """A user of this authority; another authority's user is indistinguishable from none."""
    user = session.get(User, user_id)
    if user is None or user.authority_id != authority_id:
        raise NotFound(f"no user {user_id!r} in authority {authority_id!r}")
    return user


def by_username(*, session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_for(*, session: Session, authority_id: str) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.authority_id == authority_id).order_by(User.username)
        )
    )


def update(
    *,
    session: Session,
    authority_id: str,
    user_id: str,
    data: UserUpdate,
    actor: User | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> User:
    """Change a user. ``actor`` is the administrator making the change (None: the node's
    operator, from the CLI). Nobody grants or takes roles of their own (an admin could
    otherwise make themselves supervisor and read every request), the authority always keeps
    one enabled administrator, and disabling a user ends every token they hold."""
    user = get(session=session, authority_id=authority_id, user_id=user_id)
    changes: dict[str, object] = {}
    if data.display_name is not None and data.display_name != user.display_name:
        user.display_name = data.display_name
        changes["display_name"] = data.display_name
    if data.email is not None and data.email != user.email:
        user.email = data.email
        changes["email"] = data.email
    was_admin = Role.admin in user.roles and not user.disabled
    if data.roles is not None:
        roles = sorted(str(r) for r in set(data.roles))
        if roles != user.roles:
            if actor is not None and actor.id == user.id:
                raise PermissionDenied(
                    "you cannot change your own roles; another administrator can"
                )
            user.roles = roles
            changes["roles"] = roles
    if data.disabled is not None and data.disabled != user.disabled:
        user.disabled = data.disabled
        changes["disabled"] = data.disabled
        if data.disabled:
            changes["revoked_credentials"] = tokens.revoke_all(
                session=session, user=user, now=clock.now()
            )
    still_admin = Role.admin in user.roles and not user.disabled
    if was_admin and not still_admin and _enabled_admins(session, authority_id) == 0:
        raise Conflict(
            f"{user.username} is the only enabled administrator of {authority_id}; "
            "make another user administrator first"
        )
    if changes:
        session.flush()
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.authority_user_updated,
            target=f"user:{user.id}",
            authority_id=authority_id,
            detail=changes,
            clock=clock,
        )
    return user


def _enabled_admins(session: Session, authority_id: str) -> int:
    session.flush()
    users = session.scalars(
        select(User).where(User.authority_id == authority_id, User.disabled.is_(False))
    )
    return sum(1 for u in users if Role.admin in u.roles)


def set_password(
    *,
    session: Session,
    user: User,
    password: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    check_password(password, username=user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    # Whoever held a session under the old password loses it.
    tokens.revoke_sessions(session=session, user=user, now=user.password_changed_at)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_password_changed,
        target=f"user:{user.id}",
        authority_id=user.authority_id,
        clock=clock,
    )
