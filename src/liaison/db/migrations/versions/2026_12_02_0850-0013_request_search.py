"""full-text search over requests: the words of each copy, and the database's index of them;
indexes for the web interface's lists

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:50:00

`request_texts` holds the words of each request copy, cut the same way for every script
(liaison.requests.texts); the index over them is the database's own: on SQLite an FTS5 table
with external content, kept by triggers; on PostgreSQL a GIN index over
`to_tsvector('simple', body)` ('simple': no stemming, which would favour some languages and
mangle others). Both are outside the models (the drift check skips them by name). The words
of the requests already stored are written here once; from then on every flush that changes a
request's texts rewrites them (liaison.requests.models). Five indexes on `requests` serve the
lists of incoming and outgoing requests (by state, by what is due) and recent arrivals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liaison.requests.texts import index_text

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = "request_texts_fts"
PG_INDEX = "ix_request_texts_body_search"
# The FTS5 index follows request_texts (external content): each change written again.
TRIGGERS = (
    (
        "CREATE TRIGGER request_texts_fts_ai AFTER INSERT ON request_texts BEGIN "
        "INSERT INTO request_texts_fts(rowid, body) VALUES (new.id, new.body); END"
    ),
    (
        "CREATE TRIGGER request_texts_fts_ad AFTER DELETE ON request_texts BEGIN "
        "INSERT INTO request_texts_fts(request_texts_fts, rowid, body) "
        "VALUES ('delete', old.id, old.body); END"
    ),
    (
        "CREATE TRIGGER request_texts_fts_au AFTER UPDATE ON request_texts BEGIN "
        "INSERT INTO request_texts_fts(request_texts_fts, rowid, body) "
        "VALUES ('delete', old.id, old.body); "
        "INSERT INTO request_texts_fts(rowid, body) VALUES (new.id, new.body); END"
    ),
)


# The lists of the web interface: by direction (the other authority's column) and state, by
# direction and what is due, and the arrivals of the last days.
INDEXES = {
    "ix_requests_incoming": ["holder", "requested", "status", "kind"],
    "ix_requests_outgoing": ["holder", "requesting", "status", "kind"],
    "ix_requests_incoming_due": ["holder", "requested", "due_at"],
    "ix_requests_outgoing_due": ["holder", "requesting", "due_at"],
    "ix_requests_holder_received": ["holder", "received_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "requests", columns)
    op.create_table(
        "request_texts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder", "request_id"],
            ["requests.holder", "requests.id"],
            name=op.f("fk_request_texts_holder_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_texts")),
        sa.UniqueConstraint(
            "holder", "request_id", name=op.f("uq_request_texts_holder_request_id")
        ),
    )
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_INDEX} ON request_texts USING gin (to_tsvector('simple', body))"
        )
    else:
        # The words are cut already (liaison.requests.texts): the tokenizer only splits on
        # the spaces between them, and changes nothing else.
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(body, content='request_texts', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
        )
        for statement in TRIGGERS:
            op.execute(statement)
    rows = (
        connection.execute(
            sa.text("SELECT holder, id, reference, content, response, status_reason FROM requests")
        )
        .mappings()
        .all()
    )
    table = sa.table(
        "request_texts",
        sa.column("holder", sa.String),
        sa.column("request_id", sa.String),
        sa.column("body", sa.Text),
    )
    batch = []
    for row in rows:
        batch.append(
            {
                "holder": row["holder"],
                "request_id": row["id"],
                "body": index_text(
                    reference=row["reference"] or "",
                    content=_json(row["content"]),
                    response=_json(row["response"]),
                    status_reason=row["status_reason"],
                ),
            }
        )
    if batch:
        op.bulk_insert(table, batch)


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_table("request_texts")
    for name in INDEXES:
        op.drop_index(name, table_name="requests")
