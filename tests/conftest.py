"""Shared fixtures: one database per run built by the real migrations, emptied after each test.

The suite runs on SQLite by default and on PostgreSQL when LIAISON_TEST_DATABASE_URL is set
(bin/tests starts a throwaway server and runs it both ways).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from liaison import composition
from liaison.accounts import service as accounts
from liaison.accounts.models import User
from liaison.accounts.schemas import UserCreate
from liaison.app import create_app
from liaison.audit.context import AuditContext, Channel
from liaison.authorities import service as authorities
from liaison.authorities.models import Authority
from liaison.authorities.schemas import AuthorityCreate
from liaison.config import Settings, load_settings
from liaison.core.clock import FakeClock
from liaison.core.permissions import AuthorityRole, Role
from liaison.db import migrate
from liaison.keyring import service as keyring
from liaison.node import Node

# What every entry point does first: the envelope kinds and their handlers, registered once.
composition.assemble()

PASSWORD = "correct-horse-battery-staple"
TEST_KEK = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64


def _not_on_the_event_loop(*_args: object) -> None:
    """SQLAlchemy here is synchronous: a statement run on a thread with a running event loop
    (an `async def` route doing database work in line) would stall every other request."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise AssertionError("a database statement ran on the event loop; use a sync route or a thread")


@pytest.fixture(scope="session", autouse=True)
def _database_work_stays_off_the_event_loop() -> Iterator[None]:
    event.listen(Engine, "before_cursor_execute", _not_on_the_event_loop)
    yield
    event.remove(Engine, "before_cursor_execute", _not_on_the_event_loop)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LIAISON_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str, data_dir: Path) -> dict[str, str]:
    """Environment of a configured node: what the CLI subprocesses and load_settings() read."""
    values = {
        "LIAISON_ENV": "dev",
        "LIAISON_DATA_DIR": str(data_dir),
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_KEK": TEST_KEK,
    }
    for name in list(os.environ):
        if name.startswith("LIAISON_") and name not in values:
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def node(settings: Settings, clock: FakeClock) -> Iterator[Node]:
    node = Node.from_settings(settings, clock=clock)
    with node.db.session() as session:
        keyring.ensure_keys(
            session=session, kek=node.kek, authority_id=None, ctx=system_ctx(), clock=clock
        )
    yield node
    _empty_all_tables(node)
    node.db.dispose()


def _empty_all_tables(node: Node) -> None:
    with node.db.engine.begin() as conn:
        tables = [t.name for t in reversed(composition.metadata().sorted_tables)]
        if node.db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - table names from our metadata


def system_ctx() -> AuditContext:
    return AuditContext(actor="test", channel=Channel.system)


@pytest.fixture
def session(node: Node) -> Iterator[Session]:
    with node.db.session() as session:
        yield session


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node=node)) as test_client:
        yield test_client


class Factory:
    """Builds authorities and users through the real services, committing each."""

    def __init__(self, node: Node) -> None:
        self.node = node

    def authority(
        self, authority_id: str = "vn-mps", state: str = "VN", *, require_totp: bool = False
    ) -> Authority:
        with self.node.db.session() as session:
            return authorities.create(
                session=session,
                data=AuthorityCreate(
                    id=authority_id,
                    state=state,
                    names={"en": f"Authority {authority_id}"},
                    roles=[AuthorityRole.central_authority],
                    accepted_languages=["en"],
                    require_totp=require_totp,
                ),
                kek=self.node.kek,
                ctx=system_ctx(),
                clock=self.node.clock,
            )

    def user(
        self, username: str, authority_id: str = "vn-mps", *roles: Role, node_admin: bool = False
    ) -> User:
        with self.node.db.session() as session:
            return accounts.create(
                session=session,
                authority_id=authority_id,
                data=UserCreate(
                    username=username,
                    display_name=username,
                    password=PASSWORD,
                    roles=list(roles) or [Role.officer],
                ),
                ctx=system_ctx(),
                node_admin=node_admin,
                clock=self.node.clock,
            )

    def token(self, client: TestClient, username: str, totp: str | None = None) -> dict[str, str]:
        body = {"username": username, "password": PASSWORD}
        if totp:
            body["totp"] = totp
        response = client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def factory(node: Node) -> Factory:
    return Factory(node)
