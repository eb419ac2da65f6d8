"""Evidence items over HTTP: upload, list, metadata, content, custody, export. Thin routes.

Upload is ``multipart/form-data`` with one ``file`` part and form fields. The multipart parser
spools the file to a temporary file (memory stays flat); ingest then streams that file through
hashing and encryption. Resumable uploads of very large files go to the tus endpoint
(evidence/uploads/).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.crypto.hashing import sha256_hex
from liaison.evidence import chain, custody, service
from liaison.evidence.ingest import BlobReader
from liaison.evidence.schemas import (
    Acquisition,
    CustodyRead,
    ItemExportCreate,
    ItemExportRead,
    ItemRead,
)
from liaison.requests.models import Request

router = APIRouter(tags=["evidence"])
Reader = Annotated[Principal, Depends(require(Permission.evidence_item_read))]
Writer = Annotated[Principal, Depends(require(Permission.evidence_item_write))]
_READ_SIZE = 1 << 20


@router.post(
    "/requests/{request_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
)
def upload(
    request_id: str,
    principal: Writer,
    session: SessionDep,
    node: NodeDep,
    file: Annotated[UploadFile, File(description="the evidence, one file")],
    acquired_by: Annotated[str, Form(min_length=1, max_length=200)],
    acquired_at: Annotated[AwareDatetime, Form()],
    acquisition_method: Annotated[str, Form(max_length=5000)] = "",
    acquisition_tool: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str | None, Form(max_length=1000)] = None,
    description: Annotated[str, Form(max_length=20000)] = "",
    source: Annotated[str, Form(max_length=500)] = "",
    digest: Annotated[str | None, Form(description="sha256:<hex> to check on arrival")] = None,
) -> ItemRead:
    """Attach one file to the request as an evidence item; ``name`` defaults to the file's
    name. Permission: evidence:item:write."""
    item = service.ingest_item(
        session=session,
        node=node,
        user=principal.user,
        request_id=request_id,
        source=file.file,
        name=name if name is not None else (file.filename or ""),
        description=description,
        source_label=source,
        acquisition=Acquisition(
            by=acquired_by, at=acquired_at, how=acquisition_method, tool=acquisition_tool
        ),
        ctx=principal.ctx,
        declared_digest=digest or None,
    )
    return ItemRead.model_validate(item)


@router.get("/requests/{request_id}/evidence", response_model=list[ItemRead])
def list_items(request_id: str, principal: Reader, session: SessionDep) -> list[ItemRead]:
    """The request's evidence items. Permission: evidence:item:read."""
    items = service.list_items(session=session, user=principal.user, request_id=request_id)
    return [ItemRead.model_validate(i) for i in items]


@router.get("/evidence/{item_id}", response_model=ItemRead)
def get_item(item_id: str, principal: Reader, session: SessionDep) -> ItemRead:
    """One item's description and digest. Permission: evidence:item:read."""
    item = service.get_item(session=session, user=principal.user, item_id=item_id)
    return ItemRead.model_validate(item)


def _stream(reader: BlobReader) -> Iterator[bytes]:
    try:
        while data := reader.read(_READ_SIZE):
            yield data
    finally:
        reader.close()


@router.get(
    "/evidence/{item_id}/content",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 410: {}},
)
def content(
    item_id: str, principal: Reader, session: SessionDep, node: NodeDep
) -> StreamingResponse:
    """The decrypted content, streamed; recorded as a download in the chain of custody.
    410 Gone once retention deleted it. Permission: evidence:item:read."""
    download = service.open_for_download(
        session=session, node=node, user=principal.user, item_id=item_id, ctx=principal.ctx
    )
    item = download.item
    hexdigest = sha256_hex(item.digest)
    return StreamingResponse(
        _stream(download.reader),
        media_type="application/octet-stream",
        headers={
            "Content-Length": str(item.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.name, safe='')}",
            # RFC 9530: lets the client check what it received against the item's digest.
            "Repr-Digest": f"sha-256=:{_b64(bytes.fromhex(hexdigest))}:",
        },
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@router.get("/evidence/{item_id}/custody", response_model=list[CustodyRead])
def custody_events(item_id: str, principal: Reader, session: SessionDep) -> list[CustodyRead]:
    """The item's chain of custody, oldest first. Permission: evidence:item:read."""
    item = service.get_item(session=session, user=principal.user, item_id=item_id)
    return [CustodyRead.model_validate(e) for e in custody.events(session=session, item=item)]


@router.get(
    "/evidence/{item_id}/custody/case",
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {}}}},
)
def custody_case(item_id: str, principal: Reader, session: SessionDep, node: NodeDep) -> Response:
    """The item's chain of custody as CASE/UCO JSON-LD (`case_validate` accepts it); for an
    item that arrived in a package it begins with the sender's acquisition. Permission:
    evidence:item:read."""
    item = service.get_item(session=session, user=principal.user, item_id=item_id)
    request = session.get_one(Request, (item.holder, item.request_id))
    document = chain.custody_case(
        session=session, item=item, request_ref=request.reference or request.id, clock=node.clock
    )
    return Response(document, media_type="application/ld+json")


@router.post("/evidence/{item_id}/export", response_model=ItemExportRead)
def export(
    item_id: str, body: ItemExportCreate, principal: Writer, session: SessionDep, node: NodeDep
) -> ItemExportRead:
    """Release the item for a use (same proceeding, another proceeding, forwarding) if the
    request's conditions allow it; a refusal names the condition. Permission:
    evidence:item:write."""
    done = service.export_item(
        session=session,
        node=node,
        user=principal.user,
        item_id=item_id,
        use=body.use,
        proceeding=body.proceeding,
        to=body.to,
        ctx=principal.ctx,
    )
    return ItemExportRead(
        item=ItemRead.model_validate(done.item),
        use=body.use,
        proceeding=body.proceeding,
        to=body.to,
        conditions=done.conditions.model_dump(),
    )
