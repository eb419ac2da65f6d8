"""Rendering: labels in the recipient's language, diacritics intact, PDF/A declared."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from liaison.documents import FreeText, Kind, Section, SectionLabel, render_html, render_pdf
from liaison.documents.model import FormalDocument
from liaison.i18n import translator
from tests.unit.documents.conftest import (
    MINISTRY,
    PROSECUTOR,
    VICTIM,
    make_document,
    pdf_text,
    xmp_of,
)

EXPECTED = {
    "en": ("Request for mutual legal assistance", "Summary of facts", "Page 1 of 1"),
    "ru": ("Запрос о взаимной правовой помощи", "Краткое изложение фактов", "Страница 1 из 1"),
    "vi": ("Yêu cầu tương trợ tư pháp", "Tóm tắt sự việc", "Trang 1/1"),
    "de": ("Rechtshilfeersuchen", "Zusammenfassung des Sachverhalts", "Seite 1 von 1"),
    "fr": ("Demande d'entraide judiciaire", "Résumé des faits", "Page 1 sur 1"),
    "es": ("Solicitud de asistencia judicial recíproca", "Resumen de los hechos", "Página 1 de 1"),
    "zh": ("司法协助请求", "事实摘要", "第1页，共1页"),
}


def _flat(text: str) -> str:
    # pdftotext breaks long table cells over lines; compare with whitespace collapsed.
    return " ".join(text.split())


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_pdf_has_translated_labels_and_intact_diacritics(lang: str, tmp_path: Path) -> None:
    out = tmp_path / f"{lang}.pdf"
    render_pdf(make_document(lang=lang), out=out)
    text = _flat(pdf_text(out))
    tr = translator(lang, "documents")
    for expected in EXPECTED[lang]:
        assert expected in text
    for label in (
        "To",
        "Our reference",
        "Offences",
        "Persons concerned",
        "Approved by",
    ):
        assert tr(label) in text
    # The persons-concerned value and the original text keep their Vietnamese diacritics.
    assert VICTIM in text
    assert "bị lừa đảo qua mạng; thiệt hại 2 tỷ đồng" in text
    assert "Trần Văn Đức" in text
    assert "pdfaid:part" in xmp_of(out)
    if lang == "zh":
        # Chinese needs its own font (Debian fonts-noto-cjk), embedded: no empty boxes.
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
        assert "CJK" in fonts.stdout


def test_names_in_the_document_language(tmp_path: Path) -> None:
    out = tmp_path / "ru.pdf"
    render_pdf(make_document(lang="ru"), out=out)
    text = _flat(pdf_text(out))
    assert PROSECUTOR in text
    # No Russian name for the ministry was given: the English one stands in.
    assert "Ministry of Public Security" in text
    assert "25 ноября 2026" in text


def test_vietnamese_document_shows_original_without_original_marker() -> None:
    html = render_html(make_document(lang="vi"))
    assert MINISTRY in html
    assert "Bản gốc" not in html


def test_translation_shown_with_original_beneath(tmp_path: Path) -> None:
    out = tmp_path / "de.pdf"
    render_pdf(make_document(lang="de"), out=out)
    text = _flat(pdf_text(out))
    translation = text.index("Die Geschädigte wurde online betrogen")
    original_note = text.index("Original (Vietnamesisch)")
    assert translation < original_note < text.index("bị lừa đảo qua mạng")


def test_missing_translation_is_announced(tmp_path: Path) -> None:
    out = io.BytesIO()
    render_pdf(make_document(lang="ru", translated=False), out=out)
    path = tmp_path / "ru.pdf"
    path.write_bytes(out.getvalue())
    text = _flat(pdf_text(path))
    assert "Перевод на язык «русский» не представлен" in text
    assert "Оригинал (вьетнамский)" in text
    assert "bị lừa đảo qua mạng" in text


def test_missing_translation_note_in_english() -> None:
    html = render_html(make_document(lang="en", translated=False))
    assert "No translation into English supplied" in html
    assert "Original (Vietnamese)" in html


def test_arabic_is_laid_out_right_to_left(tmp_path: Path) -> None:
    doc = make_document(lang="ar")
    html = render_html(doc)
    assert '<html lang="ar" dir="rtl">' in html
    out = tmp_path / "ar.pdf"
    render_pdf(doc, out=out)
    assert out.read_bytes().startswith(b"%PDF-1.7")


def test_other_kinds_and_responses_use_the_same_model() -> None:
    html = render_html(make_document(lang="de", kind=Kind.REFUSAL))
    assert "Ablehnung des Ersuchens" in html
    html = render_html(make_document(lang="ru", kind=Kind.PRESERVATION_REQUEST))
    assert "Запрос об оперативном обеспечении сохранности" in html


def test_user_text_is_escaped_everywhere() -> None:
    hostile = '</style><script>alert("x")</script>'
    base = make_document(lang="en")
    doc = FormalDocument.model_validate(
        base.model_dump()
        | {
            "reference": hostile,
            "subtitle": hostile,
            "sender": {"names": {"en": hostile}, "state": "VN"},
            "sections": [
                Section(label=SectionLabel.PURPOSE, value=hostile),
                FreeText(label=hostile, original=hostile, original_language="en"),
            ],
        }
    )
    html = render_html(doc)
    assert "<script>" not in html
    assert html.count("</style>") == 1


def test_page_counter_in_css_is_translated() -> None:
    html = render_html(make_document(lang="vi"))
    assert "counter(page)" in html
    assert "counter(pages)" in html
