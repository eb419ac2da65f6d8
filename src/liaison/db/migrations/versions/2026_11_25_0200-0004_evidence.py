"""evidence: items and chain of custody

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:02:05.084114
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("acquired_by", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("acquisition_method", sa.Text(), nullable=False),
        sa.Column("acquisition_tool", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("retention_until", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("deleted_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_evidence_items_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_items_digest", ["digest"], unique=False)
        batch_op.create_index("ix_evidence_items_request", ["holder", "request_id"], unique=False)
        batch_op.create_index(
            "ix_evidence_items_retention", ["deleted_at", "retention_until"], unique=False
        )

    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("detail", liaison.db.types.JSONText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_custody_item_id_evidence_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
    )
    with op.batch_alter_table("evidence_custody", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_custody_item", ["item_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_custody", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_custody_item")

    op.drop_table("evidence_custody")
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_items_retention")
        batch_op.drop_index("ix_evidence_items_request")
        batch_op.drop_index("ix_evidence_items_digest")

    op.drop_table("evidence_items")
