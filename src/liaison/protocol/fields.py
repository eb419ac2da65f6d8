"""Field types shared by the envelope, the receipt and the directory document.

Parsing is strict because a signature covers bytes, not meaning: two encodings of one value must
not both be accepted, or a peer could make "the same" message hash to two digests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

__all__ = [
    "AuthorityId",
    "Digest",
    "EnvelopeId",
    "KeyId",
    "Kind",
    "UtcTime",
    "Version",
    "format_utc",
    "truncate_ms",
]

# What an authority is called in the directory and on the wire: lower case, digits, hyphens.
AuthorityId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]

# RFC 3339, UTC written as "Z", 0 to 6 fraction digits (what a datetime can hold exactly).
_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def format_utc(when: datetime) -> str:
    """Milliseconds, "Z": what every JSON platform can produce and parse."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _parse_utc(value: object) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() != timedelta(0):
            raise ValueError("time must be timezone-aware UTC")
        return value
    if not isinstance(value, str) or not _UTC_RE.match(value):
        raise ValueError("time must be RFC 3339 in UTC, e.g. 2025-01-31T12:00:00.000Z")
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


# Times are truncated to milliseconds when written, so build them with ``truncate_ms``
# if a value must survive a round trip unchanged.
UtcTime = Annotated[datetime, BeforeValidator(_parse_utc), PlainSerializer(format_utc)]

# Canonical lower-case UUIDv7 (version nibble 7, RFC 9562 variant).
EnvelopeId = Annotated[
    str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
]
Kind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{1,63}$")]
# Key ids are UUIDs in our keyring; other implementations may use any short token.
KeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]


def truncate_ms(when: datetime) -> datetime:
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def _not_bool(value: object) -> object:
    # JSON true equals 1 in Python; a version must be the number itself.
    if isinstance(value, bool):
        raise ValueError("v must be the integer 1")  # noqa: TRY004 - pydantic reports only ValueError as a validation error
    return value


Version = Annotated[Literal[1], BeforeValidator(_not_bool)]
