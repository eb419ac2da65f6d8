"""Render a `FormalDocument` to a PDF/A-2u file in the document's language.

Why PDF/A-2u: PDF/A-2 is the first PDF/A part that allows PAdES (CAdES-based) signatures added
as an incremental update, which is how pyHanko signs, and the "u" level additionally requires a
Unicode mapping for every glyph, so the text of a Cyrillic or Vietnamese document can be
extracted, searched and checked. PDF/A-3 only adds arbitrary attachments, which a formal
document does not carry.

Fonts come from the system (fontconfig) by family name, and WeasyPrint embeds the subsets it
uses; nothing is ever fetched: the HTML and CSS are passed as strings and the URL fetcher
refuses every scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from babel import Locale
from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from liaison.documents.model import FormalDocument, FreeText, Kind, Section
from liaison.i18n import RTL, translator

TEMPLATES = Path(__file__).parent / "templates"
PDF_VARIANT = "pdf/a-2u"
_INTENT = "srgb-iec61966-2-1"
DOMAIN = "documents"
_RESPONSES = frozenset({Kind.RESPONSE, Kind.REFUSAL, Kind.POSTPONEMENT})

# Labels the layout itself prints. The request service's labels (kinds, sections, roles) are
# in model.py; both sets are in the catalogs and listed in docs/formal-documents.md.
UI_LABELS = (
    "To",
    "Our reference",
    "Your reference",
    "Date of issue",
    "Legal basis",
    "Urgent",
    "Not stated",
    "Original ({language})",
    "No translation into {language} supplied",
    "Approved by",
    "Approved at",
    "Signature fingerprint (SHA-256 of the approval signature)",
    (
        "This document is signed electronically (PAdES). Verify the signature before relying"
        " on its content."
    ),
    "Preview: not sent and not signed. This is not the formal document.",
    "Request identifier",
    "Version",
    "Page {page} of {pages}",
)


@dataclass(frozen=True)
class _Row:
    label: str
    value: str | list[str] | None
    numbered: bool
    is_text: bool = False


@dataclass(frozen=True)
class _Text:
    label: str
    shown: str | None
    original: str
    original_note: str | None
    missing_note: str | None
    original_dir: str
    is_text: bool = True


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Everything printed comes from users or other States: escape it all.
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that cannot end the string, the rule or the <style>.

    Inside <style> HTML escaping does not apply, so every character that is not a letter,
    digit or space is written as a CSS hex escape instead.
    """
    parts = [ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x} " for ch in text]
    return '"' + "".join(parts) + '"'


def _page_counter(template: str) -> str:
    """A CSS `content` value for the translated "Page {page} of {pages}"."""
    out: list[str] = []
    rest = template
    while rest:
        positions = [(rest.find(key), key) for key in ("{page}", "{pages}") if key in rest]
        if not positions:
            out.append(css_string(rest))
            break
        at, key = min(positions)
        if at:
            out.append(css_string(rest[:at]))
        out.append("counter(page)" if key == "{page}" else "counter(pages)")
        rest = rest[at + len(key) :]
    return " ".join(out)


def _language_name(code: str, *, lang: str) -> str:
    return str(Locale.parse(lang).languages.get(code, code))


def _state_name(code: str, *, lang: str) -> str:
    return str(Locale.parse(lang).territories.get(code, code))


def _when(moment: datetime, *, lang: str) -> str:
    return format_datetime(moment, format="long", tzinfo=moment.tzinfo, locale=lang)


def _day(moment: datetime, *, lang: str) -> str:
    return format_date(moment, format="long", locale=lang)


def _direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def _row(section: Section, *, tr: _Translate) -> _Row:
    return _Row(label=tr(section.label), value=section.value, numbered=section.numbered)


class _Translate:
    def __init__(self, lang: str) -> None:
        self._gettext = translator(lang, DOMAIN)

    def __call__(self, msgid: str, **values: str) -> str:
        text = self._gettext(msgid)
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):
            # A catalog entry with broken placeholders must not stop a legal document from
            # being produced: fall back to the English source text.
            return msgid.format(**values)


