"""API shapes for using a request beyond itself."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from liaison.requests.sharing.uses import Use

Reference = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use: Use = Use.same_proceeding
    proceeding: Reference | None = None


class ForwardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
    note: Annotated[str, StringConstraints(max_length=5000)] = ""


class AuthorisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    condition: Annotated[str, StringConstraints(pattern=r"^(no_onward_transfer|speciality)$")]
    # The authority transfer is allowed to, or the proceeding use is allowed in.
    value: Reference
