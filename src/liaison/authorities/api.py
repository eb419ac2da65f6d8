"""Public facts about the authorities hosted here, for peer nodes: their signing certificates.
(The node administrators' routes on authorities are with the accounts: liaison.accounts.api.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from liaison.authorities.certificates import certificate_for
from liaison.authorities.models import Authority
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey
from liaison.node import Node

# Public, beside the federation endpoints: what a counterpart fetches to check a signature.
peer_router = APIRouter(prefix="/federation/v1", tags=["federation"])


@peer_router.get(
    "/authorities/{authority_id}/certificate.pem",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {}}}},
)
def certificate(authority_id: str, request: Request, kid: str | None = None) -> Response:
    """The self-issued X.509 certificate of a hosted authority's signing key (the active one, or
    `kid`), to validate the PAdES signature of its formal documents. Public: a certificate holds
    only the public key, which the directory publishes anyway."""
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
