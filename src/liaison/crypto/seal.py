"""Keyed seals: HMAC-SHA256 under a key derived from the node's key-encryption key (HKDF), so a
record sealed by the node can be rewritten only by someone who holds the KEK, not by whoever
can write to the database. The audit log seals every entry this way."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "hmac-sha256:"
AUDIT_ENTRIES = "audit entries"


def derive_key(kek: bytes, purpose: str) -> bytes:
    """A key for one purpose only: a seal key never doubles as the KEK or another seal key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"liaison seal " + purpose.encode()
    ).derive(kek)


def seal(key: bytes, data: bytes) -> str:
    return PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()


def same_seal(expected: str | None, key: bytes, data: bytes) -> bool:
    return expected is not None and hmac.compare_digest(expected, seal(key, data))
