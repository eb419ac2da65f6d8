"""Streaming ingest into the encrypted store, reading back, and the bad inputs of issue 5."""

from __future__ import annotations

import errno
import hashlib
import io
import os
from pathlib import Path
from typing import BinaryIO

import pytest

from liaison.core.errors import InvalidInput
from liaison.crypto.blobcipher import CHUNK_SIZE, TAG_SIZE
from liaison.evidence.ingest import (
    BlobCorruptError,
    DigestMismatch,
    EvidenceTooLarge,
    IngestResult,
    ingest,
    open_blob,
    verify_store,
)
from liaison.evidence.store import LocalBlobStore, StoreError
from liaison.evidence.store.direct import O_DIRECT

KEK = bytes(range(32))
LIMIT = 64 * CHUNK_SIZE


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "store")


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _ingest(store: LocalBlobStore, data: bytes, **kwargs: object) -> IngestResult:
    options: dict[str, object] = {"max_bytes": LIMIT, "declared_digest": None} | kwargs
    return ingest(source=io.BytesIO(data), store=store, kek=KEK, **options)  # type: ignore[arg-type]


def _read(store: LocalBlobStore, digest: str, *, kek: bytes = KEK) -> bytes:
    with open_blob(store=store, digest=digest, kek=kek) as reader:
        return reader.read()


def _blob_path(store: LocalBlobStore, digest: str) -> Path:
    hexdigest = digest.removeprefix("sha256:")
    return store.root / hexdigest[:2] / hexdigest[2:4] / hexdigest


def _left_over(store: LocalBlobStore) -> list[Path]:
    return list(store.tmp.iterdir())


class _Trickle(io.RawIOBase):
    """A socket-like source: short reads, and a count of what was consumed."""

    def __init__(self, data: bytes, step: int = 70_000) -> None:
        self._data = memoryview(data)
        self._step = step
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._step, len(self._data) - self.consumed)
        buffer[:n] = self._data[self.consumed : self.consumed + n]
        self.consumed += n
        return n


