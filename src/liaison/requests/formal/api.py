"""The formal documents of a request, as signed PDF/A."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.permissions import Permission
from liaison.requests.formal import document as formal

router = APIRouter(prefix="/requests", tags=["requests"])
Reader = Annotated[Principal, Depends(require(Permission.request_read))]


@router.get(
    "/{request_id}/document.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document(request_id: str, principal: Reader, session: SessionDep, node: NodeDep) -> Response:
    """The formal document (PDF/A, signed PAdES by your authority) in the recipient's language.
    Permission: request:request:read."""
    prepared = formal.prepare(
        session=session, node=node, user=principal.user, request_id=request_id
    )
    # A plain (sync) route: FastAPI runs it on a worker thread, never on the event loop.
    # Rendering takes about a second: end the read transaction first so no lock is held meanwhile.
    session.commit()
    pdf = formal.render_signed(prepared)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="request-{request_id}.pdf"'},
    )


@router.get(
    "/{request_id}/response.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def response_document(
    request_id: str, principal: Reader, session: SessionDep, node: NodeDep
) -> Response:
    """The requested authority's signed response (result, refusal or postponement) as PDF/A in
    the requesting authority's language. Permission: request:request:read."""
    prepared = formal.prepare(
        session=session, node=node, user=principal.user, request_id=request_id, response=True
    )
    session.commit()
    pdf = formal.render_signed(prepared)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="response-{request_id}.pdf"'},
    )
