"""Authorities as a reader knows them: by name and State, not by their identifier. The directory
in force names every authority of the network; the authorities table names those hosted here
(and is all there is before the first directory import). The identifier is shown only when
neither knows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.authorities.models import Authority
from liaison.directory import service as directory
from liaison.web.formatting import Formats


def pick(names: dict[str, str], lang: str, fallback: str) -> str:
    """The name in the reader's language, else English, else any."""
    return names.get(lang) or names.get("en") or next(iter(names.values()), fallback)


@dataclass
class AuthorityNames:
    """`names(id)`: "Name (State)" of an authority, in the reader's language; read once a page."""

    session: Session
    fmt: Formats
    known: dict[str, tuple[dict[str, str], str]] | None = field(default=None, repr=False)

    def _load(self) -> dict[str, tuple[dict[str, str], str]]:
        known: dict[str, tuple[dict[str, str], str]] = {
            a.id: (a.names, a.state) for a in self.session.scalars(select(Authority))
        }
        doc = directory.current(session=self.session)
        for entry in doc.authorities if doc is not None else ():
            known[entry.id] = (entry.names, entry.state)
        return known

    def __call__(self, authority_id: str) -> str:
        if self.known is None:
            self.known = self._load()
        found = self.known.get(authority_id)
        if found is None:
            return authority_id
        names, state = found
        return f"{pick(names, self.fmt.lang, authority_id)} ({self.fmt.state(state)})"

    def choices(self, *, leaving_out: frozenset[str]) -> list[tuple[str, str]]:
        """Every authority of the directory but those left out, as (id, "Name (State)"), by name."""
        doc = directory.current(session=self.session)
        found = [
            (a.id, self(a.id))
            for a in (doc.authorities if doc is not None else ())
            if a.id not in leaving_out
        ]
        return sorted(found, key=lambda item: item[1].casefold())
