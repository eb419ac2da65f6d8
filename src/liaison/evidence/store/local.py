"""Blob store in a local folder: ``<root>/ab/cd/<64 hex>`` for ``sha256:abcd…``.

For single-node deployments (the embedded demo, a node with one app process or a shared POSIX
file system). Several app processes on different machines need the S3-compatible store.

A blob appears under its name only when complete: it is written to ``<root>/tmp/``, fsynced,
renamed into place (``rename(2)`` atomic on POSIX), and the directory is fsynced so
the rename survives a power cut.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from liaison.core.errors import InvalidInput, LiaisonError
from liaison.crypto.hashing import sha256_hex, sha256_label
from liaison.evidence.store.base import (
    BadBlob,
    BlobCheck,
    BlobNotFoundError,
    StoreError,
    check_digest,
)
from liaison.evidence.store.direct import DirectWriter, is_direct, open_new, write_all

Opener = Callable[[Path], BinaryIO]
_TMP = "tmp"
_REL_RE = re.compile(r"\A([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\Z")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _store_error(action: str, root: Path, exc: OSError) -> StoreError:
    if exc.errno == errno.ENOSPC:
        return StoreError(f"cannot {action}: the disk holding the evidence store {root} is full")
    return StoreError(f"cannot {action} in the evidence store {root}: {exc.strerror or exc}")


class LocalStaged:
    """A temporary file in ``<root>/tmp/`` being written by an ingest."""

    def __init__(self, *, root: Path, path: Path, file: BinaryIO) -> None:
        self.root = root
        self.path = path
        self.file = file
        self.taken = False
        self._written = 0
        self._flushed = 0
        self._direct = DirectWriter(file) if is_direct(file) else None

    def write(self, data: memoryview) -> None:
        view = data.cast("B") if data.format != "B" else data
        try:
            if self._direct is not None:
                self._direct.write(view)
            else:
                self._written += write_all(self.file, view)
        except OSError as exc:
            raise _store_error("write a blob", self.root, exc) from exc

    def finish(self) -> None:
        """Write what is still buffered; the file then holds every byte given to ``write``."""
        if self._direct is None:
            return
        try:
            self._direct.finish()
        except OSError as exc:
            raise _store_error("write a blob", self.root, exc) from exc
        finally:
            self.release()

    def release(self) -> None:
        """Stop the direct-I/O thread and free its buffers (idempotent)."""
        if self._direct is not None:
            self._direct.close()
            self._direct = None

    def start_flush(self) -> None:
        # POSIX_FADV_DONTNEED starts asynchronous writeback of the dirty range on Linux (like
        # sync_file_range, which Python lacks) and keeps the page cache from filling with
        # ciphertext nobody will read soon. Direct I/O has nothing waiting in the cache.
        if (
            self._direct is not None
            or not hasattr(os, "posix_fadvise")
            or self._written == self._flushed
        ):
            return
        with contextlib.suppress(OSError):
            os.posix_fadvise(
                self.file.fileno(),
                self._flushed,
                self._written - self._flushed,
                os.POSIX_FADV_DONTNEED,
            )
        self._flushed = self._written


class LocalBlobStore:
    """Content-addressed blobs in a folder. Single-node deployments only (see module doc)."""

    def __init__(self, root: Path | str, *, opener: Opener = open_new) -> None:
        root = Path(root)
        if not root.is_absolute():
            raise InvalidInput(f"the blob store root must be an absolute path, got {str(root)!r}")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.tmp = self.root / _TMP
        self.tmp.mkdir(exist_ok=True)
        # Injectable so tests can simulate a full disk without filling one.
        self._opener = opener

    def _path(self, digest: str) -> Path:
        hexdigest = sha256_hex(check_digest(digest))
        path = self.root / hexdigest[:2] / hexdigest[2:4] / hexdigest
        # The regex already excludes separators; resolving also defeats a symlinked folder.
        if not path.resolve().is_relative_to(self.root):
            raise InvalidInput(f"blob {digest} resolves outside the store")
        return path

    @contextlib.contextmanager
    def staging(self) -> Iterator[LocalStaged]:
        path = self.tmp / f"{secrets.token_hex(16)}.part"
        try:
            file = self._opener(path)
        except OSError as exc:
            raise _store_error("create a temporary blob", self.root, exc) from exc
        staged = LocalStaged(root=self.root, path=path, file=file)
        try:
            yield staged
        finally:
            staged.release()
            if not staged.taken:
                with contextlib.suppress(OSError):
                    file.close()
                path.unlink(missing_ok=True)

    def put(self, *, digest: str, staged: object) -> bool:
        if not isinstance(staged, LocalStaged) or staged.root != self.root:
            raise InvalidInput("the staged blob does not belong to this store")
        target = self._path(digest)
        staged.finish()
        try:
            os.fsync(staged.file.fileno())
            staged.file.close()
            if target.exists():
                # Same plaintext already stored: keep the existing blob, drop the new copy.
                return False
            created = self._make_parents(target.parent)
            staged.path.replace(target)
            staged.taken = True
            _fsync_dir(target.parent)
            for folder in created:
                _fsync_dir(folder.parent)
        except OSError as exc:
            raise _store_error(f"store blob {digest}", self.root, exc) from exc
        return True

    def _make_parents(self, folder: Path) -> list[Path]:
        created = [p for p in (folder.parent, folder) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        return created

    def open(self, digest: str) -> BinaryIO:
        path = self._path(digest)
        try:
            return cast(BinaryIO, path.open("rb", buffering=0))
        except FileNotFoundError:
            raise BlobNotFoundError(f"blob {digest} is not in the store") from None

    def exists(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def delete(self, digest: str) -> None:
        path = self._path(digest)
        try:
            path.unlink()
        except FileNotFoundError:
            raise BlobNotFoundError(f"blob {digest} is not in the store") from None
        except OSError as exc:
            raise _store_error(f"delete blob {digest}", self.root, exc) from exc
        _fsync_dir(path.parent)

    def _walk(self) -> Iterator[tuple[str, str | None]]:
        """Every file under the root but ``tmp/``: (relative path, digest or None if stray)."""
        for folder, dirs, files in os.walk(self.root):
            if Path(folder) == self.root:
                dirs[:] = [d for d in dirs if d != _TMP]
            for name in files:
                full = Path(folder) / name
                rel = full.relative_to(self.root).as_posix()
                match = _REL_RE.match(rel)
                sound = (
                    match is not None
                    and match[3].startswith(match[1] + match[2])
                    and not full.is_symlink()
                )
                yield rel, (sha256_label(match[3]) if sound and match else None)

    def digests(self) -> Iterator[str]:
        for _rel, digest in self._walk():
            if digest is not None:
                yield digest

    def verify(self, *, check: BlobCheck) -> list[BadBlob]:
        bad: list[BadBlob] = []
        for rel, digest in self._walk():
            if digest is None:
                bad.append(BadBlob(name=rel, reason="stray file: not a blob name, or a symlink"))
                continue
            try:
                with self.open(digest) as stream:
                    check(digest, stream)
            except (LiaisonError, OSError) as exc:
                bad.append(BadBlob(name=digest, reason=str(exc)))
        return bad
