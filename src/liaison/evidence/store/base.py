"""The blob store interface: opaque files named by the SHA-256 digest of their *plaintext*.

A store knows nothing about encryption: it holds whatever bytes the ingest wrote (the encrypted
blob format of :mod:`liaison.crypto.blobcipher`) under the content address the ingest computed.
Every implementation (local folder, S3-compatible object store) passes the same contract suite,
``tests/unit/evidence/test_store_contract.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

from liaison.core.errors import InvalidInput, LiaisonError

# Lower-case hex only: one spelling per digest, so one name per blob.
DIGEST_RE = re.compile(r"\Asha256:[0-9a-f]{64}\Z")


class StoreError(LiaisonError):
    """The store cannot complete an operation (disk full, permission, I/O error)."""

    status_code = 507
    exit_code = 8


class BlobNotFoundError(LiaisonError):
    status_code = 404
    exit_code = 3


def check_digest(digest: str) -> str:
    """Return ``digest`` if it is a well-formed ``sha256:<64 lower-case hex>`` name, else raise.

    Names reach the store from URLs and packages; anything else (``..``, ``/``, NUL, upper case)
    is refused before it can become a path.
    """
    if not isinstance(digest, str) or DIGEST_RE.match(digest) is None:
        raise InvalidInput(f"not a blob name of the form sha256:<64 hex digits>: {digest!r}")
    return digest


@dataclass(frozen=True)
class BadBlob:
    """One finding of :meth:`BlobStore.verify`: a stored name and why it is not sound."""

    name: str
    reason: str


class StagedBlob(Protocol):
    """A blob being written. Not visible under any name until the store's ``put`` succeeds."""

    def write(self, data: memoryview) -> None:
        """Write all of ``data`` (looping over short writes)."""

    def start_flush(self) -> None:
        """Hint: start writing what was written so far to stable storage, without waiting.

        Lets the disk work while the next chunks are hashed and encrypted, so the final fsync
        has little left to wait for.
        """


# Called by verify with each stored name and an open reader; raises to report the blob bad.
BlobCheck = Callable[[str, BinaryIO], None]


@runtime_checkable
class BlobStore(Protocol):
    def staging(self) -> AbstractContextManager[StagedBlob]:
        """A new temporary blob; removed on leaving the block unless ``put`` took it."""

    def put(self, *, digest: str, staged: StagedBlob) -> bool:
        """Make the staged blob durable and visible as ``digest``.

        Returns False when a blob of that digest already exists: the staged copy is discarded
        and the existing one kept (content addressing makes them equal in plaintext).
        """

    def open(self, digest: str) -> BinaryIO:
        """The stored bytes of ``digest``; raises :class:`BlobNotFoundError`."""

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None:
        """Remove ``digest``; raises :class:`BlobNotFoundError` when absent."""

    def digests(self) -> Iterator[str]:
        """Every stored name, in no particular order."""

    def verify(self, *, check: BlobCheck) -> list[BadBlob]:
        """Run ``check`` on every blob; report the ones it rejects and any stray files."""
