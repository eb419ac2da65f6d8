"""Request bodies are limited while they stream: a declared length over the limit is refused
before a byte is read, and a body that grows past it (chunked, or lying about its length) is
cut off at the limit. Nothing larger than the limit is ever held in memory.

Limits: sign-in, which anyone may call, a small one; the rest of /api/v1 `api_max_body_bytes`.
The pages of the web interface (every path outside /api, /federation and /static) have the
same two: their sign-in form the small one, every other form the API's.
Resumable uploads (tus PATCH), a file attached as evidence in one POST, and the federation
endpoints read their bodies themselves, each under its own limit (evidence/, federation/api);
all of them only from a caller already authenticated (accounts.authfirst) or signed (peers).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.node import Node

LOGIN_PATH = "/api/v1/auth/login"
# The web interface's sign-in form, which anyone may post.
WEB_LOGIN_PATH = "/sign-in"
_NOT_WEB = ("/api/", "/federation/", "/static/")
_STREAMED = ("/api/v1/uploads/",)
# A file attached in one multipart POST: spooled to disk by the form parser, limited by the
# evidence ingest (the largest item), not by the API's body limit.
_ATTACHMENT = re.compile(r"^/api/v1/requests/[^/]+/evidence$")


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


def is_web(path: str) -> bool:
    """A page of the web interface (not the API, the federation endpoints or an asset)."""
    return not path.startswith(_NOT_WEB)


async def send_problem(
    send: Send, status: int, detail: str, *, page: bool = False, **extra: Any
) -> None:
    """An error answer from inside ASGI middleware (the app never saw the request): JSON, or
    for a page of the web interface a minimal HTML page saying the same."""
    if page:
        body = (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Liaison</title>'
            f'<p>{html.escape(detail)}</p><p><a href="/">Liaison</a></p></html>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"detail": detail, **extra}).encode()
        kind = b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body of a route that reads its own, refused as soon as it passes ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large_response(exc: BodyTooLarge) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "reason": "too_large"}, status_code=413)


def limit_for(scope: Scope, node: Node) -> int | None:
    """The body limit of this request (the API's and the pages'); None where the route reads
    its own."""
    path: str = scope["path"]
    if path in (LOGIN_PATH, WEB_LOGIN_PATH):
        return node.settings.api_login_max_body_bytes
    if is_web(path):
        return node.settings.api_max_body_bytes
    if not path.startswith("/api/v1/"):
        return None
    streamed = scope["method"] == "PATCH" and path.startswith(_STREAMED)
    if streamed or (scope["method"] == "POST" and _ATTACHMENT.match(path)):
        return None
    return node.settings.api_max_body_bytes


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        node: Node = scope["app"].state.node
        limit = limit_for(scope, node)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        page = is_web(scope["path"])
        if declared.isdigit() and int(declared) > limit:
            await send_problem(send, 413, str(BodyTooLarge(limit)), page=page, reason="too_large")
            return
        seen = 0
        exceeded = False
        answered = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            # FastAPI turns an error while reading the body into its own 400; once the limit
            # was passed, the answer is our 413 whatever the app would have said.
            nonlocal answered
            if exceeded:
                if not answered:
                    answered = True
                    await send_problem(
                        send, 413, str(BodyTooLarge(limit)), page=page, reason="too_large"
                    )
                return
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            if not answered:
                await send_problem(send, 413, str(exc), page=page, reason="too_large")
