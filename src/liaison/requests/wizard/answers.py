"""'Check your answers': every answer of a draft as a row (its label, what it says, the field
to change it at), from the same fields the steps show, so that a kind's rows come from its
schema as its questions do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from liaison.requests.wizard.render import Field
from liaison.web.templating import N_


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    field: str  # the field's name, the anchor of its "Change" link


def rows(found: list[Field], words: Callable[[str], str], parent: str = "") -> list[Row]:
    """Non-empty answers; a top-level question without one says so."""
    listed: list[Row] = []
    for f in found:
        label = f"{parent}: {f.label}" if parent else f.label
        inner = _rows_of(f, label, words)
        if not inner and not parent:
            inner = [Row(label, words(N_("Not given")), f.name)]
        listed += inner
    return listed


def _rows_of(f: Field, label: str, words: Callable[[str], str]) -> list[Row]:
    if f.widget == "group":
        return rows(f.children, words, label)
    if f.widget == "list":
        found = []
        for number, item in enumerate(f.children, start=1):
            found += rows(item.children, words, f"{label} {number}")
        return found
    if f.widget == "freetext":
        return _free_text(f, label)
    text = shown(f, words)
    return [Row(label, text, f.name)] if text else []


def _free_text(f: Field, label: str) -> list[Row]:
    original = next((c for c in f.children if c.key == "original"), None)
    language = next((c for c in f.children if c.key == "original_language"), None)
    if original is None or not str(original.value).strip():
        return []
    names = {code: text for code, text, _ in f.options}
    if language is not None:
        names |= {code: text for code, text, _ in language.options}
    found = [
        Row(
            f"{label} ({names.get(language.value, language.value) if language else ''})",
            str(original.value),
            original.name,
        )
    ]
    for i, (lang, text) in enumerate(f.value):
        if lang and text.strip():
            found.append(
                Row(f"{label} ({names.get(lang, lang)})", text, f"{f.name}.translations.{i}.text")
            )
    return found


def shown(f: Field, words: Callable[[str], str]) -> str:
    """An answer as a reader sees it: a chosen entry by its label, Yes or No, one per line."""
    labels = {code: text for code, text, _ in f.options}
    if f.widget in ("checkboxes", "multiselect"):
        return ", ".join(labels.get(v, v) for v in f.value)
    value = str(f.value).strip()
    if not value:
        return ""
    if f.widget == "yesno":
        return words(N_("Yes")) if value == "yes" else words(N_("No"))
    if f.widget in ("radios", "select", "language"):
        return labels.get(value, value)
    if f.widget == "lines":
        return ", ".join(line.strip() for line in value.splitlines() if line.strip())
    return value
