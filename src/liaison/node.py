"""What a running node process holds: settings, database, key-encryption key, clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.config import Settings
from liaison.core.clock import Clock, system_clock
from liaison.db.session import Database


@dataclass
class Node:
    settings: Settings
    db: Database
    kek: bytes
    clock: Clock = field(default=system_clock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = system_clock) -> Node:
        return cls(settings=settings, db=Database(settings), kek=settings.kek_bytes(), clock=clock)
