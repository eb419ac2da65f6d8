"""Free texts and the recipient's accepted languages (issue part 7)."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.core.errors import InvalidInput
from liaison.requests.contents import free_text_fields, parse_content, translation_gaps


def text(value: str, lang: str, **translations: str) -> dict[str, Any]:
    return {"original": value, "original_language": lang, "translations": translations}


CONTENT = {
    "facts": text("Lừa đảo trực tuyến", "vi", en="Online fraud"),
    "purpose": text("Xác định người điều hành", "vi"),
    "offences": [
        {
            "code": "serious_crime",
            "domestic_provision": "BLHS Điều 174",
            "max_penalty": {"unit": "years", "amount": 20},
            "description": text("Chiếm đoạt tài sản", "vi", de="Betrug"),
        }
    ],
    "persons": [{"role": "suspect", "description": text("Khoảng 30 tuổi", "vi")}],
}


def test_free_text_fields_are_found_at_any_depth() -> None:
    content = parse_content("mla", CONTENT)
    assert set(free_text_fields(content)) == {
        "facts",
        "purpose",
        "offences.0.description",
        "persons.0.description",
    }
    assert free_text_fields(content)["facts"].translations == {"en": "Online fraud"}


def test_gaps_are_texts_the_recipient_cannot_read() -> None:
    content = parse_content("mla", CONTENT)
    # In the order of the form's fields.
    assert translation_gaps(content, ["en"]) == [
        "offences.0.description",
        "persons.0.description",
        "purpose",
    ]
    assert translation_gaps(content, ["de", "en"]) == ["persons.0.description", "purpose"]
    # The original language counts: a Vietnamese-speaking recipient has no gap.
    assert translation_gaps(content, ["vi"]) == []
    assert translation_gaps(parse_content("mla", {}), ["en"]) == []


def test_accepted_languages_are_validated() -> None:
    with pytest.raises(InvalidInput, match="unknown language codes"):
        translation_gaps(parse_content("mla", CONTENT), ["english"])


def test_a_translation_cannot_repeat_the_original_language() -> None:
    with pytest.raises(ValueError, match="duplicates the original"):
        parse_content("mla", {"facts": text("Facts", "en", en="Facts")})
