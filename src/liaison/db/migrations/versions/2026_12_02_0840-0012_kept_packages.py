"""kept evidence packages, the receiver's timestamps, the acquirer's UTC offset

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-02 08:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0012"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMES = ("sealed_at", "started_at", "received_at", "kept_at", "package_deleted_at")


def upgrade() -> None:
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acquired_offset", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        for name in _TIMES:
            batch_op.add_column(sa.Column(name, liaison.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("item_ids", liaison.db.types.JSONText(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        batch_op.drop_column("item_ids")
        for name in reversed(_TIMES):
            batch_op.drop_column(name)
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_column("acquired_offset")
