"""Several nodes in one test process, each with its own database, joined by a signed directory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from liaison import composition
from liaison.audit.context import AuditContext, Channel
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityCreate
from liaison.config import load_settings
from liaison.core.clock import Clock
from liaison.core.permissions import AuthorityRole
from liaison.db import migrate
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.federation.transport import LoopbackTransport
from liaison.keyring import service as keyring
from liaison.node import Node
from tests.conftest import _empty_all_tables

KEK = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CTX = AuditContext(actor="test", channel=Channel.system)


@contextmanager
def extra_databases(base_url: str, tmp: Path, count: int) -> Iterator[list[str]]:
    """`count` empty, migrated databases beside the test database (same server for PostgreSQL)."""
    if not base_url.startswith("postgresql"):
        urls = [f"sqlite:///{tmp / f'node{i}.sqlite3'}" for i in range(count)]
        for url in urls:
            migrate.upgrade(url)
        yield urls
        return
    names = [f"node_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [make_url(base_url).set(database=n).render_as_string(hide_password=False) for n in names]
    try:
        for url in urls:
            migrate.upgrade(url)
        yield urls
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def endpoint_of(nodes: dict[str, Node], authority_id: str) -> str:
    """A loopback URL per node; the LoopbackTransport routes it without a network."""
    return f"http://127.0.0.1:{9100 + list(nodes).index(authority_id)}"


@dataclass
class Net:
    nodes: dict[str, Node]  # authority id → the node hosting it
    transport: LoopbackTransport
    operator_private: bytes
    operator_kid: str
    version: int = 1
    # Authorities hosted beside another on its node (its id → theirs), published with it.
    hosted: dict[str, set[str]] = field(default_factory=dict)

    def publish(self, *, revoked: list[document.RevokedKey] | None = None) -> None:
        """Sign a new directory version from every node's entries and import it everywhere."""
        entries, logs = [], []
        for authority_id, node in self.nodes.items():
            with node.db.session() as session:
                logs.append(
                    operator.local_log(
                        session=session,
                        origin=node.settings.node_name,
                        endpoint=endpoint_of(self.nodes, authority_id),
                    )
                )
                entries += [
                    e
                    for e in operator.local_entries(
                        session=session,
                        endpoint=endpoint_of(self.nodes, authority_id),
                        kinds=composition.kind_names(),
                    )
                    if e.id == authority_id or e.id in self.hosted.get(authority_id, set())
                ]
        clock = next(iter(self.nodes.values())).clock
        doc = operator.build_document(
            operator="test-operator",
            version=self.version,
            entries=entries,
            revoked=revoked or [],
            issued_at=clock.now(),
            logs=logs,
        )
        token = document.sign_directory(
            doc=doc, operator_private_raw=self.operator_private, operator_kid=self.operator_kid
        )
        for node in self.nodes.values():
            with node.db.session() as session:
                directory.import_document(
                    session=session,
                    token=token,
                    pinned_operator_public_raw=operator.operator_public_raw(self.operator_private),
                    ctx=CTX,
                    clock=node.clock,
                )
        self.version += 1


def build_net(urls: list[str], tmp: Path, authority_ids: list[str], clock: Clock) -> Net:
    nodes: dict[str, Node] = {}
    private, public, kid = operator.new_operator_key()
    for i, (url, authority_id) in enumerate(zip(urls, authority_ids, strict=True)):
        data = tmp / f"data{i}"
        data.mkdir(exist_ok=True)
        settings = load_settings(
            data_dir=data,
            database_url=url,
            kek=KEK,
            node_name=f"node-{i}",
            directory_operator_key=public,
        )
        node = Node.from_settings(settings, clock=clock)
        with node.db.session() as session:
            keyring.ensure_keys(
                session=session, kek=node.kek, authority_id=None, ctx=CTX, clock=clock
            )
            authorities.create(
                session=session,
                data=AuthorityCreate(
                    id=authority_id,
                    state=authority_id[:2].upper(),
                    names={"en": authority_id},
                    roles=[AuthorityRole.central_authority],
                    accepted_languages=["en"],
                ),
                kek=node.kek,
                ctx=CTX,
                clock=clock,
            )
        nodes[authority_id] = node
    transport = LoopbackTransport({endpoint_of(nodes, a): n for a, n in nodes.items()})
    net = Net(nodes=nodes, transport=transport, operator_private=private, operator_kid=kid)
    net.publish()
    return net


def empty(node: Node) -> None:

    _empty_all_tables(node)
    node.db.dispose()
