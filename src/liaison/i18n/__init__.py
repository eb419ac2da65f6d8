"""Translations: gettext catalogs (.po) read with Babel, one domain per purpose.

Catalogs live in locale/<lang>/LC_MESSAGES/<domain>.po and are read at run time (no compile
step, so a translator's edit shows up on restart). A missing message falls back to the English
msgid, never to an error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
# The interface languages of the product (DESIGN: en, ru, vi, de, fr, es, ar, zh).
LANGUAGES = ("en", "ru", "vi", "de", "fr", "es", "ar", "zh")
RTL = frozenset({"ar"})


@lru_cache(maxsize=64)
def _catalog(lang: str, domain: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
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


def best_language(preferred: list[str], available: tuple[str, ...] = LANGUAGES) -> str:
    """The first preferred language we have a catalog for, else English."""
    for lang in preferred:
        base = lang.split("-", 1)[0].lower()
        if base in available:
            return base
    return "en"
