"""What a formal document says, independent of how it is laid out.

The request service fills a `FormalDocument` from a request or a response; the renderer turns it
into a PDF in the recipient's language. Labels (`kind`, section labels, role) are English msgids
of the "documents" catalog, translated at render time; values are already rendered by the
caller, because only the caller knows whether a value is a code to translate or a name to keep.
The same model serves every request kind and every response, so nothing here is kind-specific.

It is laid out as a letter: a letterhead naming the author (`sender`), the addressee
(`recipient`), the case reference and the date; the title; the legal basis once; then the body
in the order the caller gives (`sections`, each a structured field or a text an officer typed,
numbered as they come); and a signature block naming the official who approved or decided
(`approval`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

# Bounds keep one oversized field from producing a thousand-page PDF; the request service
# enforces its own, tighter limits on the text officers type.
_MAX_TEXT = 100_000
_MAX_LABEL = 300
_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")


def _known_language(code: str) -> str:
    """A language code Babel knows, so that dates and language names can be rendered in it."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language code {code!r}") from exc
    return code


Language = Annotated[
    str, Field(min_length=2, max_length=3, pattern=r"^[a-z]{2,3}$"), AfterValidator(_known_language)
]
Label = Annotated[str, Field(min_length=1, max_length=_MAX_LABEL)]
Text = Annotated[str, Field(max_length=_MAX_TEXT)]


class Kind(StrEnum):
    """Document titles (msgids). A StrEnum is a str, so members go straight into `kind`."""

    MLA_REQUEST = "Request for mutual legal assistance"  # art. 40
    PRESERVATION_REQUEST = "Request for expedited preservation of stored computer data"  # 42
    DISCLOSURE_REQUEST = "Request for expedited disclosure of preserved traffic data"  # art. 43
    EXTRADITION_REQUEST = "Request for extradition"  # art. 37
    PROVISIONAL_ARREST_REQUEST = "Request for provisional arrest"  # art. 37, urgent cases
    SENTENCED_PERSONS_TRANSFER = "Request for transfer of sentenced persons"  # art. 38
    PROCEEDINGS_TRANSFER = "Request for transfer of criminal proceedings"  # art. 39
    SPONTANEOUS_INFORMATION = "Spontaneous information"  # art. 40
    ADDITIONAL_INFORMATION = "Request for additional information"
    RESPONSE = "Response to request"
    REFUSAL = "Refusal of request"
    POSTPONEMENT = "Postponement of request"


class SectionLabel(StrEnum):
    """Labels (msgids) for structured fields and free texts, shared by all kinds."""

    REQUESTING_AUTHORITY = "Requesting authority"
    REQUESTED_AUTHORITY = "Requested authority"
    LEGAL_BASIS = "Legal basis"
    RELATED_REQUEST = "Related request"
    SUBJECT_MATTER = "Subject matter and nature of the proceeding"
    CONDUCTING_AUTHORITY = "Authority conducting the proceeding"
    OFFENCES = "Offences"
    DOMESTIC_PROVISION = "Domestic provision"
    MAXIMUM_PENALTY = "Maximum penalty"
    SUMMARY_OF_FACTS = "Summary of facts"
    ASSISTANCE_SOUGHT = "Assistance sought"
    PARTICULAR_PROCEDURE = "Particular procedure requested"
    PERSONS_CONCERNED = "Persons concerned"
    PERSON_SOUGHT = "Person sought"
    NATIONALITY = "Nationality"
    LOCATION = "Location"
    PURPOSE = "Purpose"
    ITEMS_CONCERNED = "Items, accounts and time period concerned"
    DATA_TO_PRESERVE = "Data to be preserved"
    RELATION_TO_OFFENCE = "Relation of the data to the offence"
    CUSTODIAN = "Custodian or location of the computer system"
    NECESSITY = "Necessity of preservation"
    INTENDED_MLA = "Intention to submit a request for mutual legal assistance"
    PRESERVATION_PERIOD = "Preservation period"
    URGENCY = "Urgency"
    URGENCY_REASONS = "Reasons for urgency"
    DEADLINE = "Deadline"
    DEADLINE_REASONS = "Reasons for the deadline"
    CONDITIONS = "Conditions"
    CONFIDENTIALITY = "Confidentiality"
    SPECIALITY = "Speciality"
    NO_ONWARD_TRANSFER = "No onward transfer without authorisation"
    RETENTION_PERIOD = "Retention period"
    SENTENCE = "Sentence"
    REFUSAL_GROUND = "Ground for refusal"
    POSTPONEMENT_GROUND = "Ground for postponement"
    REASONS = "Reasons"
    RESULT = "Result of execution"
    CONTACT = "Contact for this request"
    ATTACHMENTS = "Attachments"


class ApproverRole(StrEnum):
    """Approver roles (msgids)."""

    SUPERVISOR = "Supervisor"
    OFFICER = "Officer"


class Answer(StrEnum):
    """Short values (msgids) the caller may translate before putting them in a section."""

    YES = "Yes"
    NO = "No"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Frozen):
    """An authority as the document names it: its name in one or more languages, its State."""

    names: dict[Language, Label] = Field(min_length=1)
    state: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")

    def name_in(self, lang: str) -> str:
        """The name in `lang`, else in English, else the first name given."""
        return self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))


class Section(_Frozen):
    """A structured field: a label msgid and the caller's rendered value (None: not stated).

    A list prints as bullets, or numbered when `numbered` (offences, which other fields refer
    to by their number)."""

    label: Label
    value: Text | list[Text] | None = None
    numbered: bool = False


class FreeText(_Frozen):
    """A field an officer typed, in its original language, with any translations supplied."""

    label: Label
    original: Text
    original_language: Language
    translations: dict[Language, Text] = Field(default_factory=dict)

    def translation_into(self, lang: str) -> str | None:
        """The text to show first in a `lang` document; None when nothing fits."""
        if lang == self.original_language:
            return self.original
        return self.translations.get(lang)


class Approval(_Frozen):
    """The signature block: the official who approved the request (four eyes) or took the
    decision a response records, when, and the fingerprint of the approval JWS (a request only)."""

    approver: Label
    role: Label
    approved_at: AwareDatetime
    signature_fingerprint: str | None = Field(
        default=None, description="sha256:<hex> of the compact JWS that signs the request content"
    )

    @model_validator(mode="after")
    def _fingerprint_form(self) -> Approval:
        fingerprint = self.signature_fingerprint
        if fingerprint is not None and not _FINGERPRINT.match(fingerprint):
            raise ValueError("signature_fingerprint must be 'sha256:' and 64 lower-case hex digits")
        return self


class FormalDocument(_Frozen):
    """Everything printed on a formal request or response.

    `reference` is the case reference the author gave (what a reader quotes in a reply);
    `request_id` and `version` identify the record in Liaison and print in small type at the
    end. `subtitle` says more about the kind (an MLA sub-type), already rendered by the caller.
    `preview` marks every page as an unsigned preview that is not the formal document.
    """

    kind: Label
    subtitle: Text | None = None
    urgent: bool = False
    reference: Label
    request_id: Label
    version: int = Field(ge=1)
    language: Language
    sender: Party
    recipient: Party
    issued_at: AwareDatetime
    legal_basis: Text
    sections: list[Section | FreeText] = Field(default_factory=list)
    approval: Approval | None = None
    preview: bool = False
