"""An authority is a tenant: a ministry, prosecutor's office or police unit of one State."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class Authority(Base):
    __tablename__ = "authorities"

    # A short slug such as "vn-mps": stable, readable in logs and in the directory.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # ISO 3166-1 alpha-2, upper case.
    state: Mapped[str] = mapped_column(String(2), index=True)
    # {"en": "...", "vi": "..."}: names by BCP 47 language tag.
    names: Mapped[dict[str, str]] = mapped_column(JSONText)
    # Values of core.permissions.AuthorityRole.
    roles: Mapped[list[str]] = mapped_column(JSONText)
    accepted_languages: Mapped[list[str]] = mapped_column(JSONText)
    require_totp: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
