"""Expedited preservation of stored data (art. 42): contents (a)-(g) and the 60-day rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TypeVar

from pydantic import Field

from liaison.core.errors import InvalidInput
from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import (
    AuthorityRef,
    DataCategory,
    FreeText,
    Identifier,
    Period,
    ShortText,
)
from liaison.requests.contents.messages import MLA_INTENT_REQUIRED
from liaison.requests.contents.mla import identifier_findings
from liaison.requests.contents.rules import Finding, missing, require

# Art. 42 [C]: "a period of not less than 60 days". Authorities may configure longer, never less.
MIN_PRESERVATION_DAYS = 60
# An upper bound keeps a typo (6000 for 60) from freezing data for decades.
MAX_PRESERVATION_DAYS = 3650

When = TypeVar("When", date, datetime)
ARTICLES = frozenset({42})


class PreservationContent(CaseContent):
    # Both 24/7 contact points (art. 41).
    requesting_contact_point: AuthorityRef | None = None
    requested_contact_point: AuthorityRef | None = None
    data_to_preserve: FreeText | None = None  # (c)
    relation_to_offence: FreeText | None = None  # (c)
    identifiers: list[Identifier] = Field(default_factory=list, max_length=1000)
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=3)
    data_period: Period | None = None
    custodian: ShortText | None = Field(  # (d) the custodian of the data, or
        default=None,
        description="Who holds the data; give this or the location of the computer system",
    )
    system_location: ShortText | None = None  # (d) the location of the computer system
    necessity: FreeText | None = None  # (e)
    mla_intended: bool | None = Field(  # (f) intent to follow up with an MLA request
        default=None,
        description="Preservation is requested pending a request for mutual legal assistance, "
        "which the requesting State must intend to submit",
    )
    period_days: int = Field(
        default=MIN_PRESERVATION_DAYS,
        ge=MIN_PRESERVATION_DAYS,
        le=MAX_PRESERVATION_DAYS,
        description="At least 60 days, counted from execution (art. 42)",
    )


def findings(content: PreservationContent) -> Iterator[Finding]:
    # (a) and (b) are the common requesting authority, offences and facts.
    yield from case_findings(content, articles=ARTICLES)
    yield from require(
        content,
        "requesting_contact_point",
        "requested_contact_point",
        "data_to_preserve",
        "relation_to_offence",
        "necessity",
    )
    if content.custodian is None and content.system_location is None:
        yield missing("custodian")
    if content.mla_intended is None:
        yield missing("mla_intended")
    elif not content.mla_intended:
        yield Finding(path="mla_intended", message=MLA_INTENT_REQUIRED)
    yield from identifier_findings(content.identifiers)


def preservation_expiry(
    start: When, days: int = MIN_PRESERVATION_DAYS, *, minimum: int = MIN_PRESERVATION_DAYS
) -> When:
    """The last moment of preservation: `start` (execution) plus `days` whole days.

    Whole days, not months, so that Feb 29 and month ends need no special case. `minimum` is
    the authority's configured floor, itself never below the convention's 60 days.
    """
    if minimum < MIN_PRESERVATION_DAYS:
        raise InvalidInput(
            f"the minimum preservation period cannot be set below {MIN_PRESERVATION_DAYS} days"
        )
    if days < minimum:
        raise InvalidInput(
            f"preservation lasts at least {minimum} days (art. 42); {days} days requested"
        )
    if days > MAX_PRESERVATION_DAYS:
        raise InvalidInput(f"preservation cannot exceed {MAX_PRESERVATION_DAYS} days at once")
    return start + timedelta(days=days)


def extended_expiry(expiry: When, *, days: int) -> When:
    """The expiry after an extension of `days` counted from the current expiry."""
    if days < 1:
        raise InvalidInput("an extension adds at least one day")
    if days > MAX_PRESERVATION_DAYS:
        raise InvalidInput(f"an extension cannot exceed {MAX_PRESERVATION_DAYS} days")
    return expiry + timedelta(days=days)


def preservation_active(*, expiry: When, now: When, follow_up_pending: bool) -> bool:
    """Art. 42: preservation continues past expiry while the follow-up MLA request is decided."""
    return follow_up_pending or now < expiry
