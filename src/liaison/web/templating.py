"""The templates of every section in one Jinja2 environment, and the words of the interface.

Messages are gettext msgids of the "web" domain, translated per request: templates call
`_("...")` and `ngettext(...)` (new-style: `%(name)s` placeholders, values escaped), pages
mark theirs with `N_` (`N_plural` for a message with a plural). `bin/i18n` extracts them
into each language's web.po (liaison.i18n.catalogs). A lookup that finds no translation outside
English is remembered in MISSING, which the browser tests read to fail on any untranslated
message that reaches a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from liaison.i18n import compiled

DOMAIN = "web"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent.parent / "static"
# (lang, msgid) pairs looked up without a translation since the process started.
MISSING: set[tuple[str, str]] = set()


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - see N_
    """Marks a message with a plural for extraction, as one entry; shown with ngettext."""
    return singular, plural


def environment(directories: Iterable[Path]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, *directories]),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.globals["static"] = static_url
    return env


class Words:
    """The interface's words in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._translations = compiled(lang, DOMAIN)
        # The catalog itself, to tell "no translation" from "translated as the same word".
        self._known: dict[Any, str] = getattr(self._translations, "_catalog", {})

    def gettext(self, message: str) -> str:
        if self.lang != "en" and message not in self._known:
            MISSING.add((self.lang, message))
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        if self.lang != "en" and (singular, 0) not in self._known:
            MISSING.add((self.lang, singular))
        return self._translations.ngettext(singular, plural, count)

    def markup(self) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
        """`_` and `ngettext` for templates: the translation is markup, the values escaped."""

        def gettext(message: str, **values: Any) -> Markup:
            text = Markup(self.gettext(message))  # noqa: S704 - our catalog, not user input
            return text % values if values else text

        # Positional-only: `count` is also the usual name of the value the message shows.
        def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> Markup:
            text = Markup(self.ngettext(singular, plural, n))  # noqa: S704 - idem
            return text % {"num": n, **values}

        return gettext, ngettext


@lru_cache(maxsize=256)
def _fingerprint(path: str) -> str:
    file = (STATIC / path).resolve()
    if not file.is_relative_to(STATIC.resolve()) or not file.is_file():
        raise FileNotFoundError(f"no static file {path}")
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """The URL of an asset, with its digest so that a changed file is fetched again."""
    return f"/static/{path}?v={_fingerprint(path)}"
