"""The request wizard between two node stacks: every kind and sub-type drafted through the same
pages (the renderer is generic: the steps come from each kind's schema), a problem shown at its
field and in the summary and then corrected, answers kept between steps and across "add
another", check your answers and submission; and neither another authority's officer nor a role
without drafting gets anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from liaison.accounts import service as accounts
from liaison.accounts.schemas import UserCreate
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.requests.contents import RequestKind
from liaison.requests.forms import codes
from liaison.requests.forms.schema import content_schema
from liaison.requests.models import Request
from liaison.requests.wizard import render
from liaison.requests.wizard.new import kind_choices
from liaison.requests.wizard.steps import steps_of
from liaison.web.cookies import LANG
from tests.conftest import PASSWORD
from tests.federation_net import CTX, extra_databases
from tests.request_net import Pair, host_third, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE
from tests.web import Browser, token_of

MAX_PAGE_BYTES = 300_000
ACTION = "wizard_action"
ZONE = "Asia/Ho_Chi_Minh"  # a Vietnamese officer's time zone


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("wizard"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        # An officer of a third authority with every role, and a custodian who drafts nothing.
        host_third(pair, clock, username="th.everything", roles=list(Role))
        node = pair.net.nodes["vn-mps"]
        with node.db.session() as session:
            accounts.create(
                session=session,
                authority_id="vn-mps",
                data=UserCreate(
                    username="vn.custodian",
                    display_name="Vn.Custodian",
                    password=PASSWORD,
                    roles=[Role.custodian],
                ),
                ctx=CTX,
                clock=clock,
            )
            session.commit()
        yield pair


def browser(pair: Pair, username: str) -> Browser:
    authority = "ru-gpo" if username.startswith("ru.") else "vn-mps"
    b = Browser(pair.clients[authority].app)  # type: ignore[arg-type]
    assert b.sign_in(username).status_code == 303
    return b


def shown(b: Browser, path: str) -> str:
    page = b.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    assert len(page.content) < MAX_PAGE_BYTES, (path, len(page.content))
    return page.text


def form_of(found: list[render.Field]) -> dict[str, Any]:
    """What a browser posts for these fields as the page shows them."""
    data: dict[str, Any] = {}
    for f in found:
        if f.widget == "list":
            data[f"{f.name}._n"] = str(len(f.children))
            for item in f.children:
                data |= form_of(item.children)
        elif f.widget in ("group", "freetext"):
            data |= form_of(f.children)
            if f.widget == "freetext":
                data[f"{f.name}.translations._n"] = str(len(f.value))
                for i, (lang, text) in enumerate(f.value):
                    data[f"{f.name}.translations.{i}.language"] = lang
                    data[f"{f.name}.translations.{i}.text"] = text
        else:
            data[f.name] = f.value
    return data


def context(schema: dict[str, Any]) -> render.Context:
    def code_list(name: str) -> list[tuple[str, str]]:
        return [(c["code"], c["label"]) for c in codes.code_list(name, "en")]

    return render.Context(schema.get("$defs", {}), code_list, ["en"], ZONE)


def create(b: Browser, choice: str, to: str = "ru-gpo") -> str:
    page = b.get(f"/requests/new/recipient?kind={choice}")
    assert page.status_code == 200, page.text[:300]
    created = b.client.post(
        "/requests/new", data={"csrf_token": token_of(page.text), "kind": choice, "to": to}
    )
    assert created.status_code == 303, created.text[:500]
    found = re.fullmatch(r"/requests/([0-9a-f-]{36})/edit/case", created.headers["location"])
    assert found, created.headers["location"]
    return found.group(1)


def stored(pair: Pair, request_id: str) -> Request:
    with pair.net.nodes["vn-mps"].db.session() as session:
        request = session.get(Request, ("vn-mps", request_id))
        assert request is not None
        session.expunge(request)
        return request


@pytest.mark.parametrize("choice", [code for code, _, _ in kind_choices("en")])
def test_every_kind_and_subtype_is_drafted_through_the_same_pages(pair: Pair, choice: str) -> None:
    kind, _, subtype = choice.partition(":")
    b = browser(pair, "vn.officer")
    assert f'value="{choice}"' in shown(b, "/requests/new")
    recipients = shown(b, f"/requests/new/recipient?kind={choice}")
    assert 'value="ru-gpo"' in recipients
    assert 'value="th-dsi"' in recipients
    assert 'value="vn-mps"' not in recipients  # never one's own authority
    request_id = create(b, choice)
    # The draft starts with what is known: the authorities and the legal basis.
    assert stored(pair, request_id).content["requesting_authority"]["directory_id"] == "vn-mps"

    schema = content_schema(kind, lang="en", subtype=subtype or None)
    example = dict(COMPLETE[RequestKind(kind)])
    for step in steps_of(schema):
        path = f"/requests/{request_id}/edit/{step.slug}"
        html = shown(b, path)
        if step.slug == "conditions":
            data: dict[str, Any] = {"confidential": "yes", "speciality": "yes"}
        else:
            chosen = {k: schema["properties"][k] for k in step.keys}
            found = render.fields(chosen, "content", example, None, context(schema))
            data = form_of(found)
            # As an officer would: "Add an item" once per item before filling them in.
            counts: dict[str, str] = {}
            for f in (f for f in found if f.widget == "list"):
                for number in range(1, len(f.children) + 1):
                    more = b.client.post(
                        path,
                        data={"csrf_token": token_of(html), **counts, ACTION: f"add:{f.name}"},
                    )
                    assert more.status_code == 200, more.text[:500]
                    counts[f"{f.name}._n"], html = str(number), more.text
            for name in data:
                if not name.endswith("._n") and ".translations." not in name:
                    assert f'name="{name}"' in html, (step.slug, name)
        saved = b.client.post(
            path, data={"csrf_token": token_of(html), "wizard_action": "continue", **data}
        )
        assert saved.status_code == 303, (step.slug, saved.text[:2000])

    request = stored(pair, request_id)
    asked = {k for s in steps_of(schema) for k in s.keys}
    assert {k for k in example if k in asked} <= set(request.content)
    if "facts" in example:
        assert request.content["facts"]["original"] == example["facts"]["original"]
    assert request.conditions["confidential"]
    assert not request.conditions["no_onward_transfer"]
    answers = shown(b, f"/requests/{request_id}/edit")
    assert "Check your answers" in answers
    assert f'href="/requests/{request_id}/edit/case#field-content.case_reference"' in answers


def test_a_problem_is_shown_at_its_field_and_in_the_summary_then_corrected(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    request_id = create(b, "preservation")
    schema = content_schema("preservation", lang="en")
    step = next(s for s in steps_of(schema) if "period_days" in s.keys)
    path = f"/requests/{request_id}/edit/{step.slug}"
    token = token_of(shown(b, path))

    wrong = b.client.post(path, data={"csrf_token": token, "content.period_days": "30"})
    assert wrong.status_code == 422
    assert 'href="#field-content.period_days"' in wrong.text  # in the summary, linking
    assert 'id="field-content.period_days-error"' in wrong.text  # and beside the field
    assert 'value="30"' in wrong.text  # what was typed is still there
    assert stored(pair, request_id).content.get("period_days", 60) == 60  # nothing saved

    # Checked in place (htmx): only the problems come back, nothing is saved.
    checked = b.client.post(
        f"{path}/check",
        data={"csrf_token": token, "content.period_days": "30"},
        headers={"HX-Request": "true"},
    )
    assert checked.status_code == 200
    assert checked.text.lstrip().startswith('<div id="wizard-problems">')
    assert 'href="#field-content.period_days"' in checked.text

    right = b.client.post(path, data={"csrf_token": token, "content.period_days": "90"})
    assert right.status_code == 303
    assert stored(pair, request_id).content["period_days"] == 90
    assert 'value="90"' in shown(b, path)


def test_answers_are_kept_between_steps_and_when_an_item_is_added(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    request_id = create(b, "mla:stored_data")
    facts = f"/requests/{request_id}/edit/facts"
    token = token_of(shown(b, facts))
    typed = {
        "csrf_token": token,
        "content.facts.original": "Phishing site stole bank credentials.",
        "content.facts.original_language": "en",
        "content.facts.translations._n": "1",
        "content.facts.translations.0.language": "ru",
        "content.facts.translations.0.text": "Фишинговый сайт похитил данные.",
    }
    assert b.client.post(facts, data=typed).status_code == 303
    again = shown(b, facts)
    assert "Phishing site stole bank credentials." in again
    assert "Фишинговый сайт похитил данные." in again  # the translation beside the original

    offences = f"/requests/{request_id}/edit/offences"
    added = b.client.post(
        offences,
        data={
            "csrf_token": token,
            "content.offences._n": "1",
            "content.offences.0.code": "serious_crime",
            "content.offences.0.domestic_provision": "Penal Code art. 290",
            "wizard_action": "add:content.offences",
        },
    )
    assert added.status_code == 200
    assert 'value="Penal Code art. 290"' in added.text  # typed, not yet saved, still there
    assert 'name="content.offences.1.domestic_provision"' in added.text
    assert "at least four years" in added.text  # the four-year rule, in plain words


def test_a_complete_preservation_is_checked_and_submitted_for_approval(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    request_id = create(b, "preservation")
    schema = content_schema("preservation", lang="en")
    example = dict(COMPLETE[RequestKind.PRESERVATION])
    for step in steps_of(schema)[:-1]:
        path = f"/requests/{request_id}/edit/{step.slug}"
        chosen = {k: schema["properties"][k] for k in step.keys}
        found = render.fields(chosen, "content", example, None, context(schema))
        saved = b.submit(path, path, **form_of(found))
        assert saved.status_code == 303, saved.text[:1000]
    conditions = f"/requests/{request_id}/edit/conditions"
    kept = {"confidential": "yes", "no_user_notice": "yes", "speciality": "yes"}
    wrong = b.submit(conditions, conditions, **kept, wished_deadline="next week")
    assert wrong.status_code == 422
    assert 'href="#field-wished_deadline"' in wrong.text
    right = b.submit(
        conditions, conditions, **kept, urgent="yes", wished_deadline="2026-03-01T09:00"
    )
    assert right.status_code == 303
    request = stored(pair, request_id)
    assert request.urgent
    assert request.wished_deadline == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    assert request.conditions["no_onward_transfer"] is False  # unticked: relaxed, explicitly
    # Urgent, with a deadline: both need their reasons, which the case step asks.
    case = f"/requests/{request_id}/edit/case"
    answers = shown(b, f"/requests/{request_id}/edit")
    assert f'href="{case}#field-content.urgency_reason"' in answers
    assert f'href="{case}#field-content.deadline_reason"' in answers
    with_reasons = example | {
        "urgency_reason": {"original": "The logs go in 30 days.", "original_language": "en"},
        "deadline_reason": {"original": "Hearing on 2 March.", "original_language": "en"},
    }
    step = steps_of(schema)[0]
    chosen = {k: schema["properties"][k] for k in step.keys}
    found = render.fields(chosen, "content", with_reasons, None, context(schema))
    assert b.submit(case, case, **form_of(found)).status_code == 303
    answers = shown(b, f"/requests/{request_id}/edit")
    assert "Before you can submit" not in answers, answers
    assert f'href="/requests/{request_id}/preview.pdf"' in answers
    preview = b.get(f"/requests/{request_id}/preview.pdf")
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF")
    sent = b.submit(f"/requests/{request_id}/edit", f"/requests/{request_id}/submission")
    assert sent.status_code == 303, sent.text[:1000]
    assert stored(pair, request_id).status == "awaiting_approval"
    # No longer a draft: the wizard is closed to it.
    assert b.get(f"/requests/{request_id}/edit/case").status_code == 409


def test_an_incomplete_draft_lists_what_is_missing_linking_to_its_step(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    request_id = create(b, "preservation")
    answers = shown(b, f"/requests/{request_id}/edit")
    assert "Before you can submit" in answers
    assert f'href="/requests/{request_id}/edit/facts#field-content.facts"' in answers
    refused = b.submit(f"/requests/{request_id}/edit", f"/requests/{request_id}/submission")
    assert refused.status_code == 422
    assert stored(pair, request_id).status == "draft"


def test_another_authority_and_a_role_without_drafting_are_refused(pair: Pair) -> None:
    officer = browser(pair, "vn.officer")
    request_id = create(officer, "preservation")
    third = browser(pair, "th.everything")
    for path in (
        f"/requests/{request_id}/edit",
        f"/requests/{request_id}/edit/case",
        f"/requests/{request_id}/preview.pdf",
    ):
        assert third.get(path).status_code == 404, path
    token = token_of(shown(third, "/requests/new"))
    posted = third.client.post(
        f"/requests/{request_id}/edit/case",
        data={"csrf_token": token, "content.case_reference": "taken over"},
    )
    assert posted.status_code == 404
    assert "taken over" not in str(stored(pair, request_id).content)
    assert 'value="th-dsi"' not in shown(third, "/requests/new/recipient?kind=preservation")

    custodian = browser(pair, "vn.custodian")
    assert custodian.get("/requests/new").status_code == 403
    assert custodian.get(f"/requests/{request_id}/edit/case").status_code == 403


@pytest.mark.parametrize("lang", ["vi", "ar"])
def test_the_questions_and_problems_are_in_the_readers_language(pair: Pair, lang: str) -> None:
    b = browser(pair, "vn.officer")
    b.client.cookies.set(LANG, lang)
    request_id = create(b, "preservation")
    schema = content_schema("preservation", lang=lang)
    case = shown(b, f"/requests/{request_id}/edit/case")
    assert f'lang="{lang}"' in case
    assert str(schema["properties"]["case_reference"]["title"]) in case
    step = next(s for s in steps_of(schema) if "period_days" in s.keys)
    path = f"/requests/{request_id}/edit/{step.slug}"
    wrong = b.submit(path, path, **{"content.period_days": "30"})
    assert wrong.status_code == 422
    b.client.cookies.set(LANG, "en")
    english = b.client.post(
        path, data={"csrf_token": token_of(wrong.text), "content.period_days": "30"}
    )
    message = re.search(r'id="field-content.period_days-error">.*?</span>([^<]+)<', wrong.text)
    assert message, wrong.text[-3000:]
    assert message.group(1).strip() not in english.text  # worded for this reader, not in English
