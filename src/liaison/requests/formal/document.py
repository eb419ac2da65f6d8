"""The formal request: a letter from the requesting authority to the requested one, in the
requested authority's language, that the requesting node signs when it sends the request.

The letterhead names both authorities as the directory does in that language, the case
reference and the date; the legal basis is said once; the body follows the convention's list of
contents for the kind (order.py), each value with its fields in the model's order and every code
in words (translation.py); urgency, deadline and conditions come from the request's own fields;
the signature block names the supervisor who approved it.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from babel.dates import format_date, format_datetime

from liaison.core.errors import NotFound
from liaison.crypto.hashing import sha256_digest
from liaison.documents.model import (
    Approval,
    ApproverRole,
    FormalDocument,
    FreeText,
    Kind,
    Party,
    Section,
    SectionLabel,
)
from liaison.requests.contents.conditions import Conditions
from liaison.requests.formal.labels import (
    AUTHORITY_FIELDS,
    KIND_FIELD_LABELS,
    field_label,
    is_free_text,
)
from liaison.requests.formal.order import body_fields, content_in_model_order
from liaison.requests.formal.parties import Parties
from liaison.requests.formal.translation import Words
from liaison.requests.models import Request

TITLES = {
    "mla": Kind.MLA_REQUEST,
    "preservation": Kind.PRESERVATION_REQUEST,
    "disclosure": Kind.DISCLOSURE_REQUEST,
    "extradition": Kind.EXTRADITION_REQUEST,
    "sentenced_person_transfer": Kind.SENTENCED_PERSONS_TRANSFER,
    "proceedings_transfer": Kind.PROCEEDINGS_TRANSFER,
    "spontaneous": Kind.SPONTANEOUS_INFORMATION,
}
# Content fields with a label of their own in the documents catalog; others print their name.
LABELS = {
    "requesting_authority": SectionLabel.REQUESTING_AUTHORITY,
    "conducting_authority": SectionLabel.CONDUCTING_AUTHORITY,
    "subject_matter": SectionLabel.SUBJECT_MATTER,
    "offences": SectionLabel.OFFENCES,
    "facts": SectionLabel.SUMMARY_OF_FACTS,
    "assistance_sought": SectionLabel.ASSISTANCE_SOUGHT,
    "persons": SectionLabel.PERSONS_CONCERNED,
    "person": SectionLabel.PERSON_SOUGHT,
    "purpose": SectionLabel.PURPOSE,
    "identifiers": SectionLabel.ITEMS_CONCERNED,
    "data_to_preserve": SectionLabel.DATA_TO_PRESERVE,
    "relation_to_offence": SectionLabel.RELATION_TO_OFFENCE,
    "custodian": SectionLabel.CUSTODIAN,
    "necessity": SectionLabel.NECESSITY,
    "mla_intended": SectionLabel.INTENDED_MLA,
}


def label_of(kind: str, name: str) -> str:
    return KIND_FIELD_LABELS.get((kind, name)) or LABELS.get(name) or field_label(name)


def party(parties: Parties, authority_id: str) -> Party:
    found = parties.party(authority_id)
    if found is None:
        raise NotFound(f"{authority_id} is neither hosted here nor in the directory")
    return found


def typed_text(label: str, value: Any, language: str) -> FreeText | None:
    """A text an officer typed: content free texts carry their language and translations; a
    plain string is in the request's language."""
    if is_free_text(value):
        return FreeText(
            label=label,
            original=value["original"],
            original_language=value["original_language"],
            translations=value.get("translations") or {},
        )
    if isinstance(value, str) and value.strip():
        return FreeText(label=label, original=value, original_language=language)
    return None


