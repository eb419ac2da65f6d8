"""Alembic environment: the URL comes from the caller (liaison.db.migrate), the tables from the
composition root (every feature's models)."""

from __future__ import annotations

from alembic import context

from liaison import composition
from liaison.db.base import mapped_name
from liaison.db.session import make_engine

target_metadata = composition.metadata()


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things in place; batch mode copies the table.
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
            include_name=mapped_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
