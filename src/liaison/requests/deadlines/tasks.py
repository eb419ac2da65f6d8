"""The deadline scan as a worker task: one transaction per run (the task is the boundary)."""

from __future__ import annotations

from liaison.node import Node
from liaison.requests.deadlines import reminders


def scan(node: Node) -> int:
    """Remind, alert and escalate what is due; how many notifications went out."""
    with node.db.session() as session:
        stats = reminders.scan(session=session, clock=node.clock)
    return stats.reminders + stats.overdue + stats.escalations