def named_by_directory(value: Any, *, known: list[Party], parties: Parties, lang: str) -> Any:
    """An authority the request names, called what the directory calls it in `lang` when it is
    one the directory knows: by its directory id, or by any of its names (the officer typed the
    English one into a Russian document, say). Any other authority keeps the typed name."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return value
    found = parties.party(value["directory_id"]) if value.get("directory_id") else None
    if found is None:
        typed = value["name"].casefold().strip()
        found = next(
            (p for p in known if typed in {n.casefold().strip() for n in p.names.values()}), None
        )
    return value if found is None else {**value, "name": found.name_in(lang)}


def sections(request: Request, content: dict[str, Any], words: Words) -> list[Section | FreeText]:
    items: list[Section | FreeText] = []
    for name in body_fields(request.kind, content):
        value = content[name]
        if value in (None, "", [], {}):
            continue
        label = label_of(request.kind, name)
        text = typed_text(label, value, request.language) if is_free_text(value) else None
        if text is not None:
            items.append(text)
        elif name == "offences" and isinstance(value, list):
            items.append(
                Section(label=label, value=[words.offence(v) for v in value], numbered=True)
            )
        elif isinstance(value, list):
            items.append(
                Section(
                    label=label,
                    value=[words.value(name, v) for v in value if v not in (None, "", {})],
                )
            )
        else:
            items.append(Section(label=label, value=words.value(name, value)))
    return items + request_fields(request, content, words)


def request_fields(
    request: Request, content: dict[str, Any], words: Words
) -> list[Section | FreeText]:
    """Urgency, deadline and conditions, from the request's own fields (one place each), with
    the reasons the contents give for them."""
    items: list[Section | FreeText] = []
    urgency_reason = content.get("urgency_reason")
    reason = typed_text(SectionLabel.URGENCY_REASONS, urgency_reason, request.language)
    if request.urgent and reason is not None:
        items.append(reason)
    if request.wished_deadline is not None:
        items.append(
            Section(label=SectionLabel.DEADLINE, value=moment(request.wished_deadline, words))
        )
        deadline_reason = content.get("deadline_reason")
        why = typed_text(SectionLabel.DEADLINE_REASONS, deadline_reason, request.language)
        if why is not None:
            items.append(why)
    in_force = conditions_in_force(request.conditions, words)
    if in_force:
        items.append(Section(label=SectionLabel.CONDITIONS, value=in_force))
    return items


def conditions_in_force(conditions: dict[str, Any] | None, words: Words) -> list[str]:
    """The conditions that bind the data, as words: those set, and the protective defaults the
    request did not relax (what sharing.exports enforces)."""
    merged = {**Conditions().model_dump(), **(conditions or {})}
    lines = []
    for key, value in merged.items():
        label = words.tr(field_label(key))
        if value is True:
            lines.append(label)
        elif value not in (None, False, "", {}, []):
            lines.append(f"{label}: {words.value(key, value)}")
    return lines


def moment(value: datetime, words: Words) -> str:
    """A date as the language writes it; with its time when it is not midnight UTC."""
    if value.timetz().replace(tzinfo=None) == time(0) and not value.utcoffset():
        return format_date(value.date(), format="long", locale=words.lang)
    return format_datetime(value, format="long", tzinfo=value.tzinfo, locale=words.lang)


def build(
    request: Request, parties: Parties, *, issued_at: datetime | None = None, preview: bool = False
) -> FormalDocument:
    """The request as its author signs it; `issued_at` is the moment of sending."""
    lang = parties.language(request.requested, request.language)
    words = Words(lang)
    sender, recipient = party(parties, request.requesting), party(parties, request.requested)
    content = content_in_model_order(request.kind, request.content or {})
    for name in AUTHORITY_FIELDS & set(content):
        content[name] = named_by_directory(
            content[name], known=[sender, recipient], parties=parties, lang=lang
        )
    subtype = content.get("subtype") or request.subtype
    approval = None
    if request.approved_by and request.approved_at:
        approval = Approval(
            approver=request.approved_by,
            role=ApproverRole.SUPERVISOR,
            approved_at=request.approved_at,
            signature_fingerprint=sha256_digest(request.approval.encode())
            if request.approval
            else None,
        )
    return FormalDocument(
        kind=TITLES.get(request.kind, Kind.MLA_REQUEST),
        subtitle=words.code("subtype", subtype) if request.kind == "mla" and subtype else None,
        urgent=bool(request.urgent),
        reference=content.get("case_reference") or request.reference or request.id,
        request_id=request.id,
        version=request.version,
        language=lang,
        sender=sender,
        recipient=recipient,
        issued_at=issued_at or request.sent_at or request.approved_at or request.created_at,
        legal_basis=words.value("legal_basis", content.get("legal_basis")),
        sections=sections(request, content, words),
        approval=approval,
        preview=preview,
    )
