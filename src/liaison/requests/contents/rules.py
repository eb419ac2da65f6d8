"""The vocabulary of submission checks: a finding is an untranslated problem at a field path.

Kind modules yield findings; `registry.check_submission` translates them. Keeping the two apart
lets the rules be read (and tested) without the catalogs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from liaison.requests.contents.messages import FIELD_LABELS, MISSING


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    message: str  # a catalog msgid, may hold {item}
    item: str | None = None  # a label msgid substituted for {item} after translation
    detail: str | None = None  # untranslated text substituted for {detail}


def is_blank(value: object) -> bool:
    return value is None or value in ("", [], {})


def join(prefix: str, name: str | int) -> str:
    return f"{prefix}.{name}" if prefix else str(name)


def missing(path: str) -> Finding:
    """The item is named by the path's last named segment ("offences.0.max_penalty")."""
    name = next(part for part in reversed(path.split(".")) if not part.isdigit())
    return Finding(path=path, message=MISSING, item=FIELD_LABELS[name])


def require(model: BaseModel, *names: str, prefix: str = "") -> Iterator[Finding]:
    for name in names:
        if is_blank(getattr(model, name)):
            yield missing(join(prefix, name))
