"""Mutual legal assistance (art. 40) and its sub-types: stored data (44), real-time traffic data
(45), interception of content (46), freezing, seizure and confiscation (50-52), other."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from pydantic import Field

from liaison.requests.contents.base import CaseContent, case_findings
from liaison.requests.contents.common import (
    AuthorityRef,
    DataCategory,
    FreeText,
    Identifier,
    IdentifierKind,
    MlaSubtype,
    Period,
    Person,
    Reference,
    ShortText,
    TransmissionChannel,
)
from liaison.requests.contents.messages import (
    IP_NEEDS_TIME,
    REAL_TIME_TRAFFIC_ONLY,
)
from liaison.requests.contents.rules import Finding, join, missing, require

ARTICLES: dict[MlaSubtype, frozenset[int]] = {
    MlaSubtype.STORED_DATA: frozenset({40, 44}),
    MlaSubtype.REAL_TIME_TRAFFIC: frozenset({40, 45}),
    MlaSubtype.INTERCEPTION: frozenset({40, 46}),
    MlaSubtype.ASSETS: frozenset({40, 50, 51, 52}),
    MlaSubtype.OTHER: frozenset({40}),
}
ANY_MLA_ARTICLE = frozenset().union(*ARTICLES.values())
_COLLECTION = frozenset({MlaSubtype.REAL_TIME_TRAFFIC, MlaSubtype.INTERCEPTION})
# Fields only some sub-types have (a form for another sub-type leaves them out).
SUBTYPE_FIELDS: dict[str, frozenset[MlaSubtype]] = {
    "justification": _COLLECTION,
    "collection_period": _COLLECTION,
    "collection_period_reason": _COLLECTION,
    "asset_action": frozenset({MlaSubtype.ASSETS}),
    "property_description": frozenset({MlaSubtype.ASSETS}),
    "order_reference": frozenset({MlaSubtype.ASSETS}),
}


class ProceedingStage(StrEnum):
    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    TRIAL = "trial"
    APPEAL = "appeal"
    ENFORCEMENT = "enforcement"


class AssistanceType(StrEnum):
    """The types of assistance a request may seek (art. 40(3))."""

    TAKING_EVIDENCE = "taking_evidence"
    SERVICE_OF_DOCUMENTS = "service_of_documents"
    SEARCH_AND_SEIZURE = "search_and_seizure"
    DISCLOSURE_OF_STORED_DATA = "disclosure_of_stored_data"
    REAL_TIME_COLLECTION = "real_time_collection"
    INTERCEPTION = "interception"
    EXAMINATION = "examination"
    INFORMATION_AND_EXPERT_EVALUATIONS = "information_and_expert_evaluations"
    DOCUMENTS_AND_RECORDS = "documents_and_records"
    IDENTIFYING_PROCEEDS = "identifying_proceeds"
    VOLUNTARY_APPEARANCE = "voluntary_appearance"
    FREEZING = "freezing"
    SEIZURE = "seizure"
    CONFISCATION = "confiscation"
    RETURN_OF_ASSETS = "return_of_assets"
    OTHER = "other"


class AssetAction(StrEnum):
    FREEZING = "freezing"
    SEIZURE = "seizure"
    CONFISCATION = "confiscation"
    RETURN = "return"


class MlaContent(CaseContent):
    subtype: MlaSubtype | None = None
    channel: TransmissionChannel | None = None
    # Art. 40(b): the subject matter and nature of the proceeding, and the authority conducting it.
    conducting_authority: AuthorityRef | None = None
    requesting_central_authority: AuthorityRef | None = None
    requested_central_authority: AuthorityRef | None = None
    proceeding_stage: ProceedingStage | None = None
    subject_matter: FreeText | None = None
    assistance_sought: list[AssistanceType] = Field(default_factory=list, max_length=20)
    procedures: FreeText | None = Field(
        default=None,
        description="Any particular procedure the requesting State wishes to be followed",
    )
    persons: list[Person] = Field(default_factory=list, max_length=200)
    identifiers: list[Identifier] = Field(default_factory=list, max_length=1000)
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=3)
    data_period: Period | None = None
    purpose: FreeText | None = None
    linked_preservation_id: Reference | None = Field(
        default=None, description="The preservation request this request follows up, if any"
    )
    # Art. 45-46: justification, collection period and why that period.
    justification: FreeText | None = None
    collection_period: Period | None = None
    collection_period_reason: FreeText | None = None
    # Art. 50-52: the property, the action sought, and (for confiscation) the order.
    asset_action: AssetAction | None = None
    property_description: FreeText | None = None
    order_reference: ShortText | None = None


def findings(content: MlaContent) -> Iterator[Finding]:
    articles = ARTICLES[content.subtype] if content.subtype else ANY_MLA_ARTICLE
    # Art. 40(c): no summary of facts is needed for service of documents alone.
    only_service = content.assistance_sought == [AssistanceType.SERVICE_OF_DOCUMENTS]
    yield from case_findings(content, articles=articles, facts_required=not only_service)
    yield from require(
        content,
        "subtype",
        "conducting_authority",
        "requested_central_authority",
        "subject_matter",
        "assistance_sought",
        "purpose",
    )
    yield from identifier_findings(content.identifiers)
    if content.subtype is MlaSubtype.STORED_DATA:
        yield from require(content, "identifiers", "data_categories", "data_period")
    if content.subtype in (MlaSubtype.REAL_TIME_TRAFFIC, MlaSubtype.INTERCEPTION):
        # Art. 45-46: the owner or user, or the location, of what is to be collected.
        if not content.identifiers and not content.persons:
            yield missing("identifiers")
        yield from require(
            content, "justification", "collection_period", "collection_period_reason"
        )
    if content.subtype is MlaSubtype.REAL_TIME_TRAFFIC and any(
        category is not DataCategory.TRAFFIC for category in content.data_categories
    ):
        yield Finding(path="data_categories", message=REAL_TIME_TRAFFIC_ONLY)
    if content.subtype is MlaSubtype.ASSETS:
        yield from require(content, "asset_action", "property_description")
        if content.asset_action is AssetAction.CONFISCATION:
            yield from require(content, "order_reference")


def identifier_findings(
    identifiers: list[Identifier], *, prefix: str = "identifiers"
) -> Iterator[Finding]:
    for index, identifier in enumerate(identifiers):
        if identifier.kind is IdentifierKind.IP_ADDRESS:
            path = join(prefix, index)
            if identifier.timestamp is None:
                yield Finding(path=join(path, "timestamp"), message=IP_NEEDS_TIME)
            if identifier.timezone is None:
                yield Finding(path=join(path, "timezone"), message=IP_NEEDS_TIME)
