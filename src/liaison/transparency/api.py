"""The witness's public answer: the newest checkpoint of a log it cosigned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import PlainTextResponse

from liaison.api.deps import SessionDep
from liaison.core.errors import NotFound
from liaison.transparency import witness

peer_router = APIRouter(prefix="/federation/v1", tags=["federation"])


@peer_router.get("/witness/{origin}", response_class=PlainTextResponse)
def cosigned_checkpoint(
    origin: Annotated[str, Path(pattern=r"^[^\s+]{1,100}$")], session: SessionDep
) -> PlainTextResponse:
    """The newest checkpoint of `origin`'s audit log this node cosigned, as a signed note (the
    log's signature and this node's cosignature; c2sp.org/tlog-cosignature). 404 if it holds
    none. Permission: none, by design: a cosigned checkpoint is public, as a transparency
    witness publishes it: a size and a hash, signed, nothing of the log's content."""
    found = witness.latest(session, origin)
    if found is None:
        raise NotFound(f"this node has cosigned no checkpoint of {origin}")
    return PlainTextResponse(found.note, media_type="text/plain; charset=utf-8")
