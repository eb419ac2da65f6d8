"""API shapes for users, sign-in and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from liaison.core.permissions import Role

Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
# Printable text only: no control characters, which would corrupt logs and documents.
DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Password = Annotated[str, StringConstraints(max_length=1024)]


Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: DisplayName
    email: Email | None = None
    password: Password
    roles: list[Role] = Field(min_length=1)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    email: Email | None = None
    roles: list[Role] | None = Field(default=None, min_length=1)
    disabled: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    authority_id: str
    username: str
    display_name: str
    email: str | None = None
    roles: list[str]
    disabled: bool
    is_node_admin: bool
    totp_enabled: bool = False
    created_at: datetime


class LoginCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Password
    totp: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName
    expires_in_days: int | None = Field(default=90, ge=1, le=366)


class IssuedTokenRead(BaseModel):
    id: str
    token: str
    kind: str
    expires_at: datetime | None


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ProfileRead(BaseModel):
    user: UserRead
    authority_id: str
    permissions: list[str]
