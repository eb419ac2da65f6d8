"""Digests carry their algorithm: ``sha256:<hex>`` everywhere."""

from __future__ import annotations

import hashlib
import hmac
import json
import mmap
from pathlib import Path
from typing import Any

SHA256_PREFIX = "sha256:"


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8.

    For the values we hash (strings, integers, booleans, null, lists, objects; never floats)
    this equals the JSON Canonicalization Scheme (RFC 8785).
    """
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def sha256_digest(data: bytes) -> str:
    return sha256_label(hashlib.sha256(data).hexdigest())


def sha256_label(hexdigest: str) -> str:
    """``sha256:<hex>`` from a bare hex digest (as hashlib and BagIt manifests give it)."""
    return SHA256_PREFIX + hexdigest


def sha256_hex(digest: str) -> str:
    """The hex part of ``sha256:<hex>`` (file names, URLs, manifests); ValueError otherwise."""
    if not digest.startswith(SHA256_PREFIX):
        raise ValueError(f"not a sha256 digest: {digest[:80]!r}")
    return digest[len(SHA256_PREFIX) :]


def same_digest(a: str, b: str) -> bool:
    """The one comparison of digests: constant-time, so a peer learns nothing from timing, and
    blind to hex case (manifests written by other tools may use upper case). Works on labelled
    (``sha256:…``) and bare hex digests alike, as long as both are the same form."""
    return hmac.compare_digest(a.lower().encode(), b.lower().encode())


def file_digests(path: Path, algorithms: list[str]) -> dict[str, str]:
    """Hex digests of a file, read once. A page-aligned buffer lets hashlib run at full speed
    with the GIL released (a bytearray of this size hashes about three times slower)."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    buffer = mmap.mmap(-1, 1 << 20)
    view = memoryview(buffer)
    try:
        with path.open("rb", buffering=0) as handle:
            while count := handle.readinto(view):
                for hasher in hashers.values():
                    hasher.update(view[:count])
    finally:
        view.release()
        buffer.close()
    return {name: h.hexdigest() for name, h in hashers.items()}


def file_sha256(path: Path) -> str:
    return SHA256_PREFIX + file_digests(path, ["sha256"])["sha256"]
