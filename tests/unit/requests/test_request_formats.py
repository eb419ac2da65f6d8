"""Format validation (always, even in drafts), the serious-crime rule, and translated messages."""

# The expected Russian messages are Cyrillic on purpose; RUF001 would read them as homoglyphs.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from liaison.requests.contents import (
    Offence,
    OffenceCode,
    RequestKind,
    check_submission,
    parse_content,
)
from liaison.requests.contents.common import MAX_TEXT


def text(value: str, lang: str = "en") -> dict[str, Any]:
    return {"original": value, "original_language": lang}


def offence(**changes: Any) -> dict[str, Any]:
    return {
        "code": "serious_crime",
        "domestic_provision": "Penal Code art. 348",
        "max_penalty": {"unit": "years", "amount": 4},
        "description": text("Extortion"),
    } | changes


def error_of(kind: str, data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_content(kind, data)
    return str(caught.value)


def test_unknown_offence_code() -> None:
    message = error_of("mla", {"offences": [offence(code="art99")]})
    assert "offences.0.code" in message
    assert "'art7'" in message  # the closed list is spelt out


def test_wrong_language_code() -> None:
    message = error_of("mla", {"facts": text("Facts", lang="xx")})
    assert "facts.original_language" in message
    assert "unknown language code 'xx'" in message


def test_wrong_language_code_of_a_translation() -> None:
    facts = text("Facts") | {"translations": {"english": "Facts"}}
    assert "unknown language code 'english'" in error_of("mla", {"facts": facts})


def test_oversized_text() -> None:
    message = error_of("mla", {"facts": text("x" * (MAX_TEXT + 1))})
    assert "facts.original" in message
    assert f"at most {MAX_TEXT} characters" in message


def test_end_before_start() -> None:
    period = {"start": "2026-03-02T00:00:00Z", "end": "2026-03-01T00:00:00Z"}
    assert "the end of the period must be after its start" in error_of(
        "mla", {"data_period": period}
    )


def test_naive_timestamps_are_refused() -> None:
    period = {"start": "2026-03-01T00:00:00", "end": "2026-03-02T00:00:00"}
    assert "timezone" in error_of("mla", {"data_period": period})


def test_preservation_under_60_days() -> None:
    assert "greater than or equal to 60" in error_of("preservation", {"period_days": 59})
    assert parse_content("preservation", {"period_days": 60}).model_dump()["period_days"] == 60


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("requesting_authority", {"name": "X", "state": "XX"}, "unknown State code 'XX'"),
        ("identifiers", [{"kind": "ip_address", "value": "999.1.1.1"}], "not an IPv4 or IPv6"),
        (
            "identifiers",
            [{"kind": "account", "value": "a", "timezone": "Mars/Olympus"}],
            "unknown time zone",
        ),
        ("legal_basis", {}, "names a convention article or a treaty"),
        ("unknown_field", 1, "Extra inputs are not permitted"),
        ("offences", [offence(max_penalty={"unit": "years"})], "needs an amount"),
    ],
)
def test_other_format_errors(field: str, value: Any, fragment: str) -> None:
    assert fragment in error_of("mla", {field: value})


def test_serious_crime_flag_is_derived_not_trusted() -> None:
    parsed = Offence.model_validate(
        offence(serious_crime=True, max_penalty={"unit": "months", "amount": 47})
    )
    assert parsed.serious_crime is False
    assert Offence.model_validate(offence()).serious_crime is True
    assert Offence.model_validate(offence(max_penalty={"unit": "life"})).serious_crime is True


def serious_problems(off: dict[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    problems = check_submission(RequestKind.MLA, {"offences": [off]}, lang=lang)
    return [(p.path, p.message) for p in problems if p.path.startswith("offences.")]


def test_four_year_rule_both_ways() -> None:
    assert serious_problems(offence()) == []  # 4 years: a serious crime
    assert serious_problems(offence(max_penalty={"unit": "months", "amount": 48})) == []
    below = offence(max_penalty={"unit": "months", "amount": 47})
    assert serious_problems(below) == [
        (
            "offences.0.max_penalty",
            (
                "This offence is not a serious crime (maximum penalty under four years): "
                "the request cannot be sent unless a reason is given"
            ),
        )
    ]
    reasoned = below | {"below_threshold_reason": text("Covered by the bilateral treaty.")}
    assert serious_problems(reasoned) == []


def test_convention_offences_need_no_threshold() -> None:
    assert serious_problems(offence(code="art7", max_penalty={"unit": "years", "amount": 1})) == []


def test_art4_and_serious_crime_need_a_description() -> None:
    bare = offence(code=OffenceCode.OTHER_CONVENTION.value, description=None)
    assert serious_problems(bare, lang="de") == [
        ("offences.0.description", "Fehlende Angabe: Beschreibung")
    ]


def test_messages_are_translated() -> None:
    ru = {p.path: p.message for p in check_submission("mla", {}, lang="ru")}
    vi = {p.path: p.message for p in check_submission("mla", {}, lang="vi")}
    de = {p.path: p.message for p in check_submission("mla", {}, lang="de")}
    assert ru["facts"] == "Не указано: изложение фактов"
    assert vi["facts"] == "Còn thiếu: tóm tắt sự việc"
    assert de["facts"] == "Fehlende Angabe: Sachverhaltsdarstellung"
    assert ru["requested_central_authority"] == (
        "Не указано: центральный орган запрашиваемого государства"
    )
    assert vi["legal_basis"] == "Còn thiếu: căn cứ pháp lý"
    fr = {p.path: p.message for p in check_submission("mla", {}, lang="fr")}
    assert fr["facts"] == "Élément manquant\u00a0: résumé des faits"  # French spacing
    # A language without a catalog falls back to English.
    ja = {p.path: p.message for p in check_submission("mla", {}, lang="ja")}
    assert ja["facts"] == "Missing: summary of facts"


def test_raw_draft_reports_format_errors_and_missing_items_together() -> None:
    draft = {
        "facts": text("Facts", lang="xx"),
        "offences": [offence(code="art99")],
        "case_reference": "VN-1",
    }
    problems = {p.path: p.message for p in check_submission("mla", draft, lang="vi")}
    assert problems["facts.original_language"].startswith("Giá trị không hợp lệ: ")
    assert problems["offences.0.code"].startswith("Giá trị không hợp lệ: ")
    # Fields in error are not reported again as missing; the rest are checked.
    assert "facts" not in problems
    assert "offences" not in problems
    assert "case_reference" not in problems
    assert problems["purpose"] == "Còn thiếu: mục đích của yêu cầu"


def test_content_of_another_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="not the content of a preservation request"):
        check_submission("preservation", parse_content("mla", {}), lang="en")


def test_requested_state_offence_must_point_at_an_offence() -> None:
    entry = {
        "offence_index": 1,
        "domestic_provision": "StGB 263",
        "max_penalty": {"unit": "years", "amount": 5},
    }
    data = {"offences": [offence()], "requested_state_offences": [entry]}
    assert "refers to offence 1" in error_of("extradition", data)
    assert parse_content(
        "extradition", data | {"requested_state_offences": [entry | {"offence_index": 0}]}
    )
