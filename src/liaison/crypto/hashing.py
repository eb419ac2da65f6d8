"""Digests carry their algorithm: ``sha256:<hex>`` everywhere."""

from __future__ import annotations

import hashlib
import hmac
import mmap
from pathlib import Path
from typing import Any

import rfc8785

SHA256_PREFIX = "sha256:"


class NotCanonicalizable(ValueError):
    """A value RFC 8785 cannot represent exactly (an integer beyond ±2^53, NaN, a non-JSON
    type): refused rather than hashed or signed in a form another implementation would not
    reproduce."""


def canonical_json(value: Any) -> bytes:
    """The JSON Canonicalization Scheme (RFC 8785), by the `rfc8785` library: keys sorted by
    UTF-16 code units, numbers as ECMAScript writes them, integers within ±(2^53 - 1)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalizable(str(exc)) from exc


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
