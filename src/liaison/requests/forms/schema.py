"""The JSON Schema of a kind's contents, worded in the user's language: one form renderer builds
every kind from it.

The schema is the pydantic content model's own (`model_json_schema()`: types, limits, closed
lists), then worded. Every property's title is its label in the formal document ("documents"
catalog), every coded value is a `oneOf` of `{const, title}`, and descriptions — a field's
`description`, the first paragraph of a model's docstring — come from the "forms" catalog. A
string that holds a State, a language or a time zone names the list to offer
(`x-code-list`, GET /api/v1/codes/{name}). `required` is the format's (what even a draft must
have inside an object it gives); what must be filled in before submission is
`x-required-to-submit`, and the legal bases the kind can rest on `x-legal-bases`.

With a sub-type (an MLA sub-type, or provisional arrest for extradition) the schema is that
variant's: the sub-type fixed, the fields of other sub-types left out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from liaison.i18n import translator
from liaison.requests import contents
from liaison.requests.contents import OffenceCode, RequestKind
from liaison.requests.contents.mla import SUBTYPE_FIELDS
from liaison.requests.contents.offences import OFFENCE_LABELS
from liaison.requests.formal.labels import (
    CODE_LABELS,
    KIND_FIELD_LABELS,
    field_label,
    kind_label,
    nested_label,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOMAINS = ("documents", "forms", "validation")
REF = "#/$defs/"
# (domain, msgid) -> the words in the user's language.
Words = Callable[[str, str], str]
# The coded values of the contents, by the name pydantic gives their definition.
_ENUMS: dict[str, tuple[str, dict[str, str]]] = {
    **{enum.__name__: ("documents", labels) for enum, labels in CODE_LABELS.items()},
    OffenceCode.__name__: ("validation", {c.value: label for c, label in OFFENCE_LABELS.items()}),
}


def content_schema(
    kind: RequestKind | str, *, lang: str, subtype: str | None = None
) -> dict[str, Any]:
    """The schema of `kind` (of `subtype`) in `lang`. Raises ValueError for an unknown kind or
    a sub-type the kind does not have."""
    catalogs = {domain: translator(lang, domain) for domain in DOMAINS}
    return _build(RequestKind(kind), subtype, lambda domain, msgid: catalogs[domain](msgid))


def msgids(kind: RequestKind | str, subtype: str | None = None) -> set[tuple[str, str]]:
    """Every (domain, msgid) the schema is worded with: each must be in every catalog."""
    found: set[tuple[str, str]] = set()

    def record(domain: str, msgid: str) -> str:
        found.add((domain, msgid))
        return msgid

    _build(RequestKind(kind), subtype, record)
    return found


@lru_cache(maxsize=16)
def _generated(kind: RequestKind) -> dict[str, Any]:
    """The input schema, with the fields derived on output (an offence's `serious_crime`) as
    `readOnly`: a stored draft's contents, sent back as they came, still fit it."""
    model = contents.content_model(kind)
    schema: dict[str, Any] = model.model_json_schema()
    output = model.model_json_schema(mode="serialization")
    for name, definition in output.get("$defs", {}).items():
        for key, prop in definition.get("properties", {}).items():
            if prop.get("readOnly") and name in schema.get("$defs", {}):
                schema["$defs"][name]["properties"][key] = prop
    return schema


def _build(kind: RequestKind, subtype: str | None, words: Words) -> dict[str, Any]:
    if subtype is not None and subtype not in contents.subtypes(kind):
        raise ValueError(f"a {kind.value} request has no sub-type {subtype!r}")
    schema = copy.deepcopy(_generated(kind))
    if subtype is not None:
        _narrow(kind, subtype, schema["properties"])
    defs: dict[str, Any] = schema.pop("$defs", {})
    used = _reachable(schema, defs)
    defs = {name: definition for name, definition in defs.items() if name in used}
    parents = _parents(schema, defs)
    for name, definition in defs.items():
        _word_definition(name, definition, words)
        _word_properties(definition, words, label=_nested(parents.get(name)))
    _word_properties(
        schema, words, label=lambda key: KIND_FIELD_LABELS.get((kind.value, key), field_label(key))
    )
    schema.pop("title", None)  # the class name
    description = schema.pop("description", None)
    worded: dict[str, Any] = {"$schema": DIALECT, "title": _title(kind, subtype, words)}
    if description:
        worded["description"] = words("forms", first_paragraph(description))
    worded |= schema
    worded |= {
        "x-kind": kind.value,
        "x-subtype": subtype,
        "x-legal-bases": contents.legal_bases(kind, subtype if kind is RequestKind.MLA else None),
        "x-required-to-submit": contents.required_to_submit(kind, subtype),
    }
    if defs:
        worded["$defs"] = defs
    return worded


def _title(kind: RequestKind, subtype: str | None, words: Words) -> str:
    """The kind's name; an MLA sub-type after it (provisional arrest is named on its own)."""
    title = words("documents", kind_label(kind, None if kind is RequestKind.MLA else subtype))
    if kind is RequestKind.MLA and subtype is not None:
        title += " — " + words("documents", kind_label(kind, subtype))
    return title


def first_paragraph(docstring: str) -> str:
    """What a form shows of a docstring: its first paragraph, on one line (the rest is for
    developers)."""
    return " ".join(docstring.split("\n\n", 1)[0].split())


def _narrow(kind: RequestKind, subtype: str, properties: dict[str, Any]) -> None:
    if kind is RequestKind.MLA:
        for name, only in SUBTYPE_FIELDS.items():
            if subtype not in only:
                properties.pop(name, None)
        properties["subtype"] = {"const": subtype, "default": subtype, "type": "string"}
    else:  # extradition, provisional arrest
        properties["provisional_arrest"] = {"const": True, "default": True, "type": "boolean"}


def _nested(parent: str | None) -> Callable[[str], str]:
    """Labels of the fields inside a definition held by the field `parent`."""
    return lambda key: nested_label(parent, key) if parent else field_label(key)


def _word_definition(name: str, definition: dict[str, Any], words: Words) -> None:
    # A definition's title is its Python class name: no word for a reader. The property that
    # holds it carries the title.
    definition.pop("title", None)
    if "description" in definition:
        definition["description"] = words("forms", first_paragraph(definition["description"]))
    if name in _ENUMS and "enum" in definition:
        domain, labels = _ENUMS[name]
        definition["oneOf"] = [
            {"const": code, "title": words(domain, labels[code])} for code in definition["enum"]
        ]


def _word_properties(schema: dict[str, Any], words: Words, *, label: Callable[[str], str]) -> None:
    for key, prop in schema.get("properties", {}).items():
        prop["title"] = words("documents", label(key))
        if "description" in prop:
            prop["description"] = words("forms", prop["description"])


def _refs(value: Any) -> Iterator[str]:
    """The definitions `value` refers to, at any depth."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF):
            yield ref.removeprefix(REF)
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _reachable(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """The definitions the properties still use (a variant leaves some out)."""
    seen: set[str] = set()
    todo = list(_refs(schema.get("properties", {})))
    while todo:
        name = todo.pop()
        if name not in seen and name in defs:
            seen.add(name)
            todo += _refs(defs[name])
    return seen


def _parents(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, str]:
    """For each definition, a field that holds it (its own fields are labelled by what holds
    them: a person's name is not an authority's). The kind's own fields come first."""
    parents: dict[str, str] = {}
    for holder in (schema, *defs.values()):
        for key, prop in holder.get("properties", {}).items():
            for name in _refs(prop):
                parents.setdefault(name, key)
    return parents
