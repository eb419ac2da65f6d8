"""A file that grows by appends at its committed end and survives a crash of either side.

Resumable uploads (tus) and package transfers between nodes both receive a large file in pieces
over several HTTP requests, possibly across restarts. The *committed* length is the source of
truth, kept by the caller in its database row: an append writes, fsyncs (unless the caller
checks the whole file at the end, see ``durable``), and only then returns the new length for
the caller to commit. Bytes past the committed length (a process killed
between the write and the commit, or a piece that failed its integrity check) are cut off
before the next append, so the file never holds bytes nobody vouched for.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from liaison.core.errors import Conflict, InvalidInput, LiaisonError

_OPEN = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
_T = TypeVar("_T")


class OffsetMismatch(Conflict):
    """The piece does not start where the file ends (the sender must ask for the offset)."""


class PieceRejected(InvalidInput):
    """The piece failed its integrity check or goes past the declared length."""


class PartialFileError(LiaisonError):
    status_code = 507


def _error(path: Path, exc: OSError) -> PartialFileError:
    if exc.errno == errno.ENOSPC:
        return PartialFileError(f"cannot store the incoming data: the disk holding {path} is full")
    return PartialFileError(f"cannot store the incoming data in {path}: {exc.strerror or exc}")


def make_durable(path: Path) -> None:
    """fsync a file written without per-piece fsyncs, before it is renamed into use."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


class Appender:
    """Appends at the committed end of ``path``; use as a context manager.

    ``offset`` must equal ``committed``; ``length`` is the declared total, and writing past it
    is refused. Leaving the block normally fsyncs and sets ``end`` to the new length for the
    caller to commit. Leaving it with an exception cuts the file back to ``committed`` — unless
    ``keep_on_break`` is set (tus keeps what arrived before a client went away) and the
    exception is not an integrity failure: then what was written is fsynced and kept, and
    ``end`` says how far it goes.
    """

    def __init__(
        self,
        path: Path,
        *,
        committed: int,
        offset: int,
        length: int,
        keep_on_break: bool = False,
        durable: bool = True,
    ) -> None:
        if offset != committed:
            raise OffsetMismatch(
                f"this piece starts at byte {offset} but {committed} bytes are stored; "
                "ask for the current offset and resume from there"
            )
        self.path = path
        self.committed = committed
        self.length = length
        self.end = committed
        self.keep_on_break = keep_on_break
        # False: no fsync per piece, for callers that check the whole file against its digest
        # at the end (a power cut can then cost a resend, never a corrupt file). A killed
        # process loses nothing either way: written bytes are in the page cache.
        self.durable = durable
        self._fd = -1

    def __enter__(self) -> Appender:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(self.path, _OPEN, 0o600)
            # One writer at a time, across threads and server processes: a retry that overtakes
            # a slow piece must not cut the file under it.
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._close()
                raise OffsetMismatch(
                    "another piece of this file is being written; ask for the offset and retry"
                ) from None
            # Whatever lies past the committed length was never vouched for: cut it first.
            if os.fstat(self._fd).st_size != self.committed:
                os.ftruncate(self._fd, self.committed)
        except OSError as exc:
            self._close()
            raise _error(self.path, exc) from exc
        return self

    def write(self, piece: bytes | memoryview) -> None:
        if self.end + len(piece) > self.length:
            raise PieceRejected(f"the data goes past the declared length of {self.length} bytes")
        view = memoryview(piece)
        try:
            while view:
                written = os.pwrite(self._fd, view, self.end)
                self.end += written
                view = view[written:]
        except OSError as exc:
            raise _error(self.path, exc) from exc

    def commit(self, record: Callable[[int], _T]) -> _T:
        """Make what was written durable, then call ``record(end)``, which commits the new
        length, while the file is still locked: no other writer (a retry overtaking a slow
        piece) can cut the file between the write and the commit, or under a reader of the
        finished file. Once ``record`` returns, ``end`` is the committed length and a later
        failure in the block no longer cuts it back."""
        try:
            if self.durable:
                os.fsync(self._fd)
        except OSError as exc:
            raise _error(self.path, exc) from exc
        result = record(self.end)
        self.committed = self.end
        return result

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        try:
            keep = exc is None or (
                self.keep_on_break and not isinstance(exc, PieceRejected | PartialFileError)
            )
            if not keep:
                self.end = self.committed
                os.ftruncate(self._fd, self.committed)
            if self.durable:
                os.fsync(self._fd)
        except OSError as error:
            self.end = self.committed
            if exc is None:
                raise _error(self.path, error) from error
        finally:
            self._close()

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
