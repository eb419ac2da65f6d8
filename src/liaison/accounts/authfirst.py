"""Authentication before any body is read.

FastAPI reads and parses a request's body before it resolves the route's dependencies, so a
route's `require()` comes too late to spare the server an anonymous upload of megabytes. This
middleware checks the bearer token of every /api/v1 request that carries a body, except sign-in
(which anyone may call), before the body is touched: no token, or one that is not valid, is
answered 401 at once. The route still resolves the token itself (one indexed look-up more),
which also closes the gap between the two checks.

The pages of the web interface get the same treatment with their session cookie: a form posted
without a valid one (except the sign-in form) is sent to the sign-in page unread.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from liaison.accounts import tokens
from liaison.api.bodies import LOGIN_PATH, WEB_LOGIN_PATH, is_web, send_problem
from liaison.api.deps import scope_context
from liaison.config import Env
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


def _cookie(headers: dict[bytes, bytes], name: str) -> str | None:
    try:
        jar = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None


async def _to_sign_in(send: Send, headers: dict[bytes, bytes]) -> None:
    # htmx follows a redirect inside the page it updates; it is told to leave the page instead.
    if headers.get(b"hx-request") == b"true":
        answer = [(b"hx-redirect", WEB_LOGIN_PATH.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 401, "headers": answer})
    else:
        answer = [(b"location", WEB_LOGIN_PATH.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": answer})
    await send({"type": "http.response.body", "body": b""})


class AuthenticateFirst:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in PUBLIC_WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if is_web(path):
            await self._page(scope, receive, send, headers)
            return
        if not path.startswith("/api/v1/"):
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

    async def _page(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        if scope["path"] == WEB_LOGIN_PATH:
            await self.app(scope, receive, send)
            return
        node: Node = scope["app"].state.node
        secret = _cookie(headers, tokens.web_cookie_name(secure=node.settings.env is not Env.dev))
        if secret is None:
            await _to_sign_in(send, headers)
            return
        try:
            await to_thread.run_sync(_check, node, scope, secret, True)
        except AuthenticationFailed:
            await _to_sign_in(send, headers)
            return
        await self.app(scope, receive, send)


def _check(node: Node, scope: Scope, secret: str, web: bool = False) -> None:
    """Resolve the token in a transaction of its own (a rejection's audit entry is kept)."""
    with node.db.boundary() as session:
        tokens.resolve(
            session=session,
            secret=secret,
            ctx=scope_context(scope),
            clock=node.clock,
            kinds=frozenset({tokens.WEB}) if web else tokens.BEARER_KINDS,
            idle=timedelta(minutes=node.settings.web_idle_minutes) if web else None,
        )
