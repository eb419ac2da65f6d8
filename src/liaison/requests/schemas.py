"""API shapes for requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from liaison.core.codes import is_language
from liaison.requests.contents.conditions import Conditions

AuthorityRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
Text = Annotated[str, StringConstraints(max_length=5000)]


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]
    subtype: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,40}$")] | None = None
    to: AuthorityRef
    reference: Annotated[str, StringConstraints(max_length=200)] = ""
    language: str
    content: dict[str, Any] = Field(default_factory=dict)
    conditions: Conditions = Field(default_factory=Conditions)
    # Its reasons (urgency_reason, deadline_reason) are free texts of the contents.
    urgent: bool = False
    wished_deadline: datetime | None = None
    preservation_days: int | None = Field(default=None, ge=60, le=3650)
    linked_request: Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}$")] | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not is_language(value.split("-", 1)[0]):
            raise ValueError(f"unknown language code {value!r}")
        return value

    @field_validator("wished_deadline")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("the wished deadline needs a time zone")
        return value


class DraftCheck(RequestCreate):
    """A draft to check, as POST /requests would take it; its contents may be partial."""

    # As at submission: free texts the recipient cannot read are problems unless chosen so.
    without_translation: bool = False


class FieldProblem(BaseModel):
    """One problem at its path in the request (the shape of an error answer's `problems`;
    defined here so that the CLI, which reads these schemas, loads no web framework)."""

    path: str
    message: str


class DraftProblems(BaseModel):
    """What drafting and submission would say of a draft: nothing stored."""

    submittable: bool = Field(description="Nothing stands in the way of submission")
    problems: list[FieldProblem] = Field(
        description="Each problem at its path in the request (content.offences.0.code), its "
        "message in the user's language"
    )


class CodeRead(BaseModel):
    """One entry of a code list: the code, its label in the user's language, and what else a
    form needs to offer it (only the lists that have it carry each field)."""

    code: str
    label: str
    article: str | None = Field(
        default=None, description="Offences and grounds: the convention article(s)"
    )
    articles: list[int] | None = Field(
        default=None,
        description="Request kinds and sub-kinds: the convention articles they can rest on",
    )
    subtypes: list[CodeRead] | None = Field(
        default=None, description="Request kinds: their sub-kinds, which the request names"
    )
    description_required: bool | None = Field(
        default=None,
        description="Offences: the label does not say what the conduct is, so an entry "
        "describes it",
    )
    use: Literal["refuse", "postpone"] | None = Field(
        default=None, description="Grounds: to refuse or to postpone"
    )
    consult_first: bool | None = Field(
        default=None, description="Grounds: the other side must be consulted first"
    )
    state: str | None = Field(default=None, description="Time zones: the State it lies in")


class RequestUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: Annotated[str, StringConstraints(max_length=200)] | None = None
    content: dict[str, Any] | None = None
    conditions: Conditions | None = None
    urgent: bool | None = None
    wished_deadline: datetime | None = None
    preservation_days: int | None = Field(default=None, ge=60, le=3650)


class TransitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text | None = None
    ground: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,64}$")] | None = None
    response: dict[str, Any] | None = None


class ExtensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=3650)


class WarningCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class ConsultationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}$")]


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The explicit choice to send free texts the recipient cannot read without translation.
    without_translation: bool = False


class ProsecutionRead(BaseModel):
    """Aut dedere aut judicare: where a refused extradition's case went, and with what result."""

    model_config = ConfigDict(from_attributes=True)

    ground: str
    opened_at: datetime
    submission_due_at: datetime
    submitted_to: str | None
    submitted_at: datetime | None
    outcome_due_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None


class SubmissionToProsecutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The authority of the requested State the case went to, e.g. a prosecutor's office.
    submitted_to: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    submitted_at: datetime | None = None


class ProsecutionOutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    decided_at: datetime | None = None


class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    holder: str
    kind: str
    subtype: str | None
    requesting: str
    requested: str
    status: str
    seq: int
    version: int
    reference: str
    language: str
    content: dict[str, Any]
    conditions: dict[str, Any]
    urgent: bool
    wished_deadline: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    sent_at: datetime | None
    received_at: datetime | None
    executed_at: datetime | None
    ground: str | None
    status_reason: str | None
    preservation_days: int | None
    preservation_start: datetime | None
    preservation_expiry: datetime | None
    linked_request: str | None
    response: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    # What is due next on this copy (acknowledgment, response, preservation_expiry, ...), by
    # when, and whether that moment has passed; who must act is in the deadlines docs.
    due_what: str | None = None
    due_at: datetime | None = None
    overdue: bool = False
    # A preservation: the sent, undecided follow-up MLA requests holding it, and until when the
    # data is kept (None while held, or before it is in place).
    held_by: list[str] = Field(default_factory=list)
    effective_expiry: datetime | None = None
    # A refused extradition of a national: the domestic prosecution it obliges (art. 37).
    prosecution: ProsecutionRead | None = None


class RequestPagination(BaseModel):
    items: list[RequestRead]
    total: int
    limit: int
    offset: int


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    action: str
    from_status: str
    to_status: str
    side: str
    actor: str
    at: datetime
    ground: str | None
    reason: str | None
