"""Every structured word of a formal document exists in each language, and the document prints
words, not codes: roles, identifier kinds, decisions, assurances, purposes, legal bases, states
and penalties, in Russian, Vietnamese and German."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import typing
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from liaison.i18n import _catalog, translator
from liaison.requests import contents
from liaison.requests.contents.common import AuthorityRef, Person, RequestKind
from liaison.requests.contents.grounds import GROUNDS, GroundCode
from liaison.requests.contents.offences import OFFENCE_LABELS, OffenceCode
from liaison.requests.formal.document import TITLES
from liaison.requests.formal.labels import (
    AUTHORITY_FIELDS,
    CODE_LABELS,
    CONVENTION_ARTICLE,
    DATE_FIELDS,
    FIELD_CODES,
    FIELD_LABELS,
    FUNCTION_LABELS,
    GROUND,
    KIND_FIELD_LABELS,
    NESTED_LABELS,
    PERSON_FIELDS,
    RESPONSE_FIELDS,
)
from liaison.requests.formal.translation import Words

# Every module of the contents package, so that a new one is checked without being listed here.
MODULES = sorted(module.name for module in pkgutil.iter_modules(contents.__path__))
LANGUAGES = ["ru", "vi", "de"]


def _types(annotation: Any) -> list[type]:
    """The classes an annotation can hold: `list[Person] | None` gives Person."""
    found = []
    for arg in typing.get_args(annotation) or [annotation]:
        if isinstance(arg, type):
            found.append(arg)
        elif typing.get_args(arg):
            found += _types(arg)
    return found


def _enums(annotation: Any) -> list[type[enum.Enum]]:
    return [t for t in _types(annotation) if issubclass(t, enum.Enum)]


def _members() -> list[Any]:
    return [
        member
        for name in MODULES
        for member in vars(importlib.import_module(f"liaison.requests.contents.{name}")).values()
        if isinstance(member, type) and member.__module__.startswith("liaison.requests.contents")
    ]


def content_fields() -> dict[str, set[type[enum.Enum]]]:
    """Every field name of the content models, with the enums it can hold."""
    fields: dict[str, set[type[enum.Enum]]] = {}
    for model in _members():
        if issubclass(model, BaseModel):
            for field, info in model.model_fields.items():
                fields.setdefault(field, set()).update(_enums(info.annotation))
    return fields


def fields_holding(kind: type) -> set[str]:
    return {
        field
        for model in _members()
        if issubclass(model, BaseModel)
        for field, info in model.model_fields.items()
        if kind in _types(info.annotation)
    }


def string_enums() -> set[type[enum.StrEnum]]:
    """Every StrEnum defined in the contents package."""
    return {member for member in _members() if issubclass(member, enum.StrEnum)}


# StrEnums whose words come from elsewhere than CODE_LABELS, with the msgids ("validation" or
# "documents" catalog) a document prints for them. Any other StrEnum of the package needs labels.
ELSEWHERE: dict[type[enum.StrEnum], tuple[str, list[str]]] = {
    OffenceCode: ("validation", [OFFENCE_LABELS[code] for code in OffenceCode]),
    GroundCode: ("validation", [GROUNDS[code].label for code in GroundCode]),
    RequestKind: ("documents", [TITLES[kind] for kind in RequestKind]),
}


def test_every_content_field_has_a_label() -> None:
    assert sorted(set(content_fields()) - set(FIELD_LABELS)) == []


def test_the_package_is_read_whole() -> None:
    assert {"common", "extradition", "mla", "offences", "grounds", "transfers"} <= set(MODULES)


def test_every_string_enum_of_the_contents_package_has_words() -> None:
    found = string_enums()
    assert {OffenceCode, GroundCode, RequestKind} <= found
    unlabelled = sorted(e.__name__ for e in found if e not in CODE_LABELS and e not in ELSEWHERE)
    assert unlabelled == []
    for enum_type in found & set(CODE_LABELS):
        assert {str(m.value) for m in enum_type} == set(CODE_LABELS[enum_type]), enum_type


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_of_the_contents_package_is_translated(lang: str) -> None:
    missing = [
        (enum_type.__name__, code, label)
        for enum_type, labels in CODE_LABELS.items()
        for code, label in labels.items()
        if label not in _catalog(lang, "documents")
    ]
    for enum_type, (domain, msgids) in ELSEWHERE.items():
        assert len(msgids) == len(enum_type)
        missing += [(enum_type.__name__, "", m) for m in msgids if m not in _catalog(lang, domain)]
    assert missing == []


def test_objects_are_labelled_by_what_holds_them() -> None:
    assert fields_holding(Person) == PERSON_FIELDS
    assert fields_holding(AuthorityRef) == AUTHORITY_FIELDS
    assert fields_holding(date) == DATE_FIELDS
    assert set(RESPONSE_FIELDS) <= set(FIELD_LABELS)
    for kind, field in KIND_FIELD_LABELS:
        assert RequestKind(kind)
        assert field in content_fields()


def test_every_coded_field_and_code_has_a_label() -> None:
    for field, enums in content_fields().items():
        coded = {e for e in enums if e.__name__ != "OffenceCode"}  # offences: validation catalog
        assert coded <= set(FIELD_CODES.get(field, ())), field
        for enum_type in coded:
            assert {str(m.value) for m in enum_type} <= set(CODE_LABELS[enum_type]), enum_type


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_is_translated(lang: str) -> None:
    catalog = _catalog(lang, "documents")
    words = (
        set(FIELD_LABELS.values())
        | {label for labels in CODE_LABELS.values() for label in labels.values()}
        | set(KIND_FIELD_LABELS.values())
        | set(NESTED_LABELS.values())
        | set(FUNCTION_LABELS.values())
        | {CONVENTION_ARTICLE, GROUND, "Yes", "No"}
    )
    assert sorted(w for w in words if w not in catalog) == []
    for template in (CONVENTION_ARTICLE, GROUND):
        assert sorted(re.findall(r"\{\w+\}", catalog[template])) == sorted(
            re.findall(r"\{\w+\}", template)
        )


PERSON = {
    "role": "suspect",
    "name": "Ivan Petrov",
    "nationalities": ["RU"],
    "date_of_birth": "1990-04-01",
    "location_state": "VN",
}
IDENTIFIERS = [
    {"kind": "ip_address", "value": "203.0.113.7", "timestamp": "2026-03-01T10:00:00+07:00"},
    {"kind": "wallet", "value": "bc1qexample"},
]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ru",
            ["Подозреваемый", "IP-адрес", "Кошелёк виртуальных активов", "Россия", "Вьетнам"],
        ),
        ("vi", ["Người bị tình nghi", "Địa chỉ IP", "Ví tài sản ảo", "Nga", "Việt Nam"]),
        ("de", ["Tatverdächtiger", "IP-Adresse", "Virtuelle", "Russland", "Vietnam"]),
    ],
)
def test_persons_and_identifiers_print_words_not_codes(lang: str, expected: list[str]) -> None:
    words = Words(lang)
    printed = " | ".join(
        [words.value("persons", PERSON), *(words.value("identifiers", i) for i in IDENTIFIERS)]
    )
    for word in expected:
        assert word.lower() in printed.lower(), (word, printed)
    for code in ("suspect", "ip_address", "wallet", "location_state", "nationalities", "role:"):
        assert code not in printed, (code, printed)
    assert "Ivan Petrov" in printed
    assert "203.0.113.7" in printed


def test_extradition_values_in_russian() -> None:
    words = Words("ru")
    assert words.value("purpose", "prosecution") == "Уголовное преследование"
    decision = words.value(
        "decision", {"kind": "arrest_warrant", "reference": "12/2026", "issued_on": "2026-01-05"}
    )
    assert decision.startswith("Вид: Постановление об аресте; ")  # noqa: RUF001 - Russian
    assurance = words.value("assurances", [{"kind": "no_death_penalty"}])
    assert assurance == "Вид: Смертная казнь не будет назначена или приведена в исполнение"
    assert words.value("legal_basis", {"convention_article": 37}) == (
        "Конвенция Организации Объединённых Наций против киберпреступности, статья 37"
    )


@pytest.mark.parametrize(
    ("lang", "amount", "expected"),
    [
        ("ru", 1, "1 год"),
        ("ru", 3, "3 года"),
        ("ru", 7, "7 лет"),
        ("ru", 21, "21 год"),
        ("de", 1, "1 Jahr"),
        ("de", 5, "5 Jahre"),
        ("vi", 5, "5 năm"),
        ("en", 1, "1 year"),
    ],
)
def test_penalties_take_the_languages_plural(lang: str, amount: int, expected: str) -> None:
    assert Words(lang).value("max_penalty", {"unit": "years", "amount": amount}) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "31 марта 2026 г."), ("vi", "31 tháng 3, 2026"), ("de", "31. März 2026")],  # noqa: RUF001
)
def test_dates_as_the_language_writes_them(lang: str, expected: str) -> None:
    printed = Words(lang).value("issued_on", "2026-03-31")
    assert re.sub("[\u00a0\u202f]", " ", printed) == expected


def test_offences_of_the_requested_state_are_numbered_from_one() -> None:
    entry = {"offence_index": 0, "domestic_provision": "§ 263a StGB"}
    assert (
        Words("de")
        .value("requested_state_offences", [entry])
        .startswith("Straftat (Nummer in der Liste): 1; ")
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", "Наименование: Минюст; Государство: Германия | Фамилия, имя: Иван Петров"),
        ("vi", "Tên cơ quan: Minjust; Quốc gia: Đức | Họ và tên: Ivan Petrov"),
    ],
)
def test_an_authority_has_a_name_and_a_person_a_full_name(lang: str, expected: str) -> None:
    words = Words(lang)
    name = "Минюст" if lang == "ru" else "Minjust"
    person = "Иван Петров" if lang == "ru" else "Ivan Petrov"
    printed = " | ".join(
        [
            words.value("requested_central_authority", {"name": name, "state": "DE"}),
            words.value("person", {"name": person}),
        ]
    )
    assert printed == expected


@pytest.mark.parametrize(
    ("lang", "article"), [("ru", " (ст. 37)"), ("vi", " (Điều 37)"), ("de", " (Art. 37)")]
)
def test_refusal_ground_in_words_with_its_article(lang: str, article: str) -> None:
    printed = Words(lang).ground("national_of_requested_state")
    label = translator(lang, "validation")(GROUNDS[GroundCode.NATIONAL_OF_REQUESTED_STATE].label)
    assert label != GROUNDS[GroundCode.NATIONAL_OF_REQUESTED_STATE].label
    assert printed == label + article
    assert "national_of_requested_state" not in printed
    assert Words(lang).ground("not_a_ground") == "not_a_ground"


def test_life_imprisonment_and_yes_no() -> None:
    words = Words("de")
    assert words.value("sentence_imposed", {"unit": "life"}) == "Lebenslange Freiheitsstrafe"
    assert words.value("person_consents", True) == "Ja"
    assert words.value("subtype", "stored_data") == "Gespeicherte elektronische Daten (Art. 44)"


@pytest.mark.parametrize("typed", ["central authority", "Central Authority", "central_authority"])
def test_a_function_that_names_a_directory_role_prints_its_word(typed: str) -> None:
    words = Words("ru")
    printed = words.value("requesting_authority", {"name": "X", "state": "VN", "function": typed})
    assert printed.endswith("Функция: Центральный орган")
    other = words.value("requesting_authority", {"name": "X", "state": "VN", "function": "Bureau"})
    assert other.endswith("Bureau")
