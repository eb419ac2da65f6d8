"""Dependencies every route shares: the node, and the request's session (committed at the
request boundary). Who is signed in and what they may do: liaison.accounts.deps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.types import Scope

from liaison.audit.context import AuditContext, Channel
from liaison.checkpoints.service import checkpoint_if_due
from liaison.core.ids import new_id_str
from liaison.i18n import best_language
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


def user_language(
    request: Request,
    lang: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$",
            description="Language of labels and messages (en, ru, vi, de, ...); without it, "
            "Accept-Language decides, else English",
        ),
    ] = None,
) -> str:
    """The language labels and messages are given in: `?lang=`, then Accept-Language (in the
    order given), then English; always one of the interface languages."""
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip() for part in header.split(",")]
    return best_language(([lang] if lang else []) + preferred)


LanguageDep = Annotated[str, Depends(user_language)]


def client_address(request: Request) -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded (the app's
    ProxyHeaders middleware rewrites it only for configured proxies)."""
    return request.client.host if request.client else ""


def scope_context(scope: Scope) -> AuditContext:
    """Who is calling, before anyone signed in: the address and the caller's request id."""
    client = scope.get("client")
    request_id = dict(scope.get("headers") or []).get(b"x-request-id", b"")
    return AuditContext(
        actor="anonymous",
        channel=Channel.api,
        request_id=request_id.decode("latin-1")[:64] or new_id_str(),
        address=client[0] if client else "",
    )


def anonymous_context(request: Request) -> AuditContext:
    return scope_context(request.scope)
