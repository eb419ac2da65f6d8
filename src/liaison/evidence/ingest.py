"""Streaming ingest of evidence into the encrypted, content-addressed blob store.

Bytes are read once, into page-aligned buffers (anonymous ``mmap``; ``hashlib`` is markedly
slower on unaligned ``bytearray`` buffers), and flow through three threads:

* a reader thread fills 1 MiB chunks from the source;
* the calling thread feeds each chunk to SHA-256;
* a writer thread encrypts the previous chunk (AES-256-GCM, see :mod:`liaison.crypto.blobcipher`
  for the file format) and appends it to a temporary blob in the store.

Reads, ``hashlib`` and AES-GCM release the GIL on large buffers, so on two cores ingest runs at
about the speed of hashing alone; a small ring of buffers bounds memory. The content address
(plaintext SHA-256) is known only at the end: the last chunk is sealed with it, then the store
renames the temporary file to it, or discards it when that digest is already stored (each blob
carries its own wrapped key, so the kept one stays readable)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from liaison.core.errors import InvalidInput, LiaisonError
from liaison.core.ids import new_id_str
from liaison.crypto import blobcipher, keys
from liaison.crypto.blobcipher import CHUNK_SIZE, TAG_SIZE, BlobCipher, BlobCipherError
from liaison.crypto.hashing import same_digest, sha256_label
from liaison.evidence.store.base import BadBlob, BlobStore, StagedBlob, check_digest

# Chunks in flight: being read or queued for hashing, one held until we know whether it is the
# last, queued for or in the writer. 8 MiB whatever the input size.
_RING = 8
# Ask the kernel to start writeback every 16 MiB so the final fsync has little left to wait for.
_FLUSH_EVERY = 16


class EvidenceTooLarge(InvalidInput):
    status_code = 413


class DigestMismatch(InvalidInput):
    """The bytes received do not have the digest the sender declared."""


class BlobCorruptError(LiaisonError):
    """A stored blob fails authentication or does not match its name."""

    status_code = 500
    exit_code = 9


@dataclass(frozen=True)
class IngestResult:
    digest: str
    size: int
    # The key id and wrapped key of the blob actually stored (an earlier one after dedup).
    key_id: str
    wrapped_key: bytes
    # False when an identical blob was already stored and kept.
    stored: bool


def close_buffer(buffer: mmap.mmap) -> None:
    # After a failure, slices of a buffer may live on in the exception's traceback; the mmap is
    # then unmapped by the garbage collector when they go, instead of here.
    with contextlib.suppress(BufferError):
        buffer.close()


def _fill(source: BinaryIO, view: memoryview) -> int:
    """Read into ``view`` until it is full or the source ends; returns bytes read."""
    readinto = cast("Callable[[memoryview], int | None] | None", getattr(source, "readinto", None))
    got = 0
    while got < len(view):
        if readinto is not None:
            n = readinto(view[got:])
            if n is None:
                raise InvalidInput("the evidence source is non-blocking and has no data ready")
        else:
            data = source.read(len(view) - got)
            n = len(data)
            view[got : got + n] = data
        if n == 0:
            break
        got += n
    return got


class _Writer(threading.Thread):
    """Encrypts chunks and appends them to the staged blob, in order, off the hashing thread."""

    def __init__(self, *, cipher: BlobCipher, staged: StagedBlob, views: list[memoryview]) -> None:
        super().__init__(name="evidence-ingest-writer", daemon=True)
        self.cipher = cipher
        self.staged = staged
        self.views = views
        self.jobs: queue.Queue[tuple[int, int, int, str | None] | None] = queue.Queue()
        self.free: queue.Queue[int] = queue.Queue()
        for slot in range(len(views)):
            self.free.put(slot)
        self.error: BaseException | None = None
        self._out = mmap.mmap(-1, CHUNK_SIZE + TAG_SIZE)

    def run(self) -> None:
        out = memoryview(self._out)
        try:
            while (job := self.jobs.get()) is not None:
                slot, size, index, final_digest = job
                if self.error is None:
                    self._seal(out, slot=slot, size=size, index=index, final=final_digest)
                self.free.put(slot)
        finally:
            out.release()
            close_buffer(self._out)

    def _seal(
        self, out: memoryview, *, slot: int, size: int, index: int, final: str | None
    ) -> None:
        try:
            n = self.cipher.seal_into(
                index=index, plaintext=self.views[slot][:size], out=out, final_digest=final
            )
            self.staged.write(out[:n])
            if index % _FLUSH_EVERY == _FLUSH_EVERY - 1:
                self.staged.start_flush()
        except BaseException as exc:  # noqa: BLE001 - handed to the ingesting thread, re-raised
            self.error = exc
        finally:
            # Wake the reader if it waits for a buffer, so it sees the error at once.
            if self.error is not None:
                self.free.put(-1)


def ingest(
    *,
    source: BinaryIO,
    store: BlobStore,
    kek: bytes,
    max_bytes: int,
    declared_digest: str | None = None,
) -> IngestResult:
    """Hash, encrypt and store ``source``; the blob appears in ``store`` only if all went well.

    Raises :class:`EvidenceTooLarge` as soon as more than ``max_bytes`` arrive,
    :class:`DigestMismatch` when ``declared_digest`` is given and differs, :class:`InvalidInput`
    for an empty source, and the store's ``StoreError`` when it cannot write (disk full).
    """
    if max_bytes <= 0:
        raise InvalidInput("max_bytes must be positive")
    if declared_digest is not None:
        check_digest(declared_digest)
    header, raw_header, cipher = blobcipher.new_blob(kek=kek, key_id=new_id_str())
    buffers = [mmap.mmap(-1, CHUNK_SIZE) for _ in range(_RING)]
    views = [memoryview(b) for b in buffers]
    try:
        with store.staging() as staged:
            staged.write(memoryview(raw_header))
            digest, size = _pipeline(
                source=source,
                staged=staged,
                cipher=cipher,
                views=views,
                max_bytes=max_bytes,
                declared_digest=declared_digest,
            )
            stored = store.put(digest=digest, staged=staged)
    finally:
        for view in views:
            view.release()
        for buffer in buffers:
            close_buffer(buffer)
    if not stored:
        with store.open(digest) as existing:
            header, _raw = read_header(stream=existing, digest=digest)
    return IngestResult(
        digest=digest,
        size=size,
        key_id=header.key_id,
        wrapped_key=header.wrapped_key,
        stored=stored,
    )


class _Reader(threading.Thread):
    """Fills free buffers from the source, in order, so the hashing thread only hashes."""

    def __init__(
        self, *, source: BinaryIO, views: list[memoryview], free: queue.Queue[int], max_bytes: int
    ) -> None:
        super().__init__(name="evidence-ingest-reader", daemon=True)
        self.source = source
        self.views = views
        self.free = free
        self.max_bytes = max_bytes
        # (slot, bytes read); None once the reader has stopped, for whatever reason.
        self.chunks: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        total = 0
        try:
            while (slot := self.free.get()) >= 0 and not self.stop.is_set():
                # Never read more than one byte past the limit: refuse without draining the rest.
                limit = min(CHUNK_SIZE, self.max_bytes - total + 1)
                n = _fill(self.source, self.views[slot][:limit])
                total += n
                self.chunks.put((slot, n))
                if n < CHUNK_SIZE:  # end of the source, or the limit reached
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the ingesting thread, re-raised
            self.error = exc
        finally:
            self.chunks.put(None)


def _pipeline(
    *,
    source: BinaryIO,
    staged: StagedBlob,
    cipher: BlobCipher,
    views: list[memoryview],
    max_bytes: int,
    declared_digest: str | None,
) -> tuple[str, int]:
    """Reader thread → this thread (SHA-256) → writer thread (encrypt, write), in chunk order."""
    writer = _Writer(cipher=cipher, staged=staged, views=views)
    reader = _Reader(source=source, views=views, free=writer.free, max_bytes=max_bytes)
    writer.start()
    reader.start()
    hasher = hashlib.sha256()
    total = index = 0
    pending: tuple[int, int] | None = None
    try:
        while True:
            item = reader.chunks.get()
            if item is None:
                raise reader.error or writer.error or RuntimeError("ingest reader stopped early")
            slot, n = item
            total += n
            if total > max_bytes:
                raise EvidenceTooLarge(
                    f"the evidence is larger than the limit of {max_bytes} bytes"
                )
            if n == 0:
                writer.free.put(slot)
                if pending is None:
                    raise InvalidInput("the evidence is empty (zero bytes): nothing to ingest")
                break
            hasher.update(views[slot][:n])
            if pending is not None:
                writer.jobs.put((*pending, index, None))
                index += 1
            pending = (slot, n)
            if n < CHUNK_SIZE:
                break
        digest = sha256_label(hasher.hexdigest())
        if declared_digest is not None and not same_digest(digest, declared_digest):
            raise DigestMismatch(
                f"the evidence received has digest {digest}, not the declared {declared_digest}"
            )
        writer.jobs.put((*pending, index, digest))
    finally:
        reader.stop.set()
        writer.free.put(-1)  # wakes the reader if it waits for a buffer
        reader.join()
        writer.jobs.put(None)
        writer.join()
    if writer.error is not None:
        raise writer.error
    return digest, total


def read_header(*, stream: BinaryIO, digest: str) -> tuple[blobcipher.BlobHeader, bytes]:
    """The header of a stored blob and its bytes as stored; leaves ``stream`` at chunk 0."""
    try:
        prefix = stream.read(blobcipher.header_size_prefix())
        body = stream.read(blobcipher.header_body_len(prefix))
        return blobcipher.decode_header(body), prefix + body
    except BlobCipherError as exc:
        raise BlobCorruptError(f"blob {digest} is corrupt: {exc}") from exc


class BlobReader(io.RawIOBase):
    """Decrypted plaintext of one blob, each chunk authenticated before any of it is returned.

    Raises :class:`BlobCorruptError`, naming the blob, on any altered, missing or extra byte.
    """

    def __init__(self, *, stream: BinaryIO, digest: str, kek: bytes) -> None:
        super().__init__()
        self.digest = digest
        self._stream = stream
        header, raw_header = read_header(stream=stream, digest=digest)
        try:
            self._cipher = blobcipher.open_blob_cipher(
                kek=kek, header=header, raw_header=raw_header
            )
        except keys.KeyUnwrapError as exc:
            raise BlobCorruptError(f"blob {digest} cannot be opened: {exc}") from exc
        self._cbuf = mmap.mmap(-1, CHUNK_SIZE + TAG_SIZE + 1)
        self._pbuf = mmap.mmap(-1, CHUNK_SIZE)
        self._carry = 0  # bytes of the next chunk already read while looking for the end
        self._index = 0
        self._start = self._end = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _corrupt(self, reason: str) -> BlobCorruptError:
        return BlobCorruptError(f"blob {self.digest} is corrupt: {reason}")

    def _next_chunk(self) -> bool:
        """Decrypt the next chunk into the plaintext buffer; False after the last one."""
        if self._done:
            return False
        full = CHUNK_SIZE + TAG_SIZE
        with memoryview(self._cbuf) as cview, memoryview(self._pbuf) as pview:
            # Read one byte beyond a full chunk: it tells whether this chunk is the last.
            got = self._carry + _fill(self._stream, cview[self._carry : full + 1])
            if got == 0:
                raise self._corrupt("truncated (the last chunk is missing)")
            final = got <= full
            size = min(got, full)
            try:
                n = self._cipher.open_into(
                    index=self._index,
                    ciphertext=cview[:size],
                    out=pview,
                    final_digest=self.digest if final else None,
                )
            except BlobCipherError as exc:
                raise self._corrupt(str(exc)) from None
            if not final:
                cview[0] = cview[full]
        self._carry = 0 if final else 1
        self._done = final
        self._index += 1
        self._start, self._end = 0, n
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # (io.RawIOBase types ``buffer`` as WriteableBuffer; a memoryview is what callers pass.)
        if self._start == self._end and not self._next_chunk():
            return 0
        n = min(len(buffer), self._end - self._start)
        with memoryview(buffer).cast("B") as out, memoryview(self._pbuf) as pview:
            out[:n] = pview[self._start : self._start + n]
        self._start += n
        return n

    def chunks(self) -> Iterator[memoryview]:
        """Each decrypted chunk in turn, without copying; valid until the next one is read."""
        while self._start < self._end or self._next_chunk():
            with memoryview(self._pbuf) as pview, pview[self._start : self._end] as chunk:
                # Released when the caller asks for the next chunk, so a stale view cannot
                # silently show the next chunk's bytes.
                yield chunk
            self._start = self._end

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            close_buffer(self._cbuf)
            close_buffer(self._pbuf)
        super().close()


def open_blob(*, store: BlobStore, digest: str, kek: bytes) -> BlobReader:
    """Stream the plaintext of ``digest`` (a context manager; close it when done)."""
    stream = store.open(check_digest(digest))
    try:
        return BlobReader(stream=stream, digest=digest, kek=kek)
    except BaseException:
        stream.close()
        raise


def verify_store(*, store: BlobStore, kek: bytes) -> list[BadBlob]:
    """Decrypt and re-hash every blob; report those whose plaintext does not match their name."""

    def check(digest: str, stream: BinaryIO) -> None:
        hasher = hashlib.sha256()
        reader = BlobReader(stream=stream, digest=digest, kek=kek)
        with reader:
            for chunk in reader.chunks():
                hasher.update(chunk)
        if not same_digest(sha256_label(hasher.hexdigest()), digest):
            raise BlobCorruptError(f"blob {digest} does not hash to its name")

    return store.verify(check=check)
