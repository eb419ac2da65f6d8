"""Digests carry their algorithm: ``sha256:<hex>`` everywhere."""

from __future__ import annotations

import hashlib
import hmac
import json
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
    return SHA256_PREFIX + hashlib.sha256(data).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digest strings."""
    return hmac.compare_digest(a.encode(), b.encode())
