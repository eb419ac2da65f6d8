"""Publishing checkpoints to the witnesses as a worker task (the task is the transaction)."""

from __future__ import annotations

from liaison.node import Node
from liaison.transparency import publish as publishing


def publish(node: Node) -> int:
    """Queue the newest checkpoint to each witness that has not had it; how many were queued."""
    with node.db.session() as session:
        return publishing.publish(session=session, origin=node.settings.node_name, clock=node.clock)
