"""The web interface's catalogs: extracted from the templates and pages, merged into each
language's .po, compiled to .mo, and checked for untranslated messages (`bin/i18n`).

The "web" domain is every `_()`/`ngettext()` in a template and every `N_()`/`_()` in a module
that imports its words from `liaison.web.templating` — the pages, not the services, whose
messages belong to the domains they are checked against (validation, forms, documents).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from liaison.i18n import LANGUAGES, catalog_path

DOMAIN = "web"
PACKAGE = Path(__file__).parent.parent
KEYWORDS = {"_": None, "N_": None, "N_plural": (1, 2), "gettext": None, "ngettext": (1, 2)}
_JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "newstyle_gettext": "true"}
# The languages a translator fills; English is the msgids themselves.
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")


def _sources() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.html")):
        if "templates" in path.parts and "static" not in path.parts:
            yield path, "jinja2"
    for path in sorted(PACKAGE.rglob("*.py")):
        if "liaison.web.templating import" in path.read_text(encoding="utf-8"):
            yield path, "python"


def extract() -> Catalog:
    """Every message the pages can show, with where it comes from."""
    template = Catalog(domain=DOMAIN, project="Liaison", charset="utf-8")
    for path, method in _sources():
        # Jinja's extractor is typed for its own stubs, not Babel's; the call is Babel's own.
        extractor: Any = babel_extract if method == "jinja2" else "python"
        found = extract_from_file(
            extractor,
            str(path),
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            options=_JINJA_OPTIONS if method == "jinja2" else {},
        )
        where = str(path.relative_to(PACKAGE.parent))
        for lineno, message, comments, _context in found:
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            template.add(message, locations=[(where, lineno)], auto_comments=comments)
    return template


def load(lang: str) -> Catalog:
    path = catalog_path(lang, DOMAIN)
    if not path.is_file():
        return Catalog(
            locale=lang,
            domain=DOMAIN,
            project="Liaison",
            charset="utf-8",
            header_comment=f"# The words of Liaison's web interface in {lang}.",
            fuzzy=False,
        )
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def update(template: Catalog) -> dict[str, int]:
    """Merges the extracted messages into every language's .po: new ones empty, gone ones
    dropped, translations kept. Returns how many each language still lacks."""
    lacking = {}
    for lang in TRANSLATED:
        catalog = load(lang)
        # No fuzzy matching: a guessed translation of a different sentence is worse than none.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        path = catalog_path(lang, DOMAIN)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, include_previous=False)
        lacking[lang] = len(untranslated(lang, template))
    return lacking


def untranslated(lang: str, template: Catalog | None = None) -> list[str]:
    """The msgids of the pages that `lang`'s catalog does not translate (or only fuzzily)."""
    template = template if template is not None else extract()
    catalog = load(lang)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        empty = not all(strings) if isinstance(strings, tuple | list) else not strings
        if found is None or found.fuzzy or empty:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_all() -> list[Path]:
    """Writes each language's .mo beside its .po."""
    written = []
    for lang in TRANSLATED:
        source = catalog_path(lang, DOMAIN)
        if not source.is_file():
            continue
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        target = catalog_path(lang, DOMAIN, ".mo")
        with target.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(target)
    return written
