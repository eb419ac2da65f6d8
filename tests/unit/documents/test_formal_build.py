"""Whole formal documents as requests/formal.py builds them for a Russian or Vietnamese recipient:
an extradition request (provisional arrest, assurances, the person sought), an MLA request
(persons, identifiers, types of assistance) and a refusal. What the officers typed stays as
written; every label and code is in the recipient's language, and no code or English label is
left, in the document model, in its HTML and in the PDF text."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from liaison.documents import FormalDocument, Section, SectionLabel, render_html, render_pdf
from liaison.documents.model import Kind
from liaison.i18n import translator
from liaison.requests.formal import document as formal
from liaison.requests.formal.labels import CODE_LABELS, FIELD_LABELS, NESTED_LABELS
from liaison.requests.formal.response import Decision, build_response
from liaison.requests.models import Request
from liaison.requests.service import validated_content as parse_content
from liaison.requests.table import Status
from tests.unit.documents.conftest import FakeParties, pdf_text


def text(value: str, lang: str = "en") -> dict[str, Any]:
    return {"original": value, "original_language": lang}


AUTHORITY = {"name": "Bộ Công an", "state": "VN", "function": "Cơ quan trung ương"}
CENTRAL = {"name": "Генеральная прокуратура", "state": "RU"}
OFFENCE = {
    "code": "art13",
    "domestic_provision": "Điều 290 Bộ luật Hình sự",
    "max_penalty": {"unit": "years", "amount": 20},
}
CASE = {
    "legal_basis": {"convention_article": 37, "treaty": "Договор о выдаче 2026"},
    "requesting_authority": AUTHORITY,
    "case_reference": "VN-2026-0042",
    "offences": [OFFENCE],
    "facts": text("Trang web lừa đảo.", "vi"),
    "urgency_reason": text("Người bị truy nã sắp rời khỏi lãnh thổ.", "vi"),
}
# Urgency, deadline and conditions are the request's own fields, not its contents; the reasons
# for them are free texts of the contents.
URGENCY = "Người bị truy nã sắp rời khỏi lãnh thổ."
EXTRADITION = CASE | {
    "provisional_arrest": True,
    "requested_central_authority": CENTRAL,
    "purpose": "prosecution",
    "person": {
        "role": "suspect",
        "name": "Nguyễn Văn An",
        "nationalities": ["VN"],
        "date_of_birth": "1990-04-01",
        "description": text("Около 30 лет.", "ru"),
        "location": "Москва",
        "location_state": "RU",
    },
    "decision": {
        "kind": "arrest_warrant",
        "reference": "HN-2025-77",
        "issued_on": "2025-06-30",
        "issuing_authority": "Tòa án nhân dân Hà Nội",
    },
    "assurances": [{"kind": "no_death_penalty"}, {"kind": "speciality"}],
    "requested_state_offences": [
        {
            "offence_index": 0,
            "domestic_provision": "ст. 159.6 УК РФ",
            "max_penalty": {"unit": "years", "amount": 10},
        }
    ],
}
MLA = CASE | {
    "legal_basis": {"convention_article": 44},
    "subtype": "stored_data",
    "channel": "24_7_network",
    "conducting_authority": AUTHORITY | {"name": "Cơ quan Cảnh sát điều tra Hà Nội"},
    "requested_central_authority": CENTRAL,
    "proceeding_stage": "investigation",
    "subject_matter": text("Điều tra vụ lừa đảo.", "vi"),
    "assistance_sought": ["disclosure_of_stored_data", "taking_evidence"],
    "persons": [
        {"role": "suspect", "name": "Nguyễn Văn An", "nationalities": ["VN"]},
        {"role": "account_holder", "name": "Иван Петров", "location_state": "RU"},
        {"role": "victim", "name": "Trần Thị Bình"},
    ],
    "identifiers": [
        {
            "kind": "ip_address",
            "value": "203.0.113.7",
            "timestamp": "2026-02-14T10:15:00+07:00",
            "timezone": "Asia/Ho_Chi_Minh",
        },
        {"kind": "email", "value": "an@example.test", "provider": "Яндекс"},
        {"kind": "wallet", "value": "bc1qexample"},
    ],
    "data_categories": ["subscriber", "traffic"],
    "data_period": {"start": "2026-01-01T00:00:00+07:00", "end": "2026-02-28T23:59:59+07:00"},
    "purpose": text("Xác định người điều hành.", "vi"),
}
# What the officers typed: it stays as written, whatever the language of the document.
TYPED = [
    "Bộ Công an",
    "Генеральная прокуратура",
    "Điều 290 Bộ luật Hình sự",
    "Договор о выдаче 2026",
    "VN-2026-0042",
    "Nguyễn Văn An",
    "HN-2025-77",
    "Tòa án nhân dân Hà Nội",
    "ст. 159.6 УК РФ",
    "Cơ quan Cảnh sát điều tra Hà Nội",
    "Иван Петров",
    "Trần Thị Bình",
    "203.0.113.7",
    "an@example.test",
    "bc1qexample",
    "Asia/Ho_Chi_Minh",
    "Яндекс",
    "Москва",
    "Cơ quan trung ương",
    URGENCY,
    *(
        value["original"]
        for value in (EXTRADITION | MLA).values()
        if isinstance(value, dict) and "original" in value
    ),
    "vn-mps",
    "ru-gpo",
]
RAW_CODES = [
    "suspect",
    "account_holder",
    "victim",
    "ip_address",
    "email",
    "wallet",
    "provisional_arrest",
    "prosecution",
    "arrest_warrant",
    "no_death_penalty",
    "speciality",
    "stored_data",
    "24_7_network",
    "investigation",
    "disclosure_of_stored_data",
    "taking_evidence",
    "subscriber",
    "traffic",
    "years",
    "convention_article",
    "treaty",
    "nationalities",
    "location_state",
    "role",
    "kind",
    "name",
    "offence_index",
    "non_conforming_request",
]
# English words the documents catalog translates: none may be left in a ru or vi document.
ENGLISH = sorted(
    {*FIELD_LABELS.values(), *NESTED_LABELS.values()}
    | {label for labels in CODE_LABELS.values() for label in labels.values()}
    - {"INTERPOL", "IP address"},
    key=len,
    reverse=True,
)
WORDS = {
    "ru": {
        "extradition": [
            "Конвенция Организации Объединённых Наций против киберпреступности, статья 37",
            "Временный арест",
            "Да",
            "Уголовное преследование",
            "Разыскиваемое лицо",
            "Процессуальное положение: Подозреваемый",
            "Фамилия, имя: Nguyễn Văn An",
            "Гражданство: Вьетнам",
            "1 апреля 1990 г.",
            "Государство местонахождения: Россия",
            "Вид: Постановление об аресте",
            "Номер решения: HN-2025-77",
            "30 июня 2025 г.",
            "Смертная казнь не будет назначена или приведена в исполнение",
            "Принцип специализации",
            "Преступление (номер в перечне): 1",
            "10 лет",
            "20 лет",
            "31 марта 2026 г.",
            # The requesting authority as the directory names it in Russian, not as typed.
            "Наименование: Министерство общественной безопасности",
            "Государство: Вьетнам",
        ],
        "mla": [
            "Хранимые электронные данные (ст. 44)",
            "Сеть 24/7",
            "Расследование",
            "Раскрытие хранимых электронных данных",
            "Подозреваемый",
            "Владелец учётной записи",
            "Потерпевший",
            "Вид: IP-адрес",
            "Адрес электронной почты",
            "Кошелёк виртуальных активов",
            "Сведения об абонентах",
            "Данные о трафике",
            "Поставщик услуг: Яндекс",
        ],
    },
    "vi": {
        "extradition": [
            "Công ước của Liên hợp quốc về chống tội phạm mạng, Điều 37",
            "Bắt giữ tạm thời",
            "Truy tố",
            "Người bị truy tìm",
            "Tư cách tố tụng: Người bị tình nghi",
            "Họ và tên: Nguyễn Văn An",
            "Quốc tịch: Việt Nam",
            "Quốc gia nơi có mặt: Nga",
            "Loại: Lệnh bắt",
            "Số văn bản: HN-2025-77",
            "Hình phạt tử hình sẽ không được áp dụng hoặc thi hành",
            "Nguyên tắc đặc định",
            "10 năm",
            "Tên cơ quan: Bộ Công an",
        ],
        "mla": [
            "Dữ liệu điện tử được lưu trữ (Điều 44)",
            "Mạng lưới 24/7",
            "Điều tra",
            "Cung cấp dữ liệu điện tử được lưu trữ",
            "Người bị tình nghi",
            "Chủ tài khoản",
            "Bị hại",
            "Loại: Địa chỉ IP",
            "Địa chỉ thư điện tử",
            "Ví tài sản ảo",
            "Thông tin thuê bao",
            "Dữ liệu lưu lượng",
        ],
    },
}

TITLES = {
    "ru": {"extradition": "Запрос о выдаче", "mla": "Запрос о взаимной правовой помощи"},
    "vi": {"extradition": "Yêu cầu dẫn độ", "mla": "Yêu cầu tương trợ tư pháp"},
}


def request(kind: str, data: dict[str, Any], **extra: Any) -> Request:
    """A stored request as build() reads it (never added to a session): content validated and
    normalised like the API's."""
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "id": "0193c1e2-7f4a-7d1e-9b3a-1c2d3e4f5a6b",
        "kind": kind,
        "subtype": data.get("subtype"),
        "content": parse_content(kind, data.get("subtype"), data),
        "reference": "VN-2026-0042",
        "version": 1,
        "language": "vi",
        "requesting": "vn-mps",
        "requested": "ru-gpo",
        "holder": "vn-mps",
        "approval": None,
        "approved_at": None,
        "approved_by": None,
        "created_at": now,
        "updated_at": now,
        "executed_at": now,
        "urgent": True,
        "wished_deadline": datetime(2026, 3, 31, tzinfo=UTC),
        "conditions": {},
    }
    return Request(**(fields | extra))


