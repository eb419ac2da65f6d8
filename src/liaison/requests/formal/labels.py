"""The words of a formal document for structured content, in the document's language.

Field names and coded values are English msgids of the "documents" catalog (i18n/locale/*/
LC_MESSAGES/documents.po). formal_words.py renders a value by its field with these tables:
codes through their label, states and languages through CLDR names (Babel), calendar dates as
the language writes them, yes/no,
penalties with the plural the language needs, refusal grounds with their articles, nested
objects as "Label: value" pairs (labelled by what holds them: a person's name, an authority's).
tests/unit/documents/test_formal_labels.py fails when a content field, a code or a StrEnum of
the contents package has no label, or a label has no translation in ru, vi or de.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from liaison.core.permissions import AuthorityRole
from liaison.documents.model import Kind as Title
from liaison.requests.contents.common import (
    DataCategory,
    IdentifierKind,
    MlaSubtype,
    PersonRole,
    RequestKind,
    TransmissionChannel,
)
from liaison.requests.contents.conditions import Conditions as ResponseConditions
from liaison.requests.contents.extradition import AssuranceKind, DecisionKind, ExtraditionPurpose
from liaison.requests.contents.mla import AssetAction, AssistanceType, ProceedingStage
from liaison.requests.contents.offences import PenaltyUnit
from liaison.requests.contents.registry import PROVISIONAL_ARREST

# A kind of request is named by the title of its formal document ("documents" catalog); so is
# provisional arrest, the sub-kind of extradition. MLA sub-types are codes (CODE_LABELS).
KIND_LABELS: dict[str, str] = {
    RequestKind.MLA: Title.MLA_REQUEST,
    RequestKind.PRESERVATION: Title.PRESERVATION_REQUEST,
    RequestKind.DISCLOSURE: Title.DISCLOSURE_REQUEST,
    RequestKind.EXTRADITION: Title.EXTRADITION_REQUEST,
    RequestKind.SENTENCED_PERSON_TRANSFER: Title.SENTENCED_PERSONS_TRANSFER,
    RequestKind.PROCEEDINGS_TRANSFER: Title.PROCEEDINGS_TRANSFER,
    RequestKind.SPONTANEOUS: Title.SPONTANEOUS_INFORMATION,
}
SUBKIND_LABELS: dict[tuple[str, str], str] = {
    (RequestKind.EXTRADITION, PROVISIONAL_ARREST): Title.PROVISIONAL_ARREST_REQUEST,
}

# Every field of the content models, by name (the same name means the same thing everywhere).
FIELD_LABELS: dict[str, str] = {
    "administering_state": "Administering State",
    "aliases": "Aliases",
    "amount": "Amount",
    "asset_action": "Measure on assets",
    "assistance_sought": "Assistance sought",
    "assurances": "Assurances",
    "below_threshold_reason": "Why the request may proceed below the penalty threshold",
    "case_reference": "Case reference",
    "channel": "Channel of transmission",
    "code": "Offence",
    "collection_period": "Collection period",
    "collection_period_reason": "Reasons for the collection period",
    "conditions": "Conditions",
    "conducting_authority": "Authority conducting the proceeding",
    "confidential": "Confidentiality",
    "convention_article": "Article of the Convention",
    "custodian": "Custodian or location of the computer system",
    "data_categories": "Categories of data",
    "data_period": "Period of the data",
    "data_protection_terms": "Data protection terms",
    "data_to_preserve": "Data to be preserved",
    "date_of_birth": "Date of birth",
    "days_remaining": "Days of the sentence remaining",
    "deadline": "Deadline",
    "deadline_reason": "Reasons for the deadline",
    "decision": "Decision",
    "description": "Description",
    "destination": "Destination",
    "directory_id": "Directory identifier",
    "document_id": "Attached document",
    "domestic_provision": "Domestic provision",
    "duration_seconds": "Duration (seconds)",
    "end": "End",
    "evidence_summary": "Summary of the evidence",
    "facts": "Summary of facts",
    "function": "Function",
    "hops": "Hops",
    "identifiers": "Items, accounts and time period concerned",
    "identity_documents": "Identity documents",
    "information": "Information",
    "issued_on": "Issued on",
    "issuing_authority": "Issuing authority",
    "judgment": "Judgment",
    "justification": "Justification",
    "kind": "Kind",
    "legal_basis": "Legal basis",
    "limits": "Limits",
    "linked_preservation_id": "Related preservation request",
    "location": "Location",
    "location_state": "State of location",
    "max_penalty": "Maximum penalty",
    "mla_intended": "Intention to submit a request for mutual legal assistance",
    "name": "Name",
    "nationalities": "Nationality",
    "necessity": "Necessity of preservation",
    "no_onward_transfer": "No onward transfer without authorisation",
    "no_user_notice": "No notice to the user",
    "offence_index": "Offence (number in the list)",
    "offences": "Offences",
    "onward_transfer_needs_authorisation": "No onward transfer without authorisation",
    "order_reference": "Order reference",
    "origin": "Origin",
    "original": "Original",
    "original_language": "Original language",
    "period_days": "Period (days)",
    "person": "Person sought",
    "person_consents": "Consent of the person",
    "persons": "Persons concerned",
    "procedures": "Particular procedure requested",
    "proceeding_stage": "Stage of the proceeding",
    "property_description": "Description of the property",
    "provider": "Service provider",
    "provider_name": "Service provider",
    "provider_state": "State of the service provider",
    "provisional_arrest": "Provisional arrest",
    "purpose": "Purpose",
    "records": "Records",
    "reference": "Number of the decision",
    "relation_to_offence": "Relation of the data to the offence",
    "relevance": "Relevance",
    "requested_central_authority": "Requested central authority",
    "requested_contact_point": "Requested contact point",
    "requested_state_offences": "Offences under the law of the requested State",
    "requesting_authority": "Requesting authority",
    "requesting_central_authority": "Requesting central authority",
    "requesting_contact_point": "Requesting contact point",
    "retention_days": "Retention period (days)",
    "role": "Procedural status",
    "sentence_imposed": "Sentence imposed",
    "sentencing_state": "Sentencing State",
    # Derived from the maximum penalty (read only): art. 2, at least four years.
    "serious_crime": "Serious crime (maximum penalty of at least four years)",
    "service": "Service",
    "size_bytes": "Size (bytes)",
    "speciality": "Speciality",
    "start": "Start",
    "state": "State",
    "subject_matter": "Subject matter and nature of the proceeding",
    "subtype": "Type of assistance",
    "summary": "Summary",
    "system_location": "Location of the computer system",
    "text": "Text",
    "time": "Time",
    "timestamp": "Time",
    "timezone": "Time zone",
    "transfer_reason": "Reasons for the transfer",
    "translations": "Translations",
    "treaty": "Treaty",
    "unit": "Unit",
    "urgency_reason": "Reasons for urgency",
    "urgent": "Urgent",
    "value": "Value",
}
# A field whose meaning depends on the kind of request: (kind, field) -> msgid.
KIND_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("sentenced_person_transfer", "person"): "Person to be transferred",
}
# Inside an object, a key may need the word its parent calls for: an authority's name is not a
# person's (ru "Наименование" / "Фамилия, имя"). The test lists every field of these models.
PERSON_FIELDS = frozenset({"person", "persons"})
AUTHORITY_FIELDS = frozenset(
    {
        "requesting_authority",
        "conducting_authority",
        "requesting_central_authority",
        "requested_central_authority",
        "requesting_contact_point",
        "requested_contact_point",
    }
)
NESTED_LABELS: dict[tuple[frozenset[str], str], str] = {
    (PERSON_FIELDS, "name"): "Full name",
    (AUTHORITY_FIELDS, "name"): "Name of the authority",
}
# The response document: keys of the requested authority's result and of its conditions
# (requests/contents/conditions.py), besides the content fields above.
RESPONSE_FIELDS = ("summary", *ResponseConditions.model_fields)

CODE_LABELS: dict[type[StrEnum], dict[str, str]] = {
    PersonRole: {
        "suspect": "Suspect",
        "accused": "Accused",
        "sentenced": "Sentenced person",
        "victim": "Victim",
        "witness": "Witness",
        "account_holder": "Account holder",
        "other": "Other",
    },
    IdentifierKind: {
        "account": "Account",
        "ip_address": "IP address",
        "device": "Device",
        "phone": "Telephone number",
        "email": "E-mail address",
        "domain": "Domain name",
        "wallet": "Virtual asset wallet",
        "other": "Other",
    },
    TransmissionChannel: {
        "federation": "Liaison federation",
        "24_7_network": "24/7 network",
        "interpol": "INTERPOL",
        "diplomatic": "Diplomatic channels",
    },
    MlaSubtype: {
        "stored_data": "Stored electronic data (art. 44)",
        "real_time_traffic": "Real-time collection of traffic data (art. 45)",
        "interception": "Interception of content data (art. 46)",
        "assets": "Freezing, seizure and confiscation (art. 50-52)",
        "other": "Other assistance (art. 40)",
    },
    DataCategory: {
        "subscriber": "Subscriber information",
        "traffic": "Traffic data",
        "content": "Content data",
    },
    ExtraditionPurpose: {
        "prosecution": "Prosecution",
        "enforcement_of_sentence": "Enforcement of a sentence",
    },
    DecisionKind: {"arrest_warrant": "Arrest warrant", "judgment": "Judgment"},
    AssuranceKind: {
        "no_death_penalty": "The death penalty will not be imposed or carried out",
        "fair_trial": "Fair trial",
        "speciality": "Rule of speciality",
        "no_re_extradition": "No re-extradition to a third State",
        "return_to_serve_sentence": "Return of the national to serve the sentence",
        "other": "Other",
    },
    ProceedingStage: {
        "investigation": "Investigation",
        "prosecution": "Prosecution",
        "trial": "Trial",
        "appeal": "Appeal",
        "enforcement": "Enforcement",
    },
    AssistanceType: {
        "taking_evidence": "Taking evidence or statements",
        "service_of_documents": "Service of judicial documents",
        "search_and_seizure": "Search and seizure",
        "disclosure_of_stored_data": "Disclosure of stored electronic data",
        "real_time_collection": "Real-time collection of traffic data",
        "interception": "Interception of content data",
        "examination": "Examining objects and sites",
        "information_and_expert_evaluations": (
            "Providing information, evidentiary items and expert evaluations"
        ),
        "documents_and_records": "Providing documents and records",
        "identifying_proceeds": "Identifying or tracing proceeds of crime",
        "voluntary_appearance": "Facilitating the voluntary appearance of persons",
        "freezing": "Freezing",
        "seizure": "Seizure",
        "confiscation": "Confiscation",
        "return_of_assets": "Return of assets",
        "other": "Other assistance",
    },
    AssetAction: {
        "freezing": "Freezing",
        "seizure": "Seizure",
        "confiscation": "Confiscation",
        "return": "Return of assets",
    },
    PenaltyUnit: {"months": "months", "years": "years", "life": "Life imprisonment"},
}

# An authority's function, where it is one of the roles the convention has States notify
# (art. 40, 41; the directory's roles). Officers type it ("central authority") or paste the
# code ("central_authority"); either prints as the word of the document's language, and any
# other function stays as typed.
FUNCTION_LABELS: dict[str, str] = {
    AuthorityRole.central_authority: "Central authority",
    AuthorityRole.contact_24_7: "24/7 point of contact",
    AuthorityRole.competent_authority: "Competent authority",
    AuthorityRole.extradition_authority: "Extradition authority",
}

# Which codes a field holds (a field name means the same thing in every model).
FIELD_CODES: dict[str, tuple[type[StrEnum], ...]] = {
    "role": (PersonRole,),
    "kind": (IdentifierKind, DecisionKind, AssuranceKind),
    "channel": (TransmissionChannel,),
    "subtype": (MlaSubtype,),
    "data_categories": (DataCategory,),
    "purpose": (ExtraditionPurpose,),
    "proceeding_stage": (ProceedingStage,),
    "assistance_sought": (AssistanceType,),
    "asset_action": (AssetAction,),
    "unit": (PenaltyUnit,),
}
STATE_FIELDS = frozenset(
    {
        "state",
        "nationalities",
        "location_state",
        "provider_state",
        "sentencing_state",
        "administering_state",
    }
)
# Calendar dates print as the language writes them ("31. März 2026"); times keep ISO 8601
# with their offset, which is what identifies a user behind an IP address.
DATE_FIELDS = frozenset({"date_of_birth", "issued_on"})
CONVENTION_ARTICLE = "United Nations Convention against Cybercrime, article {article}"
# A refusal or postponement ground: its label ("validation" catalog) and the articles it rests on.
# An offence of the convention's list is printed the same way, with its article.
GROUND = "{ground} (art. {article})"
# Months and years with the plural form CLDR gives the language (Russian has three).
PENALTY_UNITS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "months": {"one": "month", "other": "months"},
        "years": {"one": "year", "other": "years"},
    },
    "de": {
        "months": {"one": "Monat", "other": "Monate"},
        "years": {"one": "Jahr", "other": "Jahre"},
    },
    "ru": {
        "months": {"one": "месяц", "few": "месяца", "many": "месяцев", "other": "месяца"},
        "years": {"one": "год", "few": "года", "many": "лет", "other": "года"},
    },
    "vi": {"months": {"other": "tháng"}, "years": {"other": "năm"}},
    "fr": {
        "months": {"one": "mois", "many": "mois", "other": "mois"},
        "years": {"one": "an", "many": "ans", "other": "ans"},
    },
    "es": {
        "months": {"one": "mes", "many": "meses", "other": "meses"},
        "years": {"one": "año", "many": "años", "other": "años"},
    },
    "ar": {
        "months": {"zero": "شهر", "one": "شهر", "two": "شهران", "few": "أشهر", "many": "شهرًا"}
        | {"other": "شهر"},
        "years": {"zero": "سنة", "one": "سنة", "two": "سنتان", "few": "سنوات", "many": "سنة"}
        | {"other": "سنة"},
    },
    "zh": {"months": {"other": "个月"}, "years": {"other": "年"}},
}


def kind_label(kind: str, subtype: str | None = None) -> str:
    """The msgid naming a kind of request, or one of its sub-kinds."""
    if subtype is None:
        return KIND_LABELS[kind]
    if kind == RequestKind.MLA:
        return CODE_LABELS[MlaSubtype][subtype]
    return SUBKIND_LABELS[(kind, subtype)]


def function_code(text: str) -> str | None:
    """The role a typed function names ("Central authority", "central_authority"), or None."""
    key = "_".join(text.strip().lower().replace("-", " ").replace("/", "_").split())
    key = {"contact_24_7": "contact_24_7", "24_7_point_of_contact": "contact_24_7"}.get(key, key)
    return key if key in FUNCTION_LABELS else None


def field_label(name: str) -> str:
    """The msgid of a content field's label (its name, readable, when we have none)."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def nested_label(parent: str, key: str) -> str:
    """The msgid of `key` inside an object held by the field `parent`."""
    for (parents, name), label in NESTED_LABELS.items():
        if key == name and parent in parents:
            return label
    return field_label(key)


def is_free_text(value: Any) -> bool:
    return isinstance(value, dict) and "original" in value and "original_language" in value
