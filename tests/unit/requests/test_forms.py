"""What a form needs, without a node: the code lists and the JSON Schema of every kind's contents,
worded in ru, vi and de from the catalogs the formal document and the checks already use, and
faithful to the content models (what they accept, the schema accepts)."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import available_timezones

import jsonschema_rs
import pytest
from tests.unit.requests.test_request_kinds import COMPLETE, EMPTY_DRAFT_MISSING, OFFENCE

from liaison.core.codes import states
from liaison.i18n import _catalog
from liaison.requests import contents
from liaison.requests.contents import RequestKind, parse_content
from liaison.requests.formal.labels import CODE_LABELS
from liaison.requests.forms import codes
from liaison.requests.forms.codes import ENUM_LISTS, CodeList
from liaison.requests.forms.schema import content_schema, msgids

LANGUAGES = ["ru", "vi", "de", "fr", "es", "ar", "zh"]
VARIANTS = [(kind, None) for kind in RequestKind] + [
    (kind, subtype) for kind in RequestKind for subtype in contents.subtypes(kind)
]
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def test_every_coded_value_of_the_contents_has_its_list() -> None:
    assert set(ENUM_LISTS.values()) == set(CODE_LABELS)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(CodeList))
def test_every_list_is_worded_not_coded(name: CodeList, lang: str) -> None:
    entries = codes.code_list(name, lang)
    assert entries
    assert len({e["code"] for e in entries}) == len(entries)
    for entry in entries:
        assert entry["label"]
        if name is not CodeList.TIME_ZONES or "state" in entry:
            assert entry["label"] != entry["code"], entry
    if lang == "ru":
        russian = [e for e in entries if CYRILLIC.search(e["label"])]
        if name in (CodeList.STATES, CodeList.LANGUAGES):
            # CLDR names a few rare ones in English only (Sark, Alabama): those stay English.
            assert len(russian) > 0.85 * len(entries), name
        elif name not in (CodeList.TIME_ZONES, CodeList.TRANSMISSION_CHANNELS):
            assert len(russian) == len(entries), name


def test_kinds_with_their_sub_kinds_and_the_articles_they_rest_on() -> None:
    kinds = {k["code"]: k for k in codes.code_list("request-kinds", "ru")}
    assert list(kinds) == [k.value for k in RequestKind]
    assert kinds["mla"]["label"] == "Запрос о взаимной правовой помощи"
    assert kinds["mla"]["articles"] == [40, 44, 45, 46, 50, 51, 52]
    stored = kinds["mla"]["subtypes"][0]
    assert stored["code"] == "stored_data"
    assert stored["articles"] == [40, 44]
    assert [s["code"] for s in kinds["extradition"]["subtypes"]] == ["provisional_arrest"]
    assert kinds["extradition"]["subtypes"][0]["label"] == "Запрос о временном аресте"
    assert "subtypes" not in kinds["preservation"]
    assert kinds["preservation"]["articles"] == [42]


def test_offences_with_their_articles() -> None:
    offences = {o["code"]: o for o in codes.code_list("offences", "de")}
    assert len(offences) == 13
    assert offences["art7"] == {
        "code": "art7",
        "label": "Rechtswidriger Zugang",
        "article": "7",
        "description_required": False,
    }
    assert offences["serious_crime"]["article"] == "35"
    assert offences["serious_crime"]["description_required"]
    assert offences["art4"]["description_required"]


def test_states_languages_and_time_zones_are_cldr_s() -> None:
    vi_states = {s["code"]: s["label"] for s in codes.code_list("states", "vi")}
    assert set(vi_states) == set(states())
    assert vi_states["VN"] == "Việt Nam"
    ru_languages = {s["code"]: s["label"] for s in codes.code_list("languages", "ru")}
    assert ru_languages["vi"] == "вьетнамский"
    assert ru_languages["de"] == "немецкий"
    zones = {z["code"]: z for z in codes.code_list("time-zones", "vi")}
    assert zones["Asia/Ho_Chi_Minh"] == {
        "code": "Asia/Ho_Chi_Minh",
        "label": "Việt Nam (Ho Chi Minh)",
        "state": "VN",
    }
    assert zones["Europe/Moscow"]["label"] == "Nga (Mát-xcơ-va)"
    assert zones["Etc/UTC"] == {"code": "Etc/UTC", "label": "Etc/UTC"}
    assert set(zones) <= available_timezones()
    assert "Asia/Saigon" not in zones  # an alias: the same place is not offered twice
    labels = [z["label"] for z in zones.values()]
    assert len(labels) == len(set(labels))


def test_lists_are_sorted_as_a_reader_looks_them_up() -> None:
    de_states = [s["label"] for s in codes.code_list("states", "de")]
    assert de_states.index("Österreich") < de_states.index("Polen")  # Ö as O


@pytest.mark.parametrize("lang", LANGUAGES)
def test_grounds_per_kind_are_the_closed_lists_in_words(lang: str) -> None:
    for kind in RequestKind:
        found = codes.grounds(kind, lang)
        expected = [*contents.refusal_grounds(kind), *contents.postponement_grounds(kind)]
        assert [g["code"] for g in found] == [g.code.value for g in expected]
        for entry, ground in zip(found, expected, strict=True):
            assert entry["label"] == _catalog(lang, "validation")[ground.label]
            assert entry["use"] == ("postpone" if ground.postponement else "refuse")
    extradition = {g["code"]: g for g in codes.grounds("extradition", lang)}
    assert extradition["national_of_requested_state"]["consult_first"] is True
    assert codes.grounds("spontaneous", lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("kind", "subtype"), VARIANTS)
def test_every_word_of_every_schema_is_translated(
    kind: RequestKind, subtype: str | None, lang: str
) -> None:
    untranslated = sorted(
        (domain, msgid)
        for domain, msgid in msgids(kind, subtype)
        if msgid not in _catalog(lang, domain)
    )
    assert untranslated == []


def _walk(value: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += _walk(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk(item)
    return found


@pytest.mark.parametrize(("kind", "subtype"), VARIANTS)
def test_every_field_has_a_title_and_every_code_its_words(
    kind: RequestKind, subtype: str | None
) -> None:
    schema = content_schema(kind, lang="ru", subtype=subtype)
    holders = [schema, *schema["$defs"].values()]
    for holder in holders:
        for name, prop in holder.get("properties", {}).items():
            assert CYRILLIC.search(prop["title"]), (name, prop["title"])
    for name, definition in schema["$defs"].items():
        assert "title" not in definition, name  # a Python class name is no word for a reader
        if "enum" in definition:
            titles = {o["const"]: o["title"] for o in definition["oneOf"]}
            assert list(titles) == definition["enum"], name
            assert all(CYRILLIC.search(t) or t == "INTERPOL" for t in titles.values()), titles
    for node in _walk(schema):
        if isinstance(node.get("description"), str):  # not a field named "description"
            assert CYRILLIC.search(node["description"]), node["description"]
            assert "`" not in node["description"]


def test_the_schema_says_which_lists_to_offer_and_describes_fields() -> None:
    schema = content_schema("extradition", lang="de")
    defs = schema["$defs"]
    assert defs["Person"]["properties"]["nationalities"]["items"]["x-code-list"] == "states"
    assert defs["Person"]["properties"]["name"]["title"] == "Vollständiger Name"
    assert defs["AuthorityRef"]["properties"]["name"]["title"] == "Bezeichnung"
    free_text = defs["FreeText"]["properties"]
    assert free_text["original_language"]["x-code-list"] == "languages"
    assert free_text["translations"]["propertyNames"]["x-code-list"] == "languages"
    offence = defs["Offence"]["properties"]
    assert offence["domestic_provision"]["description"] == (
        "Die Vorschrift Ihres Rechts, nach der die Handlung strafbar ist"
    )
    assert offence["serious_crime"]["readOnly"] is True
    assert schema["properties"]["provisional_arrest"]["description"].startswith("Vorläufige")
    timezone = content_schema("mla", lang="de")["$defs"]["Identifier"]["properties"]["timezone"]
    assert timezone["anyOf"][0]["x-code-list"] == "time-zones"
    assert content_schema("mla", lang="vi")["title"] == "Yêu cầu tương trợ tư pháp"


def test_a_sub_type_has_its_own_variant() -> None:
    stored = content_schema("mla", lang="en", subtype="stored_data")
    assert stored["properties"]["subtype"]["const"] == "stored_data"
    assert "collection_period" not in stored["properties"]
    assert "asset_action" not in stored["properties"]
    assert "AssetAction" not in stored["$defs"]
    assert {"identifiers", "data_categories", "data_period"} <= set(stored["x-required-to-submit"])
    assert stored["x-legal-bases"] == [40, 44]
    assets = content_schema("mla", lang="en", subtype="assets")
    assert "asset_action" in assets["properties"]
    assert "collection_period" not in assets["properties"]
    assert assets["title"].endswith("Freezing, seizure and confiscation (art. 50-52)")
    arrest = content_schema("extradition", lang="en", subtype="provisional_arrest")
    assert arrest["properties"]["provisional_arrest"]["const"] is True
    assert arrest["title"] == "Request for provisional arrest"
    with pytest.raises(ValueError, match="no sub-type"):
        content_schema("mla", lang="en", subtype="provisional_arrest")
    with pytest.raises(ValueError, match="no sub-type"):
        content_schema("preservation", lang="en", subtype="stored_data")


@pytest.mark.parametrize("kind", list(RequestKind))
def test_what_must_be_filled_in_is_what_submission_asks_for(kind: RequestKind) -> None:
    schema = content_schema(kind, lang="en")
    assert set(schema["x-required-to-submit"]) == EMPTY_DRAFT_MISSING[kind]
    assert set(schema["x-required-to-submit"]) <= set(schema["properties"])


@pytest.mark.parametrize(("kind", "subtype"), VARIANTS)
def test_the_schema_takes_what_the_model_takes(kind: RequestKind, subtype: str | None) -> None:
    """A complete example, and a stored draft as it comes back (derived fields included), fit
    the schema; a code off the closed list does not."""
    validator = jsonschema_rs.validator_for(content_schema(kind, lang="vi", subtype=subtype))
    example = dict(COMPLETE[kind])
    if subtype is not None:
        example.pop("subtype", None)
        example = contents.with_subtype(kind, example, subtype)
    assert validator.is_valid(example), [e.message for e in validator.iter_errors(example)]
    stored = json.loads(parse_content(kind, example).model_dump_json(exclude_none=True))
    assert validator.is_valid(stored), [e.message for e in validator.iter_errors(stored)]
    assert validator.is_valid({})  # a draft may be empty
    wrong = dict(example, offences=[dict(OFFENCE, code="art99")])
    assert not validator.is_valid(wrong)
    assert not validator.is_valid(dict(example, misspelt_field=1))
