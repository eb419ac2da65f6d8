"""Every kind of request as the letter an official signs, rendered to PDF in Russian, Vietnamese
and German and read back with pdftotext: the case reference where a reader looks for it, every
offence (with what the officer wrote about the conduct), both authorities named as the directory
names them in that language, the legal basis once, values in the order of their model, the
approving official, and no code left raw."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from liaison.db.types import JSONText
from liaison.documents import render_pdf
from liaison.i18n import translator
from liaison.requests.contents import RequestKind, content_model, offence_label
from liaison.requests.contents.offences import OffenceCode
from liaison.requests.formal import document as formal
from liaison.requests.formal.labels import CODE_LABELS
from liaison.requests.formal.order import REQUEST_FIELDS, in_model_order
from liaison.requests.models import Request
from liaison.requests.service import validated_content
from tests.unit.documents.conftest import DIRECTORY_NAMES, FakeParties, pdf_text
from tests.unit.documents.test_formal_build import ENGLISH
from tests.unit.requests.test_request_kinds import COMPLETE, text

LANGUAGES = ["ru", "vi", "de"]
APPROVER = "Trần Văn Đức"
URGENCY = "Victims keep losing money."
DEADLINE = "Trial opens in April."
# An offence whose label does not say what the conduct is: the officer describes it, and the
# description must reach the document (it was dropped for sentenced-person transfers).
DESCRIBED = {
    "code": "art4",
    "domestic_provision": "Penal Code art. 171",
    "max_penalty": {"unit": "years", "amount": 7},
    "description": text("Trafficking in persons arranged through a messaging service."),
}
ONE_MORE = {
    "code": "art7",
    "domestic_provision": "Penal Code art. 289",
    "max_penalty": {"unit": "years", "amount": 5},
}


def contents(kind: RequestKind) -> dict[str, Any]:
    """The complete example of the kind, with more than one offence where it has offences;
    urgency, deadline and conditions are the request's own fields, not contents, and the
    contents give the reasons for them."""
    data = {k: v for k, v in COMPLETE[kind].items() if k not in REQUEST_FIELDS}
    data |= {"urgency_reason": text(URGENCY), "deadline_reason": text(DEADLINE)}
    if kind is RequestKind.SENTENCED_PERSON_TRANSFER:
        data["offences"] = [*data["offences"], DESCRIBED]
    elif data.get("offences"):
        data["offences"] = [*data["offences"], ONE_MORE]
    return data


def stored(content: dict[str, Any]) -> dict[str, Any]:
    """Content as the database gives it back: JSONText stores it with sorted keys."""
    loaded: dict[str, Any] = json.loads(JSONText().process_bind_param(content, sqlite.dialect()))
    return loaded


def request(kind: RequestKind) -> Request:
    data = contents(kind)
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return Request(
        id="0193c1e2-7f4a-7d1e-9b3a-1c2d3e4f5a6b",
        kind=kind.value,
        subtype=data.get("subtype"),
        content=stored(validated_content(kind.value, data.get("subtype"), data)),
        # What a node stored before case references were read from the contents.
        reference="",
        version=2,
        language="en",
        requesting="vn-mps",
        requested="ru-gpo",
        holder="vn-mps",
        approval="eyJhbGciOiJFZERTQSJ9.e30.c2ln",
        approved_at=now,
        approved_by=APPROVER,
        created_at=now,
        updated_at=now,
        urgent=True,
        wished_deadline=datetime(2026, 3, 31, tzinfo=UTC),
        conditions={"no_user_notice": True, "retention_days": 365},
    )


def typed(value: Any) -> list[str]:
    """Everything an officer typed in the contents: it stays as written in any language."""
    if isinstance(value, dict):
        return [
            s
            for key, item in value.items()
            if key not in ("code", "original_language")
            for s in typed(item)
        ]
    if isinstance(value, list):
        return [s for item in value for s in typed(item)]
    return [value] if isinstance(value, str) and not _is_code(value) else []


# Every code a content value can hold: the labelled code lists and the offence codes.
ALL_CODES = {code for labels in CODE_LABELS.values() for code in labels} | {
    str(code) for code in OffenceCode
}


def _is_code(value: str) -> bool:
    return value in ALL_CODES or (bool(re.fullmatch(r"[a-z0-9_]+", value)) and "_" in value)


def codes(value: Any) -> set[str]:
    """The coded values and field names in the contents, which must never print raw."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if "_" in key:
                found.add(key)
            found |= codes(item)
    elif isinstance(value, list):
        for item in value:
            found |= codes(item)
    elif isinstance(value, str) and _is_code(value):
        found.add(value)
    return found


