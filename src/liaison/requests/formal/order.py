"""The order a formal document says things in: the convention's list of contents for each kind,
and, inside every value, the order in which the content model declares its fields.

Stored content is JSON with sorted keys (db.types.JSONText), so read back a period's `end`
comes before its `start` and a person's `date_of_birth` before the `role`. `in_model_order`
puts every object back in its model's order, so the document reads as the form was designed.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from liaison.requests.contents import content_model

# Art. 40(3) for MLA, art. 42(2) for preservation, CONVENTION.md "Records the software keeps"
# for the others. A field not listed follows, in the model's order, so nothing is ever dropped.
ORDER: dict[str, tuple[str, ...]] = {
    "mla": (
        # (a) the requesting authority, with the central authorities
        "requesting_authority",
        "requesting_central_authority",
        "requested_central_authority",
        # (b) subject matter and nature of the proceeding, the authority conducting it
        "subject_matter",
        "proceeding_stage",
        "conducting_authority",
        # (c) the offences and a summary of the facts
        "offences",
        "facts",
        # (d) the assistance sought and any particular procedure
        "assistance_sought",
        "procedures",
        "justification",
        "asset_action",
        "property_description",
        "order_reference",
        # (e) the persons concerned
        "persons",
        # (f) the purpose
        "purpose",
        # the items, accounts and time period of the data sought
        "identifiers",
        "data_categories",
        "data_period",
        "collection_period",
        "collection_period_reason",
        "linked_preservation_id",
        "channel",
    ),
    "preservation": (
        "requesting_authority",  # (a)
        "requesting_contact_point",
        "requested_contact_point",
        "offences",  # (b)
        "facts",
        "data_to_preserve",  # (c)
        "relation_to_offence",
        "identifiers",
        "data_categories",
        "data_period",
        "custodian",  # (d)
        "system_location",
        "necessity",  # (e)
        "mla_intended",  # (f)
        "period_days",
    ),
    "disclosure": (
        "requesting_authority",
        "linked_preservation_id",
        "offences",
        "facts",
        "records",
        "provider_name",
        "provider_state",
        "limits",
    ),
    "extradition": (
        "requesting_authority",
        "requested_central_authority",
        "purpose",
        "provisional_arrest",
        "person",
        "offences",
        "requested_state_offences",
        "facts",
        "decision",
        "assurances",
    ),
    "sentenced_person_transfer": (
        "requesting_authority",
        "person",
        "person_consents",
        "sentencing_state",
        "administering_state",
        "offences",
        "facts",
        "judgment",
        "sentence_imposed",
        "days_remaining",
    ),
    "proceedings_transfer": (
        "requesting_authority",
        "persons",
        "offences",
        "facts",
        "transfer_reason",
        "evidence_summary",
    ),
    "spontaneous": (
        "requesting_authority",
        "information",
        "relevance",
        "offences",
        "facts",
        "persons",
        "identifiers",
    ),
}
# Printed once, elsewhere on the page: the legal basis under the title, the case reference in
# the letterhead, the MLA sub-type as the subtitle.
ELSEWHERE = frozenset({"legal_basis", "case_reference", "subtype"})
# Urgency, deadline and conditions are the request's own fields (Request.urgent,
# .wished_deadline, .conditions), one place each; their reasons (urgency_reason,
# deadline_reason) are printed beside them, not in the body; a copy of the facts left in older
# stored content is not printed, so the two can never contradict on paper.
REQUEST_FIELDS = frozenset(
    {"urgent", "urgency_reason", "deadline", "deadline_reason", "conditions"}
)


def body_fields(kind: str, content: dict[str, Any]) -> list[str]:
    """The content fields the body prints, in the order it prints them."""
    listed = [name for name in ORDER.get(kind, ()) if name in content]
    rest = [
        name
        for name in content
        if name not in listed and name not in ELSEWHERE and name not in REQUEST_FIELDS
    ]
    return listed + rest


def content_in_model_order(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """The stored content with every object in the order its model declares."""
    try:
        model = content_model(kind)
    except (KeyError, ValueError):
        return content
    return in_model_order(content, model)


def in_model_order(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in data:
            ordered[name] = _ordered(data[name], field.annotation)
    # Keys the model does not declare (a computed flag, an older field) keep their place after.
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    return ordered


def _ordered(value: Any, annotation: Any) -> Any:
    models = _models(annotation)
    if isinstance(value, list):
        return [_ordered(item, annotation) for item in value]
    if isinstance(value, dict) and models:
        return in_model_order(value, models[0])
    return value


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold: `list[Person] | None` gives [Person]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models(arg)
    return found
