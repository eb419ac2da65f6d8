"""A bounded in-memory pipe between two threads, in chunks of about 1 MiB.

pyrage pulls its input with ``read(8192)`` and pushes its output with ``write(64 KiB)``, holding
the GIL meanwhile; the other side (tar and hashing) runs in a second thread whose hashing releases
the GIL, so the two cores work at once. The queue bound keeps memory flat: at most
``depth`` chunks wait between the two sides.
"""

from __future__ import annotations

import queue
import threading

CHUNK = 1 << 20
_POLL = 0.2


class PipeClosedError(OSError):
    """The other side of the pipe gave up; the reason is kept by whoever stopped."""


class ChunkPipe:
    def __init__(self, *, depth: int = 8, chunk: int = CHUNK) -> None:
        self._chunk = chunk
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._current = memoryview(b"")
        self._eof = False
        self.cancelled = threading.Event()

    # Writer side -------------------------------------------------------------------------
    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        size = len(data)
        self._pending.append(bytes(data))
        self._pending_size += size
        if self._pending_size >= self._chunk:
            self._flush()
        return size

    def flush(self) -> None:
        """Nothing to do: chunks move when full or on close, so the reader sees big pieces."""

    def close_writer(self) -> None:
        self._flush()
        self._put(None)

    def _flush(self) -> None:
        if self._pending:
            self._put(b"".join(self._pending))
            self._pending, self._pending_size = [], 0

    def _put(self, item: bytes | None) -> None:
        while True:
            if self.cancelled.is_set():
                raise PipeClosedError("the reading side stopped")
            try:
                self._queue.put(item, timeout=_POLL)
            except queue.Full:
                continue
            return

    # Reader side -------------------------------------------------------------------------
    def read(self, size: int = -1, /) -> bytes:
        if not self._current:
            if self._eof:
                return b""
            item = self._get()
            if item is None:
                self._eof = True
                return b""
            self._current = memoryview(item)
        if size < 0 or size >= len(self._current):
            out, self._current = self._current, memoryview(b"")
        else:
            out, self._current = self._current[:size], self._current[size:]
        return bytes(out)

    def _get(self) -> bytes | None:
        while True:
            if self.cancelled.is_set():
                raise PipeClosedError("the writing side stopped")
            try:
                return self._queue.get(timeout=_POLL)
            except queue.Empty:
                continue
