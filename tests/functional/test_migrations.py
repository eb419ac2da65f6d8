"""Every migration goes up and down; after `upgrade head` the schema equals the models."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from liaison import composition
from liaison.db import migrate
from liaison.db.base import mapped_name
from liaison.db.session import make_engine


@pytest.fixture
def empty_db(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, so up/down does not disturb the shared test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_one_head_and_date_prefixed_files() -> None:
    assert len(migrate.current_heads()) == 1
    for path in (migrate.MIGRATIONS / "versions").glob("*.py"):
        assert path.name[:10].replace("_", "").isdigit(), f"{path.name} is not date-prefixed"


def test_each_migration_upgrades_and_downgrades(empty_db: str) -> None:
    previous = "base"
    for revision in revisions():
        migrate.upgrade(empty_db, revision)
        migrate.downgrade(empty_db, previous)
        migrate.upgrade(empty_db, revision)
        previous = revision
    migrate.downgrade(empty_db, "base")
    assert tables(empty_db) == set()


def test_no_drift_between_models_and_migrations(empty_db: str) -> None:
    migrate.upgrade(empty_db, "head")
    engine = make_engine(empty_db)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": mapped_name}
            )
            diff = compare_metadata(context, composition.metadata())
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_request_facts_are_merged_into_one_place(empty_db: str) -> None:
    """0009: urgent, the deadline and the conditions lived twice and could disagree; each now
    lives once, in its protective reading, and an approval over the old fields is undone."""
    migrate.upgrade(empty_db, "0008")
    engine = make_engine(empty_db)
    common = {
        "kind": "extradition",
        "requesting": "vn-mps",
        "requested": "ru-gpo",
        "seq": 0,
        "version": 1,
        "reference": "",
        "language": "vi",
        "created_at": "2026-03-01 09:00:00",
        "updated_at": "2026-03-01 09:00:00",
        "response": "{}",
        "authorisations": "[]",
    }
    rows = {
        "0190f0c2-0000-7000-8000-000000000001": {
            "status": "draft",
            "content": '{"urgent": true, "deadline": "2026-04-01", "provisional_arrest": true,'
            ' "conditions": {"no_user_notice": true, "retention_days": 30}}',
            "conditions": '{"no_user_notice": false, "retention_days": 90}',
            "urgent": False,
            "urgency_reason": "Sắp rời khỏi lãnh thổ",
            "deadline_reason": None,
        },
        "0190f0c2-0000-7000-8000-000000000002": {
            "status": "approved",
            "content": "{}",
            "conditions": "{}",
            "urgent": True,
            "urgency_reason": None,
            "deadline_reason": None,
        },
    }
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO authorities (id, state, names, roles, accepted_languages,"
                " require_totp, created_at) VALUES ('vn-mps', 'VN', '{}', '[]', '[]', false,"
                " '2026-03-01 09:00:00')"
            )
        )
        for request_id, values in rows.items():
            conn.execute(
                text(
                    "INSERT INTO requests (holder, id, kind, requesting, requested, status, seq,"
                    " version, reference, language, content, urgent, urgency_reason,"
                    " deadline_reason, conditions, created_at, updated_at, response,"
                    " authorisations) VALUES ('vn-mps', :id, :kind, :requesting, :requested,"
                    " :status, :seq, :version, :reference, :language, :content, :urgent,"
                    " :urgency_reason, :deadline_reason, :conditions, :created_at, :updated_at,"
                    " :response, :authorisations)"
                ),
                {"id": request_id, **common, **values},
            )
    engine.dispose()
    migrate.upgrade(empty_db, "head")
    engine = make_engine(empty_db)
    try:
        with engine.connect() as conn:
            found = {
                r.id: r
                for r in conn.execute(
                    text(
                        "SELECT id, status, content, conditions, urgent, wished_deadline,"
                        " approval FROM requests"
                    )
                )
            }
            events = conn.execute(text("SELECT request_id, to_status FROM request_events")).all()
    finally:
        engine.dispose()
    draft = found["0190f0c2-0000-7000-8000-000000000001"]
    content = json.loads(draft.content)
    assert not {"urgent", "deadline", "conditions"} & set(content)
    assert content["urgency_reason"] == {
        "original": "Sắp rời khỏi lãnh thổ",
        "original_language": "vi",
    }
    assert bool(draft.urgent) is True
    assert str(draft.wished_deadline).startswith("2026-04-01 23:59:59")
    conditions = json.loads(draft.conditions)
    assert conditions["no_user_notice"] is True
    assert conditions["retention_days"] == 30
    approved = found["0190f0c2-0000-7000-8000-000000000002"]
    assert approved.status == "awaiting_approval"
    assert approved.approval is None
    assert [tuple(e) for e in events] == [
        ("0190f0c2-0000-7000-8000-000000000002", "awaiting_approval")
    ]
