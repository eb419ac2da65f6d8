"""Message ids of the "validation" catalog: English sentences, translated in
i18n/locale/<lang>/LC_MESSAGES/validation.po (every msgid here must be in every catalog)."""

from __future__ import annotations

DOMAIN = "validation"


def N_(message: str) -> str:  # noqa: N802 -- the gettext convention for "mark, translate later"
    return message


MISSING = N_("Missing: {item}")
INVALID_VALUE = N_("Invalid value: {detail}")
BASIS_MISMATCH = N_("The legal basis does not match this kind of request")
BELOW_SERIOUS_THRESHOLD = N_(
    "This offence is not a serious crime (maximum penalty under four years): "
    "the request cannot be sent unless a reason is given"
)
IP_NEEDS_TIME = N_("An IP address needs a timestamp and a time zone")
REAL_TIME_TRAFFIC_ONLY = N_("Real-time collection under article 45 covers traffic data only")
MLA_INTENT_REQUIRED = N_(
    "Preservation is requested pending a request for mutual legal assistance: "
    "the intention to submit one must be stated"
)
PERSON_ROLE_MISMATCH = N_("The person sought must be a suspect, an accused or a sentenced person")
PROVISIONAL_ARREST_URGENT = N_("Provisional arrest may be requested only in urgent cases")
CONSENT_REQUIRED = N_("The transfer requires the consent of the sentenced person")
# Drafting and submitting, beyond the contents.
OWN_AUTHORITY = N_("A request goes to another authority, not to your own")
UNKNOWN_RECIPIENT = N_(
    "{authority} is neither hosted on this node nor listed in the directory: "
    "choose an authority from the directory"
)
NO_TRANSLATION = N_(
    "Neither the original nor a translation is in a language the requested authority accepts"
)
UNKNOWN_KIND = N_("Unknown kind of request")
UNKNOWN_SUBTYPE = N_("This kind of request has no such sub-type")
SUBTYPE_CONTRADICTED = N_("The sub-type contradicts the contents")

MESSAGES = (
    MISSING,
    INVALID_VALUE,
    BASIS_MISMATCH,
    BELOW_SERIOUS_THRESHOLD,
    IP_NEEDS_TIME,
    REAL_TIME_TRAFFIC_ONLY,
    MLA_INTENT_REQUIRED,
    PERSON_ROLE_MISMATCH,
    PROVISIONAL_ARREST_URGENT,
    CONSENT_REQUIRED,
    OWN_AUTHORITY,
    UNKNOWN_RECIPIENT,
    NO_TRANSLATION,
    UNKNOWN_KIND,
    UNKNOWN_SUBTYPE,
    SUBTYPE_CONTRADICTED,
)

# The item named in "Missing: {item}", by field name.
FIELD_LABELS: dict[str, str] = {
    "legal_basis": N_("legal basis"),
    "requesting_authority": N_("requesting authority"),
    "case_reference": N_("case reference"),
    "offences": N_("offences"),
    "facts": N_("summary of facts"),
    "urgency_reason": N_("reason for urgency"),
    "deadline_reason": N_("reason for the requested deadline"),
    "description": N_("description"),
    "subtype": N_("type of assistance request"),
    "conducting_authority": N_("authority conducting the proceeding"),
    "requested_central_authority": N_("central authority of the requested State"),
    "subject_matter": N_("subject matter and nature of the proceeding"),
    "assistance_sought": N_("assistance sought"),
    "purpose": N_("purpose of the request"),
    "identifiers": N_("accounts, addresses or devices concerned"),
    "data_categories": N_("categories of data"),
    "data_period": N_("period of the data sought"),
    "justification": N_("justification"),
    "collection_period": N_("collection period"),
    "collection_period_reason": N_("reason for the collection period"),
    "asset_action": N_("measure sought on the property"),
    "property_description": N_("description of the property"),
    "order_reference": N_("confiscation order"),
    "requesting_contact_point": N_("24/7 point of contact of the requesting State"),
    "requested_contact_point": N_("24/7 point of contact of the requested State"),
    "data_to_preserve": N_("data to be preserved"),
    "relation_to_offence": N_("relationship of the data to the offence"),
    "necessity": N_("necessity of preservation"),
    "custodian": N_("custodian of the data or location of the system"),
    "mla_intended": N_("intention to submit a request for mutual legal assistance"),
    "linked_preservation_id": N_("related preservation request"),
    "records": N_("traffic data records"),
    "provider_name": N_("service provider identified"),
    "provider_state": N_("State of the service provider"),
    "person": N_("person sought"),
    "decision": N_("arrest warrant or judgment"),
    "name": N_("name"),
    "nationalities": N_("nationality"),
    "location": N_("location"),
    "sentencing_state": N_("sentencing State"),
    "administering_state": N_("administering State"),
    "judgment": N_("judgment"),
    "sentence_imposed": N_("sentence imposed"),
    "days_remaining": N_("remainder of the sentence"),
    "person_consents": N_("consent of the sentenced person"),
    "persons": N_("persons concerned"),
    "transfer_reason": N_("reason for the transfer"),
    "evidence_summary": N_("summary of the evidence"),
    "information": N_("information transmitted"),
    "relevance": N_("relevance to the recipient"),
}
