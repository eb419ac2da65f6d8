"""The conditions step: confidentiality (and no notice to the user), speciality, no onward
transfer, retention, and whether the request is urgent. A new draft starts with the protective
choice of each (requests.contents.conditions.Conditions); the page says so, and an officer
relaxes one only by unticking it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from liaison.requests.contents.conditions import Conditions
from liaison.requests.models import Request
from liaison.requests.schemas import RequestUpdate
from liaison.web.forms import Problems
from liaison.web.pages import Page
from liaison.web.templating import N_

# (name, label, hint): each ticked by default.
FLAGS = (
    (
        "confidential",
        N_("Keep the fact and substance of the request confidential"),
        N_("The requested State must tell you promptly if it cannot (art. 40)."),
    ),
    (
        "no_user_notice",
        N_("Do not tell the account holder or user"),
        N_("Nobody whose data is concerned is told of the request (art. 42)."),
    ),
    (
        "speciality",
        N_("Use only in the proceeding this request names (speciality)"),
        N_("Any other use needs your prior consent (art. 40)."),
    ),
    (
        "no_onward_transfer",
        N_("No transfer to a third State or body without your prior authorisation"),
        N_("Personal data go no further than the requested State (art. 36)."),
    ),
)
RETENTION_MAX = 36_500


@dataclass
class Chosen:
    flags: dict[str, bool]
    retention: str
    urgent: bool
    deadline: str = ""  # as a date and time input shows it, in the reader's time zone


def stored(request: Request, zone: str) -> Chosen:
    kept = Conditions.model_validate(request.conditions or {})
    deadline = request.wished_deadline
    return Chosen(
        flags={name: bool(getattr(kept, name)) for name, _, _ in FLAGS},
        retention="" if kept.retention_days is None else str(kept.retention_days),
        urgent=bool(request.urgent),
        deadline=deadline.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if deadline else "",
    )


def _deadline(chosen: Chosen, zone: str) -> datetime | None:
    """The wished deadline typed in the reader's time zone; ValueError if it is not a date."""
    if not chosen.deadline:
        return None
    moment = datetime.fromisoformat(chosen.deadline)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def posted(page: Page) -> Chosen:
    # Unticked boxes are not posted at all: a ticked one says "yes".
    return Chosen(
        flags={name: page.field(name, 10) == "yes" for name, _, _ in FLAGS},
        retention=page.field("retention_days", 10),
        urgent=page.field("urgent", 10) == "yes",
        deadline=page.field("wished_deadline", 40),
    )


def problems(page: Page, chosen: Chosen) -> Problems:
    found = Problems()
    value = chosen.retention
    if value and (not value.isdigit() or not 1 <= int(value) <= RETENTION_MAX):
        found.add(
            "retention_days",
            page._(
                N_("Enter the number of days as a whole number from 1 to 36,500, or leave it empty")
            ),
        )
    try:
        _deadline(chosen, page.zone)
    except ValueError:
        found.add(
            "wished_deadline",
            page._(
                N_("Enter the date and time the request should be dealt with by, or leave it empty")
            ),
        )
    return found


def update(request: Request, chosen: Chosen, zone: str) -> RequestUpdate:
    kept = Conditions.model_validate(request.conditions or {})
    changed = kept.model_copy(
        update={
            **chosen.flags,
            "retention_days": int(chosen.retention) if chosen.retention else None,
        }
    )
    return RequestUpdate(
        conditions=changed, urgent=chosen.urgent, wished_deadline=_deadline(chosen, zone)
    )


def rows(page: Page, request: Request) -> list[tuple[str, str]]:
    chosen = stored(request, page.zone)
    yes, no = page._(N_("Yes")), page._(N_("No"))
    found = [(page._(label), yes if chosen.flags[name] else no) for name, label, _ in FLAGS]
    found.append(
        (
            page._(N_("Delete personal data and evidence after the request closes")),
            page._(N_("After %(days)s days"), days=chosen.retention)
            if chosen.retention
            else page._(N_("As your authority's rules say")),
        )
    )
    found.append((page._(N_("Urgent")), yes if chosen.urgent else no))
    found.append(
        (
            page._(N_("Wished deadline")),
            f"{chosen.deadline.replace('T', ' ')} ({page.zone})"
            if chosen.deadline
            else page._(N_("None")),
        )
    )
    return found
