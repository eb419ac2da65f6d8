"""The appendable partial file: the committed length is the truth, whatever happened after it."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from liaison.evidence import partial
from liaison.evidence.partial import Appender, OffsetMismatch, PieceRejected


def append(path: Path, committed: int, data: bytes, **options: bool) -> int:
    appender = Appender(path, committed=committed, offset=committed, length=100, **options)
    with appender:
        appender.write(data)
    return appender.end


def broken(appender: Appender, data: bytes, exc: BaseException, record: Any = None) -> None:
    """Write ``data`` (and commit it through ``record`` if given), then fail with ``exc``."""
    with appender:
        appender.write(data)
        if record is not None:
            appender.commit(record)
        raise exc


def test_appends_at_the_committed_end_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "uploads" / "a.part"
    assert append(path, 0, b"hello ") == 6
    assert append(path, 6, b"world") == 11
    assert path.read_bytes() == b"hello world"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bytes_past_the_committed_length_are_cut_first(tmp_path: Path) -> None:
    path = tmp_path / "a.part"
    append(path, 0, b"hello never-committed")  # the process died before the commit
    assert append(path, 5, b"!") == 6
    assert path.read_bytes() == b"hello!"


def test_a_piece_at_another_offset_or_past_the_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.part"
    append(path, 0, b"abc")
    with pytest.raises(OffsetMismatch):
        Appender(path, committed=3, offset=0, length=100)
    with pytest.raises(PieceRejected):
        append(path, 3, b"x" * 98)
    assert path.read_bytes() == b"abc"


@pytest.mark.parametrize(("keep", "expected"), [(True, b"abcdef"), (False, b"abc")])
def test_a_break_keeps_what_arrived_only_when_asked(
    tmp_path: Path, keep: bool, expected: bytes
) -> None:
    path = tmp_path / "a.part"
    append(path, 0, b"abc")
    appender = Appender(path, committed=3, offset=3, length=100, keep_on_break=keep)
    with pytest.raises(ConnectionError):
        broken(appender, b"def", ConnectionError("the client went away"))
    assert appender.end == len(expected)
    assert path.read_bytes() == expected


def test_an_integrity_failure_is_cut_even_when_breaks_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.part"
    appender = Appender(path, committed=0, offset=0, length=100, keep_on_break=True)
    with pytest.raises(PieceRejected):
        broken(appender, b"abc", PieceRejected("checksum"))
    assert (appender.end, path.read_bytes()) == (0, b"")


def test_commit_runs_under_the_lock_and_then_the_length_is_kept(tmp_path: Path) -> None:
    """A second writer cannot get in between the write and the commit; once committed, a
    failure later in the block does not cut what the caller's row now vouches for."""
    path = tmp_path / "a.part"
    appender = Appender(path, committed=0, offset=0, length=100)

    def record(end: int) -> None:
        with (
            pytest.raises(OffsetMismatch, match="being written"),
            Appender(path, committed=0, offset=0, length=100),
        ):
            pass  # a retry overtaking the commit
        assert (end, path.read_bytes()) == (3, b"abc")

    with pytest.raises(RuntimeError, match="after"):
        broken(appender, b"abc", RuntimeError("something after the commit"), record)
    assert (appender.end, path.read_bytes()) == (3, b"abc")


def test_a_failed_commit_cuts_back(tmp_path: Path) -> None:
    path = tmp_path / "a.part"
    appender = Appender(path, committed=0, offset=0, length=100)

    def record(end: int) -> None:
        raise RuntimeError("database is locked")

    with pytest.raises(RuntimeError, match="locked"):
        broken(appender, b"abc", AssertionError("not reached"), record)
    assert (appender.end, path.read_bytes()) == (0, b"")
    partial.discard(path)
    partial.discard(path)  # already gone: no error
    assert not path.exists()
