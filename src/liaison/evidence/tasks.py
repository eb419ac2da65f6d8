"""Evidence housekeeping as worker tasks, each one transaction (the task is the boundary)."""

from __future__ import annotations

from liaison.evidence import retention
from liaison.evidence.uploads import service as uploads
from liaison.node import Node


def apply_retention(node: Node) -> int:
    """Delete, with a signed record, the evidence past its retention period; how many."""
    with node.db.session() as session:
        return len(retention.apply_retention(session=session, node=node, now=node.clock.now()))


def expire_uploads(node: Node) -> int:
    """Remove resumable uploads abandoned past their expiry; how many."""
    with node.db.session() as session:
        return len(uploads.expire(session=session, node=node))
