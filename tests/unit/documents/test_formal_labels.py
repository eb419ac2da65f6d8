"""Every structured word of a formal document exists in each language, and the document prints
words, not codes: roles, identifier kinds, decisions, assurances, purposes, legal bases, states
and penalties, in Russian, Vietnamese and German."""

from __future__ import annotations

import enum
import importlib
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from liaison.i18n import _catalog
from liaison.requests.formal import _value
from liaison.requests.formal_labels import (
    CODE_LABELS,
    CONVENTION_ARTICLE,
    FIELD_CODES,
    FIELD_LABELS,
    Words,
)

MODULES = [
    "base",
    "common",
    "disclosure",
    "extradition",
    "mla",
    "offences",
    "preservation",
    "spontaneous",
    "transfers",
    "messages",
]
LANGUAGES = ["ru", "vi", "de"]


def _enums(annotation: Any) -> list[type[enum.Enum]]:
    found = []
    for arg in typing.get_args(annotation) or [annotation]:
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            found.append(arg)
        elif typing.get_args(arg):
            found += _enums(arg)
    return found


def content_fields() -> dict[str, set[type[enum.Enum]]]:
    """Every field name of the content models, with the enums it can hold."""
    fields: dict[str, set[type[enum.Enum]]] = {}
    for name in MODULES:
        module = importlib.import_module(f"liaison.requests.contents.{name}")
        for model in vars(module).values():
            if (
                isinstance(model, type)
                and issubclass(model, BaseModel)
                and model.__module__.startswith("liaison.requests.contents")
            ):
                for field, info in model.model_fields.items():
                    fields.setdefault(field, set()).update(_enums(info.annotation))
    return fields


def test_every_content_field_has_a_label() -> None:
    assert sorted(set(content_fields()) - set(FIELD_LABELS)) == []


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
        | {CONVENTION_ARTICLE, "Yes", "No"}
    )
    assert sorted(w for w in words if w not in catalog) == []


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
        [*_value("persons", [PERSON], words), *_value("identifiers", IDENTIFIERS, words)]
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


def test_life_imprisonment_and_yes_no() -> None:
    words = Words("de")
    assert words.value("sentence_imposed", {"unit": "life"}) == "Lebenslange Freiheitsstrafe"
    assert words.value("person_consents", True) == "Ja"
    assert words.value("subtype", "stored_data") == "Gespeicherte elektronische Daten (Art. 44)"
