"""The steps that report to the other side without changing the request's state, as forms: the
extension of a preservation and the warning that its data may not remain available (art. 42),
and the domestic prosecution a refused extradition obliges (art. 37). The same service
functions as the API's routes (requests.preservation.service, requests.prosecution.service).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from liaison.requests.models import Request
from liaison.requests.offered import Offer, Step
from liaison.requests.preservation import service as preservation
from liaison.requests.preservation.service import MAX_EXTENSION_DAYS
from liaison.requests.prosecution import service as prosecution
from liaison.requests.web_step_forms import Field, StepForm, Values
from liaison.web.forms import Problems
from liaison.web.pages import Page
from liaison.web.templating import N_

WARNING_LIMIT = 5000
OUTCOME_LIMIT = 20_000
AUTHORITY_LIMIT = 300


def _day(page: Page, value: str) -> datetime:
    """A date written as 2026-12-01, as the start of that day in the reader's time zone."""
    return datetime.combine(date.fromisoformat(value), time(0), tzinfo=ZoneInfo(page.zone))


def _check_day(page: Page, name: str, values: Values, problems: Problems) -> None:
    if not values[name]:
        return
    try:
        when = _day(page, values[name])
    except ValueError:
        problems.add(name, page._(N_("Enter a real date, for example 2026-12-01")))
        return
    if when > page.node.clock.now():
        problems.add(name, page._(N_("The date cannot be in the future")))


def _date_field(page: Page, name: str, label: str) -> Field:
    return Field(
        name,
        "input",
        label,
        hint=page._(N_("For example 2026-12-01. Leave it empty for today.")),
        limit=10,
        width="20",
        inputmode="numeric",
    )


# Extension of a preservation


def _extend_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    hint = page._(
        N_("From 1 to %(most)s days, added to the present end of the preservation (%(end)s)."),
        most=page.fmt.number(MAX_EXTENSION_DAYS),
        end=page.fmt.day(request.preservation_expiry),
    )
    return [
        Field(
            "days",
            "input",
            page._(N_("By how many days?")),
            hint=hint,
            limit=8,
            width="5",
            inputmode="numeric",
        )
    ]


def _extend_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    days = values["days"]
    if not (days.isascii() and days.isdigit()) or not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        problems.add(
            "days",
            page._(
                N_("Enter a whole number of days from 1 to %(most)s"),
                most=page.fmt.number(MAX_EXTENSION_DAYS),
            ),
        )


def _extend_take(page: Page, request: Request, values: Values) -> None:
    preservation.request_extension(
        session=page.session,
        request=request,
        user=page.user,
        days=int(values["days"]),
        ctx=page.ctx,
        clock=page.node.clock,
    )


# Warning that the data may not remain available


def _warn_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    return [
        Field(
            "text",
            "textarea",
            page._(N_("Why may the data not remain available?")),
            hint=page._(N_("Sent to the requesting authority at once.")),
            limit=WARNING_LIMIT,
        )
    ]


def _warn_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    if not values["text"]:
        problems.add("text", page._(N_("Say why the data may not remain available")))


def _warn_take(page: Page, request: Request, values: Values) -> None:
    preservation.warn_unavailable(
        session=page.session,
        request=request,
        user=page.user,
        text=values["text"],
        ctx=page.ctx,
        clock=page.node.clock,
    )


# Prosecution: the submission, then the outcome


def _submission_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    return [
        Field(
            "submitted_to",
            "input",
            page._(N_("Which of your authorities was the case submitted to?")),
            hint=page._(N_("For example the prosecutor's office and its city.")),
            limit=AUTHORITY_LIMIT,
        ),
        _date_field(page, "submitted_at", page._(N_("When was it submitted?"))),
    ]


def _submission_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    if not values["submitted_to"]:
        problems.add("submitted_to", page._(N_("Name the authority the case was submitted to")))
    _check_day(page, "submitted_at", values, problems)


def _submission_take(page: Page, request: Request, values: Values) -> None:
    prosecution.record_submission(
        session=page.session,
        request=request,
        user=page.user,
        submitted_to=values["submitted_to"],
        submitted_at=_day(page, values["submitted_at"]) if values["submitted_at"] else None,
        ctx=page.ctx,
        clock=page.node.clock,
    )


def _outcome_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    return [
        Field(
            "outcome",
            "textarea",
            page._(N_("What did your authorities decide?")),
            hint=page._(N_("For example a conviction and its sentence, or why the case ended.")),
            limit=OUTCOME_LIMIT,
        ),
        _date_field(page, "decided_at", page._(N_("When was it decided?"))),
    ]


def _outcome_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    if not values["outcome"]:
        problems.add("outcome", page._(N_("Say what the outcome was")))
    _check_day(page, "decided_at", values, problems)


def _outcome_take(page: Page, request: Request, values: Values) -> None:
    prosecution.record_outcome(
        session=page.session,
        request=request,
        user=page.user,
        outcome=values["outcome"],
        decided_at=_day(page, values["decided_at"]) if values["decided_at"] else None,
        ctx=page.ctx,
        clock=page.node.clock,
    )


FORMS = {
    Step.extend: StepForm(_extend_fields, _extend_check, _extend_take),
    Step.warn: StepForm(_warn_fields, _warn_check, _warn_take),
    Step.prosecution_submission: StepForm(_submission_fields, _submission_check, _submission_take),
    Step.prosecution_outcome: StepForm(_outcome_fields, _outcome_check, _outcome_take),
}
