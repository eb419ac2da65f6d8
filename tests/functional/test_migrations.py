"""Every migration goes up and down; after `upgrade head` the schema equals the models."""

from __future__ import annotations

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
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, composition.metadata())
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; write a migration: {diff}"
