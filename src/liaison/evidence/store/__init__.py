"""Content-addressed blob stores behind one :class:`BlobStore` protocol."""

from liaison.evidence.store.base import (
    BadBlob,
    BlobCheck,
    BlobNotFoundError,
    BlobStore,
    StagedBlob,
    StoreError,
    check_digest,
)
from liaison.evidence.store.local import LocalBlobStore

__all__ = [
    "BadBlob",
    "BlobCheck",
    "BlobNotFoundError",
    "BlobStore",
    "LocalBlobStore",
    "StagedBlob",
    "StoreError",
    "check_digest",
]
