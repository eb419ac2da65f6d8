"""The bodies of a request's envelopes, with the signed document an act carries.

`request.transmit` carries the approved request and the request document its author signed;
a `request.state` echo carries one step of the requested copy, and the signed response document
when that step is a decision. Issuing renders and signs (requests/formal/issued.py), imported
only when an act needs it: WeasyPrint and pyHanko cost a second to load, which a command that
only lists requests should not pay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.core.clock import Clock
from liaison.core.permissions import Role
from liaison.requests.lifecycle.approval import approved_fields
from liaison.requests.models import Request
from liaison.requests.table import Action, Transition

# The decisions of the requested authority: each is issued as a signed response document.
DECISIONS = frozenset({Action.respond_partially, Action.respond, Action.refuse, Action.postpone})
# (seq, action, from, to, ground, reason)
Step = tuple[int, str, str, str, str | None, str | None]


def snapshot(request: Request) -> dict[str, Any]:
    return {
        "request": approved_fields(request),
        "approval": request.approval,
        "approval_certificate": request.approval_certificate,
        "approved_by": request.approved_by,
        "approved_at": request.approved_at.isoformat() if request.approved_at else None,
    }


def transmit_body(
    *, session: Session, kek: bytes, request: Request, limit: int, clock: Clock
) -> tuple[dict[str, Any], str]:
    """The request as sent, with its document signed now by the requesting authority and kept
    on this copy, and the document's digest; refused (InvalidInput) when the envelope could not
    be sealed within `limit`."""
    from liaison.requests.formal import issued  # noqa: PLC0415 - only when sending, see top

    pdf = issued.issue_request(session=session, kek=kek, request=request, clock=clock)
    body = {**snapshot(request), issued.FIELD: issued.encode(pdf)}
    issued.check_fits(body=body, pdf=pdf, limit=limit)
    kept = issued.keep(
        session=session,
        request=request,
        role=issued.REQUEST,
        seq=0,
        author=request.requesting,
        pdf=pdf,
        clock=clock,
    )
    return body, kept.digest


def decision_document(
    *,
    session: Session,
    kek: bytes,
    request: Request,
    user: User,
    transition: Transition,
    decision: tuple[str | None, str | None, dict[str, Any]],
    limit: int,
    clock: Clock,
) -> bytes:
    """The signed response document of a decision about to be applied (it will be step
    seq + 1); refused (InvalidInput) when its echo could not be sealed within `limit`."""
    from liaison.requests.formal import issued  # noqa: PLC0415 - only when deciding, see top
    from liaison.requests.formal.response import Decision  # noqa: PLC0415 - idem

    ground, reason, response = decision
    seq = request.seq + 1
    pdf = issued.issue_response(
        session=session,
        kek=kek,
        request=request,
        decision=Decision(
            status=transition.target,
            decided_at=clock.now(),
            decided_by=user.display_name,
            supervisor=Role.supervisor in user.roles,
            ground=ground,
            reason=reason,
            response=response,
        ),
        seq=seq,
    )
    step = (seq, transition.action, request.status, transition.target, ground, reason)
    body = state_body(request, step, response=response, document=pdf)
    issued.check_fits(body=body, pdf=pdf, limit=limit)
    return pdf


def keep_decision(
    *, session: Session, request: Request, seq: int, pdf: bytes, clock: Clock
) -> None:
    from liaison.requests.formal import issued  # noqa: PLC0415 - only when deciding, see top

    issued.keep(
        session=session,
        request=request,
        role=issued.RESPONSE,
        seq=seq,
        author=request.requested,
        pdf=pdf,
        clock=clock,
    )


def state_body(
    request: Request, step: Step, *, response: dict[str, Any], document: bytes | None = None
) -> dict[str, Any]:
    """A `request.state` echo: the step, the result so far, and the signed response document
    when the step is a decision."""
    seq, action, source, target, ground, reason = step
    body: dict[str, Any] = {
        "request_id": request.id,
        "seq": seq,
        "action": action,
        "from": source,
        "to": target,
        "ground": ground,
        "reason": reason,
        "response": response,
        "preservation_expiry": request.preservation_expiry.isoformat()
        if request.preservation_expiry
        else None,
    }
    if document is not None:
        from liaison.requests.formal import issued  # noqa: PLC0415 - see top

        body[issued.FIELD] = issued.encode(document)
    return body
