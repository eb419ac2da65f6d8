"""Rendering content values in a document's language, with the tables of formal_labels.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime

from liaison.i18n import translator
from liaison.requests.contents.grounds import GROUNDS, GroundCode
from liaison.requests.contents.offences import OffenceCode, offence_label
from liaison.requests.formal.labels import (
    CODE_LABELS,
    CONVENTION_ARTICLE,
    DATE_FIELDS,
    FIELD_CODES,
    FUNCTION_LABELS,
    GROUND,
    PENALTY_UNITS,
    STATE_FIELDS,
    field_label,
    function_code,
    is_free_text,
    nested_label,
)

# Keys of an object that identify a record inside Liaison, not anything a reader acts on: the
# authority they name is printed by its name instead.
INTERNAL_KEYS = frozenset({"directory_id"})


class Words:
    """Renders content values in one language. A formal document keeps a date and time as
    ISO 8601 with its offset (exact, comparable across languages); a page (`local_moments`)
    writes it as the reader's language does, still at its own offset."""

    def __init__(self, lang: str, *, local_moments: bool = False) -> None:
        self.lang = lang
        self._local_moments = local_moments
        self.tr: Callable[[str], str] = translator(lang, "documents")
        self._locale = Locale.parse(lang)

    def code(self, name: str, value: str) -> str:
        for enum in FIELD_CODES.get(name, ()):
            label = CODE_LABELS[enum].get(value)
            if label is not None:
                return self.tr(label)
        return value

    def state(self, code: str) -> str:
        return str(self._locale.territories.get(code, code))

    def penalty(self, value: dict[str, Any]) -> str:
        unit, amount = str(value.get("unit", "")), value.get("amount")
        if unit == "life" or not isinstance(amount, int):
            return self.code("unit", unit)
        forms = PENALTY_UNITS.get(self.lang, PENALTY_UNITS["en"]).get(unit, {})
        form = self._locale.plural_form(amount)
        return f"{amount} {forms.get(form, forms.get('other', unit))}"

    def legal_basis(self, value: dict[str, Any]) -> str:
        parts = []
        if value.get("convention_article"):
            parts.append(self.tr(CONVENTION_ARTICLE).format(article=value["convention_article"]))
        if value.get("treaty"):
            parts.append(str(value["treaty"]))
        return "; ".join(parts)

    def offence(self, value: Any) -> str:
        """An offence: the convention's label and article, the domestic provision, the maximum
        penalty, and what the conduct is where the officer described it."""
        if not isinstance(value, dict) or "code" not in value:
            return self.value("offences", value)
        code = str(value["code"])
        try:
            label = translator(self.lang, "validation")(offence_label(OffenceCode(code)))
        except ValueError:
            label = code
        if code.startswith("art") and code[3:].isdigit():
            label = self.tr(GROUND).format(ground=label, article=code[3:])
        parts = [label]
        if value.get("domestic_provision"):
            parts.append(str(value["domestic_provision"]))
        line = " — ".join(parts)
        extra = [
            f"{self.tr(field_label(key))}: {self.value(key, value[key])}"
            for key in ("max_penalty", "description", "below_threshold_reason")
            if value.get(key)
        ]
        return "; ".join([line, *extra])

    def ground(self, code: str) -> str:
        """A refusal or postponement ground from the closed list, with its articles."""
        try:
            found = GROUNDS[GroundCode(code)]
        except ValueError:
            return code
        label = translator(self.lang, "validation")(found.label)
        return self.tr(GROUND).format(ground=label, article=found.article)

    def free_text(self, value: dict[str, Any]) -> str:
        translated = (value.get("translations") or {}).get(self.lang)
        return str(translated or value["original"])

    def value(self, name: str, value: Any) -> str:
        """One value as a line of text."""
        if value in (None, "", [], {}):
            return ""
        if isinstance(value, bool):
            return self.tr("Yes" if value else "No")
        if isinstance(value, dict):
            return self._object(name, value)
        if isinstance(value, list):
            return ", ".join(self.value(name, item) for item in value if item not in (None, ""))
        if isinstance(value, str):
            return self._text(name, value)
        return self._number(name, value)

    @staticmethod
    def _number(name: str, value: Any) -> str:
        if name == "offence_index" and isinstance(value, int):
            return str(value + 1)  # stored from 0; the document numbers offences from 1
        return str(value)

    def _object(self, name: str, value: dict[str, Any]) -> str:
        if name in ("max_penalty", "sentence_imposed"):
            return self.penalty(value)
        if name == "legal_basis":
            return self.legal_basis(value)
        return self.free_text(value) if is_free_text(value) else self.pairs(value, parent=name)

    def _text(self, name: str, value: str) -> str:
        if name == "function":
            role = function_code(value)
            return self.tr(FUNCTION_LABELS[role]) if role else value
        if name in STATE_FIELDS:
            return self.state(value)
        if name == "original_language":
            return str(self._locale.languages.get(value, value))
        if name in DATE_FIELDS:
            try:
                return format_date(date.fromisoformat(value), format="long", locale=self._locale)
            except ValueError:
                return value
        return self._moment(value) or self.code(name, value)

    def _moment(self, value: str) -> str:
        """A date and time as the reader's language writes it, at the offset it was given
        with (an identifier's time is evidence: it is not moved to another zone)."""
        if not self._local_moments or len(value) < 16 or value[10] != "T":
            return ""
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return ""
        if moment.tzinfo is None:
            return ""
        written = format_datetime(
            moment, format="medium", tzinfo=moment.tzinfo, locale=self._locale
        )
        return f"{written} (UTC{moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]})"

    def pairs(self, value: dict[str, Any], *, parent: str = "") -> str:
        """An object as "Label: value" pairs; `parent` is the field that holds it."""
        return "; ".join(
            f"{self.tr(nested_label(parent, key))}: {self.value(key, item)}"
            for key, item in value.items()
            if item not in (None, "", [], {}) and key not in INTERNAL_KEYS
        )
