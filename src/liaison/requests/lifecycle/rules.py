"""The convention's rules applied to stored requests: completeness before submission, grounds for
refusal and postponement, the preservation period. The rules themselves live in
liaison.requests.contents (pure, database-free); this module applies them to a Request row."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from liaison.authorities.models import Authority
from liaison.core.errors import InvalidInput, Problem
from liaison.directory import service as directory
from liaison.i18n import translator
from liaison.requests import contents
from liaison.requests.contents.messages import DOMAIN, NO_TRANSLATION
from liaison.requests.models import Request
from liaison.requests.table import Action

PRESERVATION_MINIMUM_DAYS = 60


class IncompleteRequest(InvalidInput):
    """Submission refused: every missing or invalid item, in the user's language, each at its
    path in the request ("content.offences.0.max_penalty")."""

    def __init__(self, problems: list[Problem]) -> None:
        listed = "; ".join(f"{p.path}: {p.message}" for p in problems)
        super().__init__(f"the request cannot be submitted yet: {listed}", problems)


def check_complete(request: Request, *, lang: str) -> None:
    """Raises IncompleteRequest. The check of a draft on demand (liaison.requests.validation)
    calls this too, so a form is told exactly what submission would say."""
    problems = contents.check_submission(
        request.kind,
        request.content,
        lang=lang,
        subtype=request.subtype,
        urgent=request.urgent,
        wished_deadline=request.wished_deadline,
    )
    if problems:
        raise IncompleteRequest(
            [p if p.path in contents.REQUEST_FIELDS else p.under("content") for p in problems]
        )


def translation_gaps(*, session: Session, request: Request) -> list[str]:
    """Free texts with neither original nor translation in a language the recipient accepts,
    by their paths in the content ("facts", "offences.0.description")."""

    local = session.get(Authority, request.requested)
    accepted = (
        local.accepted_languages
        if local
        else list(
            directory.peer_authority(
                session=session, authority_id=request.requested
            ).accepted_languages
        )
    )
    model = contents.parse_content(request.kind, request.content, subtype=request.subtype)
    return contents.translation_gaps(model, accepted)


def untranslated(gaps: list[str], *, lang: str) -> list[Problem]:
    """Translation gaps as problems in `lang`, each at its free text's path in the request."""
    message = translator(lang, DOMAIN)(NO_TRANSLATION)
    return [Problem(path=gap, message=message).under("content") for gap in gaps]


def check_ground(*, kind: str, action: Action, ground: str | None) -> None:

    if not ground:
        raise InvalidInput(f"{action.value} needs a ground from the closed list")
    allowed = (
        contents.refusal_grounds(kind)
        if action is Action.refuse
        else contents.postponement_grounds(kind)
    )
    codes = {g.code for g in allowed}
    if ground not in codes:
        raise InvalidInput(
            f"{ground!r} is not a ground to {action.value} a {kind} request; "
            f"choose one of: {', '.join(sorted(codes))}"
        )


def consult_first(ground: str) -> bool:

    return bool(contents.ground(ground).consult_first)


def on_executed(request: Request, now: datetime) -> None:
    """Preservation runs from execution, for at least 60 days (art. 42(7))."""
    if request.kind != "preservation":
        return
    days = max(request.preservation_days or PRESERVATION_MINIMUM_DAYS, PRESERVATION_MINIMUM_DAYS)
    request.preservation_days = days
    request.preservation_start = now
    request.preservation_expiry = now + timedelta(days=days)
