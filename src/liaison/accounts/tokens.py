"""Bearer tokens: issue, resolve, revoke. Stored only as digests. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import ApiToken, User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import AuthenticationFailed, NotFound
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.crypto.tokens import new_token, token_digest

SESSION = "session"
API = "api"
# A browser's session, held in a cookie: it also ends after a while without use (idle).
WEB = "web"
# What the JSON API accepts as a bearer token; the pages accept only their own kind.
BEARER_KINDS = frozenset({SESSION, API})
INVALID = "the token is not valid; sign in again"
# The cookie holding a browser's session. Outside development the __Host- prefix makes the
# browser refuse it unless it is Secure, for the whole site, and set by this host only.
WEB_COOKIE = "__Host-liaison-session"
WEB_COOKIE_DEV = "liaison-session"


def web_cookie_name(*, secure: bool) -> str:
    return WEB_COOKIE if secure else WEB_COOKIE_DEV


def issue(
    *,
    session: Session,
    user: User,
    name: str,
    kind: str,
    lifetime: timedelta | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> tuple[ApiToken, str]:
    """Return the record and the token itself, which is shown once and never stored."""
    secret = new_token()
    now = clock.now()
    record = ApiToken(
        id=new_id_str(),
        user_id=user.id,
        name=name,
        kind=kind,
        token_hash=token_digest(secret),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    session.add(record)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_token_created,
        target=f"token:{record.id}",
        authority_id=user.authority_id,
        detail={"kind": kind, "name": name, "user": user.id},
        clock=clock,
    )
    return record, secret


def resolve(
    *,
    session: Session,
    secret: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
    kinds: frozenset[str] = BEARER_KINDS,
    idle: timedelta | None = None,
) -> tuple[User, ApiToken]:
    """The user behind a token of one of ``kinds``, or AuthenticationFailed (recorded for known
    tokens). The caller is told the same whatever the reason (unknown, expired, revoked, idle
    longer than ``idle``, a disabled user's, another kind): only the audit entry says which,
    so a token found somewhere reveals nothing."""
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if record is None:
        raise AuthenticationFailed(INVALID)
    now = clock.now()
    problem = None
    if record.kind not in kinds:
        problem = f"a {record.kind} token used where {'/'.join(sorted(kinds))} is expected"
    elif record.revoked_at is not None:
        problem = "revoked"
    elif record.expires_at is not None and record.expires_at <= now:
        problem = "expired"
    elif idle is not None and now - (record.last_used_at or record.created_at) > idle:
        problem = "idle"
        # An idle session ends for good: coming back later does not revive it.
        record.revoked_at = now
    elif record.user.disabled:
        problem = "user disabled"
    if problem:
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.auth_token_rejected,
            target=f"token:{record.id}",
            authority_id=record.user.authority_id,
            detail={"reason": problem},
            clock=clock,
        )
        raise AuthenticationFailed(INVALID)
    # Writing on every request would serialise readers on SQLite; a minute's precision is enough.
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1):
        record.last_used_at = now
    return record.user, record


def list_for(*, session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def revoke(
    *,
    session: Session,
    user: User,
    token_id: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound(f"no token {token_id!r} of yours")
    if record.revoked_at is None:
        record.revoked_at = clock.now()
        session.flush()
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.auth_token_revoked,
            target=f"token:{record.id}",
            authority_id=user.authority_id,
            detail={"kind": record.kind, "name": record.name},
            clock=clock,
        )
    return record


def revoke_all(*, session: Session, user: User, now: datetime) -> int:
    """End every token of a user, sessions and API tokens alike (the user is disabled):
    re-enabling the user later revives none of them."""
    count = 0
    for record in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        record.revoked_at = now
        count += 1
    return count


def revoke_sessions(*, session: Session, user: User, now: datetime) -> int:
    """End every login session of a user (after a password change)."""
    count = 0
    for record in session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.kind == SESSION, ApiToken.revoked_at.is_(None)
        )
    ):
        record.revoked_at = now
        count += 1
    return count
