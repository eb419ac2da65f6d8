"""The wizard's renderer on its own: every kind's schema becomes fields without a name known in
advance, a stored draft comes back from its fields as it went in, removing an item moves the
later ones up with what was typed in them, and a date and time typed in the officer's time zone
is stored with its offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from tests.unit.requests.test_request_kinds import COMPLETE

from liaison.requests.contents import RequestKind
from liaison.requests.forms import codes
from liaison.requests.forms.schema import content_schema
from liaison.requests.wizard import render
from liaison.requests.wizard.steps import steps_of

ZONE = "Asia/Ho_Chi_Minh"


def context(schema: dict[str, Any]) -> render.Context:
    def code_list(name: str) -> list[tuple[str, str]]:
        return [(c["code"], c["label"]) for c in codes.code_list(name, "en")]

    return render.Context(schema.get("$defs", {}), code_list, ["en"], ZONE)


def normal(value: Any) -> Any:
    """What the contents mean: empty translations are none, a time is its instant."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items() if v not in ({}, None)}
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, str) and "T" in value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


@pytest.mark.parametrize("kind", list(RequestKind))
def test_a_stored_draft_comes_back_from_its_fields(kind: RequestKind) -> None:
    schema = content_schema(kind, lang="en")
    example = COMPLETE[kind]
    keys = [k for step in steps_of(schema) for k in step.keys]
    found = render.fields(
        {k: schema["properties"][k] for k in keys}, "content", example, None, context(schema)
    )
    back = {f.key: v for f in found if (v := render.value_of(f, ZONE)) is not None}
    for key, value in example.items():
        if key in keys and key not in ("data_period",):  # a period's seconds are not asked
            assert normal(back[key]) == normal(value), key
    assert {f.widget for f in found} <= {
        "text",
        "textarea",
        "radios",
        "checkboxes",
        "group",
        "freetext",
        "list",
        "yesno",
        "number",
        "select",
        "multiselect",
        "lines",
        "date",
        "datetime",
        "suggest",
    }


def test_removing_an_item_moves_the_later_ones_up() -> None:
    raw = {
        "content.offences._n": ["3"],
        "content.offences.0.domestic_provision": ["first"],
        "content.offences.1.domestic_provision": ["second"],
        "content.offences.2.domestic_provision": ["third"],
        "content.offences.2.description.translations.0.text": ["kept"],
    }
    moved = render.changed(raw, "remove:content.offences.1")
    assert moved["content.offences._n"] == ["2"]
    assert moved["content.offences.0.domestic_provision"] == ["first"]
    assert moved["content.offences.1.domestic_provision"] == ["third"]
    assert moved["content.offences.1.description.translations.0.text"] == ["kept"]
    assert "content.offences.2.domestic_provision" not in moved
    assert render.changed(raw, "add:content.offences")["content.offences._n"] == ["4"]


def test_a_time_typed_in_the_officers_zone_is_stored_with_its_offset() -> None:
    made = render.Field(name="t", key="t", label="", widget="datetime", value="2026-02-14T10:15")
    assert render.value_of(made, ZONE) == "2026-02-14T10:15:00+07:00"
    # Not a date: sent as typed, so that the check of the format says what is wrong.
    made.value = "tomorrow"
    assert render.value_of(made, ZONE) == "tomorrow"
