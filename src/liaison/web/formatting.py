"""Dates, times, numbers and names as the reader's language writes them, in the reader's time
zone (Babel, CLDR data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_time, get_timezone_location
from babel.numbers import format_decimal

# A State with several zones: the one its government sits in, as the first choice.
_CAPITAL_ZONES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
}


def zone_of_state(state: str | None) -> str:
    """The time zone a State's officials most likely work in (UTC when unknown)."""
    if not state:
        return "UTC"
    if state in _CAPITAL_ZONES:
        return _CAPITAL_ZONES[state]
    zones: list[str] = get_global("territory_zones").get(state, [])
    return zones[0] if zones else "UTC"


def valid_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone this system knows, else None."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def own_zones(state: str | None) -> list[str]:
    zones: list[str] = get_global("territory_zones").get(state or "", [])
    return zones


def zones_for(state: str | None) -> list[str]:
    """Time zones to offer: the State's own first, then every other one."""
    own = own_zones(state)
    rest = sorted(z for z in available_timezones() if "/" in z and z not in own)
    return [*own, "UTC", *rest]


@dataclass(frozen=True)
class Formats:
    lang: str
    zone: str

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    @cached_property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def when(self, value: datetime | None) -> str:
        """A moment, with date and time, in the reader's zone."""
        if value is None:
            return ""
        return format_datetime(_aware(value), "medium", tzinfo=self.tzinfo, locale=self.locale)

    def day(self, value: datetime | date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = _aware(value).astimezone(self.tzinfo).date()
        return format_date(value, "medium", locale=self.locale)

    def time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_time(_aware(value), "short", tzinfo=self.tzinfo, locale=self.locale)

    def iso(self, value: datetime | None) -> str:
        """For <time datetime="...">: machine-readable, in UTC."""
        return _aware(value).astimezone(UTC).isoformat() if value else ""

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def state(self, code: str) -> str:
        return str(self.locale.territories.get(code, code))

    def language(self, code: str) -> str:
        return str(self.locale.languages.get(code, code))

    def zone_name(self, zone: str | None = None) -> str:
        name = zone or self.zone
        if name == "UTC":
            return "UTC"
        return f"{get_timezone_location(ZoneInfo(name), locale=self.locale)} ({name})"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
