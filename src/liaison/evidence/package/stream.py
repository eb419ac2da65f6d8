"""Feeding pyrage from Python: ``read(n)`` over chunks produced in the calling thread.

pyrage pulls its input with ``read(8192)`` and holds the GIL while it encrypts, so a producer
thread would mostly wait for it; producing the tar lazily, inside these reads, uses one thread
and reads every payload byte once.
"""

from __future__ import annotations

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
