"""Authorities hosted on this node, for the node's administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from liaison.api.deps import Principal, SessionDep, require
from liaison.authorities import service
from liaison.authorities.schemas import AuthorityRead
from liaison.core.permissions import Permission

router = APIRouter(tags=["authorities"])


@router.get("/authorities", response_model=list[AuthorityRead])
def list_authorities(
    _: Annotated[Principal, Depends(require(Permission.node_authority_read))], session: SessionDep
) -> list[AuthorityRead]:
    """Every authority on this node. Permission: node:authority:read."""
    return [AuthorityRead.model_validate(a) for a in service.list_all(session=session)]


@router.get("/authorities/{authority_id}", response_model=AuthorityRead)
def read_authority(
    authority_id: str,
    _: Annotated[Principal, Depends(require(Permission.node_authority_read))],
    session: SessionDep,
) -> AuthorityRead:
    """One authority. Permission: node:authority:read."""
    return AuthorityRead.model_validate(service.get(session=session, authority_id=authority_id))
