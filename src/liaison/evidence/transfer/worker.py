"""The transfer work of `liaison worker`: seal queued packages, push announced ones, verify
arrived ones. It runs on a thread of its own so that a package of gigabytes never holds up the
envelopes (each step blocks for as long as its package takes)."""

from __future__ import annotations

import logging
import threading

from liaison.evidence.transfer import arrival, outgoing, pushing, wire
from liaison.node import Node

log = logging.getLogger("liaison.transfer")


def step(node: Node, client: wire.PackageClient) -> bool:
    """One of each kind of work that is due; True if anything was done."""
    sealed = outgoing.seal_next(node)
    pushed = pushing.push_next(node, client)
    verified = arrival.verify_next(node)
    return sealed or pushed or verified


class TransferLoop(threading.Thread):
    def __init__(self, node: Node, client: wire.PackageClient | None = None) -> None:
        super().__init__(name="liaison-transfers", daemon=True)
        self.node = node
        self.client = client or wire.HttpPackageClient(node.settings)
        self._stop_event = threading.Event()

    def run(self) -> None:
        idle = max(0.2, self.node.settings.worker_poll_seconds)
        while not self._stop_event.is_set():
            try:
                busy = step(self.node, self.client)
            except Exception:
                # A bug or a database outage must not end the loop: log, pause, go on.
                log.exception("transfer step failed")
                busy = False
                self._stop_event.wait(1.0)
            if not busy:
                self._stop_event.wait(idle)

    def close(self) -> None:
        self._stop_event.set()
        self.join(timeout=30)
        self.client.close()
