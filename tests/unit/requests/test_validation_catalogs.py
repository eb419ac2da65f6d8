"""Every message and label of the request checks is translated into every interface language."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from liaison.i18n import LOCALE_DIR
from liaison.requests.contents.grounds import GROUNDS
from liaison.requests.contents.messages import FIELD_LABELS, MESSAGES
from liaison.requests.contents.offences import OFFENCE_LABELS, OffenceCode, offence_label

MSGIDS = {
    *MESSAGES,
    *FIELD_LABELS.values(),
    *OFFENCE_LABELS.values(),
    *(g.label for g in GROUNDS.values()),
}


@pytest.mark.parametrize("lang", ["ru", "vi", "de", "fr", "es", "ar", "zh"])
def test_catalog_translates_every_message(lang: str) -> None:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "validation.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain="validation")
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    assert MSGIDS - set(translated) == set()
    assert set(translated) - MSGIDS == set(), "stale entries in the catalog"
    for msgid in ("Missing: {item}", "Invalid value: {detail}"):
        placeholder = msgid[msgid.index("{") :]
        assert placeholder in translated[msgid]


def test_every_offence_code_has_a_label() -> None:
    assert set(OFFENCE_LABELS) == set(OffenceCode)
    assert offence_label(OffenceCode.ILLEGAL_ACCESS) == "Illegal access"
