"""personal signing keys of supervisors with their certificates; approvals keep theirs

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("certificate", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_keys_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_keys_user_id_users"), "users", ["user_id"], ["id"]
        )
    # Approvals made before keep their (authority-signed) token; they were verified when
    # received and are not verified again.
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval_certificate", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("approver_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("approver_id")
        batch_op.drop_column("approval_certificate")
    with op.batch_alter_table("keys", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_keys_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_keys_user_id"))
        batch_op.drop_column("certificate")
        batch_op.drop_column("user_id")
