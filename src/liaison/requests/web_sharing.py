"""The steps that use a request beyond itself, as forms: export for use at home, forwarding to
a third authority, and the authorisation that lifts a condition this side set for one use.
The same service functions as the API's routes (requests.sharing.exports)."""

from __future__ import annotations

import json

from fastapi.responses import Response

from liaison.requests import web_words
from liaison.requests.models import Request
from liaison.requests.offered import Offer, Step
from liaison.requests.sharing import exports
from liaison.requests.sharing.uses import ConditionRefused, Use
from liaison.requests.web_step_forms import Field, Refused, StepForm, Values
from liaison.web.forms import Problems
from liaison.web.pages import Page
from liaison.web.templating import N_

PROCEEDING_LIMIT = 200
NOTE_LIMIT = 5000
EXPORT_USES = {
    Use.same_proceeding.value: N_("In the proceeding the request was made for"),
    Use.other_proceeding.value: N_("In another proceeding"),
}


def _authorities(page: Page, request: Request, name: str, label: str) -> Field:
    """A choice of the directory's authorities, the two parties left out (they hold it)."""
    found = page.authorities.choices(leaving_out=frozenset({request.requesting, request.requested}))
    return Field(
        name,
        "select",
        label,
        hint=page._(N_("From the directory of authorities.")),
        options=(("", page._(N_("Choose an authority")), None), *((i, n, None) for i, n in found)),
        limit=64,
    )


def _known(page: Page, request: Request, value: str) -> bool:
    leaving_out = frozenset({request.requesting, request.requested})
    return value in {i for i, _ in page.authorities.choices(leaving_out=leaving_out)}


# Export


def _export_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    return [
        Field(
            "use",
            "radios",
            page._(N_("Where will the results be used?")),
            options=tuple((v, page._(label), None) for v, label in EXPORT_USES.items()),
            limit=32,
        ),
        Field(
            "proceeding",
            "input",
            page._(N_("Reference of the other proceeding")),
            hint=page._(N_("Only for use in another proceeding.")),
            limit=PROCEEDING_LIMIT,
        ),
    ]


def _export_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    if values["use"] not in EXPORT_USES:
        problems.add("use", page._(N_("Choose where the results will be used")))
    elif values["use"] == Use.other_proceeding.value and not values["proceeding"]:
        problems.add("proceeding", page._(N_("Enter the reference of the other proceeding")))


def _export_take(page: Page, request: Request, values: Values) -> Response:
    use = Use(values["use"])
    try:
        bundle = exports.export(
            session=page.session,
            request=request,
            user=page.user,
            use=use,
            proceeding=values["proceeding"] if use is Use.other_proceeding else None,
            ctx=page.ctx,
            clock=page.node.clock,
        )
    except ConditionRefused:
        raise Refused(
            "use",
            page._(N_("The other side's conditions do not allow this use without its consent")),
        ) from None
    # The export itself: the request and its results, as the API gives them, to keep at home.
    return Response(
        json.dumps(bundle, ensure_ascii=False, indent=1, default=str),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="request-{request.id}.json"'},
    )


# Forward


def _forward_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    return [
        _authorities(page, request, "to", page._(N_("Which authority should receive it?"))),
        Field(
            "note",
            "textarea",
            page._(N_("Why it is forwarded")),
            hint=page._(N_("Sent to that authority with the request.")),
            limit=NOTE_LIMIT,
        ),
    ]


def _forward_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    if not _known(page, request, values["to"]):
        problems.add("to", page._(N_("Choose an authority from the list")))
    if not values["note"]:
        problems.add("note", page._(N_("Say why the request is forwarded")))


def _forward_take(page: Page, request: Request, values: Values) -> None:
    try:
        exports.forward(
            session=page.session,
            request=request,
            user=page.user,
            to=values["to"],
            note=values["note"],
            ctx=page.ctx,
            clock=page.node.clock,
        )
    except ConditionRefused:
        raise Refused(
            "to", page._(N_("The other side has not authorised transfer to this authority"))
        ) from None


# Authorise


def _authorise_fields(page: Page, request: Request, found: Offer) -> list[Field]:
    fields = [
        Field(
            "condition",
            "radios",
            page._(N_("Which condition do you lift, for one use?")),
            options=tuple((c, page._(web_words.CONDITIONS[c]), None) for c in found.conditions),
            limit=32,
        )
    ]
    if "no_onward_transfer" in found.conditions:
        label = page._(N_("Transfer allowed to"))
        fields.append(_authorities(page, request, "to", label))
    if "speciality" in found.conditions:
        fields.append(
            Field(
                "proceeding",
                "input",
                page._(N_("Use allowed in the proceeding")),
                hint=page._(N_("Its reference.")),
                limit=PROCEEDING_LIMIT,
            )
        )
    return fields


def _authorise_check(
    page: Page, request: Request, found: Offer, values: Values, problems: Problems
) -> None:
    condition = values["condition"]
    if condition not in found.conditions:
        problems.add("condition", page._(N_("Choose a condition from the list")))
    elif condition == "no_onward_transfer" and not _known(page, request, values["to"]):
        problems.add("to", page._(N_("Choose an authority from the list")))
    elif condition == "speciality" and not values["proceeding"]:
        problems.add("proceeding", page._(N_("Enter the reference of the proceeding")))


def _authorise_take(page: Page, request: Request, values: Values) -> None:
    condition = values["condition"]
    exports.authorise(
        session=page.session,
        request=request,
        user=page.user,
        condition=condition,
        value=values.get("to" if condition == "no_onward_transfer" else "proceeding", ""),
        ctx=page.ctx,
        clock=page.node.clock,
    )


FORMS = {
    Step.export: StepForm(_export_fields, _export_check, _export_take),
    Step.forward: StepForm(_forward_fields, _forward_check, _forward_take),
    Step.authorise: StepForm(_authorise_fields, _authorise_check, _authorise_take),
}
