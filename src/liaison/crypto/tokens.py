"""Random bearer tokens and their stored form; keyed digests that only the node can make."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from liaison.crypto.hashing import sha256_digest

TOKEN_PREFIX = "lsn_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_nonce() -> str:
    """256 random bits, base64url, with no prefix (a value for a cookie or a form)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # 256 random bits: a plain SHA-256 is preimage-safe here and lets the database index it.
    return sha256_digest(token.encode())


def keyed_digest(key: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, base64url: a value only the holder of the key
    can compute (a form's anti-forgery token, bound to one session)."""
    mac = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison: how long it takes says nothing of where two secrets differ."""
    return hmac.compare_digest(a.encode(), b.encode())
