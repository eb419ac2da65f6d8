"""federation: directory, outbox, inbox, messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:16:31.346643
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "directory_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("issued_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("imported_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_directory_versions")),
    )
    op.create_table(
        "inbox",
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("thread", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient"], ["authorities.id"], name=op.f("fk_inbox_recipient_authorities")
        ),
        sa.PrimaryKeyConstraint("envelope_id", name=op.f("pk_inbox")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_recipient"), ["recipient"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_sender"), ["sender"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_thread"), ["thread"], unique=False)

    op.create_table(
        "messages",
        sa.Column("authority_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("counterpart", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("thread", sa.String(length=36), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=True),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_messages_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("authority_id", "id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_counterpart"), ["counterpart"], unique=False)
        batch_op.create_index(
            "ix_messages_owner_thread", ["authority_id", "thread", "created_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("thread", sa.String(length=36), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("body", liaison.db.types.JSONText(), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("wire", sa.Text(), nullable=True),
        sa.Column("sealed_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("digests", liaison.db.types.JSONText(), nullable=False),
        sa.Column("delivered_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("receipt_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sender"], ["authorities.id"], name=op.f("fk_outbox_sender_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_recipient"), ["recipient"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_sender"), ["sender"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_thread"), ["thread"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_thread"))
        batch_op.drop_index(batch_op.f("ix_outbox_sender"))
        batch_op.drop_index(batch_op.f("ix_outbox_recipient"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_owner_thread")
        batch_op.drop_index(batch_op.f("ix_messages_counterpart"))

    op.drop_table("messages")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_thread"))
        batch_op.drop_index(batch_op.f("ix_inbox_sender"))
        batch_op.drop_index(batch_op.f("ix_inbox_recipient"))

    op.drop_table("inbox")
    op.drop_table("directory_versions")
