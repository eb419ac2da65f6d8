"""The formal response: the requested authority's decision on a request (its result, or the
ground and reasons of a refusal or postponement, and the conditions on what it gives), as a
letter to the requesting authority in that authority's language. The requested node signs it
when the decision is taken; the requesting node receives it with the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import format_date

from liaison.documents.model import (
    Approval,
    ApproverRole,
    FormalDocument,
    Kind,
    Section,
    SectionLabel,
)
from liaison.requests.formal.document import TITLES, conditions_in_force, party
from liaison.requests.formal.parties import Parties
from liaison.requests.formal.translation import Words
from liaison.requests.models import Request
from liaison.requests.table import Status

RESPONSE_TITLES = {
    Status.executed: Kind.RESPONSE,
    Status.partially_executed: Kind.RESPONSE,
    Status.refused: Kind.REFUSAL,
    Status.postponed: Kind.POSTPONEMENT,
}


@dataclass(frozen=True)
class Decision:
    """A decision of the requested authority, as it is being taken (before the copy records it):
    the state it leads to, its ground and reasons, the result given, who took it and when."""

    status: Status
    decided_at: datetime
    decided_by: str
    supervisor: bool
    ground: str | None = None
    reason: str | None = None
    response: dict[str, Any] = field(default_factory=dict)


def build_response(request: Request, decision: Decision, parties: Parties) -> FormalDocument:
    lang = parties.language(request.requesting, request.language)
    words = Words(lang)
    content = request.content or {}
    reference = content.get("case_reference") or request.reference or request.id
    sent = request.sent_at or request.received_at
    related = " — ".join(
        part
        for part in (
            words.tr(TITLES.get(request.kind, Kind.MLA_REQUEST)),
            reference,
            format_date(sent, format="long", locale=lang) if sent else "",
        )
        if part
    )
    items = [Section(label=SectionLabel.RELATED_REQUEST, value=related)]
    result = {k: v for k, v in decision.response.items() if k != "conditions"}
    if result:
        items.append(Section(label=SectionLabel.RESULT, value=words.pairs(result)))
    if decision.status in (Status.refused, Status.postponed):
        label = (
            SectionLabel.REFUSAL_GROUND
            if decision.status is Status.refused
            else SectionLabel.POSTPONEMENT_GROUND
        )
        items.append(Section(label=label, value=words.ground(decision.ground or "")))
        items.append(Section(label=SectionLabel.REASONS, value=decision.reason or None))
    conditions = decision.response.get("conditions")
    if isinstance(conditions, dict):
        in_force = conditions_in_force(conditions, words)
        if in_force:
            items.append(Section(label=SectionLabel.CONDITIONS, value=in_force))
    return FormalDocument(
        kind=RESPONSE_TITLES[decision.status],
        reference=reference,
        request_id=request.id,
        version=request.version,
        language=lang,
        sender=party(parties, request.requested),
        recipient=party(parties, request.requesting),
        issued_at=decision.decided_at,
        legal_basis=words.value("legal_basis", content.get("legal_basis")),
        sections=items,
        approval=Approval(
            approver=decision.decided_by,
            role=ApproverRole.SUPERVISOR if decision.supervisor else ApproverRole.OFFICER,
            approved_at=decision.decided_at,
        ),
    )
