"""Transfer of sentenced persons (art. 38) and of criminal proceedings (art. 39)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import FreeText, Person, StateCode
from liaison.requests.contents.extradition import Decision
from liaison.requests.contents.messages import CONSENT_REQUIRED
from liaison.requests.contents.offences import Penalty
from liaison.requests.contents.rules import Finding, require

SENTENCED_PERSON_ARTICLES = frozenset({38})
PROCEEDINGS_ARTICLES = frozenset({39})


class SentencedPersonTransferContent(CaseContent):
    person: Person | None = None
    sentencing_state: StateCode | None = None
    administering_state: StateCode | None = None
    judgment: Decision | None = None
    sentence_imposed: Penalty | None = None
    days_remaining: int | None = Field(
        default=None, ge=0, le=365_000, description="Days of the sentence still to be served"
    )
    # Transfer agreements make the sentenced person's consent a condition.
    person_consents: bool | None = Field(
        default=None,
        description="Whether the sentenced person consents to the transfer, as transfer "
        "agreements require",
    )


def sentenced_person_findings(content: SentencedPersonTransferContent) -> Iterator[Finding]:
    yield from case_findings(content, articles=SENTENCED_PERSON_ARTICLES)
    yield from require(
        content,
        "person",
        "sentencing_state",
        "administering_state",
        "judgment",
        "sentence_imposed",
        "days_remaining",
        "person_consents",
    )
    if content.person is not None:
        yield from require(content.person, "name", "nationalities", prefix="person")
    if content.person_consents is False:
        yield Finding(path="person_consents", message=CONSENT_REQUIRED)


class ProceedingsTransferContent(CaseContent):
    persons: list[Person] = Field(default_factory=list, max_length=200)
    # Art. 39: transfer where it is in the interests of the proper administration of justice.
    transfer_reason: FreeText | None = None
    evidence_summary: FreeText | None = None


def proceedings_findings(content: ProceedingsTransferContent) -> Iterator[Finding]:
    yield from case_findings(content, articles=PROCEEDINGS_ARTICLES)
    yield from require(content, "persons", "transfer_reason", "evidence_summary")
