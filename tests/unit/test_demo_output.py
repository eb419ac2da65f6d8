"""`liaison demo` prints the nodes' addresses only once every node's health check answers, and
says what `/` shows. The processes are stand-ins: what is tested is the order of things."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from liaison import localnet
from liaison.cli import app

NODES = [
    localnet.LocalNode("node1", ["vn-mps"], 8001),
    localnet.LocalNode("node2", ["ru-gpo"], 8002),
]
READY = "<every node answered its health check>"


class _Processes:
    """The real start_all returns once every node's /api/v1/health answers; this one says so
    on stdout, so the test sees what was printed before and after."""

    def __init__(self, nodes: list[localnet.LocalNode], log_dir: Path) -> None:
        self.stopped = False

    def start_all(self) -> None:
        print(READY)  # noqa: T201 - the marker the test looks for

    def dead(self) -> list[tuple[str, str]]:
        raise KeyboardInterrupt  # Ctrl-C, at the first look after start-up

    def stop_all(self) -> None:
        self.stopped = True


def test_addresses_are_printed_once_every_node_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(localnet, "prepare", lambda **_: NODES)
    monkeypatch.setattr(localnet, "Processes", _Processes)
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    env = {"LIAISON_ENV": "dev", "LIAISON_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["demo", "--nodes", "2"], env=env)
    assert result.exit_code == 0, result.output
    before, _, after = result.output.partition(READY)
    assert after, result.output
    assert "127.0.0.1" not in before  # no address before the nodes answer
    assert "node1: http://127.0.0.1:8001/  hosts vn-mps" in after
    assert "node2: http://127.0.0.1:8002/  hosts ru-gpo" in after
    assert "/ is the web interface" in after
    assert "stopping" in after
