"""E-mailing notifications as a worker task (the task is the transaction boundary)."""

from __future__ import annotations

import logging

from liaison.node import Node
from liaison.notifications import email

log = logging.getLogger("liaison.notifications")


def send_email(node: Node) -> int:
    """E-mail what is pending; how many went out. The in-app notifications exist either way,
    so an unreachable mail server is a warning and the next run tries again."""
    try:
        with node.db.session() as session:
            return email.send_pending(session=session, settings=node.settings, clock=node.clock)
    except OSError as exc:
        log.warning("could not e-mail notifications: %s", exc)
        return 0
