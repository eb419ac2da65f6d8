"""The contract every BlobStore implementation passes. Add an implementation to STORES."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from liaison.core.errors import InvalidInput
from liaison.evidence.store import BlobNotFoundError, BlobStore, LocalBlobStore


def _local(tmp_path: Path) -> BlobStore:
    return LocalBlobStore(tmp_path / "store")


STORES: dict[str, Callable[[Path], BlobStore]] = {"local": _local}

BAD_NAMES = [
    "../../etc/passwd",
    "sha256:../../../../etc/passwd",
    "sha256:" + "A" * 64,  # upper case: a second spelling of the same digest
    "sha256:" + "a" * 63,
    "sha256:" + "a" * 65,
    "sha256:" + "a" * 63 + "\x00",
    "sha256:" + "a" * 64 + "\n",
    "md5:" + "a" * 32,
    "/" + "a" * 64,
    "",
]


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return STORES[request.param](tmp_path)


def _put(store: BlobStore, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with store.staging() as staged:
        staged.write(memoryview(data))
        store.put(digest=digest, staged=staged)
    return digest


def _read(store: BlobStore, digest: str) -> bytes:
    with store.open(digest) as stream:
        return stream.read()


class TestBlobStoreContract:
    def test_put_then_open_returns_the_bytes(self, store: BlobStore) -> None:
        digest = _put(store, b"evidence bytes")
        assert store.exists(digest)
        assert _read(store, digest) == b"evidence bytes"
        assert list(store.digests()) == [digest]

    def test_nothing_is_visible_before_put(self, store: BlobStore) -> None:
        digest = "sha256:" + hashlib.sha256(b"x").hexdigest()
        with store.staging() as staged:
            staged.write(memoryview(b"x"))
            staged.start_flush()
            assert not store.exists(digest)
            assert list(store.digests()) == []
        assert list(store.digests()) == []

    def test_abandoned_staging_leaves_nothing(self, store: BlobStore) -> None:
        def abandon() -> None:
            with store.staging() as staged:
                staged.write(memoryview(b"half"))
                raise RuntimeError("client went away")

        with pytest.raises(RuntimeError):
            abandon()
        assert list(store.digests()) == []
        assert store.verify(check=lambda _d, _s: None) == []

    def test_second_put_of_a_digest_keeps_the_first(self, store: BlobStore) -> None:
        digest = _put(store, b"first")
        with store.staging() as staged:
            staged.write(memoryview(b"another encoding of the same plaintext"))
            assert store.put(digest=digest, staged=staged) is False
        assert _read(store, digest) == b"first"
        assert list(store.digests()) == [digest]

    def test_delete(self, store: BlobStore) -> None:
        digest = _put(store, b"to delete")
        store.delete(digest)
        assert not store.exists(digest)
        with pytest.raises(BlobNotFoundError):
            store.delete(digest)
        with pytest.raises(BlobNotFoundError, match=digest):
            store.open(digest)

    def test_digests_lists_every_blob(self, store: BlobStore) -> None:
        expected = {_put(store, os.urandom(100)) for _ in range(5)}
        assert set(store.digests()) == expected

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_malformed_names_are_refused(self, store: BlobStore, name: str) -> None:
        with pytest.raises(InvalidInput):
            store.open(name)
        with pytest.raises(InvalidInput):
            store.exists(name)
        with pytest.raises(InvalidInput):
            store.delete(name)
        with store.staging() as staged:
            staged.write(memoryview(b"x"))
            with pytest.raises(InvalidInput):
                store.put(digest=name, staged=staged)
        assert list(store.digests()) == []

    def test_verify_reports_what_the_check_rejects(self, store: BlobStore) -> None:
        good = _put(store, b"good")
        bad = _put(store, b"bad")

        def check(digest: str, stream: BinaryIO) -> None:
            if stream.read() == b"bad":
                raise InvalidInput(f"{digest} rejected")

        report = store.verify(check=check)
        assert [(b.name, b.reason) for b in report] == [(bad, f"{bad} rejected")]
        assert good not in {b.name for b in report}


class TestLocalBlobStore:
    def test_relative_root_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="absolute"):
            LocalBlobStore("var/blobs")

    def test_layout_is_ab_cd_hex(self, tmp_path: Path) -> None:
        store = LocalBlobStore(tmp_path)
        digest = _put(store, b"layout")
        hexdigest = digest.removeprefix("sha256:")
        assert (tmp_path / hexdigest[:2] / hexdigest[2:4] / hexdigest).is_file()
        assert list((tmp_path / "tmp").iterdir()) == []

    def test_symlinked_folder_escaping_the_root_is_refused(self, tmp_path: Path) -> None:
        outside = tmp_path / "outside"
        (outside / "cd").mkdir(parents=True)
        store = LocalBlobStore(tmp_path / "store")
        (tmp_path / "store" / "ab").symlink_to(outside)
        digest = "sha256:abcd" + "0" * 60
        (outside / "cd" / digest.removeprefix("sha256:")).write_bytes(b"planted")
        with pytest.raises(InvalidInput, match="outside"):
            store.open(digest)

    def test_verify_reports_stray_files_and_symlinks(self, tmp_path: Path) -> None:
        store = LocalBlobStore(tmp_path)
        digest = _put(store, b"real")
        (tmp_path / "notes.txt").write_text("stray")
        hexdigest = "ab" * 32
        folder = tmp_path / hexdigest[:2] / hexdigest[2:4]
        folder.mkdir(parents=True)
        (folder / hexdigest).symlink_to(tmp_path / "notes.txt")
        names = {b.name for b in store.verify(check=lambda _d, _s: None)}
        assert names == {"notes.txt", f"ab/ab/{hexdigest}"}
        assert list(store.digests()) == [digest]


def test_iterating_digests_of_an_empty_store(tmp_path: Path) -> None:
    store: Iterator[str] = LocalBlobStore(tmp_path).digests()
    assert list(store) == []
