"""Two nodes, two databases, one signed directory; delivery through the real inbox code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from liaison import composition, worker
from liaison.audit.models import AuditEntry
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityCreate
from liaison.checkpoints import verify as audit_log
from liaison.checkpoints.models import AuditCheckpoint
from liaison.core.clock import FakeClock
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuthorityRole
from liaison.federation import delivery, messages, outbox
from liaison.federation.models import InboxEnvelope, Message, OutboxEnvelope
from liaison.node import Node
from liaison.transparency import verify as witnessed
from tests.federation_net import CTX, Net, build_net, empty, extra_databases


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("fed"), 2) as urls:
        yield urls


@pytest.fixture
def net(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Net]:
    net = build_net(node_urls, tmp_path, ["vn-mps", "ru-gpo"], clock)
    yield net
    for node in net.nodes.values():
        empty(node)


def count(node: Node, model: type, **where: object) -> int:
    with node.db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def send(net: Net, text: str, thread: str | None = None) -> Message:
    vn = net.nodes["vn-mps"]
    with vn.db.session() as session:
        return messages.send_note(
            session=session,
            sender="vn-mps",
            recipient="ru-gpo",
            text=text,
            ctx=CTX,
            thread=thread,
            clock=vn.clock,
        )


def drain(net: Net, node_id: str = "vn-mps") -> delivery.RunStats:
    return delivery.deliver_once(net.nodes[node_id], net.transport)


def test_note_round_trip_with_verified_receipt(net: Net) -> None:
    note = send(net, "Xin chào — Привет")
    stats = drain(net)
    assert stats.delivered == 1
    ru = net.nodes["ru-gpo"]
    with ru.db.session() as session:
        received = messages.thread_messages(
            session=session, authority_id="ru-gpo", thread=note.thread
        )
    assert [(m.direction, m.text) for m in received] == [("in", "Xin chào — Привет")]
    with net.nodes["vn-mps"].db.session() as session:
        row = session.get(OutboxEnvelope, note.id)
        assert row is not None
        assert row.status == "delivered"
        assert row.receipt is not None
    assert count(ru, AuditEntry, action="federation:envelope:accepted") == 1
    for node in net.nodes.values():
        with node.db.session() as session:
            assert audit_log.check_chain(session=session).ok


def test_ping_is_answered_by_pong(net: Net) -> None:
    vn, ru = net.nodes["vn-mps"], net.nodes["ru-gpo"]
    with vn.db.session() as session:
        ping = messages.send_ping(
            session=session, sender="vn-mps", recipient="ru-gpo", ctx=CTX, clock=vn.clock
        )
    drain(net, "vn-mps")
    assert drain(net, "ru-gpo").delivered == 1
    with vn.db.session() as session:
        thread = messages.thread_messages(
            session=session, authority_id="vn-mps", thread=ping.thread
        )
    assert [(m.direction, m.kind) for m in thread] == [("out", "ping"), ("in", "pong")]
    assert thread[1].in_reply_to == ping.id
    with ru.db.session() as session:
        other = messages.thread_messages(session=session, authority_id="ru-gpo", thread=ping.thread)
    assert [(m.direction, m.kind) for m in other] == [("in", "ping"), ("out", "pong")]


def test_duplicate_delivery_gets_identical_receipt_and_changes_nothing(net: Net) -> None:
    note = send(net, "once")
    drain(net)
    vn, ru = net.nodes["vn-mps"], net.nodes["ru-gpo"]
    with vn.db.session() as session:
        row = session.get(OutboxEnvelope, note.id)
        assert row is not None
        wire, first_receipt = row.wire, row.receipt
    assert wire is not None
    before = count(ru, AuditEntry)
    again = net.transport.deliver(endpoint="http://127.0.0.1:9101", wires=[wire])
    assert again == [first_receipt]
    assert count(ru, Message) == 1
    assert count(ru, InboxEnvelope) == 1
    assert count(ru, AuditEntry) == before


def test_unreachable_peer_queues_then_delivers_in_order(net: Net, clock: FakeClock) -> None:
    net.transport.down.add("http://127.0.0.1:9101")
    first = send(net, "one")
    for text in ("two", "three", "four"):
        send(net, text, thread=first.thread)
    stats = drain(net)
    assert stats.retried == 4
    assert stats.delivered == 0
    assert count(net.nodes["vn-mps"], OutboxEnvelope, status="pending") == 4
    # still down after the backoff: nothing lost, still queued
    clock.advance(timedelta(seconds=5))
    drain(net)
    net.transport.down.clear()
    # the peer is back, but the envelopes wait for their backoff to run out
    clock.advance(timedelta(minutes=10))
    while drain(net).delivered:
        pass
    ru = net.nodes["ru-gpo"]
    with ru.db.session() as session:
        received = messages.thread_messages(
            session=session, authority_id="ru-gpo", thread=first.thread
        )
        arrival = list(
            session.scalars(
                select(InboxEnvelope.envelope_id).order_by(
                    InboxEnvelope.received_at, InboxEnvelope.envelope_id
                )
            )
        )
    assert [m.text for m in received] == ["one", "two", "three", "four"]
    assert arrival == [m.id for m in received]


def test_waiting_envelope_holds_back_its_thread(net: Net, clock: FakeClock) -> None:
    net.transport.down.add("http://127.0.0.1:9101")
    first = send(net, "first")
    drain(net)  # fails: "first" backs off
    net.transport.down.clear()
    send(net, "second", thread=first.thread)
    other = send(net, "another thread")
    stats = drain(net)
    # "second" waits behind "first"; the other thread is not held back
    assert stats.delivered == 1
    with net.nodes["vn-mps"].db.session() as session:
        assert session.get(OutboxEnvelope, other.id).status == "delivered"  # type: ignore[union-attr]
    clock.advance(timedelta(minutes=10))
    drain(net)
    with net.nodes["ru-gpo"].db.session() as session:
        texts = [
            m.text
            for m in messages.thread_messages(
                session=session, authority_id="ru-gpo", thread=first.thread
            )
        ]
    assert texts == ["first", "second"]


def test_envelope_waiting_past_the_freshness_window_is_resealed(net: Net, clock: FakeClock) -> None:
    net.transport.down.add("http://127.0.0.1:9101")
    note = send(net, "late")
    drain(net)
    net.transport.down.clear()
    clock.advance(timedelta(hours=2))
    assert drain(net).delivered == 1
    with net.nodes["vn-mps"].db.session() as session:
        row = session.get(OutboxEnvelope, note.id)
        assert row is not None
        assert len(row.digests) == 2


def test_worker_loop_signs_audit_checkpoints(net: Net) -> None:

    vn = net.nodes["vn-mps"]
    send(net, "checkpointed")
    fast = vn.settings.model_copy(update={"audit_checkpoint_seconds": 1.0})
    node = Node(settings=fast, db=vn.db, kek=vn.kek, clock=vn.clock)
    report = worker.run(node, composition.worker_loops(transport=net.transport), stop_after=1.2)
    # The note, and the checkpoint sent to the other node (its witness).
    assert report.done["witnesses"] >= 1
    assert report.done["outbox"] >= 2
    assert count(vn, AuditCheckpoint) >= 1
    with vn.db.session() as session:
        report = witnessed.verify(
            session=session,
            settings=vn.settings,
            now=vn.clock.now(),
            max_age=timedelta(hours=1),
            max_unchecked=1000,
        )
    assert report.ok, report.all_problems
    assert report.local.checkpoints >= 1


def test_an_envelope_that_can_never_be_sealed_fails_for_good_and_holds_back_nothing(
    net: Net, clock: FakeClock
) -> None:
    """It was retried forever, holding back every later envelope of its thread, another
    authority's included. Now it fails at once, visibly, and threads are per sender."""
    vn = net.nodes["vn-mps"]
    thread = new_id_str()
    with vn.db.session() as session:
        authorities.create(
            session=session,
            kek=vn.kek,
            data=AuthorityCreate(
                id="th-dsi",
                state="TH",
                names={"en": "DSI"},
                roles=[AuthorityRole.central_authority],
                accepted_languages=["en"],
            ),
            ctx=CTX,
            clock=clock,
        )
        bad = outbox.enqueue(
            session=session,
            sender="vn-mps",
            recipient="ru-gpo",
            kind="note",
            body={"text": "never"},
            thread=thread,
            envelope_id="not-a-uuidv7",
            clock=clock,
        )
        # Another sender's envelope of the same thread, backing off: not vn-mps's concern.
        waiting = outbox.enqueue(
            session=session,
            sender="th-dsi",
            recipient="ru-gpo",
            kind="note",
            body={"text": "later"},
            thread=thread,
            clock=clock,
        )
        waiting.next_attempt_at = clock.now() + timedelta(hours=1)
        good = outbox.enqueue(
            session=session,
            sender="vn-mps",
            recipient="ru-gpo",
            kind="note",
            body={"text": "after", "author": "test"},
            thread=thread,
            clock=clock,
        )
        session.commit()
        bad_id, good_id = bad.id, good.id
    stats = drain(net)
    assert (stats.rejected, stats.delivered) == (1, 1)
    with vn.db.session() as session:
        failed = session.get(OutboxEnvelope, bad_id)
        assert failed is not None
        assert failed.status == "failed"
        assert failed.last_error is not None
        assert failed.last_error.startswith("cannot be sealed")
        assert session.get_one(OutboxEnvelope, good_id).status == "delivered"
    assert count(vn, AuditEntry, action="federation:envelope:failed") == 1
    clock.advance(timedelta(hours=2))
    assert drain(net).delivered == 0  # failed is final: never tried again