def body_text(doc: FormalDocument) -> str:
    """The visible text of the rendered document (labels translated by the renderer)."""
    page = render_html(doc)
    body = page[page.index("<body>") : page.index("</body>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def without_typed(printed: str) -> str:
    for typed in TYPED:
        printed = printed.replace(typed, " ")
    return printed


def assert_in_language(printed: str, expected: list[str], lang: str) -> None:
    printed = re.sub("[\u00a0\u202f]", " ", printed)  # CLDR joins a year and its abbreviation
    missing = [word for word in expected if word not in printed]
    assert missing == [], printed
    rest = without_typed(printed)
    codes = [code for code in RAW_CODES if re.search(rf"\b{re.escape(code)}\b", rest)]
    assert codes == [], rest
    english = [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", rest)]
    assert english == [], rest
    if lang == "ru":
        # Only the script of the document, digits and signs remain (IP, 24/7, UTC, PAdES).
        assert set(re.findall(r"\b[A-Za-z]{3,}\b", rest)) <= {"UTC", "SHA", "PAdES"}, rest


@pytest.mark.parametrize("lang", ["ru", "vi"])
@pytest.mark.parametrize(("kind", "data"), [("extradition", EXTRADITION), ("mla", MLA)])
def test_request_document_prints_words_in_the_recipients_language(
    lang: str, kind: str, data: dict[str, Any]
) -> None:
    doc = formal.build(request(kind, data), FakeParties(lang))
    assert doc.language == lang
    tr = translator(lang, "documents")
    values = " | ".join(
        [
            doc.legal_basis,
            doc.subtitle or "",
            *(
                f"{tr(s.label)}: "
                + (" | ".join(s.value) if isinstance(s.value, list) else s.value or "")
                for s in doc.sections
                if isinstance(s, Section)
            ),
        ]
    )
    assert_in_language(values, WORDS[lang][kind], lang)
    printed = body_text(doc)
    assert_in_language(printed, WORDS[lang][kind], lang)
    assert TITLES[lang][kind] in printed
    for typed in ("Nguyễn Văn An", "HN-2025-77" if kind == "extradition" else "203.0.113.7"):
        assert typed in values


def test_sections_not_in_the_shared_labels_are_translated() -> None:
    doc = formal.build(request("extradition", EXTRADITION), FakeParties("ru"))
    tr = translator("ru", "documents")
    labels = [tr(section.label) for section in doc.sections]
    assert "Временный арест" in labels
    assert "Гарантии" in labels
    assert "Решение" in labels
    assert "Преступления по законодательству запрашиваемого государства" in labels
    assert [label for label in labels if re.search(r"[A-Za-z]", label)] == []
    assert [label for label in labels if "_" in label] == []


def test_person_of_a_sentenced_person_transfer_is_not_a_person_sought() -> None:
    data = CASE | {
        "legal_basis": {"treaty": "Договор о выдаче 2026"},
        "person": EXTRADITION["person"] | {"role": "sentenced"},
        "sentencing_state": "VN",
        "administering_state": "RU",
        "sentence_imposed": {"unit": "years", "amount": 3},
    }
    doc = formal.build(request("sentenced_person_transfer", data), FakeParties("ru"))
    labels = {s.label: s.value for s in doc.sections if isinstance(s, Section)}
    assert SectionLabel.PERSON_SOUGHT not in labels
    assert "Процессуальное положение: Осуждённый" in str(labels["Person to be transferred"])
    assert labels["Sentence imposed"] == "3 года"
    assert labels["Administering State"] == "Россия"


@pytest.mark.parametrize(
    ("lang", "ground", "status"),
    [
        ("ru", "не соответствует положениям конвенции (ст. 40)", "refused"),
        ("vi", "(Điều 40)", "postponed"),
    ],
)
def test_response_document_prints_the_ground_and_conditions_in_words(
    lang: str, ground: str, status: str
) -> None:
    code = "non_conforming_request" if status == "refused" else "interferes_with_proceedings"
    answer = request("mla", MLA, holder="ru-gpo", status="in_execution")
    decision = Decision(
        status=Status(status),
        decided_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
        decided_by="Иван Петров",
        supervisor=True,
        ground=code,
        reason="См. приложение.",
        response={"summary": "Данные приложены.", "conditions": {"no_onward_transfer": True}},
    )
    doc = build_response(answer, decision, FakeParties(lang))
    assert doc.kind == (Kind.REFUSAL if status == "refused" else Kind.POSTPONEMENT)
    printed = body_text(doc)
    assert ground in printed
    assert code not in printed
    assert "Иван Петров" in printed
    tr = translator(lang, "documents")
    for msgid in ("Summary", "No onward transfer without authorisation", "Speciality"):
        assert tr(msgid) != msgid
        assert tr(msgid) in printed
    assert "no_onward_transfer" not in printed
    assert "Summary" not in printed


def test_pdf_of_an_extradition_request_reads_in_russian(tmp_path: Path) -> None:
    doc = formal.build(request("extradition", EXTRADITION), FakeParties("ru"))
    pdf = tmp_path / "request.pdf"
    render_pdf(doc, out=pdf)
    printed = " ".join(pdf_text(pdf).split())
    for word in (
        "Подозреваемый",
        "Постановление об аресте",
        "Временный арест",
        "Смертная казнь не будет назначена",
        "Nguyễn Văn An",
        "Tòa án nhân dân Hà Nội",
    ):
        assert word in printed, word
    for code in ("suspect", "arrest_warrant", "provisional_arrest", "no_death_penalty"):
        assert code not in printed
