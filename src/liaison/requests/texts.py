"""The words of a request for full-text search, the same on SQLite and PostgreSQL.

Both databases are handed text already cut into words here, so they agree on what a word is
whatever the script: case folded, combining marks dropped (Vietnamese tones, Arabic vowel
signs: a search finds the word typed with or without them), and every character of the scripts
written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese) a word of
its own. A query is cut the same way; a run of such characters becomes a phrase (诈骗 finds
"诈 骗" side by side), so a Chinese word is found inside a sentence.

Pure functions: the request models index with them (requests.models), the database layer
queries with them (requests.search).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

# Letters and digits; the underscore separates, as both databases' tokenizers have it.
_WORD = re.compile(r"[^\W_]+")
# Scripts written without spaces between words: each character is a word.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)
# Enough of a request to find it; the rest of a very long text adds little to a search.
MAX_CHARS = 200_000
# Nobody searches with more words than this; more would only slow the query.
MAX_TERMS = 12


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _UNSPACED.sub(lambda m: f" {m.group()} ", unicodedata.normalize("NFKC", stripped))


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def index_text(*, reference: str, content: Any, response: Any, status_reason: str | None) -> str:
    """What the search index holds of a request: its reference, every text of its contents
    (originals and translations) and of its response, and the reason of its last step."""
    parts = [reference, *_strings(content), *_strings(response), status_reason or ""]
    return " ".join(words(" ".join(parts)[:MAX_CHARS]))


def phrases(query: str) -> list[list[str]]:
    """A query as phrases: each space-separated chunk the words it holds, side by side."""
    found = []
    for chunk in query.split()[:MAX_TERMS]:
        terms = words(chunk)
        if terms:
            found.append(terms)
    return found


def unspaced(term: str) -> bool:
    return bool(_UNSPACED.fullmatch(term))
