"""Spontaneous information (art. 40): sent without a request, under binding conditions."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import FreeText, Identifier, Person
from liaison.requests.contents.mla import identifier_findings
from liaison.requests.contents.rules import Finding, require

ARTICLES = frozenset({40})


class SpontaneousContent(CaseContent):
    """Information sent without a prior request, which could help the recipient start or
    complete a proceeding (art. 40).

    `requesting_authority` is the sending authority; `facts` the context of the case."""

    information: FreeText | None = None
    # Why the sender thinks it could help the recipient start or complete a proceeding.
    relevance: FreeText | None = Field(
        default=None,
        description="Why the information could help the recipient start or complete a proceeding",
    )
    persons: list[Person] = Field(default_factory=list, max_length=200)
    identifiers: list[Identifier] = Field(default_factory=list, max_length=1000)


def findings(content: SpontaneousContent) -> Iterator[Finding]:
    yield from case_findings(content, articles=ARTICLES, facts_required=False)
    yield from require(content, "information", "relevance")
    yield from identifier_findings(content.identifiers)
