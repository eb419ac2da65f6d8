"""Every message of the web interface is translated into every interface language, with the
same placeholders, and the build compiles what the pages read."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from liaison.i18n import catalog_path, catalogs, compiled

TEMPLATE = catalogs.extract()
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_pages_have_words_to_translate() -> None:
    ids = {m.id for m in TEMPLATE if m.id}
    # From a template, from a page module (N_) and a plural from ngettext.
    assert "Sign in" in ids
    assert any(isinstance(i, tuple) for i in ids)
    assert len(ids) > 200


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_no_message_is_left_untranslated(lang: str) -> None:
    assert catalogs.untranslated(lang, TEMPLATE) == []


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    with catalog_path(lang, "web").open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain="web")
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids)) - {"num"}
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) - {"num"} != wanted:
                wrong.append(message.id)
    assert wrong == []


def test_compiled_catalog_is_what_the_pages_read(tmp_path: object) -> None:
    written = catalogs.compile_all()
    assert {p.parent.parent.name for p in written} == set(catalogs.TRANSLATED)
    # The .mo now newer than its .po is read; it translates as the .po does.
    assert compiled("ru", "web").gettext("Sign in") != "Sign in"
