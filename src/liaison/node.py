"""What a running node process holds: settings, database, key-encryption key, clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.config import Settings
from liaison.core.clock import Clock, system_clock
from liaison.crypto import seal
from liaison.db.session import Database

# The key under which liaison.audit seals every entry, in the info of every session.
AUDIT_SEAL_KEY = "audit_seal_key"


@dataclass
class Node:
    settings: Settings
    db: Database
    kek: bytes
    clock: Clock = field(default=system_clock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = system_clock) -> Node:
        kek = settings.kek_bytes()
        info = {AUDIT_SEAL_KEY: seal.derive_key(kek, seal.AUDIT_ENTRIES)}
        return cls(
            settings=settings, db=Database(settings, session_info=info), kek=kek, clock=clock
        )
