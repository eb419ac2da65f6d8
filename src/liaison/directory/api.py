"""Searching the directory of authorities: every signed-in user may, to find a counterpart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from liaison.accounts.deps import Principal, require
from liaison.api.deps import SessionDep
from liaison.core.permissions import AuthorityRole, Permission
from liaison.directory import service
from liaison.directory.schemas import DirectoryAuthorityRead, DirectoryRead

router = APIRouter(prefix="/directory", tags=["directory"])

ReadDirectory = Annotated[Principal, Depends(require(Permission.directory_authority_read))]


@router.get("", response_model=DirectoryRead)
def read_directory(_: ReadDirectory, session: SessionDep) -> DirectoryRead:
    """The directory version in force. 503 before the first import.
    Permission: directory:authority:read."""
    return DirectoryRead.model_validate(service.current_row(session=session))


@router.get("/authorities", response_model=list[DirectoryAuthorityRead])
def search_authorities(
    _: ReadDirectory,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    role: AuthorityRole | None = None,
    language: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
) -> list[DirectoryAuthorityRead]:
    """Authorities matching every filter given; an empty list when none does, 503 before the
    first import. Permission: directory:authority:read."""
    found = service.search(session=session, state=state, role=role, language=language, kind=kind)
    return [DirectoryAuthorityRead.model_validate(a) for a in found]
