"""Routes: users send a request's evidence and follow its packages; peers push chunks.

User routes declare their permission; the peer routes have none in that sense: the transfer
token, signed by the announcing authority and checked against the directory, is the permission.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from liaison.accounts.deps import Principal, require
from liaison.api.bodies import BodyTooLarge, read_body, too_large_response
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.errors import AuthenticationFailed, InvalidInput
from liaison.core.permissions import Permission
from liaison.evidence.transfer import incoming, kept, outgoing, wire
from liaison.evidence.transfer.schemas import PackageCreate, TransferRead
from liaison.node import Node

router = APIRouter(tags=["evidence"])
peer_router = APIRouter(prefix="/federation/v1", tags=["federation"])
Reader = Annotated[Principal, Depends(require(Permission.evidence_item_read))]
Writer = Annotated[Principal, Depends(require(Permission.evidence_item_write))]
# A peer's chunk size is its own setting; this is the largest any node may configure.
_MAX_CHUNK = 64 << 20
_HEX = r"^[0-9a-f]{64}$"


@router.post(
    "/requests/{request_id}/packages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TransferRead,
)
def send(
    request_id: str, body: PackageCreate, principal: Writer, session: SessionDep, node: NodeDep
) -> TransferRead:
    """Seal the request's evidence for the other authority and send it (the worker seals,
    announces and pushes it; follow it with GET). Permission: evidence:item:write."""
    row = outgoing.offer(
        session=session,
        node=node,
        user=principal.user,
        request_id=request_id,
        item_ids=body.items,
        ctx=principal.ctx,
    )
    session.flush()
    return TransferRead.model_validate(row)


@router.get(
    "/requests/{request_id}/packages/{transfer}/package",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 410: {}},
)
def download_package(
    request_id: str, transfer: str, principal: Reader, session: SessionDep, node: NodeDep
) -> StreamingResponse:
    """The sealed package as it was sent (sender) or received and verified (receiver), byte
    for byte: its signature can be checked again with `liaison evidence verify`. Recorded as a
    download on the chain of custody of each item it carries; 410 Gone once the retention of
    all of them ended. Permission: evidence:item:read."""
    found = kept.open_kept(
        session=session,
        node=node,
        user=principal.user,
        request_id=request_id,
        transfer_id=transfer,
        ctx=principal.ctx,
    )
    digest = found.row.package_digest or ""
    raw = base64.b64encode(bytes.fromhex(digest.removeprefix("sha256:"))).decode("ascii")
    return StreamingResponse(
        kept.chunks(found.reader),
        media_type="application/octet-stream",
        headers={
            "Content-Length": str(found.row.size),
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Repr-Digest": f"sha-256=:{raw}:",
        },
    )


@router.get("/requests/{request_id}/packages", response_model=list[TransferRead])
def list_packages(request_id: str, principal: Reader, session: SessionDep) -> list[TransferRead]:
    """The request's packages, sent and received, with their progress and the receiver's
    verification. Permission: evidence:item:read."""
    rows = outgoing.list_for(session=session, user=principal.user, request_id=request_id)
    return [TransferRead.model_validate(row) for row in rows]


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme != wire.SCHEME or not token:
        raise AuthenticationFailed(f"a transfer needs 'Authorization: {wire.SCHEME} <token>'")
    return token.strip()


def _headers(state: incoming.State) -> dict[str, str]:
    return {
        "Upload-Offset": str(state.offset),
        "Upload-Length": str(state.size),
        "Liaison-Transfer-Status": state.status,
        "Liaison-Bytes-Received": str(state.received),
        "Cache-Control": "no-store",
    }


@peer_router.head("/packages/{package}")
def package_offset(package: Annotated[str, Path(pattern=_HEX)], request: Request) -> Response:
    """How many bytes of an announced package this node holds. Permission: a transfer token
    signed by the announcing authority."""
    node: Node = request.app.state.node
    state = incoming.state(node=node, hexdigest=package, token=_token(request))
    return Response(status_code=200, headers=_headers(state))


@peer_router.patch("/packages/{package}")
async def package_chunk(package: Annotated[str, Path(pattern=_HEX)], request: Request) -> Response:
    """Append one chunk at ``Upload-Offset``, checked against its ``Content-Digest``. 204 with
    the new offset; 409 if the offset is not the stored one. Permission: a transfer token signed
    by the announcing authority."""
    node: Node = request.app.state.node
    token = _token(request)
    raw_offset = request.headers.get("upload-offset", "")
    if not raw_offset.isdigit():
        raise InvalidInput("Upload-Offset must be a non-negative integer")
    try:
        chunk = await read_body(request, _MAX_CHUNK)
    except BodyTooLarge as exc:
        return too_large_response(exc)
    state = await run_in_threadpool(
        lambda: incoming.accept_chunk(
            node=node,
            hexdigest=package,
            token=token,
            offset=int(raw_offset),
            digest_header=request.headers.get("content-digest"),
            chunk=chunk,
        )
    )
    return Response(status_code=204, headers=_headers(state))
