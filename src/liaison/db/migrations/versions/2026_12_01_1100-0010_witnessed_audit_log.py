"""the audit log sealed, a Merkle tree with checkpoints as signed notes, witnessed by peers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("witness", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=71), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_cosignatures")),
        sa.UniqueConstraint(
            "witness", "size", "line", name=op.f("uq_log_cosignatures_witness_size_line")
        ),
    )
    with op.batch_alter_table("log_cosignatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_cosignatures_size"), ["size"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_cosignatures_witness"), ["witness"], unique=False)

    op.create_table(
        "log_peers",
        sa.Column("witness", sa.String(length=100), nullable=False),
        sa.Column("thread", sa.String(length=36), nullable=False),
        sa.Column("sent_size", sa.Integer(), nullable=True),
        sa.Column("sent_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("known_size", sa.Integer(), nullable=True),
        sa.Column("answered_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("witness", name=op.f("pk_log_peers")),
    )
    op.create_table(
        "witness_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("known", sa.Text(), nullable=False),
        sa.Column("claimed", sa.Text(), nullable=False),
        sa.Column("detail", liaison.db.types.JSONText(), nullable=False),
        sa.Column("at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_alerts")),
    )
    with op.batch_alter_table("witness_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_witness_alerts_origin"), ["origin"], unique=False)

    op.create_table(
        "witnessed_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=71), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("received_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witnessed_checkpoints")),
    )
    with op.batch_alter_table("witnessed_checkpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_witnessed_checkpoints_origin"), ["origin"], unique=False
        )

    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("root", sa.String(length=71), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("frontier", liaison.db.types.JSONText(), nullable=True))
        batch_op.alter_column("signature", existing_type=sa.TEXT(), nullable=True)

    # Entries written before stay unsealed until `liaison init` seals them, once (it holds
    # the KEK; a migration does not).
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("seal")
    # The earlier schema can hold only the compact-JWS checkpoints.
    op.execute(sa.text("DELETE FROM audit_checkpoints WHERE signature IS NULL"))

    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.alter_column("signature", existing_type=sa.TEXT(), nullable=False)
        batch_op.drop_column("frontier")
        batch_op.drop_column("note")
        batch_op.drop_column("root")

    with op.batch_alter_table("witnessed_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_witnessed_checkpoints_origin"))

    op.drop_table("witnessed_checkpoints")
    with op.batch_alter_table("witness_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_witness_alerts_origin"))

    op.drop_table("witness_alerts")
    op.drop_table("log_peers")
    with op.batch_alter_table("log_cosignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_cosignatures_witness"))
        batch_op.drop_index(batch_op.f("ix_log_cosignatures_size"))

    op.drop_table("log_cosignatures")
