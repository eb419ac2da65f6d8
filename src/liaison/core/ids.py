"""Identifiers. UUIDv7 sorts by creation time, which keeps indexes and outboxes in order."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


def new_id_str() -> str:
    return str(new_id())
