"""Translations: gettext catalogs read with Babel, one domain per purpose.

Catalogs live in locale/<lang>/LC_MESSAGES/<domain>.po. Most domains are read from the .po at
run time (a translator's edit shows up on restart). The web interface's domain, "web", is
extracted from the templates and pages and compiled to .mo by the build (bin/i18n); where the
.mo is missing or older than its .po (a source checkout before the build), it is compiled in
memory from the .po instead, so the pages never run on a stale catalog. A missing message
falls back to the English msgid, never to an error.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
# The interface languages of the product (DESIGN: en, ru, vi, de, fr, es, ar, zh).
LANGUAGES = ("en", "ru", "vi", "de", "fr", "es", "ar", "zh")
RTL = frozenset({"ar"})
# Each language's own name, as a language menu shows it.
NATIVE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "vi": "Tiếng Việt",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
}


def catalog_path(lang: str, domain: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}{suffix}"


@lru_cache(maxsize=64)
def _catalog(lang: str, domain: str) -> dict[str, str]:
    path = catalog_path(lang, domain)
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def translator(lang: str, domain: str) -> Callable[[str], str]:
    """`_ = translator("vi", "validation")`; `_("the summary of facts is missing")`."""
    catalog = _catalog(lang, domain)
    return lambda message: catalog.get(message, message)


@lru_cache(maxsize=64)
def compiled(lang: str, domain: str) -> NullTranslations:
    """The compiled catalog of a domain (gettext and ngettext with plural forms)."""
    po, mo = catalog_path(lang, domain), catalog_path(lang, domain, ".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=domain)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def best_language(preferred: list[str], available: tuple[str, ...] = LANGUAGES) -> str:
    """The first preferred language we have a catalog for, else English."""
    for lang in preferred:
        base = lang.split("-", 1)[0].lower()
        if base in available:
            return base
    return "en"


def accepted_languages(header: str) -> list[str]:
    """An Accept-Language header's languages, most wanted first (q=0 means not wanted)."""
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _q, _i, tag in sorted(weighted)]
