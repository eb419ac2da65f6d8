"""Signing checkpoints as a worker task (the task is the transaction boundary)."""

from __future__ import annotations

from liaison.checkpoints import service
from liaison.node import Node


def sign(node: Node) -> int:
    """Sign the audit head if anything was appended since the last checkpoint; 1 if signed."""
    with node.db.session() as session:
        signed = service.checkpoint(
            session=session, kek=node.kek, node_name=node.settings.node_name, clock=node.clock
        )
    return 0 if signed is None else 1
