"""Random bearer tokens and their stored form."""

from __future__ import annotations

import secrets

from liaison.crypto.hashing import sha256_digest

TOKEN_PREFIX = "lsn_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # 256 random bits: a plain SHA-256 is preimage-safe here and lets the database index it.
    return sha256_digest(token.encode())
