"""tus 1.0 resumable uploads at /api/v1/uploads (core, creation, termination, checksum,
expiration). Permission: evidence:item:write on every route; an upload is its creator's own.

PATCH streams the body to disk and holds no database transaction while it does: the lookup
commits first (on SQLite a transaction holds the write lock), the offset is committed after,
while the partial file is still locked, so a client's retry cannot cut the file between the
write and the commit, nor under the ingest of the last piece. ``TusMiddleware`` puts
Tus-Resumable on every answer under /api/v1/uploads, refusals and 404s included, as tus wants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.errors import InvalidInput, LiaisonError
from liaison.core.permissions import Permission
from liaison.evidence import partial
from liaison.evidence.models import EvidenceUpload
from liaison.evidence.service import MAX_ITEM_BYTES
from liaison.evidence.uploads import service as uploads

router = APIRouter(prefix="/uploads", tags=["evidence"])
Writer = Annotated[Principal, Depends(require(Permission.evidence_item_write))]
VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
PREFIX = "/api/v1/uploads"
_BATCH = 1 << 20  # body bytes gathered before one write on a worker thread
_COUNT = re.compile(r"[0-9]{1,20}")  # not str.isdigit: it takes "²", which int() refuses
# What X-HTTP-Method-Override may turn a request into (tus core: for clients behind proxies
# that pass only GET and POST).
_OVERRIDABLE = frozenset({"POST", "HEAD", "PATCH", "DELETE", "OPTIONS"})


class UnsupportedVersion(LiaisonError):
    status_code = 412


class WrongContentType(LiaisonError):
    status_code = 415


def _tus(tus_resumable: Annotated[str | None, Header()] = None) -> None:
    if tus_resumable != VERSION:
        raise UnsupportedVersion(
            f"this server speaks tus {VERSION}: send 'Tus-Resumable: {VERSION}'"
        )


Tus = Depends(_tus)


def _count(value: str | None, header: str) -> int:
    if value is None or not _COUNT.fullmatch(value):
        raise InvalidInput(f"{header} must be given as a number of bytes")
    return int(value)


class TusMiddleware:
    """Under /api/v1/uploads: Tus-Resumable on every response, whatever produced it (the
    sign-in check, a validation error, an unknown path), Tus-Version on a 412; and the request
    method taken from X-HTTP-Method-Override when a client sends it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under_prefix(scope):
            await self.app(scope, receive, send)
            return
        override = Headers(scope=scope).get("x-http-method-override", "").strip().upper()
        if override in _OVERRIDABLE:
            scope = {**scope, "method": override}

        async def send_tus(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Tus-Resumable", VERSION)
                if message["status"] == 412:
                    headers["Tus-Version"] = VERSION
            await send(message)

        await self.app(scope, receive, send_tus)


def _under_prefix(scope: Scope) -> bool:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == PREFIX or path.startswith(PREFIX + "/")


def _headers(
    upload: EvidenceUpload | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    headers = {"Tus-Resumable": VERSION, **(extra or {})}
    if upload is not None:
        headers |= {
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
            "Upload-Expires": format_datetime(upload.expires_at.astimezone(UTC), usegmt=True),
            "Cache-Control": "no-store",
        }
        if upload.item_id:
            headers["Liaison-Evidence-Item"] = upload.item_id
    return headers


@router.options("", status_code=204)
def options(principal: Writer) -> Response:
    """What this server supports. Permission: evidence:item:write."""
    return Response(
        status_code=204,
        headers=_headers(
            extra={
                "Tus-Version": VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(MAX_ITEM_BYTES),
                "Tus-Checksum-Algorithm": ",".join(uploads.CHECKSUMS),
            }
        ),
    )


@router.post("", status_code=201, dependencies=[Tus])
def create(
    principal: Writer,
    session: SessionDep,
    node: NodeDep,
    upload_length: Annotated[str | None, Header()] = None,
    upload_metadata: Annotated[str, Header()] = "",
    upload_defer_length: Annotated[str | None, Header()] = None,
) -> Response:
    """Start an upload: Upload-Length and Upload-Metadata (request_id, filename or name,
    acquired_by, acquired_at; optional description, source, acquisition_method,
    acquisition_tool, digest). Permission: evidence:item:write."""
    if upload_defer_length is not None:
        raise InvalidInput("Upload-Defer-Length is not supported: send Upload-Length")
    upload = uploads.create(
        session=session,
        node=node,
        user=principal.user,
        length=_count(upload_length, "Upload-Length"),
        metadata=uploads.parse_metadata(upload_metadata),
        ctx=principal.ctx,
    )
    session.flush()
    return Response(
        status_code=201,
        headers=_headers(upload, {"Location": f"{PREFIX}/{upload.id}"}),
    )


@router.head("/{upload_id}", dependencies=[Tus])
def head(upload_id: str, principal: Writer, session: SessionDep, node: NodeDep) -> Response:
    """The stored offset. Permission: evidence:item:write (the upload's creator)."""
    upload = uploads.get(session=session, node=node, user=principal.user, upload_id=upload_id)
    return Response(status_code=200, headers=_headers(upload))


@router.delete("/{upload_id}", dependencies=[Tus])
def terminate(upload_id: str, principal: Writer, session: SessionDep, node: NodeDep) -> Response:
    """Abandon the upload and its stored bytes. Permission: evidence:item:write (its creator)."""
    uploads.terminate(
        session=session, node=node, user=principal.user, upload_id=upload_id, ctx=principal.ctx
    )
    return Response(status_code=204, headers=_headers())


@router.patch("/{upload_id}", dependencies=[Tus])
async def append(
    upload_id: str,
    request: Request,
    principal: Writer,
    session: SessionDep,
    node: NodeDep,
    upload_offset: Annotated[str | None, Header()] = None,
    upload_checksum: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> Response:
    """Append the body at Upload-Offset (409 if it is not the stored offset; 460 if the body
    does not match Upload-Checksum). The last byte makes the evidence item, named in
    Liaison-Evidence-Item. Permission: evidence:item:write (the upload's creator)."""
    if content_type != "application/offset+octet-stream":
        raise WrongContentType("a PATCH body is 'Content-Type: application/offset+octet-stream'")
    offset = _count(upload_offset, "Upload-Offset")
    checksum = uploads.checksum_of(upload_checksum)

    def start() -> uploads.Piece:
        piece = uploads.start_piece(
            session=session, node=node, user=principal.user, upload_id=upload_id, offset=offset
        )
        session.commit()  # no transaction (no SQLite write lock) while the body streams
        return piece

    piece = await run_in_threadpool(start)
    declared = request.headers.get("content-length")
    if declared is not None and piece.committed + _count(declared, "Content-Length") > piece.length:
        raise partial.PieceRejected(
            f"the body goes past Upload-Length ({piece.length} bytes); nothing of it was kept"
        )

    def finish(end: int) -> EvidenceUpload:
        upload = uploads.finish_piece(
            session=session, node=node, user=principal.user, piece=piece, end=end, ctx=principal.ctx
        )
        session.commit()
        return upload

    # A checksummed piece is all or nothing; otherwise what arrived before a break is kept.
    appender = partial.Appender(
        piece.path,
        committed=piece.committed,
        offset=piece.committed,
        length=piece.length,
        keep_on_break=checksum is None,
    )
    try:
        with appender:
            try:
                await _stream(request, appender.write, checksum)
            except ClientDisconnect:
                if checksum is not None:
                    raise  # the appender cuts the piece
            # Also after a break: what arrived is committed, and a resume starts from there.
            upload = await run_in_threadpool(appender.commit, finish)
    except ClientDisconnect:
        return Response(status_code=400, headers=_headers())  # nobody is listening any more
    if upload.item_id:
        partial.discard(piece.path)
    return Response(status_code=204, headers=_headers(upload))


async def _stream(
    request: Request, write: Callable[[bytes], None], checksum: tuple[Any, bytes] | None
) -> None:
    """Write the body in batches of about 1 MiB, each on a worker thread; when the client goes
    away, what arrived is written before ClientDisconnect propagates."""
    pending: list[bytes] = []
    size = 0

    async def flush() -> None:
        nonlocal pending, size
        batch, pending, size = b"".join(pending), [], 0
        if batch:
            await run_in_threadpool(write, batch)

    try:
        async for chunk in request.stream():
            if checksum is not None:
                checksum[0].update(chunk)
            pending.append(chunk)
            size += len(chunk)
            if size >= _BATCH:
                await flush()
    except ClientDisconnect:
        await flush()
        raise
    await flush()
    if checksum is not None and checksum[0].digest() != checksum[1]:
        raise uploads.ChecksumMismatch(
            "the body does not match Upload-Checksum; nothing of it was kept"
        )
