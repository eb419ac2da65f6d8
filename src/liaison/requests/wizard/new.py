"""A new request, in two questions: what kind (and sub-type) of request, then to whom (and, for
a follow-up, the preservation it follows). Answering the second creates the draft, which the
steps then fill in (liaison.requests.wizard.edit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import ValidationError

from liaison.core.errors import InvalidInput
from liaison.core.permissions import Permission
from liaison.requests import service
from liaison.requests.forms import codes
from liaison.requests.forms.schema import content_schema
from liaison.requests.schemas import RequestCreate
from liaison.requests.wizard import drafts
from liaison.requests.wizard.steps import prefilled, steps_of
from liaison.web.forms import Problems
from liaison.web.pages import Page, form_for, page_for
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
# Drafting a request needs what POST /api/v1/requests needs.
Drafter = Annotated[Page, Depends(page_for(Permission.request_draft))]
DraftForm = Annotated[Page, Depends(form_for(Permission.request_draft))]
Choice = Annotated[str, Query(max_length=80)]
REFERENCE_LIMIT = 200


def kind_choices(lang: str) -> list[tuple[str, str, list[int]]]:
    """Each kind, or each of its sub-types (an MLA is always of one), with its articles."""
    found: list[tuple[str, str, list[int]]] = []
    for kind in codes.request_kinds(lang):
        if kind["code"] != "mla":
            found.append((kind["code"], kind["label"], kind["articles"]))
        for sub in kind.get("subtypes", []):
            label = f"{kind['label']}: {sub['label']}"
            found.append((f"{kind['code']}:{sub['code']}", label, sub["articles"]))
    return found


def _kind(value: str) -> tuple[str, str | None] | None:
    if value not in {code for code, _, _ in kind_choices("en")}:
        return None
    kind, _, subtype = value.partition(":")
    return kind, subtype or None


def _start(page: Page, problems: Problems, chosen: str = "", status: int = 200) -> Response:
    page.nav = "new"
    return page.render(
        "requests/wizard/start.html",
        status=status,
        problems=problems,
        choices=[
            (code, label, page._(N_("Articles %(articles)s"), articles=", ".join(map(str, arts))))
            for code, label, arts in kind_choices(page.lang)
        ],
        chosen=chosen,
    )


@router.get("/requests/new")
def start(page: Drafter) -> Response:
    """What kind of request. Permission: request:request:draft."""
    return _start(page, Problems())


def _recipient_page(
    page: Page, kind: str, problems: Problems, *, status: int = 200, **chosen: str
) -> Response:
    parsed = _kind(kind)
    if parsed is None:
        raise InvalidInput("no such kind of request")
    found = drafts.recipients(session=page.session, user=page.user)
    labels = {c["code"]: c["label"] for c in codes.code_list("languages", page.lang)}
    states = {c["code"]: c["label"] for c in codes.code_list("states", page.lang)}
    options = []
    for r in found:
        note = page._(
            N_("%(state)s. Accepts: %(languages)s."),
            state=states.get(r.state, r.state),
            languages=", ".join(labels.get(lang, lang) for lang in r.languages),
        )
        if r.contact_24_7:
            note += " " + page._(N_("A 24/7 point of contact."))
        options.append((r.id, page.authority_name(r.names, r.id), note))
    follows: list[tuple[str, str]] = []
    if parsed[0] == "mla":
        follows = [
            (p.id, f"{p.reference or p.id} → {page.authorities(p.requested)}")
            for p in drafts.preservations(session=page.session, user=page.user)
        ]
    page.nav = "new"
    return page.render(
        "requests/wizard/recipient.html",
        status=status,
        problems=problems,
        kind=kind,
        kind_label=next(label for code, label, _ in kind_choices(page.lang) if code == kind),
        options=options,
        follows=follows,
        chosen={"to": "", "linked_request": "", "reference": "", **chosen},
    )


@router.get("/requests/new/recipient")
def choose_recipient(page: Drafter, kind: Choice = "") -> Response:
    """To whom: the authorities this request can reach, with their State, accepted languages
    and whether each is a 24/7 point of contact. Permission: request:request:draft."""
    if _kind(kind) is None:
        problems = Problems()
        problems.add("kind", page._(N_("Choose the kind of request")))
        return _start(page, problems, status=422)
    return _recipient_page(page, kind, Problems())


@router.post("/requests/new")
def create(page: DraftForm) -> Response:
    """Create the draft, its contents started with what is already known. Permission:
    request:request:draft."""
    kind_value = page.field("kind", 80)
    parsed = _kind(kind_value)
    if parsed is None:
        problems = Problems()
        problems.add("kind", page._(N_("Choose the kind of request")))
        return _start(page, problems, status=422)
    kind, subtype = parsed
    to, linked = page.field("to", 100), page.field("linked_request", 40)
    reference = page.field("reference", REFERENCE_LIMIT)
    chosen = {"to": to, "linked_request": linked, "reference": reference}
    problems = Problems()
    target = drafts.recipient(session=page.session, user=page.user, authority_id=to)
    if target is None:
        problems.add("to", page._(N_("Choose the authority the request goes to")))
    if len(reference) > REFERENCE_LIMIT:
        problems.add("reference", page._(N_("Shorten the reference to at most 200 characters")))
    if problems or target is None:
        return _recipient_page(page, kind_value, problems, status=422, **chosen)
    own = page.user.authority
    content = prefilled(
        content_schema(kind, lang=page.lang, subtype=subtype),
        kind=kind,
        subtype=subtype,
        own={
            "name": page.authority_name(own.names, own.id),
            "state": own.state,
            "directory_id": own.id,
        },
        recipient={
            "name": page.authority_name(target.names, target.id),
            "state": target.state,
            "directory_id": target.id,
        },
    )
    body: dict[str, Any] = {
        "kind": kind,
        "subtype": subtype,
        "to": to,
        "language": page.lang,
        "reference": reference,
        "content": content,
        "linked_request": linked or None,
    }
    try:
        draft = RequestCreate.model_validate(body)
        request = service.create_draft(
            session=page.session,
            user=page.user,
            draft=draft,
            ctx=page.ctx,
            clock=page.node.clock,
            lang=page.lang,
        )
    except ValidationError:
        problems.add("linked_request", page._(N_("Choose a preservation from the list")))
        return _recipient_page(page, kind_value, problems, status=422, **chosen)
    except InvalidInput as exc:
        page.session.rollback()
        for p in exc.problems:
            problems.add(p.path if p.path in chosen else "to", p.message)
        if not problems:
            problems.add("to", exc.message)
        return _recipient_page(page, kind_value, problems, status=422, **chosen)
    first = steps_of(content_schema(kind, lang=page.lang, subtype=subtype))[0]
    return page.redirect(f"/requests/{request.id}/edit/{first.slug}")
