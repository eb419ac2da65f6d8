"""The chunk protocol between nodes (docs/evidence-transfer.md), both ends of the wire.

``HEAD /federation/v1/packages/{hex}`` answers how many bytes the receiver holds
(``Upload-Offset``); ``PATCH`` with ``Upload-Offset`` and ``Content-Digest: sha-256=:…:``
(RFC 9530) appends one chunk, which the receiver hashes before it writes a byte. Every request
carries ``Authorization: Liaison-Transfer <JWS>``: a short-lived token signed by the sending
authority naming the package, the sender and the recipient, checked against the directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from liaison.config import Settings
from liaison.crypto import jose
from liaison.crypto.hashing import same_digest, sha256_hex
from liaison.federation.transport import TransportError, check_endpoint, peer_client

PACKAGES_PATH = "/federation/v1/packages/"
TOKEN_TYP = jose.Typ.transfer_token
TOKEN_SECONDS = 300
SCHEME = "Liaison-Transfer"


class ChunkRefused(TransportError):
    """The receiver answered a 4xx: ``status`` and its sentence say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"receiver answered {status}: {detail}")
        self.status, self.detail = status, detail


def content_digest(data: bytes | memoryview) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def digest_matches(header: str | None, data: bytes | memoryview) -> bool:
    return header is not None and same_digest(header.strip(), content_digest(data))


def make_token(
    *, package: str, sender: str, recipient: str, private_raw: bytes, key_id: str, now: float
) -> str:
    claims = {
        "package": package,
        "from": sender,
        "to": recipient,
        "iat": int(now),
        "exp": int(now) + TOKEN_SECONDS,
    }
    return jose.sign_json(claims, private_raw=private_raw, key_id=key_id, typ=TOKEN_TYP)


def token_claims(
    token: str, *, public_for: Callable[[str, str], bytes], now: float
) -> dict[str, Any]:
    """The verified claims; ``public_for(sender, kid)`` finds the sender's key in the directory.
    Raises jose.TokenError for anything that is not a valid, current transfer token."""
    header = jose.jws_header(token)
    try:
        unverified = json.loads(jose.jws_payload_unverified(token))
    except ValueError as exc:
        raise jose.TokenMalformedError("the transfer token's payload is not JSON") from exc
    if header["typ"] != TOKEN_TYP or not isinstance(unverified, dict):
        raise jose.TokenMalformedError("not a transfer token")
    sender, kid = unverified.get("from"), header["kid"]
    if not isinstance(sender, str):
        raise jose.TokenMalformedError("the token names no sender")
    claims: dict[str, Any] = json.loads(
        jose.verify(token, public_raw=public_for(sender, kid), typ=TOKEN_TYP, key_id=kid)
    )
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int) or not iat - 60 <= now <= exp:
        raise jose.TokenMalformedError("the transfer token has expired")
    return claims


@dataclass(frozen=True)
class Ack:
    offset: int
    status: str  # the receiver's status: "expected" while chunks are due, then "received"
    received: int | None = None  # bytes the receiver took in so far, resends included


class PackageClient(Protocol):
    def offset(self, *, endpoint: str, package: str, token: str) -> Ack: ...

    def send(
        self, *, endpoint: str, package: str, token: str, offset: int, chunk: memoryview
    ) -> Ack: ...

    def close(self) -> None: ...


class HttpPackageClient:
    """The chunk protocol over HTTPS. ``client_for`` picks the HTTP client per endpoint (tests
    route an endpoint to an application in the same process)."""

    def __init__(
        self,
        settings: Settings,
        *,
        client_for: Callable[[str], httpx.Client] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self._own: httpx.Client | None = None
        if client_for is None:
            own = self._own = peer_client(settings, timeout=timeout)
            client_for = lambda _endpoint: own  # noqa: E731 - one client for every peer
        self._client_for = client_for

    def _url(self, endpoint: str, package: str) -> str:
        check_endpoint(endpoint, settings=self.settings)
        return endpoint.rstrip("/") + PACKAGES_PATH + sha256_hex(package)

    def _call(self, method: str, url: str, endpoint: str, **kwargs: Any) -> Ack:
        try:
            response = self._client_for(endpoint).request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise TransportError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if 400 <= response.status_code < 500:
            detail = response.headers.get("Liaison-Detail") or _detail(response)
            raise ChunkRefused(response.status_code, detail)
        if response.status_code >= 300:
            raise TransportError(f"{url} answered {response.status_code}")
        try:
            received = response.headers.get("Liaison-Bytes-Received")
            return Ack(
                offset=int(response.headers["Upload-Offset"]),
                status=response.headers.get("Liaison-Transfer-Status", "expected"),
                received=int(received) if received is not None else None,
            )
        except (KeyError, ValueError) as exc:
            raise TransportError(f"{url} answered without an Upload-Offset") from exc

    def offset(self, *, endpoint: str, package: str, token: str) -> Ack:
        url = self._url(endpoint, package)
        return self._call("HEAD", url, endpoint, headers={"Authorization": f"{SCHEME} {token}"})

    def send(
        self, *, endpoint: str, package: str, token: str, offset: int, chunk: memoryview
    ) -> Ack:
        url = self._url(endpoint, package)
        headers = {
            "Authorization": f"{SCHEME} {token}",
            "Upload-Offset": str(offset),
            "Content-Digest": content_digest(chunk),
            "Content-Type": "application/offset+octet-stream",
        }
        return self._call("PATCH", url, endpoint, headers=headers, content=bytes(chunk))

    def close(self) -> None:
        if self._own is not None:
            self._own.close()


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:500]
    except (ValueError, AttributeError):
        return response.text[:500]
