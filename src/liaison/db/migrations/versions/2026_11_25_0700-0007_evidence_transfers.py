"""evidence package transfers between nodes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("package_digest", sa.String(length=71), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("bytes_transferred", sa.BigInteger(), nullable=False),
        sa.Column("items", liaison.db.types.JSONText(), nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=True),
        sa.Column("signing_key", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("report", liaison.db.types.JSONText(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("completed_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_evidence_transfers_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_transfers")),
        sa.UniqueConstraint("direction", "package_digest", name="uq_evidence_transfers_package"),
    )
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_transfers_due",
            ["direction", "status", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_evidence_transfers_request", ["holder", "request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_transfers_request")
        batch_op.drop_index("ix_evidence_transfers_due")
    op.drop_table("evidence_transfers")
