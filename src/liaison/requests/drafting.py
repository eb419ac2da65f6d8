"""What refuses a draft whatever its contents say: the recipient, the preservation it follows up,
the kind and sub-type. Each problem at its path in the request ("to", "subtype"), its message
in the user's language (catalog domain "validation"); drafting refuses on them, and the check
of a draft on demand (liaison.requests.validation) lists them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.authorities.models import Authority
from liaison.core.errors import Problem
from liaison.directory import service as directory
from liaison.i18n import translator
from liaison.requests import contents, follow_ups
from liaison.requests.contents import RequestKind
from liaison.requests.contents.messages import (
    DOMAIN,
    OWN_AUTHORITY,
    SUBTYPE_CONTRADICTED,
    UNKNOWN_KIND,
    UNKNOWN_RECIPIENT,
    UNKNOWN_SUBTYPE,
)
from liaison.requests.schemas import RequestCreate


def reachable(session: Session, authority_id: str) -> bool:
    """Hosted on this node, or listed in the directory in force: a request to it can travel."""
    if session.get(Authority, authority_id) is not None:
        return True
    doc = directory.current(session=session)
    return doc is not None and doc.authority(authority_id) is not None


def refusals(*, session: Session, user: User, draft: RequestCreate, lang: str) -> list[Problem]:
    """The recipient (another authority, one a request can reach) and the follow-up link."""
    _ = translator(lang, DOMAIN)
    if draft.to == user.authority_id:
        return [Problem(path="to", message=_(OWN_AUTHORITY))]
    if not reachable(session, draft.to):
        return [Problem(path="to", message=_(UNKNOWN_RECIPIENT).format(authority=draft.to))]
    link = follow_ups.link_problem(
        session,
        holder=user.authority_id,
        kind=draft.kind,
        requesting=user.authority_id,
        requested=draft.to,
        linked_request=draft.linked_request,
    )
    # follow_ups words its sentence in English; it names ids a catalog cannot hold.
    return [Problem(path="linked_request", message=link)] if link else []


def kind_problems(
    kind: str, subtype: str | None, content: Mapping[str, Any], *, lang: str
) -> list[Problem]:
    """An unknown kind; a sub-type the kind does not have, or one the contents contradict."""
    _ = translator(lang, DOMAIN)
    if kind not in {k.value for k in RequestKind}:
        return [Problem(path="kind", message=_(UNKNOWN_KIND))]
    if subtype is None:
        return []
    if subtype not in contents.subtypes(kind):
        return [Problem(path="subtype", message=_(UNKNOWN_SUBTYPE))]
    try:
        contents.with_subtype(kind, content, subtype)
    except ValueError:
        return [Problem(path="subtype", message=_(SUBTYPE_CONTRADICTED))]
    return []
