"""Signing checkpoints as a worker task (the task is the transaction boundary)."""

from __future__ import annotations

from datetime import timedelta

from liaison.checkpoints import service
from liaison.node import Node


def sign(node: Node) -> int:
    """Sign the log when anything was appended since the newest checkpoint, or when that one is
    older than the interval (a fresh time says the log is still vouched for); 1 if signed."""
    with node.db.session() as session:
        signed = service.checkpoint(
            session=session,
            kek=node.kek,
            origin=node.settings.node_name,
            clock=node.clock,
            refresh_after=timedelta(seconds=node.settings.audit_checkpoint_seconds),
        )
    return 0 if signed is None else 1
