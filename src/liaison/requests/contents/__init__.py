"""Request contents: typed models per kind, format validation, submission checks, grounds,
preservation dates and translation gaps. Pure functions; the request service stores and moves.
"""

from liaison.core.errors import Problem
from liaison.requests.contents.base import REQUEST_FIELDS, CaseContent
from liaison.requests.contents.common import (
    DataCategory,
    FreeText,
    MlaSubtype,
    Period,
    RequestKind,
)
from liaison.requests.contents.disclosure import DisclosureContent
from liaison.requests.contents.extradition import ExtraditionContent
from liaison.requests.contents.grounds import (
    Ground,
    GroundCode,
    ground,
    postponement_grounds,
    refusal_grounds,
)
from liaison.requests.contents.languages import free_text_fields, translation_gaps
from liaison.requests.contents.mla import MlaContent
from liaison.requests.contents.offences import (
    Offence,
    OffenceCode,
    Penalty,
    offence_article,
    offence_label,
)
from liaison.requests.contents.preservation import (
    MIN_PRESERVATION_DAYS,
    PreservationContent,
    extended_expiry,
    preservation_active,
    preservation_expiry,
)
from liaison.requests.contents.registry import (
    PROVISIONAL_ARREST,
    check_submission,
    content_model,
    format_problems,
    legal_bases,
    parse_content,
    required_to_submit,
    subtypes,
    with_subtype,
)
from liaison.requests.contents.spontaneous import SpontaneousContent
from liaison.requests.contents.transfers import (
    ProceedingsTransferContent,
    SentencedPersonTransferContent,
)

__all__ = [
    "MIN_PRESERVATION_DAYS",
    "PROVISIONAL_ARREST",
    "REQUEST_FIELDS",
    "CaseContent",
    "DataCategory",
    "DisclosureContent",
    "ExtraditionContent",
    "FreeText",
    "Ground",
    "GroundCode",
    "MlaContent",
    "MlaSubtype",
    "Offence",
    "OffenceCode",
    "Penalty",
    "Period",
    "PreservationContent",
    "Problem",
    "ProceedingsTransferContent",
    "RequestKind",
    "SentencedPersonTransferContent",
    "SpontaneousContent",
    "check_submission",
    "content_model",
    "extended_expiry",
    "format_problems",
    "free_text_fields",
    "ground",
    "legal_bases",
    "offence_article",
    "offence_label",
    "parse_content",
    "postponement_grounds",
    "preservation_active",
    "preservation_expiry",
    "refusal_grounds",
    "required_to_submit",
    "subtypes",
    "translation_gaps",
    "with_subtype",
]
