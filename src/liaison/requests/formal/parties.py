"""Who a formal document names: the two authorities as the directory names them, in every
language it has, and the language each one reads.

The directory is the published record of an authority, with its names in several languages; a
node's own row for an authority it hosts may carry fewer (what its administrator typed). The
document takes the directory's names first and fills the gaps from the local row, so a Russian
document names a Vietnamese ministry in Russian whenever the directory does.
"""

from __future__ import annotations

from typing import Protocol

from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session

from liaison.authorities.models import Authority
from liaison.directory import service as directory
from liaison.documents.model import Party
from liaison.protocol import errors


class Parties(Protocol):
    """What building a document needs to know about authorities (a fake in unit tests)."""

    def party(self, authority_id: str) -> Party | None:
        """The authority's names and State; None when neither the directory nor this node
        knows it."""

    def language(self, authority_id: str, fallback: str) -> str:
        """The language documents for this authority are written in: the first it accepts."""


class SessionParties:
    """Parties from the directory imported on this node, and from the authorities it hosts."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _entry_names(self, authority_id: str) -> tuple[dict[str, str], str | None, list[str]]:
        try:
            entry = directory.peer_authority(session=self._session, authority_id=authority_id)
        except errors.ProtocolError:
            # Not in the directory (or none imported): the local row alone names it.
            return {}, None, []
        return dict(entry.names), entry.state, list(entry.accepted_languages)

    def party(self, authority_id: str) -> Party | None:
        names, state, _ = self._entry_names(authority_id)
        local = self._session.get(Authority, authority_id)
        if local is not None:
            names = {**local.names, **names}
            state = state or local.state
        if not names or state is None:
            return None
        return Party(names=_known_languages(names), state=state)

    def language(self, authority_id: str, fallback: str) -> str:
        local = self._session.get(Authority, authority_id)
        languages = local.accepted_languages if local is not None else []
        if not languages:
            languages = self._entry_names(authority_id)[2]
        return (languages or [fallback])[0].split("-", 1)[0]


def _known_languages(names: dict[str, str]) -> dict[str, str]:
    """Names keyed by the base language ("pt-BR" → "pt"), the form a document is written in;
    the first name given for a base language wins, and tags Babel does not know are left out."""
    keyed: dict[str, str] = {}
    for tag, name in names.items():
        base = tag.split("-", 1)[0].lower()
        if len(base) not in (2, 3) or not base.isalpha():
            continue
        try:
            Locale.parse(base)
        except (UnknownLocaleError, ValueError):
            continue
        keyed.setdefault(base, name)
    return keyed or {"en": next(iter(names.values()))}
