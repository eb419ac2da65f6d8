"""Federation endpoints. Peers authenticate by signing every envelope, not with user tokens:
the only permission here is a valid signature by a key the directory lists for the sender."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from liaison.federation import envelope as env
from liaison.federation import inbox
from liaison.node import Node

router = APIRouter(prefix="/federation/v1", tags=["federation"])


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, refusing it as soon as it passes the limit (before parsing anything)."""
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


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")


def too_large_response(exc: BodyTooLarge) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "reason": "too_large"}, status_code=413)


@router.post("/inbox")
async def receive_one(request: Request) -> JSONResponse:
    """One envelope (compact JWS as the body). 200 with the signed receipt when accepted (or a
    duplicate); a 4xx with the reason and the signed rejection receipt otherwise.
    Permission: the envelope's signature (checked against the directory)."""
    node: Node = request.app.state.node
    try:
        raw = await read_body(request, node.settings.federation_max_envelope_bytes)
    except BodyTooLarge as exc:
        return too_large_response(exc)
    wire = raw.decode("ascii", errors="replace").strip()
    outcome = await run_in_threadpool(inbox.receive, node, wire)
    payload = {
        "receipt": outcome.receipt,
        "status": "accepted" if outcome.accepted else "rejected",
        "reason": outcome.reason,
    }
    if not outcome.accepted:
        payload["detail"] = f"envelope rejected: {outcome.reason}"
        status = outcome.status_code if 400 <= outcome.status_code < 500 else 400
        return JSONResponse(payload, status_code=status)
    return JSONResponse(payload, status_code=200)


@router.post("/inbox/batch")
async def receive_batch(request: Request) -> JSONResponse:
    """Up to 100 envelopes: `{"envelopes": [...]}` → `{"receipts": [...]}`, one signed receipt
    per envelope in the same order (accepted or rejected). 400 for a malformed batch, 413 when
    too large. Permission: each envelope's signature (checked against the directory)."""
    node: Node = request.app.state.node
    try:
        raw = await read_body(request, node.settings.federation_max_batch_bytes)
    except BodyTooLarge as exc:
        return too_large_response(exc)
    try:
        batch = env.BatchRequest.model_validate_json(raw)
    except ValidationError as exc:
        return JSONResponse(
            {"detail": f"malformed batch: {exc.errors()[0]['msg']}", "reason": "malformed"},
            status_code=400,
        )

    outcomes = await run_in_threadpool(inbox.receive_batch, node, list(batch.envelopes))
    receipts = [outcome.receipt for outcome in outcomes]
    return JSONResponse(env.BatchResponse(receipts=receipts).model_dump(), status_code=200)


@router.get(
    "/authorities/{authority_id}/certificate.pem",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {}}}},
)
def certificate(authority_id: str, request: Request, kid: str | None = None) -> Response:
    """The self-issued X.509 certificate of a hosted authority's signing key (the active one, or
    `kid`), to validate the PAdES signature of its formal documents. Public: a certificate holds
    only the public key, which the directory publishes anyway."""
    from liaison.authorities.models import Authority
    from liaison.keyring import service as keyring
    from liaison.keyring.models import StoredKey
    from liaison.requests.formal import certificate_for

    node: Node = request.app.state.node
    with node.db.session() as session:
        authority = session.get(Authority, authority_id)
        key = (
            session.get(StoredKey, kid)
            if kid
            else keyring.active_key(session=session, authority_id=authority_id, purpose="signing")
        )
        if (
            authority is None
            or key is None
            or key.authority_id != authority_id
            or key.purpose != "signing"
        ):
            return JSONResponse(
                {"detail": f"no signing key {kid or ''} of {authority_id} here"}, status_code=404
            )
        pem = certificate_for(
            authority=authority, key=key, private_raw=keyring.private_raw(kek=node.kek, key=key)
        )
    return Response(pem, media_type="application/x-pem-file")