def _free_text(text: FreeText, *, lang: str, tr: _Translate) -> _Text:
    language = _language_name(text.original_language, lang=lang)
    shown = text.translation_into(lang)
    is_original = lang == text.original_language
    return _Text(
        label=tr(text.label),
        shown=shown,
        original=text.original,
        original_note=None if is_original else tr("Original ({language})", language=language),
        missing_note=(
            None
            if shown is not None
            else tr(
                "No translation into {language} supplied",
                language=_language_name(lang, lang=lang),
            )
        ),
        original_dir=_direction(text.original_language),
    )


def render_html(doc: FormalDocument) -> str:
    """The HTML the PDF is made from; exposed so tests and previews can inspect it."""
    lang = doc.language
    tr = _Translate(lang)
    approval = doc.approval
    sender = doc.sender.name_in(lang)
    response = doc.kind in _RESPONSES
    context = {
        "lang": lang,
        "dir": _direction(lang),
        "tr": tr,
        "title": tr(doc.kind),
        "subtitle": doc.subtitle,
        "sender": sender,
        "sender_state": _state_name(doc.sender.state, lang=lang),
        "recipient": doc.recipient.name_in(lang),
        "recipient_state": _state_name(doc.recipient.state, lang=lang),
        "doc": doc,
        # A response quotes the reference of the request it answers; a request gives its own.
        "reference_label": tr("Your reference" if response else "Our reference"),
        "issued_on": _day(doc.issued_at, lang=lang),
        "legal_basis": tr(doc.legal_basis),
        "items": [
            _free_text(item, lang=lang, tr=tr) if isinstance(item, FreeText) else _row(item, tr=tr)
            for item in doc.sections
        ],
        "approval": approval,
        "approval_role": tr(approval.role) if approval else "",
        "approved_at": _when(approval.approved_at, lang=lang) if approval else "",
        # Pre-escaped CSS strings: safe to place inside <style> (see css_string). The footer
        # says whose document it is and which case, on every page.
        "css_footer": Markup(css_string(f"{sender} · {doc.reference}")),  # noqa: S704 - escaped by css_string
        "css_pages": Markup(_page_counter(tr("Page {page} of {pages}"))),  # noqa: S704 - idem
        "css_preview": Markup(  # noqa: S704 - escaped by css_string
            css_string(tr("Preview: not sent and not signed. This is not the formal document."))
        ),
    }
    return _environment().get_template("formal_document.html").render(context)


def _srgb_profile() -> Any:
    """The sRGB output intent PDF/A requires, read from WeasyPrint's own ICC file.

    WeasyPrint's PDF/A variants open that file themselves and never close it, which raises a
    ResourceWarning (an error under our test settings). Naming our own intent, read inside a
    `with`, gives the same output intent without the leak.
    """
    from importlib.resources import files  # noqa: PLC0415 - only for rendering

    from weasyprint.css import ColorProfile  # noqa: PLC0415 - Pango at import: >1 s

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def render_pdf(doc: FormalDocument, *, out: BinaryIO | Path) -> None:
    """Write `doc` as a PDF/A-2u document to `out` (a path or a binary stream)."""
    # Imported here: WeasyPrint loads Pango through FFI at import, which the rest of the
    # application (API, CLI) should not pay for unless it renders a document.
    from weasyprint import CSS, HTML  # noqa: PLC0415 - Pango at import: >1 s
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 - Pango at import: >1 s

    # No scheme is allowed, and a refused fetch is fatal rather than a silent blank.
    fetcher = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    stylesheet = CSS(string=(TEMPLATES / "formal_document.css").read_text(), url_fetcher=fetcher)
    options = {"pdf_variant": PDF_VARIANT, "output_intent": _INTENT}
    profiles = {_INTENT: _srgb_profile()}
    document = HTML(string=render_html(doc), url_fetcher=fetcher).render(
        stylesheets=[stylesheet], color_profiles=profiles, **options
    )
    pdf = document.write_pdf(color_profiles=profiles, **options)
    if isinstance(out, Path):
        out.write_bytes(pdf)
    else:
        out.write(pdf)
