"""each fact of a request in one place: urgent, wished deadline, conditions on the request;
the reasons for urgency and for the deadline in its contents; what is due next; the domestic
prosecution a refused extradition obliges

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00

Before, `urgent`, a deadline and the conditions existed both on the request and inside its
contents, and the two could disagree (an urgent provisional arrest read `urgent: false`; the
two `no_user_notice` contradicted each other). Merging keeps the protective reading of each:
urgent if either said so, the earlier deadline, a condition on if either had it, the shorter
retention. A request approved but not yet sent was signed over the old fields: it goes back to
awaiting approval (and the event says why), to be approved again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from alembic import op

import liaison.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# condition: (its name inside the old contents, the old default on the request, inside)
_PROTECTIVE = {
    "confidential": ("confidential", True, True),
    "no_user_notice": ("no_user_notice", False, True),
    "speciality": ("speciality", True, True),
    "no_onward_transfer": ("onward_transfer_needs_authorisation", True, True),
}


def _merged_conditions(top: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any]:
    """A condition is on if either place had it on; the shorter retention wins."""
    merged: dict[str, Any] = {
        name: bool(top.get(name, top_default)) or bool(inner.get(inner_name, inner_default))
        for name, (inner_name, top_default, inner_default) in _PROTECTIVE.items()
    }
    days = [d for d in (top.get("retention_days"), inner.get("retention_days")) if d]
    merged["retention_days"] = min(days) if days else None
    if inner.get("data_protection_terms"):
        merged["data_protection_terms"] = inner["data_protection_terms"]
    return merged


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def upgrade() -> None:
    # What is due next, stored so that lists sort and filter on it (the worker's deadline scan
    # fills it in for the requests that already exist).
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", liaison.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_what", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_requests_holder_due", ["holder", "due_at"], unique=False)
    op.create_table(
        "domestic_prosecutions",
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("ground", sa.String(length=64), nullable=False),
        sa.Column("opened_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("submission_due_at", liaison.db.types.UTCDateTime(), nullable=False),
        sa.Column("submitted_to", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("outcome_due_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outcome_at", liaison.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_domestic_prosecutions_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("holder", "request_id", name=op.f("pk_domestic_prosecutions")),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT holder, id, status, language, content, conditions, urgent, urgency_reason,"
            " wished_deadline, deadline_reason, seq FROM requests"
        )
    ).mappings()
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in list(rows):
        content = json.loads(row["content"] or "{}")
        conditions = json.loads(row["conditions"] or "{}")
        urgent = bool(row["urgent"]) or bool(content.pop("urgent", False))
        wished = _parse_time(row["wished_deadline"])
        inner_deadline = content.pop("deadline", None)
        if inner_deadline:
            end_of_day = datetime.combine(
                datetime.fromisoformat(str(inner_deadline)).date(), time(23, 59, 59), UTC
            )
            wished = min(wished, end_of_day) if wished else end_of_day
        for name in ("urgency_reason", "deadline_reason"):
            if row[name] and not content.get(name):
                content[name] = {"original": row[name], "original_language": row["language"]}
        merged = _merged_conditions(conditions, content.pop("conditions", None) or {})
        connection.execute(
            sa.text(
                "UPDATE requests SET content = :content, conditions = :conditions,"
                " urgent = :urgent, wished_deadline = :wished WHERE holder = :holder AND id = :id"
            ),
            {
                "content": json.dumps(content, sort_keys=True, ensure_ascii=False),
                "conditions": json.dumps(merged, sort_keys=True, ensure_ascii=False),
                "urgent": urgent,
                "wished": wished.astimezone(UTC).replace(tzinfo=None) if wished else None,
                "holder": row["holder"],
                "id": row["id"],
            },
        )
        if row["status"] == "approved":
            connection.execute(
                sa.text(
                    "UPDATE requests SET status = 'awaiting_approval', approval = NULL,"
                    " approved_by = NULL, approved_at = NULL WHERE holder = :holder AND id = :id"
                ),
                {"holder": row["holder"], "id": row["id"]},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO request_events (holder, request_id, seq, action, from_status,"
                    " to_status, side, actor, at, reason) VALUES (:holder, :id, :seq,"
                    " 'return_to_draft', 'approved', 'awaiting_approval', 'requesting',"
                    " 'system:upgrade', :at, :reason)"
                ),
                {
                    "holder": row["holder"],
                    "id": row["id"],
                    "seq": row["seq"],
                    "at": now,
                    "reason": "approval signed the request's old fields; approve it again",
                },
            )
    # A plain ALTER (SQLite 3.35+ and PostgreSQL both have it): the batch mode's copy of the
    # table would have to drop one that other tables reference.
    for column in ("urgency_reason", "deadline_reason"):
        op.execute(sa.text(f"ALTER TABLE requests DROP COLUMN {column}"))


def downgrade() -> None:
    op.drop_table("domestic_prosecutions")
    for column in ("deadline_reason", "urgency_reason"):
        op.execute(sa.text(f"ALTER TABLE requests ADD COLUMN {column} TEXT"))
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_holder_due")
    for column in ("due_what", "due_at"):
        op.execute(sa.text(f"ALTER TABLE requests DROP COLUMN {column}"))
