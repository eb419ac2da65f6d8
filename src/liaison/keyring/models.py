"""Key records. Public halves stay (old signatures must verify); private halves are wrapped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base
from liaison.db.types import UTCDateTime


class StoredKey(Base):
    __tablename__ = "keys"

    # Also the JOSE "kid".
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # None for the node's own key (audit checkpoints); otherwise the owning authority.
    authority_id: Mapped[str | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    # "signing" (Ed25519) or "encryption" (X25519, also an age recipient); the node's keys:
    # "signing" (its audit log) and "witness"; a person's: "personal" (Ed25519, see user_id).
    purpose: Mapped[str] = mapped_column(String(16))
    algorithm: Mapped[str] = mapped_column(String(16))
    # Raw public key, base64url without padding.
    public_key: Mapped[str] = mapped_column(String(64))
    # AES-256-GCM under the node KEK; associated data binds it to this key id.
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when rotated out: no longer used to sign or receive, still used to verify old data.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A personal key's holder (a supervisor who signs approvals), and its certificate issued by
    # the authority's signing key (PEM). None for authority and node keys.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    certificate: Mapped[str | None] = mapped_column(Text, default=None)
