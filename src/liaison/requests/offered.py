"""What a user may do with a request now: exactly the steps the services would accept from
them, no more. Derived from the same sources the services check: the transition table (state
and side), the permissions of the routes (the one authorisation step), the four-eyes and role
rules of the workflow, the refusal grounds of the kind, and the rules of preservation,
prosecution and sharing. The request page offers these and nothing else; the API can answer
the same question with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.core.permissions import Permission, Role
from liaison.requests import contents
from liaison.requests.contents.grounds import Ground
from liaison.requests.lifecycle.consultations import consulted
from liaison.requests.models import DomesticProsecution, Request
from liaison.requests.preservation.service import extension_problem, warning_problem
from liaison.requests.prosecution.service import outcome_problem, submission_problem
from liaison.requests.sharing.exports import LIFTABLE
from liaison.requests.table import TABLE, Action, Side, Status

# Before transmission the request is the requesting authority's alone.
UNSENT = frozenset({Status.draft, Status.awaiting_approval, Status.approved})


class Step(StrEnum):
    """Everything a page can do with a request (the table's actions, and the rest)."""

    submit = "submit"
    approve = "approve"
    return_to_draft = "return"
    send = "send"
    acknowledge = "acknowledge"
    start = "start"
    request_clarification = "request_clarification"
    clarify = "clarify"
    respond_partially = "respond_partially"
    respond = "respond"
    refuse = "refuse"
    postpone = "postpone"
    resume = "resume"
    withdraw = "withdraw"
    close = "close"
    consult = "consult"
    export = "export"
    forward = "forward"
    authorise = "authorise"
    extend = "extend"
    warn = "warn"
    prosecution_submission = "prosecution_submission"
    prosecution_outcome = "prosecution_outcome"


# The table's actions a person takes (receive is the node's), by the step that takes them.
TABLE_STEPS = {
    Action.submit: Step.submit,
    Action.approve: Step.approve,
    Action.return_to_draft: Step.return_to_draft,
    Action.send: Step.send,
    Action.acknowledge: Step.acknowledge,
    Action.start: Step.start,
    Action.request_clarification: Step.request_clarification,
    Action.clarify: Step.clarify,
    Action.respond_partially: Step.respond_partially,
    Action.respond: Step.respond,
    Action.refuse: Step.refuse,
    Action.postpone: Step.postpone,
    Action.resume: Step.resume,
    Action.withdraw: Step.withdraw,
    Action.close: Step.close,
}
ACTION_OF = {step: action for action, step in TABLE_STEPS.items()}
# The permission each step's route declares (requests/api.py and the feature routers).
PERMISSIONS: dict[Step, Permission] = {
    Step.submit: Permission.request_draft,
    Step.send: Permission.request_draft,
    Step.approve: Permission.request_approve,
    Step.return_to_draft: Permission.request_approve,
    Step.forward: Permission.request_approve,
    Step.authorise: Permission.request_approve,
}


def permission_of(step: Step) -> Permission:
    return PERMISSIONS.get(step, Permission.request_execute)


@dataclass(frozen=True)
class Offer:
    step: Step
    needs_reason: bool = False
    # Refusal and postponement: the grounds of the closed list for this kind, and whether
    # each can be chosen now (some need a consultation first).
    grounds: tuple[tuple[Ground, bool], ...] = ()
    # Authorisation: the conditions this side set that an authorisation can lift.
    conditions: tuple[str, ...] = ()


def _table_offers(session: Session, user: User, request: Request) -> list[Offer]:
    status, side = Status(request.status), request.side
    offers = []
    for transition in TABLE:
        if transition.source is not status or transition.side is not side:
            continue
        step = TABLE_STEPS.get(transition.action)
        # A local step other than these four has no route (withdrawing a draft).
        local_ok = step in (Step.submit, Step.approve, Step.return_to_draft, Step.send)
        if step is None or (transition.local and not local_ok):
            continue
        if step in (Step.approve, Step.return_to_draft) and Role.supervisor not in user.roles:
            continue
        if step is Step.approve and (
            user.authority_id != request.requesting
            or user.id in (request.created_by, request.submitted_by)
        ):
            continue  # four eyes: never one's own draft
        grounds: tuple[tuple[Ground, bool], ...] = ()
        if transition.needs_ground:
            listed = (
                contents.refusal_grounds(request.kind)
                if transition.action is Action.refuse
                else contents.postponement_grounds(request.kind)
            )
            if not listed:
                continue
            asked = consulted(session, request)
            refusing = transition.action is Action.refuse
            grounds = tuple((g, asked or not (refusing and g.consult_first)) for g in listed)
        offers.append(Offer(step, needs_reason=transition.needs_reason, grounds=grounds))
    return offers


def _own_conditions(request: Request) -> tuple[str, ...]:
    """The liftable conditions this copy's side set: the request's own (requesting side), or
    those the requested side put on its results."""
    own = (
        request.conditions
        if request.side is Side.requesting
        else (request.response or {}).get("conditions") or {}
    )
    return tuple(c for c in LIFTABLE if own.get(c))


def _other_offers(session: Session, request: Request) -> list[Offer]:
    status, side = Status(request.status), request.side
    if status in UNSENT:
        return []
    offers = []
    if status is not Status.closed:
        offers.append(Offer(Step.consult, needs_reason=True))
    offers += [Offer(Step.export), Offer(Step.forward)]
    own = _own_conditions(request)
    if own:
        offers.append(Offer(Step.authorise, conditions=own))
    if extension_problem(request, side=side, days=1) is None:
        offers.append(Offer(Step.extend))
    if warning_problem(request, side=side) is None:
        offers.append(Offer(Step.warn, needs_reason=True))
    record = session.get(DomesticProsecution, (request.holder, request.id))
    if submission_problem(record, side=side, submitted_to="-") is None:
        offers.append(Offer(Step.prosecution_submission))
    if outcome_problem(record, side=side, outcome="-") is None:
        offers.append(Offer(Step.prosecution_outcome))
    return offers


def offered(
    *, session: Session, user: User, permissions: frozenset[Permission], request: Request
) -> list[Offer]:
    """What `user` (holding `permissions`) may do with `request` now, in the table's order."""
    offers = _table_offers(session, user, request) + _other_offers(session, request)
    return [o for o in offers if permission_of(o.step) in permissions]


def offer(
    *,
    session: Session,
    user: User,
    permissions: frozenset[Permission],
    request: Request,
    step: Step,
) -> Offer | None:
    for found in offered(session=session, user=user, permissions=permissions, request=request):
        if found.step is step:
            return found
    return None
