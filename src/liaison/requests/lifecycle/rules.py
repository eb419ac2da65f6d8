"""The convention's rules applied to stored requests: completeness before submission, grounds for
refusal and postponement, the preservation period. The rules themselves live in
liaison.requests.contents (pure, database-free); this module applies them to a Request row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from liaison.authorities.models import Authority
from liaison.core.errors import InvalidInput
from liaison.directory import service as directory
from liaison.requests import contents
from liaison.requests.models import Request
from liaison.requests.table import Action

PRESERVATION_MINIMUM_DAYS = 60


@dataclass(frozen=True)
class Missing:
    path: str
    message: str


class IncompleteRequest(InvalidInput):
    """Submission refused: every missing or invalid item, in the user's language."""

    def __init__(self, problems: list[Missing]) -> None:
        listed = "; ".join(f"{p.path}: {p.message}" for p in problems)
        super().__init__(f"the request cannot be submitted yet: {listed}")
        self.problems = problems


def check_complete(request: Request, *, lang: str) -> None:

    problems = contents.check_submission(
        request.kind,
        request.content,
        lang=lang,
        urgent=request.urgent,
        wished_deadline=request.wished_deadline,
    )
    if problems:
        raise IncompleteRequest([Missing(path=p.path, message=p.message) for p in problems])


def translation_gaps(*, session: Session, request: Request) -> list[str]:
    """Free texts with neither original nor translation in a language the recipient accepts."""

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