def flat(printed: str) -> str:
    # pdftotext breaks lines inside paragraphs and table cells; CLDR joins with no-break spaces.
    return " ".join(re.sub("[\u00a0\u202f]", " ", printed).split())


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[RequestKind, str], str]:
    """Each kind in each language, rendered once and read back."""
    out = tmp_path_factory.mktemp("letters")
    printed = {}
    for kind in RequestKind:
        for lang in LANGUAGES:
            doc = formal.build(request(kind), FakeParties(lang))
            path = out / f"{kind.value}-{lang}.pdf"
            render_pdf(doc, out=path)
            printed[kind, lang] = flat(pdf_text(path))
    return printed


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(RequestKind))
def test_the_letter_names_its_case_offences_and_authorities_in_its_language(
    letters: dict[tuple[RequestKind, str], str], kind: RequestKind, lang: str
) -> None:
    printed = letters[kind, lang]
    tr = translator(lang, "documents")
    data = contents(kind)
    # The case reference is what the reference line says, not the internal request id.
    reference = data["case_reference"]
    assert re.search(rf"{re.escape(tr('Our reference'))}\s+{re.escape(reference)}", printed)
    assert not re.search(rf"{re.escape(tr('Our reference'))}\s+0193c1e2", printed)
    # Every offence, in the document's language, with its domestic provision.
    for offence in data.get("offences", []):
        label = translator(lang, "validation")(offence_label(OffenceCode(offence["code"])))
        assert label != offence_label(OffenceCode(offence["code"]))
        assert label in printed, (label, printed)
        assert offence["domestic_provision"] in printed
        if "description" in offence:
            assert offence["description"]["original"] in printed
    # Both authorities as the directory names them in this language: letterhead and address.
    for authority in ("vn-mps", "ru-gpo"):
        assert DIRECTORY_NAMES[authority][lang] in printed, (authority, printed)
    # The author is named in the footer of every page too, never the node it runs on.
    assert printed.count(DIRECTORY_NAMES["vn-mps"][lang]) >= 2
    assert "vn-mps" not in printed
    assert "ru-gpo" not in printed
    assert APPROVER in printed
    assert tr("Approved by") in printed


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(RequestKind))
def test_the_letter_prints_no_raw_code(
    letters: dict[tuple[RequestKind, str], str], kind: RequestKind, lang: str
) -> None:
    printed = letters[kind, lang]
    data = contents(kind)
    rest = printed
    for value in sorted(set(typed(data)), key=len, reverse=True):
        rest = rest.replace(" ".join(value.split()), " ")
    raw = codes(data) | {"central authority", "central_authority"}
    left = sorted(code for code in raw if re.search(rf"\b{re.escape(code)}\b", rest))
    assert left == [], rest
    if lang != "de":  # German shares words such as "Name" with the English labels
        english = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", rest)]
        assert english == [], rest


@pytest.mark.parametrize("kind", list(RequestKind))
def test_the_legal_basis_is_said_once(
    letters: dict[tuple[RequestKind, str], str], kind: RequestKind
) -> None:
    printed = letters[kind, "ru"]
    assert printed.count(translator("ru", "documents")("Legal basis")) == 1
    basis = contents(kind)["legal_basis"]
    if "treaty" in basis:
        assert printed.count(basis["treaty"]) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_period_reads_from_its_start_to_its_end(
    letters: dict[tuple[RequestKind, str], str], lang: str
) -> None:
    printed = letters[RequestKind.MLA, lang]
    start, end = "2026-01-01T00:00:00+07:00", "2026-02-28T23:59:59+07:00"
    assert printed.index(start) < printed.index(end)
    tr = translator(lang, "documents")
    assert printed.index(tr("Start")) < printed.index(tr("End"))


def test_the_body_follows_the_conventions_list_of_contents(
    letters: dict[tuple[RequestKind, str], str],
) -> None:
    """Art. 40(3) for MLA: authority, subject matter, facts, assistance, persons, purpose."""
    printed = letters[RequestKind.MLA, "ru"]
    tr = translator("ru", "documents")
    order = [
        "Requesting authority",
        "Subject matter and nature of the proceeding",
        "Summary of facts",
        "Assistance sought",
        "Purpose",
        "Items, accounts and time period concerned",
    ]
    positions = [printed.index(tr(label)) for label in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    # The sub-type says which kind of assistance, under the title, once.
    assert printed.count(tr("Stored electronic data (art. 44)")) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_typed_function_that_is_a_directory_role_is_translated(
    letters: dict[tuple[RequestKind, str], str], lang: str
) -> None:
    printed = letters[RequestKind.MLA, lang]
    assert translator(lang, "documents")("Central authority") in printed


def test_contents_come_back_in_model_order() -> None:
    stored = {"end": "2026-02-28T23:59:59+07:00", "start": "2026-01-01T00:00:00+07:00"}
    content = in_model_order({"data_period": stored, "assistance_sought": []}, content_model("mla"))
    assert list(content) == ["assistance_sought", "data_period"]
    assert list(content["data_period"]) == ["start", "end"]
    person = {
        "role": "suspect",
        "name": "A",
        "nationalities": ["VN"],
        "date_of_birth": "1990-01-01",
    }
    ordered = in_model_order({"persons": [dict(sorted(person.items()))]}, content_model("mla"))
    assert list(ordered["persons"][0]) == ["role", "name", "date_of_birth", "nationalities"]


def test_urgency_deadline_and_conditions_come_from_the_request_not_the_contents(
    tmp_path: Path,
) -> None:
    """The request's own fields are printed; a stale copy inside the contents is not."""
    base = request(RequestKind.PRESERVATION)
    base.content = {**base.content, "urgent": False, "deadline": "2027-01-01"}
    doc = formal.build(base, FakeParties("de"))
    path = tmp_path / "de.pdf"
    render_pdf(doc, out=path)
    printed = flat(pdf_text(path))
    tr = translator("de", "documents")
    assert tr("Urgent").upper() in printed.upper()
    assert "31. März 2026" in printed
    assert "2027" not in printed
    assert tr("No notice to the user") in printed
    assert "Victims keep losing money." in printed
