"""The one transition table of a request, shared by both nodes (the same code runs on both).

Before transmission only the requesting authority holds the request. From transmission on, the
requested authority's node orders every change: its own transitions apply at once and are sent
to the requesting node; the requesting side's actions (clarify, withdraw, close) travel as
proposals that the requested node applies only if its table allows, and echoes back. So the
requesting copy always replays the requested copy's history, in order, and the two can never
disagree once their messages are delivered (docs/adr/0005-request-state-ordering.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liaison.core.errors import Conflict


class Status(StrEnum):
    draft = "draft"
    awaiting_approval = "awaiting_approval"
    approved = "approved"
    sent = "sent"
    received = "received"
    acknowledged = "acknowledged"
    in_execution = "in_execution"
    clarification_requested = "clarification_requested"
    partially_executed = "partially_executed"
    executed = "executed"
    refused = "refused"
    postponed = "postponed"
    withdrawn = "withdrawn"
    closed = "closed"


class Side(StrEnum):
    requesting = "requesting"
    requested = "requested"


class Action(StrEnum):
    submit = "submit"
    return_to_draft = "return_to_draft"
    approve = "approve"
    send = "send"
    receive = "receive"
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


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    # Who may take it.
    side: Side
    # Local-only transitions happen before transmission and never travel.
    local: bool = False
    # Refusal and postponement need a ground from the closed list and a written reason.
    needs_ground: bool = False
    needs_reason: bool = False


S, A, R, Q = Status, Action, Side.requesting, Side.requested
_OPEN_AT_REQUESTED = (
    S.received,
    S.acknowledged,
    S.in_execution,
    S.clarification_requested,
    S.partially_executed,
)

TABLE: tuple[Transition, ...] = (
    Transition(A.submit, S.draft, S.awaiting_approval, R, local=True),
    Transition(A.return_to_draft, S.awaiting_approval, S.draft, R, local=True, needs_reason=True),
    Transition(A.approve, S.awaiting_approval, S.approved, R, local=True),
    Transition(A.send, S.approved, S.sent, R, local=True),
    # The requested node records arrival; its echo moves the requesting copy from sent.
    Transition(A.receive, S.sent, S.received, Q),
    Transition(A.acknowledge, S.received, S.acknowledged, Q),
    Transition(A.start, S.acknowledged, S.in_execution, Q),
    Transition(
        A.request_clarification, S.in_execution, S.clarification_requested, Q, needs_reason=True
    ),
    Transition(A.clarify, S.clarification_requested, S.in_execution, R, needs_reason=True),
    Transition(A.respond_partially, S.in_execution, S.partially_executed, Q),
    Transition(A.start, S.partially_executed, S.in_execution, Q),
    Transition(A.respond, S.in_execution, S.executed, Q),
    Transition(A.respond, S.partially_executed, S.executed, Q),
    *(
        Transition(A.refuse, s, S.refused, Q, needs_ground=True, needs_reason=True)
        for s in _OPEN_AT_REQUESTED
    ),
    *(
        Transition(A.postpone, s, S.postponed, Q, needs_ground=True, needs_reason=True)
        for s in (S.received, S.acknowledged, S.in_execution)
    ),
    Transition(A.resume, S.postponed, S.in_execution, Q),
    *(
        Transition(A.withdraw, s, S.withdrawn, R, needs_reason=True)
        for s in (S.sent, *_OPEN_AT_REQUESTED, S.postponed)
    ),
    *(Transition(A.close, s, S.closed, R) for s in (S.executed, S.refused, S.withdrawn)),
    # A draft or an approved request that was never sent can be abandoned.
    Transition(A.withdraw, S.draft, S.withdrawn, R, local=True, needs_reason=True),
    Transition(A.withdraw, S.approved, S.withdrawn, R, local=True, needs_reason=True),
)

_INDEX = {(t.action, t.source): t for t in TABLE}
TERMINAL = frozenset({S.closed})
STATUSES = frozenset(Status)


class InvalidTransition(Conflict):
    """The table does not allow this action from this state, or not for this side."""


def find(action: Action, source: Status, side: Side) -> Transition:
    transition = _INDEX.get((action, source))
    if transition is None:
        raise InvalidTransition(
            f"cannot {action.value.replace('_', ' ')} a request that is {source.value}"
        )
    if transition.side is not side:
        raise InvalidTransition(
            f"only the {transition.side.value} authority can {action.value.replace('_', ' ')}"
        )
    return transition


def allowed(source: Status, side: Side) -> list[Action]:
    return [t.action for t in TABLE if t.source is source and t.side is side]
