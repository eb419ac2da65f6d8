"""Engines and sessions.

SQLite runs in WAL mode with foreign keys on, and every transaction starts with
``BEGIN IMMEDIATE``: taking the write lock up front means a transaction that read first and
writes later (the audit chain does) never fails half-way on a stale snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.core.errors import LiaisonError


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN instead of pysqlite's implicit one.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """One engine and its session factory for a node process."""

    def __init__(self, settings: Settings, *, session_info: dict[str, Any] | None = None) -> None:
        self.settings = settings
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.sqlalchemy_url)
        # session_info: what every session carries (the audit seal key, see liaison.node).
        self.sessionmaker = sessionmaker(
            self.engine, expire_on_commit=False, info=dict(session_info or {})
        )

    @contextmanager
    def boundary(self) -> Iterator[Session]:
        """The unit of work of one API request or CLI command: commit on success; on a failure
        that is itself a security event to keep (LiaisonError.keep_changes: a failed sign-in, a
        refused access) commit what was recorded and re-raise; otherwise roll back."""

        with self.sessionmaker() as session:
            try:
                yield session
            except LiaisonError as exc:
                if exc.keep_changes:
                    session.commit()
                else:
                    session.rollback()
                raise
            except BaseException:
                session.rollback()
                raise
            else:
                session.commit()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back otherwise."""
        with self.sessionmaker() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


_T = TypeVar("_T")


def per_transaction(session: Session, key: str, compute: Callable[[], _T]) -> _T:
    """Compute a value once per transaction of `session` (e.g. the directory in force, a key
    record): hot paths ask many times, and nothing they look up changes inside one transaction
    in a way that matters to them. A new transaction computes afresh."""
    transaction = session.get_transaction()
    memo = session.info.setdefault("per_transaction", {})
    found = memo.get(key)
    if found is not None and found[0] is transaction:
        return cast(_T, found[1])
    value = compute()
    memo[key] = (transaction, value)
    return value


def forget_per_transaction(session: Session, prefix: str) -> None:
    """Drop memoised values after a change that makes them stale (a new key, a new directory)."""
    memo = session.info.get("per_transaction", {})
    for key in [k for k in memo if k.startswith(prefix)]:
        del memo[key]
