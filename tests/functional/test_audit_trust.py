"""What someone with the database (and not the KEK) can do to the audit log, and what
`audit verify` then says: every case that passed before the log was sealed, a Merkle tree and
checked against the directory's key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from liaison.audit import service as audit
from liaison.audit.models import AuditEntry
from liaison.checkpoints import service as checkpoints
from liaison.checkpoints import verify as audit_log
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import FakeClock
from liaison.crypto import keys, notes
from liaison.keyring.models import StoredKey
from liaison.node import Node
from tests.cli import run_cli
from tests.conftest import system_ctx
from tests.trust import grow, judge, publish_self, raw, recompute_chain


@pytest.fixture
def trusted(node: Node, clock: FakeClock) -> Node:
    publish_self(node)
    grow(node, clock, 120)
    report = judge(node)
    assert report.ok, report.all_problems
    assert report.local.checkpoints == 1
    return node


def test_the_intact_log_is_vouched_for_by_the_directory_key(trusted: Node) -> None:
    report = judge(trusted)
    assert report.local.newest_size == 100
    assert report.local.entries >= 120


def test_an_edit_with_the_chain_recomputed_is_named_at_the_edited_entry(trusted: Node) -> None:
    raw(trusted, "UPDATE audit_entries SET target = 'item:other' WHERE seq = 31")
    recompute_chain(trusted)
    report = judge(trusted)
    assert not report.ok
    assert report.local.first is not None
    assert report.local.first.seq == 31, report.all_problems
    assert "seal" in report.local.first.reason


def test_an_edit_after_the_last_checkpoint_is_caught(trusted: Node) -> None:
    raw(trusted, "UPDATE audit_entries SET target = 'item:other' WHERE seq = 110")
    recompute_chain(trusted)
    report = judge(trusted)
    assert report.local.first is not None
    assert report.local.first.seq == 110


def test_a_deletion_with_the_rest_renumbered_is_caught(trusted: Node) -> None:
    raw(trusted, "DELETE FROM audit_entries WHERE seq = 40")
    recompute_chain(trusted)
    report = judge(trusted)
    assert report.local.first is not None
    assert report.local.first.seq == 40


def test_a_reordering_with_the_chain_recomputed_is_caught(trusted: Node) -> None:
    raw(trusted, "UPDATE audit_entries SET seq = -1 WHERE seq = 50")
    raw(trusted, "UPDATE audit_entries SET seq = 50 WHERE seq = 51")
    raw(trusted, "UPDATE audit_entries SET seq = 51 WHERE seq = -1")
    recompute_chain(trusted)
    report = judge(trusted)
    assert report.local.first is not None
    assert report.local.first.seq == 50


def test_deleting_the_checkpoints_fails_the_log(trusted: Node) -> None:
    raw(trusted, "DELETE FROM audit_checkpoints")
    report = judge(trusted)
    assert not report.ok
    assert any("no signed checkpoint" in p.reason for p in report.all_problems)


def test_deleting_the_tail_and_its_checkpoints_fails_the_log(
    trusted: Node, clock: FakeClock
) -> None:
    # Another 100 entries and the checkpoint over them, then the heartbeats of an hour and more.
    grow(trusted, clock, 100)
    with trusted.db.session() as session:
        cp = checkpoints.newest(session)
        assert cp is not None
        assert cp.seq >= 200
    for _ in range(3):
        clock.advance(timedelta(minutes=30))
        with trusted.db.session() as session:
            checkpoints.checkpoint(
                session=session,
                kek=trusted.kek,
                origin=trusted.settings.node_name,
                clock=clock,
                refresh_after=timedelta(minutes=5),
            )
    assert judge(trusted).ok
    # The last 120 entries (downloads) go, the head is moved back, and so are the checkpoints
    # that covered them: what is left is an intact log whose newest checkpoint is old.
    with trusted.db.session() as session:
        last = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
        assert last is not None
        keep = last - 120
        kept_hash = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == keep))
    raw(trusted, "DELETE FROM audit_entries WHERE seq > :k", k=keep)
    raw(trusted, "DELETE FROM audit_checkpoints WHERE seq > :k", k=keep)
    raw(trusted, "UPDATE audit_head SET seq = :k, hash = :h", k=keep, h=kept_hash)
    report = judge(trusted)
    assert not report.ok
    assert any("newest checkpoint" in p.reason for p in report.all_problems), report.all_problems


def test_deleting_the_tail_under_a_kept_checkpoint_is_named(trusted: Node) -> None:
    with trusted.db.session() as session:
        kept_hash = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == 90))
    raw(trusted, "DELETE FROM audit_entries WHERE seq > 90")
    raw(trusted, "UPDATE audit_head SET seq = 90, hash = :h", h=kept_hash)
    report = judge(trusted)
    assert report.local.first is not None, report.all_problems
    assert report.local.first.seq == 91, report.all_problems
    assert "missing" in report.local.first.reason


def test_entries_beyond_the_bound_after_the_newest_checkpoint_fail(
    trusted: Node, clock: FakeClock
) -> None:
    report = judge(trusted, max_unchecked=5)
    assert not report.ok
    assert report.local.first is not None
    assert report.local.first.seq == 101


def test_a_planted_key_row_signs_nothing_the_directory_trusts(trusted: Node) -> None:
    # The attacker rewrites entry 31 and everything after (seals aside: this is about the key),
    # deletes the checkpoints and signs new ones with a key row of their own.
    pair = keys.generate("signing")
    with trusted.db.session() as session:
        session.add(
            StoredKey(
                id="planted",
                authority_id=None,
                purpose="signing",
                algorithm="Ed25519",
                public_key=keys.b64u(pair.public_raw),
                private_key_enc=b"",
                created_at=trusted.clock.now(),
            )
        )
    raw(trusted, "DELETE FROM audit_checkpoints")
    with trusted.db.session() as session:
        cp = checkpoints.newest(session)
        assert cp is None
        head = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
        body = notes.Checkpoint(trusted.settings.node_name, head or 0, b"\x00" * 32)
        note = notes.sign(
            body.text(), name=trusted.settings.node_name, private_raw=pair.private_raw
        )
        session.add(
            AuditCheckpoint(
                seq=head,
                hash="sha256:" + "0" * 64,
                at=trusted.clock.now(),
                key_id="planted",
                root="sha256:" + "00" * 32,
                note=note.render(),
                frontier=None,
            )
        )
    report = judge(trusted)
    assert not report.ok
    assert any("not signed by a trusted log key" in p.reason for p in report.all_problems)


def test_an_altered_checkpoint_signature_is_caught(trusted: Node) -> None:
    with trusted.db.session() as session:
        cp = checkpoints.newest(session)
        assert cp is not None
        assert cp.note is not None
        cp_id, note = cp.id, cp.note
    forged = note.replace("\n100\n", "\n99\n")
    raw(trusted, "UPDATE audit_checkpoints SET note = :n WHERE id = :i", n=forged, i=cp_id)
    report = judge(trusted)
    assert any("not signed by a trusted log key" in p.reason for p in report.all_problems)


def test_a_rewrite_with_the_kek_and_the_log_key_passes_every_local_check(trusted: Node) -> None:
    """The limit of local verification, which only the witnesses close (test_witnesses)."""
    raw(trusted, "UPDATE audit_entries SET target = 'item:other' WHERE seq = 31")
    with trusted.db.session() as session:
        key = session.info["audit_seal_key"]
    recompute_chain(trusted, seal_key=key)
    raw(trusted, "DELETE FROM audit_checkpoints")
    with trusted.db.session() as session:
        checkpoints.checkpoint(
            session=session, kek=trusted.kek, origin=trusted.settings.node_name, clock=trusted.clock
        )
    assert judge(trusted).ok


def test_without_a_pinned_directory_nothing_is_vouched_for(node: Node, clock: FakeClock) -> None:
    grow(node, clock, 3)
    report = judge(node)
    assert not report.ok
    assert any("pinned" in p.reason for p in report.problems)


def test_entries_from_before_sealing_are_sealed_once(node: Node, clock: FakeClock) -> None:
    grow(node, clock, 5)
    raw(node, "UPDATE audit_entries SET seal = NULL")
    with node.db.session() as session:
        assert audit.seal_legacy_entries(session=session, ctx=system_ctx(), clock=clock) >= 5
    with node.db.session() as session:
        assert audit_log.check_chain(session=session).ok
    # Once sealed, an unsealed entry is an alteration: never sealed after the fact.
    raw(node, "UPDATE audit_entries SET seal = NULL WHERE seq = 3")
    with node.db.session() as session:
        assert audit.seal_legacy_entries(session=session, ctx=system_ctx(), clock=clock) == 0
    report = judge(node)
    assert report.local.first is not None
    assert report.local.first.seq == 3
    assert "not sealed" in report.local.first.reason


def test_cli_verify_names_the_source_of_trust(
    node: Node, env: dict[str, str], clock: FakeClock
) -> None:
    grow(node, clock, 3)
    untrusted = run_cli(env, "audit", "verify")
    assert untrusted.returncode == 1
    assert "LIAISON_DIRECTORY_OPERATOR_KEY" in untrusted.stderr
    publish_self(node, env)
    assert run_cli(env, "audit", "checkpoint").returncode == 0
    ok = run_cli(env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "signed by the log key the directory publishes" in ok.stdout
    raw(node, "DELETE FROM audit_checkpoints")
    failed = run_cli(env, "audit", "verify")
    assert failed.returncode == 1
    assert "no signed checkpoint" in failed.stderr
