"""The audit chain catches every kind of edit made behind the code's back (raw SQL)."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from liaison.audit import service as audit
from liaison.audit.chain import GENESIS, entry_hash
from liaison.audit.models import AuditEntry
from liaison.checkpoints import service as checkpoints
from liaison.checkpoints import verify as audit_log
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import FakeClock
from liaison.core.errors import Conflict
from liaison.core.permissions import AuditAction
from liaison.node import Node
from tests.cli import run_cli
from tests.conftest import system_ctx
from tests.trust import publish_self


def write(node: Node, n: int) -> None:
    with node.db.session() as session:
        for i in range(n):
            audit.record(
                session=session,
                ctx=system_ctx(),
                action=AuditAction.authority_user_updated,
                target=f"user:{i}",
                detail={"i": i, "password": "hunter2"},
                clock=node.clock,
            )


def verify(node: Node) -> audit_log.VerifyReport:
    with node.db.session() as session:
        return audit_log.check_chain(session=session)


def raw(node: Node, sql: str, **params: object) -> None:
    with node.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def liaison_verify(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(env, "audit", "verify")


def test_intact_chain_verifies_and_secrets_are_redacted(node: Node, env: dict[str, str]) -> None:
    write(node, 12)
    publish_self(node, env)
    assert run_cli(env, "audit", "checkpoint").returncode == 0
    report = verify(node)
    assert report.ok, report.problems
    assert report.entries >= 12
    with node.db.session() as session:
        details = [e.detail for e in session.scalars(select(AuditEntry))]
    assert all(d.get("password") in (None, "[redacted]") for d in details)
    result = liaison_verify(env)
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def first_entries(node: Node) -> list[int]:
    with node.db.session() as session:
        return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


@pytest.mark.parametrize("kind", ["edit", "delete", "insert", "reorder", "edit-time", "edit-hash"])
def test_tampering_is_caught_and_named(node: Node, env: dict[str, str], kind: str) -> None:
    write(node, 10)
    seqs = first_entries(node)
    victim = seqs[len(seqs) // 2]
    if kind == "edit":
        raw(node, "UPDATE audit_entries SET target = 'user:someone-else' WHERE seq = :s", s=victim)
        expected = victim
    elif kind == "edit-time":
        raw(
            node,
            "UPDATE audit_entries SET at = :t WHERE seq = :s",
            s=victim,
            t="2020-01-01 00:00:00",
        )
        expected = victim
    elif kind == "edit-hash":
        raw(
            node,
            "UPDATE audit_entries SET hash = :h WHERE seq = :s",
            s=victim,
            h="sha256:" + "1" * 64,
        )
        expected = victim
    elif kind == "delete":
        raw(node, "DELETE FROM audit_entries WHERE seq = :s", s=victim)
        expected = victim
    elif kind == "insert":
        # Make room by shifting the tail, then insert a forged entry where victim was.
        with node.db.session() as session:
            row = session.get(AuditEntry, victim)
            assert row is not None
            forged = {c.name: getattr(row, c.key) for c in AuditEntry.__table__.columns}
        raw(node, "UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= :s", s=victim)
        raw(node, "UPDATE audit_entries SET seq = seq - 999 WHERE seq >= :s", s=victim + 1000)
        with node.db.session() as session:
            forged["target"] = "user:inserted"
            forged["hash"] = "sha256:" + "2" * 64
            session.add(AuditEntry(**forged))
        expected = victim
    else:  # reorder: swap two neighbours' positions
        raw(node, "UPDATE audit_entries SET seq = -1 WHERE seq = :s", s=victim)
        raw(node, "UPDATE audit_entries SET seq = :s WHERE seq = :t", s=victim, t=victim + 1)
        raw(node, "UPDATE audit_entries SET seq = :t WHERE seq = -1", t=victim + 1)
        expected = victim
    report = verify(node)
    assert not report.ok
    assert report.first is not None
    assert report.first.seq == expected, report.problems
    result = liaison_verify(env)
    assert result.returncode == 1
    assert f"first bad entry {expected}" in result.stderr


def test_deleting_the_tail_is_caught_by_the_head_and_checkpoint(
    node: Node, env: dict[str, str]
) -> None:
    write(node, 6)
    with node.db.session() as session:
        cp = checkpoints.checkpoint(session=session, kek=node.kek, origin="t", clock=node.clock)
        assert cp is not None
    last = first_entries(node)[-1]
    raw(node, "DELETE FROM audit_entries WHERE seq = :s", s=last)
    report = verify(node)
    assert not report.ok
    assert report.first is not None
    assert report.first.seq == last
    assert liaison_verify(env).returncode == 1


def test_rewriting_the_chain_without_the_kek_is_caught_at_the_edited_entry(node: Node) -> None:
    write(node, 5)
    with node.db.session() as session:
        assert checkpoints.checkpoint(session=session, kek=node.kek, origin="t", clock=node.clock)
    # An attacker without the node key edits entry 2 and recomputes every hash after it.

    raw(node, "UPDATE audit_entries SET target = 'user:rewritten' WHERE seq = 2")
    with node.db.session() as session:
        prev = GENESIS
        for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            fields = {
                c.key: getattr(row, c.key)
                for c in AuditEntry.__mapper__.column_attrs
                if c.key not in ("hash", "seal")
            }
            fields["prev_hash"] = prev
            row.prev_hash = prev
            row.hash = entry_hash(**fields)
            prev = row.hash
        session.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = verify(node)
    assert not report.ok
    # The hashes were recomputed; the seals cannot be without the KEK.
    assert report.first is not None, report.problems
    assert report.first.seq == 2, report.problems
    assert "seal" in report.first.reason


def test_rolled_back_change_leaves_no_entry(node: Node) -> None:
    before = verify(node).entries

    def failing_change() -> None:
        with node.db.session() as session:
            audit.record(
                session=session,
                ctx=system_ctx(),
                action=AuditAction.authority_user_created,
                target="user:x",
                clock=node.clock,
            )
            raise Conflict("the change fails after its audit entry was written")

    with pytest.raises(Conflict):
        failing_change()
    after = verify(node)
    assert after.ok
    assert after.entries == before


def test_checkpoints_are_written_every_n_entries(node: Node, clock: FakeClock) -> None:
    with node.db.session() as session:
        for _ in range(3):
            audit.record(
                session=session,
                ctx=system_ctx(),
                action=AuditAction.auth_login_failed,
                target="username:x",
                clock=clock,
            )
            clock.advance(timedelta(seconds=1))
    with node.db.session() as session:
        assert (
            checkpoints.maybe_checkpoint(
                session=session, kek=node.kek, origin="t", every=100, clock=clock
            )
            is None
        )
        assert (
            checkpoints.maybe_checkpoint(
                session=session, kek=node.kek, origin="t", every=2, clock=clock
            )
            is not None
        )
    with node.db.session() as session:
        assert len(list(session.scalars(select(AuditCheckpoint)))) == 1


def test_service_offers_no_update_or_delete_of_audit_rows() -> None:
    exported = [name for name in dir(audit) if not name.startswith("_")]
    assert not [
        n
        for n in exported
        if any(w in n.lower() for w in ("delete", "update_entry", "remove", "edit"))
    ]


def test_concurrent_appenders_keep_one_chain(node: Node) -> None:

    def worker() -> None:
        for _ in range(10):
            with node.db.session() as session:
                audit.record(
                    session=session,
                    ctx=system_ctx(),
                    action=AuditAction.auth_login_failed,
                    target="username:race",
                    clock=node.clock,
                )

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify(node)
    assert report.ok, report.problems
    with node.db.session() as session:
        count = session.scalar(
            text("SELECT count(*) FROM audit_entries WHERE target = 'username:race'")
        )
    assert count == 40


def test_savepoints_keep_the_chain_whole(node: Node) -> None:
    """Appends before a savepoint, a savepoint rolled back, one released, more appends: the head
    row is written once per transaction and the chain still verifies."""
    with node.db.session() as session:
        audit.record(
            session=session,
            ctx=system_ctx(),
            action=AuditAction.auth_login_failed,
            target="a",
            clock=node.clock,
        )

        def undone() -> None:
            with audit.savepoint(session):
                audit.record(
                    session=session,
                    ctx=system_ctx(),
                    action=AuditAction.auth_login_failed,
                    target="undone",
                    clock=node.clock,
                )
                raise Conflict("rolled back")

        with pytest.raises(Conflict):
            undone()
        with audit.savepoint(session):
            audit.record(
                session=session,
                ctx=system_ctx(),
                action=AuditAction.auth_login_failed,
                target="kept",
                clock=node.clock,
            )
        audit.record(
            session=session,
            ctx=system_ctx(),
            action=AuditAction.auth_login_failed,
            target="after",
            clock=node.clock,
        )
    report = verify(node)
    assert report.ok, report.problems
    with node.db.session() as session:
        targets = list(session.scalars(select(AuditEntry.target).order_by(AuditEntry.seq)))
    assert targets[-3:] == ["a", "kept", "after"]


def test_a_bare_savepoint_over_unwritten_appends_is_refused(node: Node) -> None:
    with node.db.session() as session:
        audit.record(
            session=session,
            ctx=system_ctx(),
            action=AuditAction.auth_login_failed,
            target="a",
            clock=node.clock,
        )
        with pytest.raises(RuntimeError, match=r"audit\.savepoint"):
            session.begin_nested()
        session.rollback()
