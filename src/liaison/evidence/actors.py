"""Who acted, by name: what a chain of custody shows outside this node.

Custody rows name their actor as the audit log does (``user:<id>``, ``cli:<username>``,
``system:transfer``, ``authority:<id>``), which means nothing to a court or to the other State.
A package and a CASE export say instead "Display Name (username, authority)", or which node's
process it was. An acquirer is already a name (as given at upload) and stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User


def _person(user: User) -> str:
    return f"{user.display_name} ({user.username}, {user.authority_id})"


def actor_names(*, session: Session, actors: Iterable[str], holder: str) -> dict[str, str]:
    """actor as recorded -> the name to show; unknown forms are shown as recorded."""
    wanted = set(actors)
    ids = {a.removeprefix("user:") for a in wanted if a.startswith("user:")}
    usernames = {a.removeprefix("cli:") for a in wanted if a.startswith("cli:")}
    by_id: dict[str, User] = {}
    by_username: dict[str, User] = {}
    if ids:
        by_id = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    if usernames:
        found = session.scalars(select(User).where(User.username.in_(usernames)))
        by_username = {u.username: u for u in found}
    names = {}
    for actor in wanted:
        kind, _, rest = actor.partition(":")
        user = {"user": by_id, "cli": by_username}.get(kind, {}).get(rest)
        if user is not None:
            names[actor] = _person(user)
        elif kind == "system" and rest:
            names[actor] = f"Liaison node of {holder} ({rest})"
        elif kind == "authority" and rest:
            names[actor] = rest
        else:
            names[actor] = actor
    return names
