"""Route dependencies: the signed-in principal, and the permission each route declares (checked
by the one authorisation step, liaison.accounts.access)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from liaison.accounts import access, tokens
from liaison.accounts.models import User
from liaison.api.deps import NodeDep, SessionDep, anonymous_context
from liaison.audit.context import AuditContext
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


def current_principal(
    request: Request,
    session: SessionDep,
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise AuthenticationFailed("sign in first: send 'Authorization: Bearer <token>'")
    ctx = anonymous_context(request)
    user, record = tokens.resolve(
        session=session, secret=credentials.credentials, ctx=ctx, clock=node.clock
    )
    ctx = AuditContext(
        actor=f"user:{user.id}",
        channel=ctx.channel,
        authority_id=user.authority_id,
        request_id=ctx.request_id,
        address=ctx.address,
    )
    return Principal(
        user=user,
        token_id=record.id,
        permissions=access.permissions_of(user),
        ctx=ctx,
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[..., Principal]:
    """Route dependency: the signed-in principal, if they hold `permission`."""

    def check(principal: PrincipalDep, session: SessionDep, node: NodeDep) -> Principal:
        access.authorize(
            session=session,
            ctx=principal.ctx,
            permissions=principal.permissions,
            permission=permission,
            clock=node.clock,
        )
        return principal

    check.__name__ = f"require_{permission.name}"
    return check
