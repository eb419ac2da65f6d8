"""Users of an authority and their credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.authorities.models import Authority
from liaison.db.base import Base
from liaison.db.types import JSONText, UTCDateTime


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    # Unique on the node: a person signs in with the name alone.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Where reminders go by e-mail when the node has SMTP configured; optional.
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Values of core.permissions.Role.
    roles: Mapped[list[str]] = mapped_column(JSONText)
    # Operates the node itself (reads every authority); distinct from an authority's admin.
    is_node_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # TOTP secret, encrypted under the node key-encryption key.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Last accepted TOTP time step: a code is accepted once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    authority: Mapped[Authority] = relationship(lazy="joined")


class ApiToken(Base):
    """Bearer tokens: short-lived sessions from a login, or named long-lived API tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # "session" | "api"
    # sha256 of the token: tokens are 256-bit random, so a fast hash is enough and allows lookup.
    token_hash: Mapped[str] = mapped_column(String(71), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """Failed sign-ins, counted per account and per address for throttling."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginSource(Base):
    """Addresses a user has signed in from (password and, if enrolled, second factor). While an
    account is under attack, a known address still lets its holder in."""

    __tablename__ = "login_sources"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime)
