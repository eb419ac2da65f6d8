"""A draft checked on demand, as drafting and submission would check it, and nothing stored: a
form shows each problem beside its field while the officer fills it in.

The checks are the very ones drafting (liaison.requests.drafting, the format of the contents)
and submission (lifecycle.rules: completeness, translations) apply, run on a request that is
built and let go, so the two cannot say different things.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import Problem
from liaison.requests import contents, drafting, service
from liaison.requests.lifecycle import rules
from liaison.requests.models import Request
from liaison.requests.schemas import DraftCheck


def check_draft(
    *, session: Session, user: User, draft: DraftCheck, lang: str, clock: Clock = system_clock
) -> list[Problem]:
    """Every problem at once, in `lang`; empty means the draft can be created and submitted."""
    problems = drafting.kind_problems(draft.kind, draft.subtype, draft.content, lang=lang)
    if any(p.path == "kind" for p in problems):
        return problems
    # A sub-type in question is left aside, so that the contents are still checked.
    subtype = None if problems else draft.subtype
    refusals = drafting.refusals(session=session, user=user, draft=draft, lang=lang)
    problems += refusals
    request = service.new_request(
        user=user,
        draft=draft.model_copy(update={"subtype": subtype}),
        content=dict(draft.content),
        now=clock.now(),
    )
    try:
        rules.check_complete(request, lang=lang)
    except rules.IncompleteRequest as incomplete:
        problems += incomplete.problems
    reachable = not any(p.path == "to" for p in refusals)
    if reachable and not draft.without_translation and _parses(request):
        gaps = rules.translation_gaps(session=session, request=request)
        problems += rules.untranslated(gaps, lang=lang)
    return problems


def _parses(request: Request) -> bool:
    """Translations are looked for in contents that parse (else their format is the problem)."""
    try:
        contents.parse_content(request.kind, request.content, subtype=request.subtype)
    except (ValidationError, ValueError):
        return False
    return True
