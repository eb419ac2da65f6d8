"""The formal documents of a request, as their authors signed them (PDF/A, PAdES)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from liaison.accounts.deps import Principal, require
from liaison.api.deps import NodeDep, SessionDep
from liaison.core.errors import Conflict
from liaison.core.permissions import Permission
from liaison.documents.render import render_pdf
from liaison.requests import service
from liaison.requests.formal import issued
from liaison.requests.models import Request
from liaison.requests.table import Side, Status

router = APIRouter(prefix="/requests", tags=["requests"])
Reader = Annotated[Principal, Depends(require(Permission.request_read))]
Preview = Annotated[
    bool,
    Query(
        description="Before the request is sent: an unsigned preview of its document, marked "
        "as such on every page. Ignored once the document is signed."
    ),
]
UNSENT = frozenset({Status.draft, Status.awaiting_approval, Status.approved})
UNDECIDED = frozenset(
    {
        Status.sent,
        Status.received,
        Status.acknowledged,
        Status.in_execution,
        Status.clarification_requested,
    }
)


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _status(request: Request) -> str:
    return str(request.status).replace("_", " ")


def _no_request_document(request: Request) -> str:
    if request.status in UNSENT:
        return (
            f"this request is {_status(request)}: its formal document is signed by the "
            "requesting authority when the request is sent; ask with ?preview=true for an "
            "unsigned preview"
        )
    if request.sent_at is None:
        return "this request was withdrawn before it was sent: no formal document was issued"
    return "no signed formal document was kept for this request: it was sent before they were"


def _no_response_document(request: Request) -> str:
    if request.status in UNSENT or request.status in UNDECIDED:
        return (
            f"this request is {_status(request)}: the requested authority has not decided on "
            "it yet; its response document is signed by the requested authority when it "
            "responds, refuses or postpones"
        )
    return (
        f"this request is {_status(request)} and no response document is held for it: it "
        "ended without a decision of the requested authority, or was decided before response "
        "documents were kept"
    )


@router.get(
    "/{request_id}/document.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document(
    request_id: str, principal: Reader, session: SessionDep, node: NodeDep, preview: Preview = False
) -> Response:
    """The formal request as the requesting authority signed it when sending it (PDF/A, PAdES),
    the same bytes on both nodes, at any later state. Before it is sent: 409, or with
    `preview=true` an unsigned preview. Permission: request:request:read."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    held = issued.held(session=session, request=request, role=issued.REQUEST)
    if held is not None:
        return _pdf(held.pdf, f"request-{request_id}.pdf")
    if not (preview and request.status in UNSENT and request.side is Side.requesting):
        raise Conflict(_no_request_document(request))
    doc = issued.preview(session=session, request=request, clock=node.clock)
    # A plain (sync) route: FastAPI runs it on a worker thread, never on the event loop.
    # Rendering takes a fraction of a second: end the read transaction first so no lock is held.
    session.commit()
    out = io.BytesIO()
    render_pdf(doc, out=out)
    return _pdf(out.getvalue(), f"request-{request_id}-preview.pdf")


@router.get(
    "/{request_id}/response.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def response_document(request_id: str, principal: Reader, session: SessionDep) -> Response:
    """The requested authority's latest decision (result, partial result, refusal or
    postponement) as it signed it, in the requesting authority's language: the same bytes on
    both nodes, at any later state (closed included). 409 before any decision.
    Permission: request:request:read."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    held = issued.held(session=session, request=request, role=issued.RESPONSE)
    if held is None:
        raise Conflict(_no_response_document(request))
    return _pdf(held.pdf, f"response-{request_id}.pdf")
