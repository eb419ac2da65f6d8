"""Preservation periods: at least 60 days, whole-day arithmetic across month ends and Feb 29."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from liaison.core.errors import InvalidInput
from liaison.requests.contents import (
    MIN_PRESERVATION_DAYS,
    extended_expiry,
    preservation_active,
    preservation_expiry,
)


@pytest.mark.parametrize(
    ("start", "days", "expiry"),
    [
        (date(2028, 2, 29), 60, date(2028, 4, 29)),  # from a leap day
        (date(2027, 12, 31), 60, date(2028, 2, 29)),  # onto a leap day
        (date(2026, 12, 31), 60, date(2027, 3, 1)),  # no Feb 29 in 2027
        (date(2026, 1, 31), 60, date(2026, 4, 1)),  # from a month end
        (date(2028, 1, 1), 366, date(2029, 1, 1)),  # a leap year
    ],
)
def test_expiry_in_whole_days(start: date, days: int, expiry: date) -> None:
    assert preservation_expiry(start, days) == expiry


def test_expiry_keeps_datetimes_and_their_zone() -> None:
    start = datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
    assert preservation_expiry(start) == datetime(2028, 4, 29, 23, 30, tzinfo=UTC)


def test_under_60_days_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 60 days"):
        preservation_expiry(date(2026, 1, 1), 59)


def test_configured_minimum_may_be_longer_never_shorter() -> None:
    with pytest.raises(InvalidInput, match="at least 90 days"):
        preservation_expiry(date(2026, 1, 1), 60, minimum=90)
    assert preservation_expiry(date(2026, 1, 1), 90, minimum=90) == date(2026, 4, 1)
    with pytest.raises(InvalidInput, match="cannot be set below 60"):
        preservation_expiry(date(2026, 1, 1), 60, minimum=30)
    assert MIN_PRESERVATION_DAYS == 60


def test_absurd_periods_are_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot exceed"):
        preservation_expiry(date(2026, 1, 1), 6000)


def test_extension_counts_from_the_current_expiry() -> None:
    assert extended_expiry(date(2028, 2, 28), days=1) == date(2028, 2, 29)
    assert extended_expiry(date(2028, 2, 29), days=30) == date(2028, 3, 30)
    with pytest.raises(InvalidInput, match="at least one day"):
        extended_expiry(date(2028, 2, 29), days=0)


def test_follow_up_request_keeps_preservation_active() -> None:
    expiry = date(2026, 3, 1)
    assert preservation_active(expiry=expiry, now=date(2026, 2, 28), follow_up_pending=False)
    assert not preservation_active(expiry=expiry, now=expiry, follow_up_pending=False)
    assert preservation_active(expiry=expiry, now=date(2026, 6, 1), follow_up_pending=True)
