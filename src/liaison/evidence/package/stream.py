"""Feeding pyrage from Python: ``read(n)`` over chunks produced in the calling thread.

pyrage pulls its input with ``read(8192)`` and holds the GIL while it encrypts, so a producer
thread would mostly wait for it; producing the tar lazily, inside these reads, uses one thread
and reads every payload byte once.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

CHUNK = 1 << 20


class ChunkReader:
    """``read(n)`` over an iterator of byte chunks.

    An exception raised by the iterator is kept in ``failure`` before it propagates, because
    pyrage reports it only as a generic read error.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._current = memoryview(b"")
        self.failure: BaseException | None = None

    def read(self, size: int = -1, /) -> bytes:
        while not self._current:
            try:
                self._current = memoryview(next(self._chunks))
            except StopIteration:
                return b""
            except BaseException as exc:
                self.failure = exc
                raise
        if size < 0 or size >= len(self._current):
            out, self._current = self._current, memoryview(b"")
        else:
            out, self._current = self._current[:size], self._current[size:]
        return bytes(out)


def tar_entry(name: str, size: int, mtime: int) -> bytes:
    """The tar header of one regular file, to be followed by its bytes and tar_padding."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    # PAX keeps UTF-8 names and sizes beyond 8 GiB exact (an extended header when needed).
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def tar_padding(size: int) -> bytes:
    return b"\0" * (-size % tarfile.BLOCKSIZE)
