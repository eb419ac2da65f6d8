"""tus 1.0 resumable uploads at /api/v1/uploads (core, creation, termination, checksum,
expiration). Permission: evidence:item:write on every route; an upload is its creator's own.

PATCH streams the body to disk and holds no database transaction while it does: the lookup
commits first (on SQLite a transaction holds the write lock), the offset is committed after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from liaison.api.deps import NodeDep, Principal, SessionDep, require
from liaison.core.errors import InvalidInput, LiaisonError
from liaison.core.permissions import Permission
from liaison.evidence import partial
from liaison.evidence.ingest import EvidenceTooLarge
from liaison.evidence.models import EvidenceUpload
from liaison.evidence.service import MAX_ITEM_BYTES
from liaison.evidence.uploads import service as uploads

router = APIRouter(prefix="/uploads", tags=["evidence"])
Writer = Annotated[Principal, Depends(require(Permission.evidence_item_write))]
VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
_BATCH = 1 << 20  # body bytes gathered before one write on a worker thread


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


@router.options("")
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
    if upload_length is None or not upload_length.isdigit():
        raise InvalidInput("Upload-Length must be given as a number of bytes")
    if int(upload_length) > MAX_ITEM_BYTES:
        raise EvidenceTooLarge(f"Upload-Length is over Tus-Max-Size ({MAX_ITEM_BYTES} bytes)")
    upload = uploads.create(
        session=session,
        node=node,
        user=principal.user,
        length=int(upload_length),
        metadata=uploads.parse_metadata(upload_metadata),
        ctx=principal.ctx,
    )
    session.flush()
    return Response(
        status_code=201,
        headers=_headers(upload, {"Location": f"/api/v1/uploads/{upload.id}"}),
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
    if upload_offset is None or not upload_offset.isdigit():
        raise InvalidInput("Upload-Offset must be given as a number of bytes")
    checksum = uploads.checksum_of(upload_checksum)

    def start() -> uploads.Piece:
        piece = uploads.start_piece(
            session=session,
            node=node,
            user=principal.user,
            upload_id=upload_id,
            offset=int(upload_offset),
        )
        session.commit()  # no transaction (no SQLite write lock) while the body streams
        return piece

    piece = await run_in_threadpool(start)
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
            await _stream(request, appender.write, checksum)
    except ClientDisconnect:
        pass  # kept what arrived; commit it below so a resume starts there
    upload = await run_in_threadpool(
        lambda: uploads.finish_piece(
            session=session,
            node=node,
            user=principal.user,
            upload_id=upload_id,
            end=appender.end,
            ctx=principal.ctx,
        )
    )
    if upload.item_id:
        session.commit()
        partial.discard(piece.path)
    return Response(status_code=204, headers=_headers(upload))


async def _stream(
    request: Request, write: Callable[[bytes], None], checksum: tuple[Any, bytes] | None
) -> None:
    pending: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            if checksum is not None:
                checksum[0].update(chunk)
            pending.append(chunk)
            size += len(chunk)
            if size >= _BATCH:
                await run_in_threadpool(write, b"".join(pending))
                pending, size = [], 0
    finally:
        # Also when the client went away: what arrived is kept (unless checksummed).
        if pending:
            await run_in_threadpool(write, b"".join(pending))
    if checksum is not None and checksum[0].digest() != checksum[1]:
        raise uploads.ChecksumMismatch(
            "the body does not match Upload-Checksum; nothing of it was kept"
        )
