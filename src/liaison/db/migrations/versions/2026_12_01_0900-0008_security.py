"""follow-ups found by their link; security fixes of accounts, notes and the inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A preservation no longer carries a back-link to one follow-up (a later one replaced it):
    # every follow-up names its preservation itself, which is what is queried now.
    op.execute(sa.text("UPDATE requests SET linked_request = NULL WHERE kind = 'preservation'"))
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index("ix_requests_follow_ups", ["holder", "linked_request"], unique=False)
    op.create_table(
        "refusal_counts",
        sa.Column("hour", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "channel", "reason", name=op.f("pk_refusal_counts")),
    )
    op.create_table(
        "login_sources",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sources_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_login_sources")),
    )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=36), nullable=True))
        batch_op.create_index("uq_messages_client_key", ["authority_id", "client_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("uq_messages_client_key")
        batch_op.drop_column("client_key")
    op.drop_table("login_sources")
    op.drop_table("refusal_counts")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_follow_ups")
