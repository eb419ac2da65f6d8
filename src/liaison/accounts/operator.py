"""Acting as a named user from the node's command line.

The CLI is operator access on the node itself, so it asks for no password; but whatever the user
does is checked exactly as through the API: the same permission, through the same authorisation
step (liaison.accounts.access), and audited as `cli:<username>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.accounts import access
from liaison.accounts import service as accounts
from liaison.accounts.models import User
from liaison.audit.context import AuditContext, Channel
from liaison.cli_support import load_node, unit_of_work
from liaison.core.errors import AuthenticationFailed
from liaison.core.permissions import Permission
from liaison.node import Node


@dataclass(frozen=True)
class Actor:
    node: Node
    session: Session
    user: User
    ctx: AuditContext


@contextmanager
def acting(username: str, permission: Permission) -> Iterator[Actor]:
    """One transaction as `username`, who must hold `permission` (the API route's permission)."""
    node = load_node()
    with unit_of_work(node) as session:
        user = accounts.by_username(session=session, username=username)
        if user.disabled:
            raise AuthenticationFailed(f"user {username!r} is disabled")
        ctx = AuditContext(
            actor=f"cli:{username}", channel=Channel.cli, authority_id=user.authority_id
        )
        access.authorize(
            session=session,
            ctx=ctx,
            permissions=access.permissions_of(user),
            permission=permission,
            clock=node.clock,
        )
        yield Actor(node=node, session=session, user=user, ctx=ctx)
