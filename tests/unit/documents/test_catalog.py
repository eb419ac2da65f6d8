"""Catalogs and model: every msgid the documents use is translated; bad input is refused."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from babel import Locale
from pydantic import ValidationError

from liaison.documents import Answer, Approval, ApproverRole, Kind, SectionLabel
from liaison.documents.render import UI_LABELS, css_string
from liaison.i18n import LANGUAGES, _catalog, translator
from liaison.requests.formal.labels import PENALTY_UNITS
from tests.unit.documents.conftest import make_document

MSGIDS = sorted(
    {str(m) for group in (Kind, SectionLabel, ApproverRole, Answer) for m in group} | set(UI_LABELS)
)
PLACEHOLDER = re.compile(r"\{[a-z]+\}")


@pytest.mark.parametrize("lang", ["ru", "vi", "de", "fr", "es", "ar", "zh"])
def test_every_msgid_is_translated_with_its_placeholders(lang: str) -> None:
    tr = translator(lang, "documents")
    # In the catalog, not "differs from English": French writes "Conditions" and "Version" too.
    translated = _catalog(lang, "documents")
    untranslated = [
        msgid for msgid in MSGIDS if msgid not in translated and msgid != "Original ({language})"
    ]
    assert untranslated == []
    for msgid in MSGIDS:
        assert sorted(PLACEHOLDER.findall(tr(msgid))) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_the_brief_s_legal_register() -> None:
    assert translator("ru", "documents")(Kind.MLA_REQUEST) == "Запрос о взаимной правовой помощи"
    assert translator("vi", "documents")(Kind.MLA_REQUEST) == "Yêu cầu tương trợ tư pháp"
    assert translator("de", "documents")(Kind.MLA_REQUEST) == "Rechtshilfeersuchen"


def test_css_string_cannot_close_the_string_or_the_style() -> None:
    escaped = css_string('a"b</style>\\ c·d')
    assert escaped.startswith('"')
    assert escaped.endswith('"')
    assert '"' not in escaped[1:-1]
    assert "<" not in escaped
    # A hex escape swallows one following space, so each escape carries its own.
    assert escaped == '"a\\000022 b\\00003c \\00002f style\\00003e \\00005c  c\\0000b7 d"'


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="language"):
        make_document(lang="xx")


def test_naive_issue_date_is_refused() -> None:
    base = make_document(lang="en").model_dump()
    base["issued_at"] = datetime(2026, 11, 25, 9, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValidationError, match="timezone"):
        type(make_document(lang="en")).model_validate(base)


def test_fingerprint_must_carry_its_algorithm() -> None:
    with pytest.raises(ValidationError, match="sha256"):
        Approval(
            approver="A",
            role=ApproverRole.SUPERVISOR,
            approved_at=datetime.fromisoformat("2026-11-25T09:30:00+07:00"),
            signature_fingerprint="ab" * 32,
        )


def test_docs_list_every_msgid() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "formal-documents.md").read_text()
    assert [msgid for msgid in MSGIDS if f"`{msgid}`" not in docs] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_penalty_is_counted_in_every_language(lang: str) -> None:
    # Each plural form the language has (CLDR) is written: "5 лет", "3 سنوات", "20 年".
    forms = PENALTY_UNITS[lang]
    locale = Locale.parse(lang)
    for unit in ("months", "years"):
        needed = {locale.plural_form(n) for n in range(200)}
        assert needed <= set(forms[unit]), (unit, needed - set(forms[unit]))
