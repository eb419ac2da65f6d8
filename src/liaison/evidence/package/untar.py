"""A push-driven, defensive tar reader: bytes go in through ``write()`` as pyrage decrypts them.

Why not ``tarfile`` in "r|" mode: it pulls its input, which needs a second thread between it and
pyrage, and pyrage keeps the GIL while it decrypts, so the two threads mostly wait for each
other. Here the whole verification runs inside pyrage's write callback, one thread, no queue.

Only what a bag needs is accepted: regular files and directories, in POSIX ustar headers with
optional PAX extended headers ("path", "size", "mtime" and the like). Links, devices, FIFOs,
sparse files, GNU long-name records and global PAX headers are refused, before any data.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from typing import Protocol

BLOCK = tarfile.BLOCKSIZE
MAX_PAX_HEADER = 1 << 20
_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE)


class UnsafeArchiveError(ValueError):
    """The tar breaks a safety rule; the message names the entry."""


class ArchiveFormatError(UnsafeArchiveError):
    """The bytes are not a well-formed tar (corrupt header, truncated, malformed PAX)."""


class Sink(Protocol):
    def write(self, data: bytes | memoryview, /) -> object: ...

    def close(self) -> None: ...


class _Discard:
    def write(self, data: bytes | memoryview, /) -> object:
        return None

    def close(self) -> None:
        return None


def _parse_pax(raw: bytes) -> dict[str, str]:
    """PAX records ``"<len> <key>=<value>\\n"``; values must be UTF-8 (names included)."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        space = raw.find(b" ", pos)
        try:
            length = int(raw[pos:space])
        except ValueError as exc:
            raise ArchiveFormatError("malformed PAX extended header") from exc
        record = raw[space + 1 : pos + length]
        if length <= 0 or not record.endswith(b"\n") or b"=" not in record:
            raise ArchiveFormatError("malformed PAX extended header")
        key, _, value = record[:-1].partition(b"=")
        try:
            records[key.decode("utf-8")] = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeArchiveError("PAX header holds a name that is not valid UTF-8") from exc
        pos += length
    return records


class TarPushParser:
    """Feed it the tar stream with ``write``; ``on_member`` returns where each file's bytes go."""

    def __init__(self, on_member: Callable[[tarfile.TarInfo], Sink]) -> None:
        self._on_member = on_member
        self._header = bytearray()
        self._left = 0  # data bytes of the current entry still to come
        self._skip = 0  # padding bytes still to skip
        self._sink: Sink | None = None
        self._pax_raw: bytearray | None = None
        self._pax: dict[str, str] = {}
        self._ended = False
        self.failure: BaseException | None = None

    def write(self, data: bytes, /) -> int:
        if self.failure is not None:
            # pyrage may write again after an error (a retry, or a flush on close): stay failed.
            raise self.failure
        try:
            self._feed(memoryview(data))
        except BaseException as exc:
            # pyrage turns this into a generic write error; the caller reads the real one here.
            self.failure = exc
            raise
        return len(data)

    def flush(self) -> None:
        """Nothing buffered beyond the current header block."""

    def finish(self) -> None:
        """Raise unless the stream ended cleanly (end-of-archive marker, nothing half-read)."""
        if not self._ended or self._left or self._sink is not None:
            raise ArchiveFormatError("the tar ends early: truncated archive")

    def _feed(self, view: memoryview) -> None:
        while view:
            if self._left:
                piece, view = view[: self._left], view[self._left :]
                self._left -= len(piece)
                if self._pax_raw is not None:
                    self._pax_raw += piece
                elif self._sink is not None:
                    self._sink.write(piece)
                if not self._left:
                    self._end_member()
            elif self._skip:
                piece, view = view[: self._skip], view[self._skip :]
                self._skip -= len(piece)
            elif self._ended:
                if any(view):
                    raise ArchiveFormatError("data after the end-of-archive marker")
                return
            else:
                need = BLOCK - len(self._header)
                self._header += view[:need]
                view = view[need:]
                if len(self._header) == BLOCK:
                    block, self._header = bytes(self._header), bytearray()
                    self._start_member(block)

    def _start_member(self, block: bytes) -> None:
        if not any(block):
            self._ended = True
            return
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        except tarfile.TarError as exc:
            raise ArchiveFormatError(f"corrupt tar header: {exc}") from exc
        if info.type == tarfile.XHDTYPE:
            if info.size > MAX_PAX_HEADER:
                raise UnsafeArchiveError("PAX extended header too large")
            self._pax_raw = bytearray()
            self._begin_data(info.size)
            return
        if info.type not in _FILE_TYPES:
            kind = "link" if info.type in (tarfile.SYMTYPE, tarfile.LNKTYPE) else "special"
            raise UnsafeArchiveError(
                f"entry {info.name!r} is a {kind} entry (type {info.type!r}); "
                "only files and directories are allowed"
            )
        pax, self._pax = self._pax, {}
        if any(key.startswith("GNU.sparse") for key in pax):
            raise UnsafeArchiveError(f"entry {info.name!r} is a sparse file")
        if "path" in pax:
            info.name = pax["path"]
        if "size" in pax:
            try:
                info.size = int(pax["size"])
            except ValueError as exc:
                raise UnsafeArchiveError(f"entry {info.name!r} has a bad PAX size") from exc
        info.pax_headers = pax
        if info.type == tarfile.DIRTYPE and info.size:
            raise ArchiveFormatError(f"directory entry {info.name!r} declares content")
        sink = self._on_member(info)
        if info.type != tarfile.DIRTYPE:
            self._sink = sink
        self._begin_data(info.size)

    def _begin_data(self, size: int) -> None:
        self._skip = -size % BLOCK
        self._left = size
        if size == 0:
            self._end_member()

    def _end_member(self) -> None:
        if self._pax_raw is not None:
            self._pax = _parse_pax(bytes(self._pax_raw))
            self._pax_raw = None
        elif self._sink is not None:
            sink, self._sink = self._sink, None
            sink.close()


DISCARD: Sink = _Discard()
