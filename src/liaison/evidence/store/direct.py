"""Writing a blob with direct I/O (``O_DIRECT``), the device working while the caller encrypts.

Direct I/O needs page-aligned buffers, whole-block lengths and offsets. Bytes written are gathered
in 4 MiB anonymous ``mmap`` buffers; a full buffer goes to a thread that writes it while the
caller fills the next. A write blocks until the device has the data, so without that thread the
device and the encryption would take turns. The unaligned tail is written by :meth:`finish`
through the page cache, after clearing ``O_DIRECT``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os
import queue
import threading
from pathlib import Path
from typing import BinaryIO, cast

O_DIRECT: int = getattr(os, "O_DIRECT", 0)
ALIGN = 4096
BUFFER_SIZE = 4 << 20
_BUFFERS = 3


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def open_new(path: Path) -> BinaryIO:
    """Create ``path`` (owner-only), for direct I/O where the file system allows it.

    On the VM we measured, 2 GiB with a final fsync took 1.3 s this way against 2.4 to 6 s
    through the page cache (whose write-back throttles a writer that outruns the disk).
    """
    try:
        fd = os.open(path, _CREATE | O_DIRECT, 0o600)
    except OSError as exc:
        # tmpfs and some network file systems refuse O_DIRECT: use the page cache there.
        if exc.errno != errno.EINVAL or not O_DIRECT:
            raise
        fd = os.open(path, _CREATE, 0o600)
    return cast(BinaryIO, open(fd, "wb", buffering=0))  # noqa: PTH123 - wraps a raw descriptor


def is_direct(file: BinaryIO) -> bool:
    return bool(O_DIRECT and fcntl.fcntl(file.fileno(), fcntl.F_GETFL) & O_DIRECT)


def write_all(file: BinaryIO, view: memoryview) -> int:
    done = 0
    while done < len(view):
        done += file.write(view[done:])
    return done


class DirectWriter:
    """Appends to ``file`` (opened with ``O_DIRECT``); raises the ``OSError`` of a failed write."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._buffers = [mmap.mmap(-1, BUFFER_SIZE) for _ in range(_BUFFERS)]
        self._free: queue.Queue[mmap.mmap] = queue.Queue()
        self._full: queue.Queue[mmap.mmap | None] = queue.Queue()
        for buffer in self._buffers[1:]:
            self._free.put(buffer)
        self._current = self._buffers[0]
        self._fill = 0
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="blob-direct-io", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (buffer := self._full.get()) is not None:
            if self._error is None:
                try:
                    with memoryview(buffer) as view:
                        write_all(self._file, view)
                except OSError as exc:
                    self._error = exc
            self._free.put(buffer)

    def write(self, view: memoryview) -> None:
        done = 0
        while done < len(view):
            n = min(len(view) - done, BUFFER_SIZE - self._fill)
            self._current[self._fill : self._fill + n] = view[done : done + n]
            self._fill += n
            done += n
            if self._fill == BUFFER_SIZE:
                self._full.put(self._current)
                self._current = self._free.get()
                self._fill = 0
                if self._error is not None:
                    raise self._error

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._full.put(None)
            self._thread.join()

    def finish(self) -> None:
        """Write everything still buffered; then the file holds every byte given to ``write``."""
        self._stop()
        if self._error is not None:
            raise self._error
        aligned = self._fill - self._fill % ALIGN
        with memoryview(self._current) as view:
            write_all(self._file, view[:aligned])
            # The tail is not a whole block: clear O_DIRECT for this last write.
            fd = self._file.fileno()
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~O_DIRECT)
            write_all(self._file, view[aligned : self._fill])
        self._fill = 0

    def close(self) -> None:
        self._stop()
        for buffer in self._buffers:
            # A failed write's traceback may still hold a view of its buffer; the GC frees it.
            with contextlib.suppress(BufferError):
                buffer.close()
