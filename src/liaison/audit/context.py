"""Who is acting, for whom, through which channel: passed to every service that writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from liaison.core.ids import new_id_str


class Channel(StrEnum):
    web = "web"
    api = "api"
    cli = "cli"
    federation = "federation"
    system = "system"


@dataclass(frozen=True)
class AuditContext:
    actor: str
    channel: Channel
    authority_id: str | None = None
    request_id: str = field(default_factory=new_id_str)
    address: str = ""


def cli_context(actor: str = "cli") -> AuditContext:
    return AuditContext(actor=f"cli:{actor}", channel=Channel.cli)
