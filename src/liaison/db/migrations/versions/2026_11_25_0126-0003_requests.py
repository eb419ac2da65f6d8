"""requests: copies, events, assignments; notifications; user e-mail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 01:54:33.212946
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "requests",
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subtype", sa.String(length=40), nullable=True),
        sa.Column("requesting", sa.String(length=64), nullable=False),
        sa.Column("requested", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("content", liaison.db.types.JSONText(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgency_reason", sa.Text(), nullable=True),
        sa.Column("wished_deadline", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("deadline_reason", sa.Text(), nullable=True),
        sa.Column("conditions", liaison.db.types.JSONText(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("submitted_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("approval", sa.Text(), nullable=True),
        sa.Column("sent_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("received_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("executed_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("ground", sa.String(length=64), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("preservation_days", sa.Integer(), nullable=True),
        sa.Column("preservation_start", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("preservation_expiry", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("linked_request", sa.String(length=36), nullable=True),
        sa.Column("response", liaison.db.types.JSONText(), nullable=False),
        sa.Column("authorisations", liaison.db.types.JSONText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder"], ["authorities.id"], name=op.f("fk_requests_holder_authorities")
        ),
        sa.PrimaryKeyConstraint("holder", "id", name=op.f("pk_requests")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index("ix_requests_holder_status", ["holder", "status"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("dedupe", sa.String(length=300), nullable=False),
        sa.Column("created_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("emailed_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("read_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe", name=op.f("uq_notifications_dedupe")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_unread", ["user_id", "read_at"], unique=False)

    op.create_table(
        "request_assignments",
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("assigned_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_request_assignments_holder_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_request_assignments_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "holder", "request_id", "user_id", name=op.f("pk_request_assignments")
        ),
    )
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=False),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("ground", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_request_events_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
    )
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.create_index("ix_request_events_request", ["holder", "request_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_index("ix_request_events_request")

    op.drop_table("request_events")
    op.drop_table("request_assignments")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")

    op.drop_table("notifications")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_holder_status")

    op.drop_table("requests")
