"""signed formal documents kept byte for byte on each copy of a request

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Requests sent before this revision keep no document: the routes say so (409) rather than
    # render another authority's act. Nothing can be back-filled here: signing needs the KEK.
    op.create_table(
        "request_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_request_documents_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_documents")),
    )
    with op.batch_alter_table("request_documents", schema=None) as batch_op:
        batch_op.create_index(
            "uq_request_documents_act", ["holder", "request_id", "role", "seq"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("request_documents", schema=None) as batch_op:
        batch_op.drop_index("uq_request_documents_act")
    op.drop_table("request_documents")
