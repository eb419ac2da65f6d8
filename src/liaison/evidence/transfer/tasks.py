"""The transfer work of `liaison worker`: seal queued packages, push announced ones, verify
arrived ones. The composition root runs it on a thread of its own, so that a package of
gigabytes never holds up the envelopes (each step blocks for as long as its package takes)."""

from __future__ import annotations

from liaison.evidence.transfer import arrival, outgoing, pushing, wire
from liaison.node import Node


class Transfers:
    def __init__(self, node: Node, client: wire.PackageClient | None = None) -> None:
        self.node = node
        self.client = client or wire.HttpPackageClient(node.settings)

    def step(self) -> int:
        """One of each kind of work that is due; how many were done (0 to 3)."""
        return sum(
            (
                outgoing.seal_next(self.node),
                pushing.push_next(self.node, self.client),
                arrival.verify_next(self.node),
            )
        )

    def close(self) -> None:
        self.client.close()