@pytest.mark.parametrize(
    "size", [1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 12345]
)
def test_round_trip(store: LocalBlobStore, size: int) -> None:
    data = os.urandom(size)
    result = _ingest(store, data)
    assert result.digest == _sha(data)
    assert result.size == size
    assert result.stored
    assert _read(store, result.digest) == data
    stored = _blob_path(store, result.digest).read_bytes()
    # Encrypted at rest: no 32-byte run of the plaintext appears in the file.
    if size >= 32:
        assert all(data[i : i + 32] not in stored for i in range(0, size - 31, CHUNK_SIZE // 2))
    assert _left_over(store) == []


def test_short_reads_and_chunk_iteration(store: LocalBlobStore) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 5)
    result = ingest(source=_Trickle(data), store=store, kek=KEK, max_bytes=LIMIT)  # type: ignore[arg-type]
    hasher = hashlib.sha256()
    with open_blob(store=store, digest=result.digest, kek=KEK) as reader:
        sizes = []
        for chunk in reader.chunks():
            hasher.update(chunk)
            sizes.append(len(chunk))
    assert sizes == [CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 5]
    assert "sha256:" + hasher.hexdigest() == result.digest


def test_duplicate_keeps_the_stored_blob_and_returns_its_key(store: LocalBlobStore) -> None:
    data = os.urandom(CHUNK_SIZE + 7)
    first = _ingest(store, data)
    second = _ingest(store, data)
    assert not second.stored
    assert (second.key_id, second.wrapped_key) == (first.key_id, first.wrapped_key)
    assert _read(store, first.digest) == data
    assert _left_over(store) == []


def test_declared_digest(store: LocalBlobStore) -> None:
    data = b"declared" * 1000
    assert _ingest(store, data, declared_digest=_sha(data)).digest == _sha(data)
    other = b"something else"
    with pytest.raises(DigestMismatch, match="not the declared"):
        _ingest(store, other, declared_digest=_sha(data + b"!"))
    assert not store.exists(_sha(other))
    assert _left_over(store) == []
    with pytest.raises(InvalidInput, match="sha256:<64 hex"):
        _ingest(store, other, declared_digest="sha256:XYZ")


def test_oversized_stream_fails_mid_stream(store: LocalBlobStore) -> None:
    source = _Trickle(os.urandom(8 * CHUNK_SIZE))
    with pytest.raises(EvidenceTooLarge, match=str(3 * CHUNK_SIZE)):
        ingest(source=source, store=store, kek=KEK, max_bytes=3 * CHUNK_SIZE)  # type: ignore[arg-type]
    # Stopped one byte past the limit, not at the end of the stream.
    assert source.consumed == 3 * CHUNK_SIZE + 1
    assert list(store.digests()) == []
    assert _left_over(store) == []


def test_exactly_the_limit_is_accepted(store: LocalBlobStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE)
    assert _ingest(store, data, max_bytes=len(data)).size == len(data)


def test_zero_bytes_is_refused(store: LocalBlobStore) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        _ingest(store, b"")
    assert list(store.digests()) == []
    assert _left_over(store) == []


class _FillsUp:
    """A file that accepts ``room`` bytes, then fails as a full disk does."""

    def __init__(self, path: Path, room: int, *, direct: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | (O_DIRECT if direct else 0)
        self._file = open(os.open(path, flags, 0o600), "wb", buffering=0)  # noqa: PTH123, SIM115
        self._room = room

    def write(self, data: memoryview) -> int:
        if self._room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = self._file.write(data[: self._room])
        self._room -= n
        return n

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


@pytest.mark.parametrize("direct", [False, True], ids=["page-cache", "direct-io"])
def test_disk_full_mid_ingest(tmp_path: Path, direct: bool) -> None:
    root = tmp_path / "store"
    good = LocalBlobStore(root)
    kept = _ingest(good, b"already stored" * 100)
    if direct:
        try:
            _FillsUp(tmp_path / "probe", 0, direct=True).close()
        except OSError:
            pytest.skip("this file system refuses O_DIRECT")

    def opener(path: Path) -> BinaryIO:
        return _FillsUp(path, 2 * CHUNK_SIZE, direct=direct)  # type: ignore[return-value]

    full = LocalBlobStore(root, opener=opener)
    with pytest.raises(StoreError, match="is full"):
        _ingest(full, os.urandom(5 * CHUNK_SIZE))
    assert list(good.digests()) == [kept.digest]
    assert _left_over(good) == []
    assert verify_store(store=good, kek=KEK) == []


def test_a_failing_source_leaves_nothing(store: LocalBlobStore) -> None:
    class Broken(_Trickle):
        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            if self.consumed > CHUNK_SIZE:
                raise ConnectionResetError("peer went away")
            return super().readinto(buffer)

    with pytest.raises(ConnectionResetError):
        ingest(source=Broken(os.urandom(4 * CHUNK_SIZE)), store=store, kek=KEK, max_bytes=LIMIT)  # type: ignore[arg-type]
    assert list(store.digests()) == []
    assert _left_over(store) == []


def _flip(path: Path, offset: int) -> None:
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x01
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("where", ["magic", "header", "first_chunk", "last_byte", "last_chunk"])
def test_a_flipped_byte_anywhere_is_detected(store: LocalBlobStore, where: str) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 100)
    result = _ingest(store, data)
    path = _blob_path(store, result.digest)
    size = path.stat().st_size
    offsets = {
        "magic": 0,
        "header": 40,
        "first_chunk": size - 100 - 2 * TAG_SIZE - 2 * CHUNK_SIZE + 5,
        "last_chunk": size - 50,
        "last_byte": size - 1,
    }
    _flip(path, offsets[where])
    with pytest.raises(BlobCorruptError, match=result.digest):
        _read(store, result.digest)
    assert [b.name for b in verify_store(store=store, kek=KEK)] == [result.digest]


def test_truncation_and_extension_are_detected(store: LocalBlobStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE)
    result = _ingest(store, data)
    path = _blob_path(store, result.digest)
    original = path.read_bytes()
    path.write_bytes(original[: -(CHUNK_SIZE + TAG_SIZE)])  # cut at a chunk boundary
    with pytest.raises(BlobCorruptError, match="last chunk"):
        _read(store, result.digest)
    path.write_bytes(original + original[-(CHUNK_SIZE + TAG_SIZE) :])
    with pytest.raises(BlobCorruptError, match=result.digest):
        _read(store, result.digest)


def test_a_blob_moved_under_another_name_is_detected(store: LocalBlobStore) -> None:
    a = _ingest(store, b"A" * 5000)
    b = _ingest(store, b"B" * 5000)
    _blob_path(store, b.digest).write_bytes(_blob_path(store, a.digest).read_bytes())
    with pytest.raises(BlobCorruptError, match=b.digest):
        _read(store, b.digest)
    assert [bad.name for bad in verify_store(store=store, kek=KEK)] == [b.digest]


def test_wrong_node_key_is_a_clear_error(store: LocalBlobStore) -> None:
    result = _ingest(store, b"secret")
    with pytest.raises(BlobCorruptError, match="cannot be opened"):
        _read(store, result.digest, kek=bytes(32))


def test_reading_a_malformed_name_is_refused(store: LocalBlobStore) -> None:
    with pytest.raises(InvalidInput):
        open_blob(store=store, digest="sha256:../../etc/passwd", kek=KEK)


def test_source_with_read_only(store: LocalBlobStore) -> None:
    class ReadOnly:
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def read(self, n: int) -> bytes:
            return self._inner.read(n)

    data = os.urandom(CHUNK_SIZE + 3)
    source: BinaryIO = ReadOnly(data)  # type: ignore[assignment]
    result = ingest(source=source, store=store, kek=KEK, max_bytes=LIMIT)
    assert _read(store, result.digest) == data
