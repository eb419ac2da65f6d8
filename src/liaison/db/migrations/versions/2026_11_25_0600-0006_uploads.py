"""resumable evidence uploads (tus)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_uploads",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("meta", liaison.db.types.JSONText(), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_evidence_uploads_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_uploads")),
    )
    with op.batch_alter_table("evidence_uploads", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_uploads_expires", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_uploads", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_uploads_expires")
    op.drop_table("evidence_uploads")
