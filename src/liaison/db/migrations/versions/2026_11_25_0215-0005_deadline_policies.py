"""deadline policies per authority and kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:15:36.409405
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "deadline_policies",
        sa.Column("authority_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("ack_hours", sa.Integer(), nullable=True),
        sa.Column("response_days", sa.Integer(), nullable=True),
        sa.Column("expiry_warning_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_deadline_policies_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint(
            "authority_id", "kind", "urgent", name=op.f("pk_deadline_policies")
        ),
    )


def downgrade() -> None:

    op.drop_table("deadline_policies")
