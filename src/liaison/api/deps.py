"""Dependencies every route shares: the node, and the request's session (committed at the
request boundary). Who is signed in and what they may do: liaison.accounts.deps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from liaison.audit.context import AuditContext, Channel
from liaison.checkpoints.service import checkpoint_if_due
from liaison.core.ids import new_id_str
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
