"""Request contents: typed models per kind, format validation, submission checks, grounds,
preservation dates and translation gaps. Pure functions; the request service stores and moves.
"""

from liaison.requests.contents.base import CaseContent
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
from liaison.requests.contents.offences import Offence, OffenceCode, Penalty, offence_label
from liaison.requests.contents.preservation import (
    MIN_PRESERVATION_DAYS,
    PreservationContent,
    extended_expiry,
    preservation_active,
    preservation_expiry,
)
from liaison.requests.contents.registry import (
    Problem,
    check_submission,
    content_model,
    parse_content,
)
from liaison.requests.contents.spontaneous import SpontaneousContent
from liaison.requests.contents.transfers import (
    ProceedingsTransferContent,
    SentencedPersonTransferContent,
)

__all__ = [
    "MIN_PRESERVATION_DAYS",
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
    "free_text_fields",
    "ground",
    "offence_label",
    "parse_content",
    "postponement_grounds",
    "preservation_active",
    "preservation_expiry",
    "refusal_grounds",
    "translation_gaps",
]
