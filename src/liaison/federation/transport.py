"""How envelopes travel: HTTPS (httpx) to the peer's inbox, in batches.

TLS is verified against the system's trust store or a configured CA bundle; a client
certificate gives mutual TLS. Plain HTTP is allowed only to loopback addresses in dev mode.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from liaison.config import Env, Settings
from liaison.federation import inbox
from liaison.node import Node

INBOX_BATCH_PATH = "/federation/v1/inbox/batch"


class TransportError(Exception):
    """The peer could not be reached or answered something other than receipts: retry later."""


class Transport(Protocol):
    def deliver(self, *, endpoint: str, wires: list[str]) -> list[str]: ...

    def close(self) -> None: ...


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(endpoint: str, *, settings: Settings) -> None:
    parts = urlsplit(endpoint)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and settings.env is Env.dev and _is_loopback(parts.hostname or ""):
        return
    raise TransportError(
        f"refusing {endpoint}: federation uses HTTPS (plain HTTP only to loopback in dev mode)"
    )


def peer_client(settings: Settings, *, timeout: float = 15.0) -> httpx.Client:
    """An HTTP client towards peers: the configured CA bundle (or the system's) and, when
    configured, the client certificate for mutual TLS."""
    verify: str | bool = str(settings.federation_ca_file) if settings.federation_ca_file else True
    cert = None
    if settings.federation_client_cert and settings.federation_client_key:
        cert = (str(settings.federation_client_cert), str(settings.federation_client_key))
    return httpx.Client(verify=verify, cert=cert, timeout=timeout)


class HttpsTransport:
    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        self.settings = settings
        self.client = peer_client(settings, timeout=timeout)

    def deliver(self, *, endpoint: str, wires: list[str]) -> list[str]:
        check_endpoint(endpoint, settings=self.settings)
        url = endpoint.rstrip("/") + INBOX_BATCH_PATH
        try:
            response = self.client.post(url, json={"envelopes": wires})
        except httpx.HTTPError as exc:
            raise TransportError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise TransportError(f"{url} answered {response.status_code}: {response.text[:200]}")
        try:
            receipts = response.json()["receipts"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TransportError(f"{url} answered without receipts") from exc
        if not isinstance(receipts, list) or len(receipts) != len(wires):
            raise TransportError(
                f"{url} answered {len(receipts)} receipts for {len(wires)} envelopes"
            )
        return [str(r) for r in receipts]

    def close(self) -> None:
        self.client.close()


class LoopbackTransport:
    """Delivers straight into other Node objects in this process: for tests and benchmarks of
    everything but the network."""

    def __init__(self, routes: dict[str, object]) -> None:
        # endpoint → Node (typed loosely to keep this module free of an import cycle with inbox)
        self.routes = routes
        self.down: set[str] = set()

    def deliver(self, *, endpoint: str, wires: list[str]) -> list[str]:

        if endpoint in self.down:
            raise TransportError(f"{endpoint} is down")
        node = self.routes.get(endpoint)
        if not isinstance(node, Node):
            raise TransportError(f"no route to {endpoint}")
        return [outcome.receipt for outcome in inbox.receive_batch(node, wires)]

    def close(self) -> None:
        return None
