"""The registry of envelope kinds this node handles, and what a handler receives.

One handler per kind, run inside the inbox transaction, so a handler's changes and the inbox
record commit or roll back together. Federation imports no feature: which kinds exist, and
which feature handles each, is said once by the composition root (liaison.composition).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit.context import AuditContext
from liaison.config import Settings
from liaison.core.clock import Clock
from liaison.federation.models import OutboxEnvelope

if TYPE_CHECKING:
    # Only a type here: a command that reads the outbox does not load the JOSE stack.
    from liaison.federation.envelope import Envelope


@dataclass(frozen=True)
class Incoming:
    envelope: Envelope
    body: dict[str, Any]
    digest: str
    received_at: datetime


@dataclass(frozen=True)
class HandlerContext:
    session: Session
    ctx: AuditContext
    clock: Clock
    settings: Settings


Handler = Callable[[Incoming, HandlerContext], None]

_HANDLERS: dict[str, Handler] = {}
_CHECKS_FIRST: set[str] = set()


def register(kind: str, handler: Handler, *, checks_first: bool = False) -> None:
    """`checks_first`: the handler raises every ProtocolError before it writes anything, so the
    inbox may run it without a savepoint of its own (two round trips fewer per envelope). A
    handler that may refuse after writing must leave it False."""
    if kind in _HANDLERS and _HANDLERS[kind] is not handler:
        raise ValueError(f"kind {kind!r} already has a handler")
    _HANDLERS[kind] = handler
    if checks_first:
        _CHECKS_FIRST.add(kind)


# Who may see an outbox envelope of a feature's kinds (by kind prefix): a SQL condition on
# OutboxEnvelope for a user, e.g. "its thread is a request this user may see". Envelopes of
# other kinds (notes, pings) are the authority's messages, seen by every message reader.
OutboxScope = Callable[[User], ColumnElement[bool]]
_SCOPES: dict[str, OutboxScope] = {}


def register_scope(prefix: str, scope: OutboxScope) -> None:
    _SCOPES[prefix] = scope


def outbox_visible(user: User) -> ColumnElement[bool]:
    """The outbox envelopes of the user's authority that the user may see."""
    condition: ColumnElement[bool] = OutboxEnvelope.sender == user.authority_id
    for prefix, scope in _SCOPES.items():
        condition = and_(condition, or_(~OutboxEnvelope.kind.startswith(prefix), scope(user)))
    return condition


class NotAssembled(RuntimeError):
    """Nothing registered: the process was started without the composition root. Failing
    loudly beats refusing every envelope as of an unknown kind."""


def _registry() -> dict[str, Handler]:
    if not _HANDLERS:
        raise NotAssembled("no envelope kinds registered: call liaison.composition.assemble()")
    return _HANDLERS


def checks_first(kind: str) -> bool:
    _registry()
    return kind in _CHECKS_FIRST


def handler_for(kind: str) -> Handler | None:
    return _registry().get(kind)
