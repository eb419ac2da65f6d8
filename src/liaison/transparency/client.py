"""Asking a witness what it cosigned of a log: over HTTPS to its node, or straight into a node
of this process (tests)."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

import httpx

from liaison.config import Settings
from liaison.federation.transport import TransportError, check_endpoint, peer_client
from liaison.node import Node

WITNESS_PATH = "/federation/v1/witness/"


class WitnessUnavailable(Exception):
    """The witness could not be asked (down, unreachable, an unexpected answer)."""


class WitnessSource(Protocol):
    def latest(self, *, endpoint: str, origin: str) -> str | None:
        """The cosigned checkpoint note of `origin` the witness holds; None if it holds none."""
        ...


class HttpsWitnesses:
    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def latest(self, *, endpoint: str, origin: str) -> str | None:
        try:
            check_endpoint(endpoint, settings=self.settings)
        except TransportError as exc:
            raise WitnessUnavailable(str(exc)) from None
        url = endpoint.rstrip("/") + WITNESS_PATH + quote(origin, safe="")
        try:
            with peer_client(self.settings, timeout=self.timeout) as client:
                response = client.get(url)
        except httpx.HTTPError as exc:
            raise WitnessUnavailable(f"{url}: {type(exc).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200 or len(response.content) > 64 * 1024:
            raise WitnessUnavailable(f"{url} answered {response.status_code}")
        return response.text


class LoopbackWitnesses:
    """Asks the Node objects of this process directly (endpoint → Node)."""

    def __init__(self, routes: dict[str, Node]) -> None:
        self.routes = routes
        self.down: set[str] = set()

    def latest(self, *, endpoint: str, origin: str) -> str | None:
        from liaison.transparency import witness  # noqa: PLC0415 - the witness side, on demand

        node = self.routes.get(endpoint)
        if node is None or endpoint in self.down:
            raise WitnessUnavailable(f"no route to {endpoint}")
        with node.db.session() as session:
            found = witness.latest(session, origin)
            return found.note if found is not None else None
