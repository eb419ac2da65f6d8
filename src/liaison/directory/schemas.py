"""API shapes for the directory."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from liaison.directory.document import DirectoryKey


class DirectoryRead(BaseModel):
    """The directory in force: which signed version, from whom, since when."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    operator: str
    issued_at: datetime
    imported_at: datetime
    digest: str


class DirectoryAuthorityRead(BaseModel):
    """One authority as the directory lists it (public keys only)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    state: str
    names: dict[str, str]
    roles: list[str]
    accepted_languages: list[str]
    kinds: list[str]
    endpoint: str
    keys: list[DirectoryKey]
