"""Dependencies: the request's session (committed at the request boundary), the signed-in
principal, and the permission each route declares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from liaison.accounts import tokens
from liaison.accounts.models import User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import AuthenticationFailed, PermissionDenied
from liaison.core.ids import new_id_str
from liaison.core.permissions import Action, Permission, Role, permissions_for
from liaison.node import Node


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def get_session(node: NodeDep) -> Iterator[Session]:
    """One transaction per request (see Database.boundary), then a checkpoint if one is due."""
    with node.db.boundary() as session:
        yield session
    if session.info.pop("audit_appended", False):
        checkpoint_if_due(node)


def checkpoint_if_due(node: Node) -> None:
    """Sign the audit head every `audit_checkpoint_every` entries, in its own transaction."""
    with node.db.session() as session:
        audit.maybe_checkpoint(
            session=session,
            kek=node.kek,
            node_name=node.settings.node_name,
            every=node.settings.audit_checkpoint_every,
            clock=node.clock,
        )


# scope="function": the commit happens before the response is sent, never after.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def anonymous_context(request: Request) -> AuditContext:
    return AuditContext(
        actor="anonymous",
        channel=Channel.api,
        request_id=request.headers.get("x-request-id", "")[:64] or new_id_str(),
        address=client_address(request),
    )


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
    roles = frozenset(Role(r) for r in user.roles)
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
        permissions=permissions_for(roles, node_admin=user.is_node_admin),
        ctx=ctx,
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


class PermissionDeniedLogged(PermissionDenied):
    # A refused access attempt is a security event: keep its audit entry.
    keep_changes = True


def require(permission: Permission) -> Callable[..., Principal]:
    """Route dependency: the signed-in principal, if they hold `permission`."""

    def check(principal: PrincipalDep, session: SessionDep, node: NodeDep) -> Principal:
        if permission not in principal.permissions:
            audit.record(
                session=session,
                ctx=principal.ctx,
                action=Action.authz_access_denied,
                target=f"permission:{permission}",
                clock=node.clock,
            )
            raise PermissionDeniedLogged(f"this needs the permission {permission}")
        return principal

    check.__name__ = f"require_{permission.name}"
    return check
