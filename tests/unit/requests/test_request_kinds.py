"""Each request kind: a complete example submits cleanly, an empty draft lists every required item,
and removing fields reports exactly those fields (property test)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.requests.contents import (
    MlaSubtype,
    RequestKind,
    check_submission,
    content_model,
    parse_content,
)


def text(value: str, lang: str = "en", **translations: str) -> dict[str, Any]:
    return {"original": value, "original_language": lang, "translations": translations}


AUTHORITY = {"name": "Ministry of Public Security", "state": "VN", "function": "central authority"}
FOREIGN = {"name": "Federal Office of Justice", "state": "DE"}
OFFENCE = {
    "code": "art13",
    "domestic_provision": "Penal Code art. 290",
    "max_penalty": {"unit": "years", "amount": 20},
}
CASE = {
    "requesting_authority": AUTHORITY,
    "case_reference": "VN-2026-0042",
    "offences": [OFFENCE],
    "facts": text("Phishing site stole bank credentials from 300 victims."),
}
PERIOD = {"start": "2026-01-01T00:00:00+07:00", "end": "2026-02-28T23:59:59+07:00"}
IP = {
    "kind": "ip_address",
    "value": "203.0.113.7",
    "provider": "Example Hosting GmbH",
    "timestamp": "2026-02-14T10:15:00+07:00",
    "timezone": "Asia/Ho_Chi_Minh",
}
SUSPECT = {
    "role": "suspect",
    "name": "Nguyen Van A",
    "nationalities": ["VN"],
    "description": text("About 30 years old, uses the alias 'shadow'."),
    "location": "Berlin",
    "location_state": "DE",
}
JUDGMENT = {
    "kind": "judgment",
    "reference": "HN-2025-77",
    "issued_on": "2025-06-30",
    "issuing_authority": "People's Court of Hanoi",
}

COMPLETE: dict[RequestKind, dict[str, Any]] = {
    RequestKind.MLA: CASE
    | {
        "subtype": "stored_data",
        "legal_basis": {"convention_article": 44},
        "urgency_reason": text("Victims keep losing money."),
        "deadline_reason": text("Trial opens in April."),
        "conducting_authority": AUTHORITY | {"name": "Hanoi Police Investigation Agency"},
        "requested_central_authority": FOREIGN,
        "subject_matter": text("Criminal investigation of an online fraud network."),
        "assistance_sought": ["disclosure_of_stored_data"],
        "identifiers": [IP],
        "data_categories": ["subscriber", "traffic"],
        "data_period": PERIOD,
        "purpose": text("Identify the operator of the phishing server."),
    },
    RequestKind.PRESERVATION: CASE
    | {
        "legal_basis": {"convention_article": 42},
        "requesting_contact_point": AUTHORITY | {"name": "VN 24/7 point of contact"},
        "requested_contact_point": FOREIGN | {"name": "DE 24/7 point of contact"},
        "data_to_preserve": text("Logs and account data of the server at 203.0.113.7."),
        "relation_to_offence": text("The server hosted the phishing site."),
        "custodian": "Example Hosting GmbH",
        "necessity": text("Logs are deleted after 30 days."),
        "mla_intended": True,
        "identifiers": [IP],
    },
    RequestKind.DISCLOSURE: {
        "legal_basis": {"convention_article": 43},
        "requesting_authority": FOREIGN,
        "case_reference": "DE-24-7-0815",
        "linked_preservation_id": "01JF0000000000000000000000",
        "records": [
            {"time": "2026-02-14T03:15:00+00:00", "origin": "203.0.113.7", "hops": ["198.51.100.1"]}
        ],
        "provider_name": "Example Transit Ltd",
        "provider_state": "GB",
    },
    RequestKind.EXTRADITION: CASE
    | {
        "legal_basis": {"convention_article": 37},
        "requested_central_authority": FOREIGN,
        "purpose": "prosecution",
        "person": SUSPECT,
        "decision": JUDGMENT | {"kind": "arrest_warrant"},
    },
    RequestKind.SENTENCED_PERSON_TRANSFER: CASE
    | {
        "legal_basis": {"treaty": "VN-DE agreement on the transfer of sentenced persons"},
        "person": SUSPECT | {"role": "sentenced"},
        "sentencing_state": "DE",
        "administering_state": "VN",
        "judgment": JUDGMENT,
        "sentence_imposed": {"unit": "years", "amount": 6},
        "days_remaining": 1200,
        "person_consents": True,
    },
    RequestKind.PROCEEDINGS_TRANSFER: CASE
    | {
        "legal_basis": {"convention_article": 39},
        "persons": [SUSPECT | {"role": "accused"}],
        "transfer_reason": text("The accused and most victims are in Viet Nam."),
        "evidence_summary": text("Server images and bank records."),
    },
    RequestKind.SPONTANEOUS: CASE
    | {
        "legal_basis": {"convention_article": 40},
        "information": text("A wallet linked to the network received 12 BTC."),
        "relevance": text("Could support a laundering investigation in Germany."),
        "identifiers": [{"kind": "wallet", "value": "bc1qexampleaddress"}],
    },
}

COMMON = {"legal_basis", "requesting_authority", "case_reference", "offences", "facts"}
EMPTY_DRAFT_MISSING: dict[RequestKind, set[str]] = {
    RequestKind.MLA: COMMON
    | {
        "subtype",
        "conducting_authority",
        "requested_central_authority",
        "subject_matter",
        "assistance_sought",
        "purpose",
    },
    RequestKind.PRESERVATION: COMMON
    | {
        "requesting_contact_point",
        "requested_contact_point",
        "data_to_preserve",
        "relation_to_offence",
        "necessity",
        "custodian",
        "mla_intended",
    },
    RequestKind.DISCLOSURE: {
        "legal_basis",
        "requesting_authority",
        "case_reference",
        "linked_preservation_id",
        "records",
        "provider_name",
        "provider_state",
    },
    RequestKind.EXTRADITION: COMMON
    | {"requested_central_authority", "purpose", "person", "decision"},
    RequestKind.SENTENCED_PERSON_TRANSFER: COMMON
    | {
        "person",
        "sentencing_state",
        "administering_state",
        "judgment",
        "sentence_imposed",
        "days_remaining",
        "person_consents",
    },
    RequestKind.PROCEEDINGS_TRANSFER: COMMON | {"persons", "transfer_reason", "evidence_summary"},
    RequestKind.SPONTANEOUS: (COMMON - {"facts"}) | {"information", "relevance"},
}


def paths(kind: RequestKind, data: dict[str, Any], **kwargs: Any) -> set[str]:
    return {p.path for p in check_submission(kind, data, lang="en", **kwargs)}


@pytest.mark.parametrize("kind", list(RequestKind))
def test_complete_example_has_no_problems(kind: RequestKind) -> None:
    content = parse_content(kind, COMPLETE[kind])
    assert check_submission(kind, content, lang="en") == []
    assert check_submission(kind.value, COMPLETE[kind], lang="ru") == []


@pytest.mark.parametrize("kind", list(RequestKind))
def test_empty_draft_is_stored_but_lists_every_required_item(kind: RequestKind) -> None:
    draft = parse_content(kind, {})
    problems = check_submission(kind, draft, lang="en")
    assert {p.path for p in problems} == EMPTY_DRAFT_MISSING[kind]
    assert all(p.message.startswith("Missing: ") for p in problems)


@pytest.mark.parametrize(
    ("subtype", "extra"),
    [
        (MlaSubtype.STORED_DATA, {"identifiers", "data_categories", "data_period"}),
        (
            MlaSubtype.REAL_TIME_TRAFFIC,
            {"identifiers", "justification", "collection_period", "collection_period_reason"},
        ),
        (
            MlaSubtype.INTERCEPTION,
            {"identifiers", "justification", "collection_period", "collection_period_reason"},
        ),
        (MlaSubtype.ASSETS, {"asset_action", "property_description"}),
        (MlaSubtype.OTHER, set()),
    ],
)
def test_mla_subtype_adds_its_own_contents(subtype: MlaSubtype, extra: set[str]) -> None:
    expected = EMPTY_DRAFT_MISSING[RequestKind.MLA] - {"subtype"} | extra
    assert paths(RequestKind.MLA, {}, subtype=subtype.value) == expected


def test_confiscation_needs_the_order() -> None:
    data = {"subtype": "assets", "asset_action": "confiscation"}
    assert "order_reference" in paths(RequestKind.MLA, data)
    assert "order_reference" not in paths(RequestKind.MLA, data | {"order_reference": "No. 12"})


def test_service_of_documents_needs_no_facts() -> None:
    data = COMPLETE[RequestKind.MLA] | {"assistance_sought": ["service_of_documents"]}
    del data["facts"]
    assert paths(RequestKind.MLA, data) == set()


def test_real_time_collection_is_for_traffic_data_only() -> None:
    data = COMPLETE[RequestKind.MLA] | {
        "subtype": "real_time_traffic",
        "legal_basis": {"convention_article": 45},
        "justification": text("Live C2 traffic."),
        "collection_period": {"start": "2026-03-01T00:00:00Z", "end": "2026-03-31T00:00:00Z"},
        "collection_period_reason": text("One month covers the campaign."),
    }
    assert paths(RequestKind.MLA, data) == {"data_categories"}
    assert paths(RequestKind.MLA, data | {"data_categories": ["traffic"]}) == set()


def test_legal_basis_must_fit_the_kind() -> None:
    data = COMPLETE[RequestKind.PRESERVATION] | {"legal_basis": {"convention_article": 46}}
    assert paths(RequestKind.PRESERVATION, data) == {"legal_basis.convention_article"}


URGENT = {"urgent": True, "wished_deadline": datetime(2026, 3, 31, tzinfo=UTC)}


def test_urgency_and_deadline_need_reasons() -> None:
    """Whether a request is urgent and by when it is wished are the request's own facts; the
    reasons for them are texts of its contents, required when the facts are there."""
    data = COMPLETE[RequestKind.MLA].copy()
    del data["urgency_reason"], data["deadline_reason"]
    assert paths(RequestKind.MLA, data, **URGENT) == {"urgency_reason", "deadline_reason"}
    assert paths(RequestKind.MLA, data) == set()


def test_urgency_and_the_deadline_live_on_the_request_not_in_its_contents() -> None:
    for name in ("urgent", "deadline", "conditions"):
        with pytest.raises(ValueError, match="Extra inputs are not permitted"):
            parse_content(RequestKind.MLA, COMPLETE[RequestKind.MLA] | {name: True})


def test_ip_address_needs_timestamp_and_zone() -> None:
    bare_ip = {"kind": "ip_address", "value": "2001:db8::1"}
    data = COMPLETE[RequestKind.MLA] | {"identifiers": [bare_ip]}
    assert paths(RequestKind.MLA, data) == {"identifiers.0.timestamp", "identifiers.0.timezone"}


def test_extradition_person_and_provisional_arrest() -> None:
    data = COMPLETE[RequestKind.EXTRADITION] | {"person": {"role": "witness"}}
    assert paths(RequestKind.EXTRADITION, data) == {
        "person.name",
        "person.nationalities",
        "person.description",
        "person.location",
        "person.role",
    }
    provisional = parse_content(
        RequestKind.EXTRADITION, COMPLETE[RequestKind.EXTRADITION], subtype="provisional_arrest"
    )
    assert provisional.model_dump()["provisional_arrest"] is True
    assert {p.path for p in check_submission("extradition", provisional, lang="en")} == {"urgent"}
    urgent = provisional.model_copy(
        update={"urgency_reason": {"original": "Flight booked", "original_language": "en"}}
    )
    assert check_submission("extradition", urgent, lang="en", urgent=True) == []


def test_sentenced_person_must_consent() -> None:
    data = COMPLETE[RequestKind.SENTENCED_PERSON_TRANSFER] | {"person_consents": False}
    problems = check_submission(RequestKind.SENTENCED_PERSON_TRANSFER, data, lang="de")
    assert [(p.path, p.message) for p in problems] == [
        ("person_consents", "Die Überstellung erfordert die Zustimmung der verurteilten Person")
    ]


def test_preservation_needs_the_intent_to_follow_up() -> None:
    data = COMPLETE[RequestKind.PRESERVATION] | {"mla_intended": False}
    assert paths(RequestKind.PRESERVATION, data) == {"mla_intended"}


def test_subtype_beside_the_content() -> None:
    with pytest.raises(ValueError, match="no subtype"):
        parse_content("preservation", {}, subtype="stored_data")
    with pytest.raises(ValueError, match="contradicts"):
        parse_content("mla", {"subtype": "interception"}, subtype="stored_data")
    with pytest.raises(ValueError, match="not a valid RequestKind"):
        content_model("telepathy")


REMOVABLE_FIXED = {"subtype"}


@settings(max_examples=60, deadline=None)
@given(data=st.data(), kind=st.sampled_from(list(RequestKind)))
def test_removing_fields_reports_exactly_the_required_ones(
    data: st.DataObject, kind: RequestKind
) -> None:
    complete = COMPLETE[kind]
    removable = sorted(set(complete) - REMOVABLE_FIXED)
    removed = data.draw(st.sets(st.sampled_from(removable)))
    draft = {key: value for key, value in complete.items() if key not in removed}
    required = EMPTY_DRAFT_MISSING[kind] | {"urgency_reason", "deadline_reason"}
    if kind is RequestKind.MLA:
        required |= {"identifiers", "data_categories", "data_period"}
    # The MLA example is urgent with a wished deadline: its reasons are required then.
    facts = URGENT if kind is RequestKind.MLA else {}
    assert paths(kind, draft, **facts) == removed & required


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(list(RequestKind)))
def test_parse_dump_parse_round_trips(kind: RequestKind) -> None:
    first = parse_content(kind, COMPLETE[kind])
    dumped = first.model_dump(mode="json", exclude_none=True)
    assert parse_content(kind, dumped) == first
    assert check_submission(kind, dumped, lang="vi") == []
