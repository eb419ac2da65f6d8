"""Three nodes witness each other's audit logs: checkpoints travel as envelopes, come back
cosigned, and a history rewritten with the node's own keys is caught by what the others hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from liaison.checkpoints import service as checkpoints
from liaison.core.clock import FakeClock
from liaison.directory import service as directory
from liaison.federation import delivery
from liaison.node import Node
from liaison.transparency import proofs, publish, trust
from liaison.transparency.client import LoopbackWitnesses
from liaison.transparency.models import LogCosignature, LogPeer, WitnessAlert, WitnessedCheckpoint
from tests.cli import run_cli
from tests.federation_net import KEK, Net, build_net, empty, endpoint_of, extra_databases
from tests.trust import grow, judge, raw, recompute_chain

IDS = ["vn-mps", "ru-gpo", "de-bka"]


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("witness"), 3) as urls:
        yield urls


@pytest.fixture
def net(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Net]:
    net = build_net(node_urls, tmp_path, IDS, clock)
    yield net
    for node in net.nodes.values():
        empty(node)


def witnesses(net: Net) -> LoopbackWitnesses:
    return LoopbackWitnesses({endpoint_of(net.nodes, a): n for a, n in net.nodes.items()})


def exchange(net: Net, origin: str = "vn-mps") -> None:
    """What the worker does: sign the log, send the checkpoint to every witness, deliver until
    the answers are back."""
    node = net.nodes[origin]
    with node.db.session() as session:
        checkpoints.checkpoint(
            session=session, kek=node.kek, origin=node.settings.node_name, clock=node.clock
        )
        publish.publish(session=session, origin=node.settings.node_name, clock=node.clock)
    for _ in range(4):
        if not sum(delivery.deliver_once(n, net.transport).delivered for n in net.nodes.values()):
            return
    raise AssertionError("the exchange did not settle")


def rows(node: Node, model: type) -> list[object]:
    with node.db.session() as session:
        return list(session.scalars(select(model)))


def rewrite_with_own_keys(node: Node) -> None:
    """Someone with the database, the KEK and so the node's log key: an entry edited, every hash
    and seal recomputed, the checkpoints and kept cosignatures replaced by a fresh one."""
    raw(node, "UPDATE audit_entries SET target = 'item:other' WHERE seq = 5")
    with node.db.session() as session:
        key = session.info["audit_seal_key"]
    recompute_chain(node, seal_key=key)
    raw(node, "DELETE FROM audit_checkpoints")
    raw(node, "DELETE FROM log_cosignatures")
    with node.db.session() as session:
        checkpoints.checkpoint(
            session=session, kek=node.kek, origin=node.settings.node_name, clock=node.clock
        )


def test_a_checkpoint_comes_back_cosigned_by_every_witness(net: Net, clock: FakeClock) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 20)
    exchange(net)
    with vn.db.session() as session:
        signed = checkpoints.newest(session)
        assert signed is not None
    for other in ("ru-gpo", "de-bka"):
        held = rows(net.nodes[other], WitnessedCheckpoint)
        assert [(r.origin, r.size, r.root) for r in held] == [  # type: ignore[attr-defined]
            ("node-0", signed.seq, signed.root)
        ]
    kept = rows(vn, LogCosignature)
    assert sorted(r.witness for r in kept) == ["node-1", "node-2"]  # type: ignore[attr-defined]
    report = judge(vn, witnesses=witnesses(net))
    assert report.ok, report.all_problems
    assert report.confirmed == {"node-1", "node-2"}


def test_a_grown_log_is_cosigned_after_a_consistency_proof(net: Net, clock: FakeClock) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 10)
    exchange(net)
    first = max(r.size for r in rows(net.nodes["ru-gpo"], WitnessedCheckpoint))  # type: ignore[attr-defined]
    grow(vn, clock, 15)
    exchange(net)
    sizes = sorted(r.size for r in rows(net.nodes["ru-gpo"], WitnessedCheckpoint))  # type: ignore[attr-defined]
    assert sizes[0] == first
    assert sizes[-1] > first
    assert not rows(net.nodes["ru-gpo"], WitnessAlert)
    assert judge(vn, witnesses=witnesses(net)).confirmed == {"node-1", "node-2"}


def test_a_rewrite_with_the_nodes_own_keys_is_caught_by_the_witnesses(
    net: Net, clock: FakeClock
) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 20)
    exchange(net)
    rewrite_with_own_keys(vn)
    # Alone, the node cannot tell: every local check passes.
    assert judge(vn).ok
    report = judge(vn, witnesses=witnesses(net))
    assert not report.ok
    rewritten = [p.reason for p in report.problems if "history was rewritten" in p.reason]
    assert len(rewritten) == 2, report.all_problems
    assert not report.confirmed


def test_witnesses_raise_an_alert_on_a_fork_and_the_log_hears_of_it(
    net: Net, clock: FakeClock
) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 20)
    exchange(net)
    kept = rows(vn, LogCosignature)
    assert {r.witness for r in kept} == {"node-1", "node-2"}  # type: ignore[attr-defined]
    size = max(r.size for r in kept)  # type: ignore[attr-defined]
    rewrite_with_own_keys(vn)
    # The rewritten log also forgets what it sent: it offers its tree from scratch, the
    # witnesses answer with the size they hold, and the log must prove consistency from there.
    raw(vn, "UPDATE log_peers SET sent_size = NULL, known_size = NULL")
    grow(vn, clock, 3)
    exchange(net)
    assert {r.known_size for r in rows(vn, LogPeer)} == {size}  # type: ignore[attr-defined]
    assert not rows(net.nodes["ru-gpo"], WitnessAlert)
    exchange(net)
    for other in ("ru-gpo", "de-bka"):
        alerts = rows(net.nodes[other], WitnessAlert)
        assert len(alerts) == 1
        alert = alerts[0]
        assert alert.origin == "node-0"  # type: ignore[attr-defined]
        assert "contradicts the tree" in alert.reason  # type: ignore[attr-defined]
        # The evidence is kept: both signed trees.
        assert alert.known  # type: ignore[attr-defined]
        assert alert.claimed  # type: ignore[attr-defined]
        # The rewritten tree was not cosigned: the witness still holds only the first one.
        assert len(rows(net.nodes[other], WitnessedCheckpoint)) == 1
    alerts = rows(vn, WitnessAlert)
    assert {a.detail["witness"] for a in alerts} == {"node-1", "node-2"}  # type: ignore[attr-defined]
    assert all("refused the checkpoint" in a.reason for a in alerts)  # type: ignore[attr-defined]
    result = run_cli(env_of(vn), "audit", "witness")
    assert result.returncode == 1
    assert "ALERT" in result.stderr


def test_a_removed_tail_is_caught_by_the_witnesses(net: Net, clock: FakeClock) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 20)
    exchange(net)
    with vn.db.session() as session:
        size = session.scalar(select(func.max(LogCosignature.size)))
    assert size is not None
    raw(vn, "DELETE FROM audit_entries WHERE seq > :n", n=size - 5)
    raw(vn, "DELETE FROM audit_checkpoints")
    raw(vn, "DELETE FROM log_cosignatures")
    with vn.db.session() as session:
        key = session.info["audit_seal_key"]
    recompute_chain(vn, seal_key=key)
    with vn.db.session() as session:
        checkpoints.checkpoint(
            session=session, kek=vn.kek, origin=vn.settings.node_name, clock=vn.clock
        )
    report = judge(vn, witnesses=witnesses(net))
    assert any("entries were removed" in p.reason for p in report.problems), report.all_problems


def test_one_witness_down_still_confirms_with_the_other(net: Net, clock: FakeClock) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 8)
    exchange(net)
    source = witnesses(net)
    source.down.add(endpoint_of(net.nodes, "ru-gpo"))
    report = judge(vn, witnesses=source)
    assert report.ok
    assert report.confirmed == {"node-2"}
    assert any(w.unavailable for w in report.witnesses if w.witness == "node-1")
    source.down.add(endpoint_of(net.nodes, "de-bka"))
    report = judge(vn, witnesses=source)
    assert not report.ok
    assert any("no witness confirmed" in p.reason for p in report.problems)


def test_a_witness_serves_what_it_cosigned_over_http(net: Net, clock: FakeClock) -> None:
    from fastapi.testclient import TestClient  # noqa: PLC0415 - only this test serves HTTP

    from liaison.app import create_app  # noqa: PLC0415

    grow(net.nodes["vn-mps"], clock, 6)
    exchange(net)
    ru = net.nodes["ru-gpo"]
    with TestClient(create_app(node=ru)) as client:
        found = client.get("/federation/v1/witness/node-0")
        assert found.status_code == 200
        assert found.headers["content-type"].startswith("text/plain")
        assert found.text.startswith("node-0\n")
        assert "— node-1 " in found.text
        assert client.get("/federation/v1/witness/node-9").status_code == 404


def env_of(node: Node) -> dict[str, str]:
    return {
        "LIAISON_ENV": "dev",
        "LIAISON_DATA_DIR": str(node.settings.data_dir),
        "LIAISON_DATABASE_URL": node.settings.database_url,
        "LIAISON_KEK": KEK,
        "LIAISON_NODE_NAME": node.settings.node_name,
        "LIAISON_DIRECTORY_OPERATOR_KEY": node.settings.directory_operator_key or "",
    }


def test_a_counterpart_checks_one_entry_with_the_directory_alone(
    net: Net, clock: FakeClock, tmp_path: Path
) -> None:
    vn, ru = net.nodes["vn-mps"], net.nodes["ru-gpo"]
    grow(vn, clock, 12)
    exchange(net)
    with vn.db.session() as session:
        proof = proofs.prove(session=session, origin="node-0", seq=7)
    with ru.db.session() as session:
        doc = trust.pinned_directory(session=session, settings=ru.settings)
        token = directory.current_row(session=session).token
    verdict = proofs.check(proof=proof, doc=doc)
    assert (verdict.seq, verdict.origin) == (7, "node-0")
    assert set(verdict.cosigners) == {"node-1", "node-2"}

    altered = json.loads(json.dumps(proof))
    altered["entry"]["target"] = "item:other"
    with pytest.raises(proofs.ProofInvalid, match="altered"):
        proofs.check(proof=altered, doc=doc)
    moved = json.loads(json.dumps(proof))
    moved["entry"]["seq"] = 8
    with pytest.raises(proofs.ProofInvalid):
        proofs.check(proof=moved, doc=doc)
    unwitnessed = json.loads(json.dumps(proof))
    unwitnessed["checkpoint"] = (
        "\n".join(
            line
            for line in proof["checkpoint"].splitlines()
            if not line.startswith("— node-") or line.startswith("— node-0 ")
        )
        + "\n"
    )
    with pytest.raises(proofs.ProofInvalid, match="no witness"):
        proofs.check(proof=unwitnessed, doc=doc)

    # The same with the commands, the counterpart holding only the directory file and the pin.
    out, directory_file = tmp_path / "proof.json", tmp_path / "directory.jws"
    proven = run_cli(env_of(vn), "audit", "prove", "7", "--out", str(out))
    assert proven.returncode == 0, proven.stderr
    directory_file.write_text(token, encoding="utf-8")
    pin = ru.settings.directory_operator_key or ""
    outsider = {"LIAISON_ENV": "dev", "LIAISON_DATA_DIR": str(tmp_path / "nowhere")}
    held = run_cli(
        outsider,
        "audit",
        "check-proof",
        str(out),
        "--directory",
        str(directory_file),
        "--operator-key",
        pin,
    )
    assert held.returncode == 0, held.stderr
    assert "proof holds: entry 7" in held.stdout
    assert "node-1" in held.stdout
    assert "node-2" in held.stdout
    out.write_text(json.dumps(altered), encoding="utf-8")
    broken = run_cli(
        outsider,
        "audit",
        "check-proof",
        str(out),
        "--directory",
        str(directory_file),
        "--operator-key",
        pin,
    )
    assert broken.returncode == 1
    assert "altered" in broken.stderr


def test_no_cosigned_checkpoint_yet_is_said_plainly(net: Net, clock: FakeClock) -> None:
    vn = net.nodes["vn-mps"]
    grow(vn, clock, 3)
    with vn.db.session() as session, pytest.raises(Exception, match="no witness has cosigned"):
        proofs.prove(session=session, origin="node-0", seq=2)
