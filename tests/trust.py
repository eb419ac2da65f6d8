"""A directory for one node alone: its authorities and its audit log, signed by a fresh
operator key that the node then pins. What `audit verify` needs to judge the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from liaison.audit import service as audit
from liaison.audit.chain import GENESIS, entry_hash
from liaison.audit.models import AuditEntry
from liaison.checkpoints import service as checkpoints
from liaison.core.clock import FakeClock
from liaison.core.permissions import AuditAction
from liaison.crypto import seal
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.node import Node
from liaison.transparency import verify as witnessed
from liaison.transparency.client import WitnessSource
from tests.conftest import system_ctx

ENDPOINT = "http://127.0.0.1:9"
EVERY = 100


def publish_self(
    node: Node, env: dict[str, str] | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[bytes, str]:
    """Publish and import the node's own directory; pin the operator key in node.settings (and
    in `env` and the process environment, for CLI runs). Returns (operator private, public)."""
    private, public, kid = operator.new_operator_key()
    with node.db.session() as session:
        entries = operator.local_entries(session=session, endpoint=ENDPOINT, kinds=["ping", "note"])
        log = operator.local_log(session=session, origin=node.settings.node_name, endpoint=ENDPOINT)
        version = (directory.current_version(session=session) or 0) + 1
        doc = operator.build_document(
            operator="test-operator",
            version=version,
            entries=entries,
            revoked=[],
            issued_at=node.clock.now(),
            logs=[log],
        )
        token = document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid)
        directory.import_document(
            session=session,
            token=token,
            pinned_operator_public_raw=operator.operator_public_raw(private),
            ctx=system_ctx(),
            clock=node.clock,
        )
    node.settings = node.settings.model_copy(update={"directory_operator_key": public})
    if env is not None:
        env["LIAISON_DIRECTORY_OPERATOR_KEY"] = public
    if monkeypatch is not None:
        monkeypatch.setenv("LIAISON_DIRECTORY_OPERATOR_KEY", public)
    return private, public


def grow(node: Node, clock: FakeClock, n: int) -> None:
    """n entries, a checkpoint every EVERY entries (as the request boundary signs them)."""
    for i in range(n):
        with node.db.session() as session:
            audit.record(
                session=session,
                ctx=system_ctx(),
                action=AuditAction.evidence_item_downloaded,
                target=f"item:{i}",
                detail={"i": i},
                clock=clock,
            )
            checkpoints.maybe_checkpoint(
                session=session,
                kek=node.kek,
                origin=node.settings.node_name,
                every=EVERY,
                clock=clock,
            )
        clock.advance(timedelta(seconds=1))


def judge(
    node: Node, *, max_unchecked: int = 1000, witnesses: WitnessSource | None = None
) -> witnessed.Report:
    with node.db.session() as session:
        return witnessed.verify(
            session=session,
            settings=node.settings,
            now=node.clock.now(),
            max_age=timedelta(hours=1),
            max_unchecked=max_unchecked,
            witnesses=witnesses,
        )


def raw(node: Node, sql: str, **params: object) -> None:
    with node.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def recompute_chain(node: Node, *, seal_key: bytes | None = None) -> None:
    """What an attacker does after an edit: every hash recomputed from the first entry on (and,
    holding the KEK, every seal), the head moved to the new last hash."""
    with node.db.session() as session:
        prev, expected = GENESIS, 1
        for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            row.seq = expected
            fields = {
                c.key: getattr(row, c.key)
                for c in AuditEntry.__mapper__.column_attrs
                if c.key not in ("hash", "seal")
            }
            fields["prev_hash"] = prev
            row.prev_hash = prev
            row.hash = entry_hash(**fields)
            if seal_key is not None:
                row.seal = seal.seal(seal_key, row.hash.encode())
            prev, expected = row.hash, expected + 1
        session.execute(
            text("UPDATE audit_head SET seq = :n, hash = :h"), {"n": expected - 1, "h": prev}
        )
