"""A request's contents as the request page shows them: each field with its label, coded values
in words, free texts with their original and translations. The words are the formal
document's (requests.formal: the "documents" catalog), in the reader's language where that
catalog has it, else in English, marked so (lang="en") for screen readers and translators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liaison.i18n import catalog_path
from liaison.requests.contents.grounds import GROUNDS, GroundCode
from liaison.requests.formal.labels import KIND_FIELD_LABELS, field_label, is_free_text
from liaison.requests.formal.translation import Words


@dataclass(frozen=True)
class FreeText:
    original: str
    language: str
    translations: dict[str, str]


@dataclass(frozen=True)
class Item:
    label: str
    value: str = ""
    values: list[str] = field(default_factory=list)
    text: FreeText | None = None


@dataclass(frozen=True)
class Contents:
    lang: str  # the language the labels are in
    items: list[Item]

    def runs(self) -> list[tuple[bool, list[Item]]]:
        """The items in order, in runs: free texts (each shown with its translations) and the
        fields between them (shown together as one list)."""
        found: list[tuple[bool, list[Item]]] = []
        for item in self.items:
            text = item.text is not None
            if found and found[-1][0] == text and not text:
                found[-1][1].append(item)
            else:
                found.append((text, [item]))
        return found


def words_language(lang: str) -> str:
    """The reader's language if the formal documents' catalog has it, else English."""
    return lang if lang == "en" or catalog_path(lang, "documents").is_file() else "en"


def contents(kind: str, content: dict[str, Any], lang: str) -> Contents:
    words = Words(words_language(lang), local_moments=True)
    items = []
    for name, value in content.items():
        if value in (None, "", [], {}):
            continue
        label = words.tr(KIND_FIELD_LABELS.get((kind, name)) or field_label(name))
        if is_free_text(value):
            items.append(
                Item(
                    label,
                    text=FreeText(
                        original=str(value["original"]),
                        language=str(value["original_language"]),
                        translations={
                            str(k): str(v) for k, v in (value.get("translations") or {}).items()
                        },
                    ),
                )
            )
        elif name == "offences" and isinstance(value, list):
            # As the formal document words them: the convention's label, article, provision.
            items.append(Item(label, values=[words.offence(v) for v in value if v]))
        elif isinstance(value, list):
            items.append(Item(label, values=[words.value(name, v) for v in value if v]))
        else:
            items.append(Item(label, value=words.value(name, value)))
    return Contents(words.lang, items)


def ground_label(code: str | None, lang: str) -> str:
    """A refusal or postponement ground with its articles, in the validation catalog's words."""
    if not code:
        return ""
    try:
        GROUNDS[GroundCode(code)]
    except ValueError:
        return code
    return Words(lang).ground(code)
