"""Route dependencies: the signed-in principal, and the permission each route declares (checked
by the one authorisation step, liaison.accounts.access)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from liaison.accounts import access, tokens
from liaison.accounts.models import User
from liaison.api.deps import NodeDep, SessionDep, anonymous_context
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock
from liaison.core.errors import AuthenticationFailed
from liaison.core.permissions import Permission


@dataclass(frozen=True)
class Principal:
    user: User
    token_id: str
    permissions: frozenset[Permission]
    ctx: AuditContext

    @property
    def authority_id(self) -> str:
        return self.user.authority_id


_bearer = HTTPBearer(auto_error=False)


def principal_for(
    *,
    session: Session,
    secret: str,
    ctx: AuditContext,
    clock: Clock,
    kinds: frozenset[str] = tokens.BEARER_KINDS,
    idle: timedelta | None = None,
) -> Principal:
    """Who holds this token, with their permissions, acting through ``ctx.channel`` (the API's
    bearer header and the pages' cookie both end here)."""
    user, record = tokens.resolve(
        session=session, secret=secret, ctx=ctx, clock=clock, kinds=kinds, idle=idle
    )
    return Principal(
        user=user,
        token_id=record.id,
        permissions=access.permissions_of(user),
        ctx=AuditContext(
            actor=f"user:{user.id}",
            channel=ctx.channel,
            authority_id=user.authority_id,
            request_id=ctx.request_id,
            address=ctx.address,
        ),
    )


def current_principal(
    request: Request,
    session: SessionDep,
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise AuthenticationFailed("sign in first: send 'Authorization: Bearer <token>'")
    return principal_for(
        session=session,
        secret=credentials.credentials,
        ctx=anonymous_context(request),
        clock=node.clock,
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(
    permission: Permission, principal: Callable[..., Principal] = current_principal
) -> Callable[..., Principal]:
    """Route dependency: the signed-in principal, if they hold `permission`. ``principal`` is
    how the caller is known: the API's bearer token, or (liaison.web) the pages' cookie; the
    check is the same one authorisation step either way."""

    # A default, not Annotated[...]: the annotations of this module are strings, evaluated
    # later in its globals, where the closure's `principal` is not.
    def check(session: SessionDep, node: NodeDep, who: Principal = Depends(principal)) -> Principal:
        access.authorize(
            session=session,
            ctx=who.ctx,
            permissions=who.permissions,
            permission=permission,
            clock=node.clock,
        )
        return who

    check.__name__ = f"require_{permission.name}"
    return check
