"""bag-info.txt of a sealed package: the fields we write, and reading ours back.

Besides the RFC 8493 fields, a package says who sealed it for whom, when (to the microsecond,
UTC: the time its sender's key is judged at), with which key, and for every file what a court
asks first: what it is, where it came from, who acquired it, when (with the acquirer's own UTC
offset), how and with what tool. Those per-file groups each begin with ``Liaison-Item``.

bag-info.txt values are single lines: line breaks and runs of spaces in a value are written as
one space. The exact text is in provenance.jsonld, which the verifier checks this against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from liaison.evidence.package.bag import format_bag_info, human_size
from liaison.evidence.package.case import Acquired

SEALED_AT = "Liaison-Sealed-At"
SENDER = "Liaison-Sender"
RECIPIENT = "Liaison-Recipient"
SIGNING_KEY = "Liaison-Signing-Key"
ITEM = "Liaison-Item"
# Per-file labels, in the order they are written after Liaison-Item.
ITEM_FIELDS = (
    ("Liaison-Item-Description", "description"),
    ("Liaison-Item-Source", "source"),
    ("Liaison-Acquired-By", "by"),
    ("Liaison-Acquired-At", "at"),
    ("Liaison-Acquisition-Method", "method"),
    ("Liaison-Acquisition-Tool", "tool"),
)


def one_line(value: str) -> str:
    return " ".join(value.split())


@dataclass(frozen=True)
class ItemInfo:
    path: str  # "data/..."
    description: str = ""
    acquired: Acquired | None = None

    def values(self) -> dict[str, str]:
        """Label -> one-line value, the empty ones left out."""
        acquired = self.acquired or Acquired(by="", at="")
        raw = {
            "description": self.description,
            "source": acquired.source,
            "by": acquired.by,
            "at": acquired.at,
            "method": acquired.method,
            "tool": acquired.tool,
        }
        return {label: one_line(raw[key]) for label, key in ITEM_FIELDS if raw[key].strip()}


def build_bag_info(
    *,
    moment: dt.datetime,
    oxum: str,
    octets: int,
    request_ref: str,
    sender: str,
    recipient: str,
    signing_key_id: str,
    items: Sequence[ItemInfo],
) -> bytes:
    fields = [
        ("Bagging-Date", moment.astimezone(dt.UTC).date().isoformat()),
        ("Payload-Oxum", oxum),
        ("Bag-Size", human_size(octets)),
        ("External-Identifier", request_ref),
        ("Source-Organization", sender),
        ("Liaison-Request", request_ref),
        (SENDER, sender),
        (RECIPIENT, recipient),
        (SEALED_AT, sealed_at_text(moment)),
        (SIGNING_KEY, signing_key_id),
    ]
    for item in items:
        values = item.values()
        if not values:
            continue
        fields.append((ITEM, item.path))
        fields.extend(values.items())
    return format_bag_info(fields)


def sealed_at_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def first(fields: Sequence[tuple[str, str]], label: str) -> str | None:
    return next((value for key, value in fields if key.lower() == label.lower()), None)


def read_items(fields: Sequence[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """path -> {label: value} of every Liaison-Item group, in the order written."""
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    known = {label for label, _ in ITEM_FIELDS}
    for label, value in fields:
        if label == ITEM:
            current = groups.setdefault(value, {})
        elif label in known and current is not None:
            current[label] = value
    return groups
