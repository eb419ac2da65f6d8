"""A kind's JSON Schema as form fields, and a posted form back as contents.

One walker for every kind: each property of the schema (`forms.schema.content_schema`, already
worded in the reader's language) becomes a field by its type, never by its name:

- a string: a text input (a textarea beyond 500 characters), a date input for `format: date`,
  a date and time in the reader's time zone for `format: date-time`, a list to choose from for
  `x-code-list` (States as a select, time zones from a list the input suggests);
- a closed list (`oneOf` of `{const, title}`): radios; an array of one: checkboxes;
- an integer: a number input; a boolean: Yes / No radios;
- an object: its fields in a group; a free text (original, its language, translations): the
  original beside each translation;
- an array of objects: a group per item, each with a button to remove it and one to add
  another (plain buttons posting the form, so this works without JavaScript); an array of
  strings: one per line.

Field names are the JSON paths the server's problems use (`content.offences.0.code`), so a
problem lands beside its field and the error summary links to it (`#field-<path>`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Raw = Mapping[str, list[str]]
REF = "#/$defs/"
COUNT = "_n"  # the hidden field holding how many items a repeatable group shows
FREE_TEXT = frozenset({"original", "original_language", "translations"})
LONG_TEXT = 500


@dataclass
class Field:
    name: str  # the JSON path, also the form field's name
    key: str  # the property's name in its object
    label: str
    widget: str
    hint: str = ""
    options: list[tuple[str, str, str | None]] = field(default_factory=list)
    value: Any = ""
    children: list[Field] = field(default_factory=list)
    # The definition a group or an item follows (a page explains some: the offence).
    definition: str = ""
    code_list: str = ""
    maximum: int | None = None


@dataclass(frozen=True)
class Context:
    """What the walker needs beside the schema: the code lists (code, label) by name, the
    languages to offer a free text in, and the reader's time zone."""

    defs: Mapping[str, Any]
    code_list: Callable[[str], list[tuple[str, str]]]
    languages: list[str]
    zone: str
    notes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def resolve(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The schema a property holds (nullable and references followed), and the definition's
    name if it refers to one. The property's own title and description win."""
    schema: dict[str, Any] = dict(prop)
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if options:
        schema = {**options[0], **schema}
    name = ""
    ref = schema.pop("$ref", None)
    if isinstance(ref, str) and ref.startswith(REF):
        name = ref.removeprefix(REF)
        schema = {
            **defs[name],
            **{k: v for k, v in schema.items() if k in ("title", "description")},
        }
    return schema, name


def widget_of(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:  # noqa: PLR0911 - one per type
    kind = schema.get("type")
    if "const" in schema or schema.get("readOnly"):
        return ""
    if "oneOf" in schema:
        return "radios"
    if kind == "object":
        return "freetext" if set(schema.get("properties", {})) >= FREE_TEXT else "group"
    if kind == "array":
        items, _ = resolve(schema.get("items", {}), defs)
        if "oneOf" in items:
            return "checkboxes"
        if items.get("type") == "object":
            return "list"
        return "multiselect" if "x-code-list" in items else "lines"
    if kind == "string":
        if "x-code-list" in schema:
            return "select" if schema["x-code-list"] == "states" else "suggest"
        fmt = schema.get("format")
        if fmt in ("date", "date-time"):
            return "datetime" if fmt == "date-time" else "date"
        return "textarea" if schema.get("maxLength", 0) > LONG_TEXT else "text"
    if kind == "integer":
        return "number"
    return "yesno" if kind == "boolean" else ""


def fields(
    properties: Mapping[str, Any],
    prefix: str,
    stored: Mapping[str, Any] | None,
    raw: Raw | None,
    ctx: Context,
) -> list[Field]:
    """The fields of `properties` under `prefix`: from the posted form `raw` if there is one,
    else from the stored contents."""
    found = []
    for key, prop in properties.items():
        one = build(key, prop, prefix=prefix, stored=(stored or {}).get(key), raw=raw, ctx=ctx)
        if one is not None:
            found.append(one)
    return found


def build(
    key: str, prop: Mapping[str, Any], *, prefix: str, stored: Any, raw: Raw | None, ctx: Context
) -> Field | None:
    schema, definition = resolve(prop, ctx.defs)
    widget = widget_of(schema, ctx.defs)
    if not widget:
        return None
    name = f"{prefix}.{key}" if prefix else key
    made = Field(
        name=name,
        key=key,
        label=str(schema.get("title", key)),
        widget=widget,
        hint=str(schema.get("description", "")),
        definition=definition,
    )
    if widget in ("group", "freetext"):
        inner = schema.get("properties", {})
        made.children = fields(inner, name, stored if isinstance(stored, dict) else None, raw, ctx)
        if widget == "freetext":
            _free_text(made, stored, raw, ctx)
        return made
    if widget == "list":
        items, item_definition = resolve(schema.get("items", {}), ctx.defs)
        made.maximum = schema.get("maxItems")
        values = stored if isinstance(stored, list) else []
        count = _count(raw, name, len(values))
        for i in range(count):
            item = Field(
                name=f"{name}.{i}",
                key=str(i),
                label=made.label,
                widget="group",
                definition=item_definition,
            )
            value = values[i] if i < len(values) and isinstance(values[i], dict) else None
            item.children = fields(items.get("properties", {}), item.name, value, raw, ctx)
            made.children.append(item)
        return made
    if widget in ("radios", "checkboxes"):
        listed = schema if widget == "radios" else resolve(schema["items"], ctx.defs)[0]
        notes = ctx.notes.get(definition or _items_definition(schema), {})
        made.options = [
            (str(o["const"]), str(o["title"]), notes.get(str(o["const"]))) for o in listed["oneOf"]
        ]
    if widget in ("select", "suggest", "multiselect"):
        made.code_list = str(schema.get("x-code-list") or schema["items"]["x-code-list"])
        made.options = [(c, label, None) for c, label in ctx.code_list(made.code_list)]
    made.value = _scalar(widget, name, stored, raw, ctx)
    return made


def _items_definition(schema: Mapping[str, Any]) -> str:
    ref = schema.get("items", {}).get("$ref", "")
    return str(ref).removeprefix(REF)


def _count(raw: Raw | None, name: str, stored: int) -> int:
    if raw is None:
        return stored
    given = (raw.get(f"{name}.{COUNT}") or ["0"])[0]
    return min(int(given), 200) if given.isdigit() else 0


def _scalar(  # noqa: PLR0911 - one answer per widget
    widget: str, name: str, stored: Any, raw: Raw | None, ctx: Context
) -> Any:
    """What the field shows: as posted, or the stored value written as the input takes it."""
    if raw is not None:
        values = raw.get(name, [])
        if widget in ("checkboxes", "multiselect"):
            return [v for v in values if v]
        return values[0] if values else ""
    if stored is None:
        return [] if widget in ("checkboxes", "multiselect") else ""
    if widget in ("checkboxes", "multiselect"):
        return [str(v) for v in stored]
    if widget == "lines":
        return "\n".join(str(v) for v in stored)
    if widget == "yesno":
        return "yes" if stored else "no"
    if widget == "datetime":
        return _local(str(stored), ctx.zone)
    return str(stored)


def _free_text(made: Field, stored: Any, raw: Raw | None, ctx: Context) -> None:
    """A free text's translations as (language, text) pairs; its original language offered
    from the languages a request is usually written in."""
    made.children = [c for c in made.children if c.key != "translations"]
    for child in made.children:
        if child.key == "original_language":
            child.widget = "language"
            child.options = _language_options(ctx, child.value)
    name = f"{made.name}.translations"
    if raw is not None:
        pairs = [
            ((raw.get(f"{name}.{i}.language") or [""])[0], (raw.get(f"{name}.{i}.text") or [""])[0])
            for i in range(_count(raw, name, 0))
        ]
    else:
        given = stored.get("translations", {}) if isinstance(stored, dict) else {}
        pairs = [(str(lang), str(text)) for lang, text in given.items()]
    made.value = pairs
    made.options = _language_options(ctx, *(lang for lang, _ in pairs))


def _language_options(ctx: Context, *present: str) -> list[tuple[str, str, str | None]]:
    wanted = [*ctx.languages, *(p for p in present if p and p not in ctx.languages)]
    labels = dict(ctx.code_list("languages"))
    return [(code, labels.get(code, code), None) for code in wanted]


def _local(value: str, zone: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%dT%H:%M")


def value_of(made: Field, zone: str) -> Any:  # noqa: PLR0911 - one answer per widget
    """The JSON a field holds; None when nothing was given (the property is left out)."""
    widget, value = made.widget, made.value
    if widget in ("group", "freetext"):
        found = {c.key: v for c in made.children if (v := value_of(c, zone)) is not None}
        if widget == "freetext":
            translations = {lang: text.strip() for lang, text in value if lang and text.strip()}
            if translations:
                found["translations"] = translations
            if "original" not in found and not translations:
                return None
        return found or None
    if widget == "list":
        items = [v for c in made.children if (v := value_of(c, zone)) is not None]
        return items or None
    if widget in ("checkboxes", "multiselect"):
        return list(value) or None
    text = str(value).strip()
    if not text:
        return None
    if widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()] or None
    if widget == "yesno":
        return {"yes": True, "no": False}.get(text)
    if widget == "number":
        # Not a number: sent as typed, so that the format check words the problem.
        return int(text) if text.isdigit() else text
    if widget == "datetime":
        return _aware(text, zone)
    return text


def _aware(text: str, zone: str) -> str:
    """A date and time typed in the reader's time zone, with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat()


def names(found: list[Field]) -> list[str]:
    """Every field's name, in the order of the page (groups before what they hold)."""
    listed: list[str] = []
    for one in found:
        listed.append(one.name)
        listed += names(one.children)
        if one.widget == "freetext":
            listed += [f"{one.name}.translations.{i}.text" for i in range(len(one.value))]
    return listed


def changed(raw: dict[str, list[str]], action: str) -> dict[str, list[str]]:
    """The posted form after "add another" (`add:<list>`) or "remove" (`remove:<list>.<i>`):
    the items after a removed one move up, so nothing typed in them is lost."""
    verb, _, target = action.partition(":")
    if verb == "add":
        count = _count(raw, target, 0)
        return {**raw, f"{target}.{COUNT}": [str(count + 1)]}
    if verb != "remove":
        return raw
    holder, _, index = target.rpartition(".")
    if not index.isdigit():
        return raw
    gone, count = int(index), _count(raw, holder, 0)
    moved: dict[str, list[str]] = {}
    for key, values in raw.items():
        head = f"{holder}."
        rest = key.removeprefix(head)
        number, _, tail = rest.partition(".")
        if key.startswith(head) and number.isdigit():
            if int(number) == gone:
                continue
            if int(number) > gone:
                shifted = f"{head}{int(number) - 1}"
                moved[f"{shifted}.{tail}" if tail else shifted] = values
                continue
        moved[key] = values
    moved[f"{holder}.{COUNT}"] = [str(max(count - 1, 0))]
    return moved
