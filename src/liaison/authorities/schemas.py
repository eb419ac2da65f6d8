"""API shapes for authorities."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison.core.codes import is_language, is_state
from liaison.core.permissions import AuthorityRole
from liaison.protocol.fields import AuthorityId


def _check_names(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("at least one name is required")
    for lang, name in value.items():
        if not is_language(lang):
            raise ValueError(f"unknown language code {lang!r} for a name")
        if not name.strip() or len(name) > 300:
            raise ValueError(f"the {lang} name must be 1-300 characters")
    return value


def _check_languages(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("at least one accepted language is required")
    for code in value:
        if not is_language(code):
            raise ValueError(f"unknown language code {code!r}")
    if len(set(value)) != len(value):
        raise ValueError("accepted languages repeat")
    return value


class AuthorityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: AuthorityId
    state: str
    names: dict[str, str]
    roles: list[AuthorityRole] = Field(min_length=1)
    accepted_languages: list[str]
    require_totp: bool = False

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if not is_state(value):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 State code")
        return value

    _names = field_validator("names")(_check_names)
    _langs = field_validator("accepted_languages")(_check_languages)


class AuthorityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    state: str
    names: dict[str, str]
    roles: list[str]
    accepted_languages: list[str]
    require_totp: bool
    created_at: datetime
