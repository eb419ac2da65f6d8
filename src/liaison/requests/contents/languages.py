"""Free texts and the recipient's languages (issue part 7).

Structured fields render in any language from the catalogs; free texts only in the languages
the officer wrote or translated them into. A gap is a free text the recipient cannot read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import BaseModel

from liaison.core.codes import is_language
from liaison.core.errors import InvalidInput
from liaison.requests.contents.common import FreeText
from liaison.requests.contents.rules import join


def free_text_fields(content: BaseModel) -> dict[str, FreeText]:
    """Every free text in the content, by field path ("offences.0.description")."""
    return dict(_walk(content, ""))


def _walk(value: object, path: str) -> Iterator[tuple[str, FreeText]]:
    if isinstance(value, FreeText):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), join(path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, join(path, index))


def translation_gaps(content: BaseModel, accepted_languages: Iterable[str]) -> list[str]:
    """Paths of free texts with neither the original nor a translation in an accepted language.

    The service warns on these and needs the officer's explicit choice to send anyway.
    """
    accepted = frozenset(accepted_languages)
    unknown = sorted(code for code in accepted if not is_language(code))
    if unknown:
        raise InvalidInput(f"unknown language codes among the accepted languages: {unknown}")
    return [
        path for path, text in free_text_fields(content).items() if not text.languages() & accepted
    ]
