"""follow-ups found by their link; security fixes of accounts, notes and the inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_follow_ups")
