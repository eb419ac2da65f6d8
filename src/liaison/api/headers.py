"""Security headers on every answer.

The API answers JSON for one authority's users: nothing may frame it, sniff its types, send
where it came from, or keep it in a cache (sign-in, tokens and evidence downloads included).
The API reference gets a Content-Security-Policy allowing only this node's own scripts, styles
and images (and inline styles, which Swagger UI sets from script). The pages of the web
interface (everything outside /api, /federation and /static) get a strict one: nothing but
this node's own files, no inline script or style at all, images also as data: URIs (the TOTP
QR code). HSTS outside development, where the node sits behind TLS.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.config import Env
from liaison.node import Node

_API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI sets style attributes from script; everything else is this node's own.
_PAGE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    b"form-action 'self'; object-src 'none'"
)
_WEB_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    b"base-uri 'none'"
)
_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
PAGES = ("/api/v1/docs",)
STATIC = "/static/"
NOT_WEB = ("/api/", "/federation/", STATIC)


def _csp(path: str) -> bytes:
    if path in PAGES:
        return _PAGE_CSP
    if path.startswith(NOT_WEB):
        return _API_CSP
    return _WEB_CSP


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        node: Node = scope["app"].state.node
        path: str = scope["path"]
        extra = list(_COMMON)
        if path.startswith(STATIC):
            extra.append((b"content-security-policy", _API_CSP))
            extra.append((b"cache-control", b"public, max-age=86400"))
        else:
            extra.append((b"content-security-policy", _csp(path)))
            extra.append((b"cache-control", b"no-store"))
        if node.settings.env is not Env.dev:
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
