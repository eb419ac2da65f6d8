"""A request's contents as its page shows them: offences and times in the reader's words."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

from liaison.requests.web_contents import contents

CONTENT = {
    "offences": [{"code": "art13", "domestic_provision": "Penal Code art. 290"}],
    "identifiers": [
        {"kind": "ip_address", "time": "2026-02-14T10:15:00+07:00", "value": "203.0.113.7"}
    ],
}


def _values(lang: str) -> dict[str, list[str]]:
    return {item.label: item.values for item in contents("preservation", CONTENT, lang).items}


def test_an_offence_is_named_not_coded() -> None:
    (offence,) = _values("ru")["Преступления"]
    assert offence.startswith("Хищение или мошенничество с использованием ИКТ (ст. 13)")
    assert "art13" not in offence


def test_a_time_is_written_as_the_reader_writes_it_at_its_own_offset() -> None:
    (identifier,) = next(v for k, v in _values("ru").items() if "учётные записи" in k)
    # CLDR's own spacing: a narrow no-break space before "г." and "AM".
    assert "Время: 14 февр. 2026\u202fг., 10:15:00 (UTC+07:00)" in identifier
    (english,) = next(v for k, v in _values("en").items() if "accounts" in k)
    assert "Time: Feb 14, 2026, 10:15:00\u202fAM (UTC+07:00)" in english
