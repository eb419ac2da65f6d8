"""The steps that ask more than a reason: each says which fields it asks (`Field`), checks what
was posted (problems in the reader's language, never echoing the input), shows the answers to
check with what will be sent, and only then calls its service. web_sharing and web_reports
define them; web_actions routes to them once requests.offered has offered the step to the
reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi.responses import Response

from liaison.core.errors import Conflict, InvalidInput
from liaison.requests import web_words
from liaison.requests.models import Request
from liaison.requests.offered import Offer
from liaison.web.forms import Problems
from liaison.web.pages import Page
from liaison.web.templating import N_


@dataclass(frozen=True)
class Field:
    name: str
    kind: Literal["radios", "select", "input", "textarea"]
    label: str  # in the reader's language
    hint: str | None = None
    # radios: (value, label, note or None); select: (value, label, None).
    options: tuple[tuple[str, str, str | None], ...] = ()
    limit: int = 300
    width: str | None = None
    inputmode: str | None = None

    def shown(self, value: str) -> str:
        """The answer as the reader chose it: an option by its label."""
        if not value:
            return ""
        return next((label for v, label, _ in self.options if v == value), value)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """A select's options as (value, label)."""
        return [(value, label) for value, label, _ in self.options]


class Refused(Exception):
    """What the service refused, said about one field (its message already translated)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


Values = dict[str, str]


@dataclass(frozen=True)
class StepForm:
    fields: Callable[[Page, Request, Offer], list[Field]]
    # Adds a problem per field that is wrong; the values are trimmed and cut at their limit.
    check: Callable[[Page, Request, Offer, Values, Problems], None]
    # Takes the step (raising Refused for the service's refusal); a response to send instead
    # of the redirect to the request page (a download), or None.
    take: Callable[[Page, Request, Values], Response | None]


def too_long(page: Page, field: Field, values: Values, problems: Problems) -> None:
    if len(values.get(field.name, "")) > field.limit:
        problems.add(
            field.name,
            page._(
                N_("Shorten this to at most %(count)s characters"),
                count=page.fmt.number(field.limit),
            ),
        )


def _render(
    page: Page,
    request: Request,
    found: Offer,
    form: StepForm,
    *,
    values: Values,
    problems: Problems,
    status: int = 200,
    checking: bool = False,
) -> Response:
    page.nav = "incoming" if request.requested == page.user.authority_id else "outgoing"
    return page.render(
        "requests/step_form.html",
        status=status,
        request=request,
        offer=found,
        fields=form.fields(page, request, found),
        values=values,
        problems=problems,
        words=web_words,
        checking=checking,
    )


def show(page: Page, request: Request, found: Offer, form: StepForm) -> Response:
    return _render(page, request, found, form, values={}, problems=Problems())


def post(page: Page, request: Request, found: Offer, form: StepForm) -> Response:
    fields = form.fields(page, request, found)
    values = {f.name: page.field(f.name, f.limit) for f in fields}
    problems = Problems()
    for f in fields:
        too_long(page, f, values, problems)
    form.check(page, request, found, values, problems)
    if problems:
        return _render(page, request, found, form, values=values, problems=problems, status=422)
    if page.field("answer", 16) != "confirm":
        # "Check your answers" first; "change" goes back to the form, the answers kept.
        checking = page.field("answer", 16) != "change"
        return _render(
            page, request, found, form, values=values, problems=problems, checking=checking
        )
    try:
        sent = form.take(page, request, values)
    except Refused as exc:
        # Refusals that keep their audit entry (a use the conditions forbid) are not rolled back.
        problems.add(exc.name, exc.message)
        return _render(page, request, found, form, values=values, problems=problems, status=422)
    except (InvalidInput, Conflict) as exc:
        # The service's own sentence; nothing was written.
        page.session.rollback()
        problems.add(fields[0].name, exc.message)
        return _render(page, request, found, form, values=values, problems=problems, status=422)
    return sent or page.redirect(f"/requests/{request.id}?done={found.step.value}")
