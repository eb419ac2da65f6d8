"""Expedited disclosure of preserved traffic data (art. 43).

Sent by the State preserving the data when it finds that a provider in another State took part
in the transmission: enough traffic data to identify that provider and the path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import (
    FreeText,
    Reference,
    ShortText,
    StateCode,
    Strict,
    TimeZoneName,
)
from liaison.requests.contents.rules import Finding, require

ARTICLES = frozenset({43})


class TrafficRecord(Strict):
    """Traffic data of one communication (art. 2): origin, destination, route, time, size,
    duration, type of service."""

    time: AwareDatetime
    timezone: TimeZoneName | None = None
    origin: ShortText | None = None
    destination: ShortText | None = None
    hops: list[ShortText] = Field(default_factory=list, max_length=100)
    size_bytes: int | None = Field(default=None, ge=0)
    duration_seconds: int | None = Field(default=None, ge=0)
    service: ShortText | None = None

    @model_validator(mode="after")
    def _locates_something(self) -> Self:
        # A record with neither end nor route cannot identify a provider or a path.
        if self.origin is None and self.destination is None and not self.hops:
            raise ValueError("a traffic record names an origin, a destination or a hop")
        return self


class DisclosureContent(CaseContent):
    linked_preservation_id: Reference | None = None
    records: list[TrafficRecord] = Field(
        default_factory=list,
        max_length=10_000,
        description="Enough traffic data to identify the service provider and the path of the "
        "communication",
    )
    provider_name: ShortText | None = None
    provider_state: StateCode | None = None
    limits: FreeText | None = None


def findings(content: DisclosureContent) -> Iterator[Finding]:
    # Offences and facts are those of the linked preservation request; disclosure adds records.
    yield from case_findings(
        content, articles=ARTICLES, facts_required=False, offences_required=False
    )
    yield from require(
        content, "linked_preservation_id", "records", "provider_name", "provider_state"
    )
