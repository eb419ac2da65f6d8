"""Using a request beyond itself: export, forwarding, authorisations, the signed formal document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from liaison.api.deps import NodeDep, Principal, SessionDep, require
from liaison.core.permissions import Permission
from liaison.requests import exports, formal, service
from liaison.requests.conditions import Use

router = APIRouter(prefix="/requests", tags=["requests"])
Reader = Annotated[Principal, Depends(require(Permission.request_read))]
Executor = Annotated[Principal, Depends(require(Permission.request_execute))]
Approver = Annotated[Principal, Depends(require(Permission.request_approve))]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use: Use = Use.same_proceeding
    proceeding: Reference | None = None


class ForwardBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
    note: Annotated[str, StringConstraints(max_length=5000)] = ""


class AuthorisationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    condition: Annotated[str, StringConstraints(pattern=r"^(no_onward_transfer|speciality)$")]
    # The authority transfer is allowed to, or the proceeding use is allowed in.
    value: Reference


@router.post("/{request_id}/export")
def export(
    request_id: str, body: ExportBody, principal: Executor, session: SessionDep, node: NodeDep
) -> dict[str, object]:
    """The request and its results for domestic use, if the other side's conditions allow it
    (speciality). Permission: request:request:execute."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    return exports.export(
        session=session,
        request=request,
        user=principal.user,
        use=body.use,
        proceeding=body.proceeding,
        ctx=principal.ctx,
        clock=node.clock,
    )


@router.post("/{request_id}/forward", status_code=status.HTTP_202_ACCEPTED)
def forward(
    request_id: str, body: ForwardBody, principal: Approver, session: SessionDep, node: NodeDep
) -> dict[str, str]:
    """Give the request and its results to a third authority, if the other side authorised it
    (no onward transfer). Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    envelope = exports.forward(
        session=session,
        request=request,
        user=principal.user,
        to=body.to,
        note=body.note,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return {"envelope": envelope}


@router.post("/{request_id}/authorisations", status_code=status.HTTP_202_ACCEPTED)
def authorise(
    request_id: str,
    body: AuthorisationBody,
    principal: Approver,
    session: SessionDep,
    node: NodeDep,
) -> dict[str, str]:
    """Lift a condition you set, for one use; sent to the other side.
    Permission: request:request:approve."""
    request = service.get_for(session=session, user=principal.user, request_id=request_id)
    exports.authorise(
        session=session,
        request=request,
        user=principal.user,
        condition=body.condition,
        value=body.value,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return {"status": "sent"}


@router.get(
    "/{request_id}/document.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def document(
    request_id: str, principal: Reader, session: SessionDep, node: NodeDep
) -> Response:
    """The formal document (PDF/A, signed PAdES by your authority) in the recipient's language.
    Permission: request:request:read."""
    prepared = formal.prepare(
        session=session, node=node, user=principal.user, request_id=request_id
    )
    # Rendering takes about a second: end the read transaction first so no lock is held meanwhile.
    session.commit()
    pdf = await run_in_threadpool(formal.render_signed, prepared)
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
async def response_document(
    request_id: str, principal: Reader, session: SessionDep, node: NodeDep
) -> Response:
    """The requested authority's signed response (result, refusal or postponement) as PDF/A in
    the requesting authority's language. Permission: request:request:read."""
    prepared = formal.prepare(
        session=session, node=node, user=principal.user, request_id=request_id, response=True
    )
    session.commit()
    pdf = await run_in_threadpool(formal.render_signed, prepared)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="response-{request_id}.pdf"'},
    )
