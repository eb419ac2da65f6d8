"""Imported directory documents. The newest verified version is the directory in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import UTCDateTime


class DirectoryVersion(Base):
    __tablename__ = "directory_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    operator: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The signed compact JWS exactly as received: re-verifiable at any time.
    token: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(71))
