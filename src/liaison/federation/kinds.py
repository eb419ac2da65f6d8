"""The registry of envelope kinds this node handles, and what a handler receives.

One handler per kind, run inside the inbox transaction, so a handler's changes and the inbox
record commit or roll back together. Federation imports no feature: which kinds exist, and
which feature handles each, is said once by the composition root (liaison.composition).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liaison.audit.context import AuditContext
from liaison.config import Settings
from liaison.core.clock import Clock
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
