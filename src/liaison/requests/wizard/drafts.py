"""What the wizard's pages read: the authorities a request can reach (this node's and the
directory's, never one's own), the preservations a follow-up can name, a draft's contents
merged with one step's answers, and problems placed at the fields of a page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.authorities.models import Authority
from liaison.core.errors import Problem
from liaison.core.permissions import AuthorityRole
from liaison.directory import service as directory
from liaison.requests.models import Request
from liaison.requests.service import visible_to
from liaison.requests.table import Status
from liaison.web.forms import Problems

# The message that carries a request to its recipient's node.
TRANSMIT = "request.transmit"


@dataclass(frozen=True)
class Recipient:
    id: str
    names: dict[str, str]
    state: str
    languages: list[str]
    contact_24_7: bool
    # The messages it takes, as the directory lists them (None: hosted here, it takes all).
    kinds: list[str] | None


def recipients(*, session: Session, user: User) -> list[Recipient]:
    """The authorities a request of `user` can be sent to: hosted on this node, or listed in
    the directory in force as taking requests; never the user's own."""
    found: dict[str, Recipient] = {}
    for a in session.scalars(select(Authority)):
        found[a.id] = Recipient(
            a.id,
            dict(a.names),
            a.state,
            list(a.accepted_languages),
            AuthorityRole.contact_24_7 in a.roles,
            None,
        )
    doc = directory.current(session=session)
    for d in doc.authorities if doc is not None else []:
        found[d.id] = Recipient(
            d.id,
            dict(d.names),
            d.state,
            list(d.accepted_languages),
            AuthorityRole.contact_24_7 in d.roles,
            list(d.kinds),
        )
    found.pop(user.authority_id, None)
    reachable = [r for r in found.values() if r.kinds is None or TRANSMIT in r.kinds]
    return sorted(reachable, key=lambda r: (r.state, r.id))


def recipient(*, session: Session, user: User, authority_id: str) -> Recipient | None:
    return next((r for r in recipients(session=session, user=user) if r.id == authority_id), None)


def preservations(*, session: Session, user: User) -> list[Request]:
    """Preservations the user's authority sent that a follow-up request can name."""
    return list(
        session.scalars(
            select(Request)
            .where(
                visible_to(user),
                Request.kind == "preservation",
                Request.requesting == user.authority_id,
                Request.status != Status.draft,
            )
            .order_by(Request.id.desc())
            .limit(200)
        )
    )


def merged(
    content: Mapping[str, Any], keys: Sequence[str], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The draft's contents with this step's questions answered anew: an emptied answer is
    taken out, the other steps' answers stay as they are."""
    result = {k: v for k, v in content.items() if k not in keys}
    result.update({k: v for k, v in answers.items() if k in keys and v is not None})
    return result


def placed(problems: Sequence[Problem], names: Sequence[str]) -> Problems:
    """Problems at the fields of a page: a problem's path is a field's name, or the first field
    inside what it names (a missing free text: its original), or the nearest field holding it."""
    found = Problems()
    for problem in problems:
        target = problem.path if problem.path in names else None
        if target is None:
            target = next((n for n in names if n.startswith(problem.path + ".")), None)
        if target is None:
            holders = [n for n in names if problem.path.startswith(n + ".")]
            target = max(holders, key=len) if holders else None
        if target is not None:
            found.add(target, problem.message)
    return found


def on_page(problems: Sequence[Problem], keys: Sequence[str]) -> list[Problem]:
    """The problems about the questions of one step (paths under content.<key>)."""
    return [
        p
        for p in problems
        if any(p.path == f"content.{k}" or p.path.startswith(f"content.{k}.") for k in keys)
    ]
