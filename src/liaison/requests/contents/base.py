"""What every formal request carries, and the checks common to all kinds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import Field

from liaison.requests.contents.common import (
    AuthorityRef,
    FreeText,
    LegalBasis,
    Reference,
    Strict,
)
from liaison.requests.contents.messages import (
    BASIS_MISMATCH,
    BELOW_SERIOUS_THRESHOLD,
    PROVISIONAL_ARREST_URGENT,
)
from liaison.requests.contents.offences import NEEDS_DESCRIPTION, Offence, OffenceCode
from liaison.requests.contents.rules import Finding, join, missing, require

MAX_OFFENCES = 50


class CaseContent(Strict):
    """Legal basis, authority, case, the reasons for urgency and for a wished deadline (art. 40:
    deadlines come with reasons), offences and facts. Every field may be empty in a draft.

    Whether the request is urgent, its wished deadline and its conditions are facts of the
    request itself (Request.urgent, .wished_deadline, .conditions), kept there only: the reasons
    here are free texts, translated like every other."""

    legal_basis: LegalBasis | None = None
    requesting_authority: AuthorityRef | None = None
    case_reference: Reference | None = None
    urgency_reason: FreeText | None = None
    deadline_reason: FreeText | None = None
    offences: list[Offence] = Field(default_factory=list, max_length=MAX_OFFENCES)
    facts: FreeText | None = None


def case_findings(
    content: CaseContent,
    *,
    articles: frozenset[int],
    facts_required: bool = True,
    offences_required: bool = True,
) -> Iterator[Finding]:
    """`articles`: the convention articles that can be the legal basis of this kind."""
    yield from require(content, "legal_basis", "requesting_authority", "case_reference")
    if offences_required:
        yield from require(content, "offences")
    if facts_required:
        yield from require(content, "facts")
    basis = content.legal_basis
    if (
        basis is not None
        and basis.convention_article is not None
        and basis.convention_article not in articles
    ):
        yield Finding(path="legal_basis.convention_article", message=BASIS_MISMATCH)
    yield from offence_findings(content.offences)


# Paths a finding can name that are the request's own fields, not the contents' (the request
# service reports them as they are, "urgent", beside "content.urgency_reason").
REQUEST_FIELDS = frozenset({"urgent", "wished_deadline"})


def request_findings(
    content: CaseContent, *, urgent: bool, wished_deadline: datetime | None
) -> Iterator[Finding]:
    """What the request's own facts require of its contents: reasons for urgency and for a
    wished deadline (art. 40); and of the request: provisional arrest is urgent (at `urgent`,
    one of REQUEST_FIELDS)."""
    if urgent and content.urgency_reason is None:
        yield missing("urgency_reason")
    if wished_deadline is not None and content.deadline_reason is None:
        yield missing("deadline_reason")
    # Provisional arrest is for urgent cases only (art. 37).
    if getattr(content, "provisional_arrest", False) and not urgent:
        yield Finding(path="urgent", message=PROVISIONAL_ARREST_URGENT)


def offence_findings(offences: list[Offence], *, prefix: str = "offences") -> Iterator[Finding]:
    for index, offence in enumerate(offences):
        path = join(prefix, index)
        if offence.code in NEEDS_DESCRIPTION and offence.description is None:
            yield missing(join(path, "description"))
        # Art. 35(1)(c): beyond the convention offences, cooperation covers serious crimes
        # only; below four years the officer must say why the request can still go.
        if (
            offence.code is OffenceCode.SERIOUS_CRIME
            and not offence.serious_crime
            and offence.below_threshold_reason is None
        ):
            yield Finding(path=join(path, "max_penalty"), message=BELOW_SERIOUS_THRESHOLD)
