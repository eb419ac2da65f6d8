"""Authentication before any body is read.

FastAPI reads and parses a request's body before it resolves the route's dependencies, so a
route's `require()` comes too late to spare the server an anonymous upload of megabytes. This
middleware checks the bearer token of every /api/v1 request that carries a body, except sign-in
(which anyone may call), before the body is touched: no token, or one that is not valid, is
answered 401 at once. The route still resolves the token itself (one indexed look-up more),
which also closes the gap between the two checks.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from liaison.accounts import tokens
from liaison.api.bodies import LOGIN_PATH, send_problem
from liaison.api.deps import scope_context
from liaison.core.errors import AuthenticationFailed
from liaison.node import Node

# Where a body may come without a session: sign-in. (The federation endpoints authenticate
# each envelope by its signature, and read their bodies under their own limit.)
PUBLIC_WITH_BODY = frozenset({("POST", LOGIN_PATH)})
NOT_SIGNED_IN = "sign in first: send 'Authorization: Bearer <token>'"


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    return b"transfer-encoding" in headers or (length is not None and length != b"0")


def _bearer(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class AuthenticateFirst:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith("/api/v1/")
            or (scope["method"], scope["path"]) in PUBLIC_WITH_BODY
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        secret = _bearer(headers)
        if secret is None:
            await send_problem(send, 401, NOT_SIGNED_IN)
            return
        node: Node = scope["app"].state.node
        try:
            await to_thread.run_sync(_check, node, scope, secret)
        except AuthenticationFailed as exc:
            await send_problem(send, 401, exc.message)
            return
        await self.app(scope, receive, send)


def _check(node: Node, scope: Scope, secret: str) -> None:
    """Resolve the token in a transaction of its own (a rejection's audit entry is kept)."""
    with node.db.boundary() as session:
        tokens.resolve(session=session, secret=secret, ctx=scope_context(scope), clock=node.clock)
