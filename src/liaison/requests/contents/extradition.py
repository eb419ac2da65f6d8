"""Extradition (art. 37), with provisional arrest in urgent cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import (
    AuthorityRef,
    FreeText,
    Person,
    PersonRole,
    ShortText,
    Strict,
)
from liaison.requests.contents.messages import PERSON_ROLE_MISMATCH
from liaison.requests.contents.offences import Penalty
from liaison.requests.contents.rules import Finding, require

ARTICLES = frozenset({37})
SOUGHT_ROLES = frozenset({PersonRole.SUSPECT, PersonRole.ACCUSED, PersonRole.SENTENCED})


class ExtraditionPurpose(StrEnum):
    PROSECUTION = "prosecution"
    ENFORCEMENT_OF_SENTENCE = "enforcement_of_sentence"


class DecisionKind(StrEnum):
    ARREST_WARRANT = "arrest_warrant"
    JUDGMENT = "judgment"


class Decision(Strict):
    """The warrant or judgment the request rests on."""

    kind: DecisionKind
    reference: ShortText
    issued_on: date
    issuing_authority: ShortText
    # Id of the attached copy in the evidence store, when one travels with the request.
    document_id: ShortText | None = Field(
        default=None, description="The attached copy of the decision, if one is attached"
    )
    sentence_imposed: Penalty | None = None


class AssuranceKind(StrEnum):
    NO_DEATH_PENALTY = "no_death_penalty"
    FAIR_TRIAL = "fair_trial"
    SPECIALITY = "speciality"
    NO_RE_EXTRADITION = "no_re_extradition"
    RETURN_TO_SERVE_SENTENCE = "return_to_serve_sentence"  # conditional surrender of a national
    OTHER = "other"


class Assurance(Strict):
    kind: AssuranceKind
    text: FreeText | None = None


class RequestedStateOffence(Strict):
    """The same conduct under the requested State's law (art. 37: punishable in both States),
    filled in where the requesting side knows it."""

    offence_index: int = Field(ge=0)
    domestic_provision: ShortText
    max_penalty: Penalty


class ExtraditionContent(CaseContent):
    provisional_arrest: bool = Field(
        default=False,
        description="Provisional arrest pending the request for extradition, in urgent cases only",
    )
    requested_central_authority: AuthorityRef | None = None
    purpose: ExtraditionPurpose | None = None
    person: Person | None = None
    requested_state_offences: list[RequestedStateOffence] = Field(
        default_factory=list,
        max_length=50,
        description="The same conduct under the law of the requested State, where known",
    )
    decision: Decision | None = None
    assurances: list[Assurance] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _indexes_point_at_offences(self) -> Self:
        for entry in self.requested_state_offences:
            if entry.offence_index >= len(self.offences):
                raise ValueError(
                    f"requested_state_offences refers to offence {entry.offence_index}, "
                    f"but the request lists {len(self.offences)}"
                )
        return self


def findings(content: ExtraditionContent) -> Iterator[Finding]:
    yield from case_findings(content, articles=ARTICLES)
    yield from require(content, "requested_central_authority", "purpose", "person", "decision")
    if content.person is not None:
        # Art. 37 record: identity, nationality, description, location of the person sought.
        yield from require(
            content.person, "name", "nationalities", "description", "location", prefix="person"
        )
        if content.person.role not in SOUGHT_ROLES:
            yield Finding(path="person.role", message=PERSON_ROLE_MISMATCH)
