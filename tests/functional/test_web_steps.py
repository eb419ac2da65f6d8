"""The steps beyond the transition table as pages, between two node stacks: export, forwarding
and authorisation; the preservation's extension and warning; the prosecution's reports. Each
offered exactly to those who may take it, refused to the wrong role and invisible to another
authority; and authorities named by name and State, not by their identifier."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from liaison.audit.models import AuditEntry
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.requests.contents import RequestKind
from liaison.requests.models import DomesticProsecution
from tests.federation_net import extra_databases
from tests.functional.test_preservation_and_due import (
    executed_preservation,
    read,
    refused_for_nationality,
)
from tests.functional.test_request_conditions import executed_mla
from tests.functional.test_requests_flow import approve_and_send, draft
from tests.functional.test_web_pages import browser, steps_offered
from tests.request_net import THIRD_NAME, Pair, host_third, request_pair
from tests.web import Browser

THIRD = f"{THIRD_NAME} (Thailand)"


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("steps"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        host_third(pair, clock, username="th.everything", roles=list(Role))
        yield pair


def _post(b: Browser, page: str, **fields: str) -> httpx.Response:
    """Post the step's answers as confirmed on the "check your answers" page."""
    return b.submit(page, page, answer="confirm", **fields)


def _nothing_for_a_third(pair: Pair, request_id: str, steps: list[str]) -> None:
    third = browser(pair, "th.everything")
    for name in steps:
        page = f"/requests/{request_id}/steps/{name}"
        shown = third.get(page)
        assert shown.status_code == 404, name
        assert request_id not in shown.text
        assert third.submit("/", page).status_code == 404, name


def test_a_response_given_on_its_page_is_signed_and_reaches_the_other_side(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    contact, base = browser(pair, "ru.contact"), f"/requests/{request_id}"
    for step in ("acknowledge", "start", "respond"):
        taken = _post(contact, f"{base}/steps/{step}")
        assert taken.status_code == 303, (step, taken.text[:300])
        pair.deliver()
    assert pair.states(request_id) == ("executed", "executed")
    assert "/response.pdf" in browser(pair, "vn.officer").get(base).text


def test_export_forward_and_authorise_as_forms(pair: Pair) -> None:
    request_id = executed_mla(pair, {"speciality": True, "no_onward_transfer": True})
    base = f"/requests/{request_id}"
    officer, supervisor = browser(pair, "vn.officer"), browser(pair, "vn.supervisor")
    offered = steps_offered(officer.get(base).text, request_id)
    assert "export" in offered
    assert "forward" not in offered  # an officer does not forward
    assert officer.get(f"{base}/steps/forward").status_code == 403
    tried = officer.submit(base, f"{base}/steps/forward", to="th-dsi", note="x", answer="confirm")
    assert tried.status_code == 403  # posted as well as shown

    missing = _post(officer, f"{base}/steps/export", use="other_proceeding", proceeding="")
    assert missing.status_code == 422
    assert 'href="#field-proceeding"' in missing.text
    refused = _post(
        officer, f"{base}/steps/export", use="other_proceeding", proceeding="VN-2026-0099"
    )
    assert refused.status_code == 422
    assert "do not allow this use" in refused.text
    assert "VN-2026-0099" not in refused.text.split("<form")[0]
    with pair.net.nodes["vn-mps"].db.session() as session:
        count = select(func.count()).where(AuditEntry.action == "request:use:refused")
        assert session.scalar(count) == 1  # the refusal is recorded even though nothing else is
    exported = _post(officer, f"{base}/steps/export", use="same_proceeding")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    assert json.loads(exported.text)["response"]["summary"] == "Subscriber data attached."

    form = supervisor.get(f"{base}/steps/forward")
    assert THIRD in form.text  # from the directory, by name and State
    assert 'value="ru-gpo"' not in form.text  # the parties already hold it
    unknown = _post(supervisor, f"{base}/steps/forward", to="xx-none", note="For the case.")
    assert unknown.status_code == 422
    assert 'href="#field-to"' in unknown.text
    barred = _post(supervisor, f"{base}/steps/forward", to="th-dsi", note="For the case.")
    assert barred.status_code == 422
    assert "has not authorised transfer" in barred.text

    ru = browser(pair, "ru.supervisor")
    assert "authorise" in steps_offered(ru.get(base).text, request_id)
    assert officer.get(f"{base}/steps/authorise").status_code == 403
    none = _post(ru, f"{base}/steps/authorise", condition="", to="")
    assert none.status_code == 422
    assert 'href="#field-condition"' in none.text
    granted = _post(ru, f"{base}/steps/authorise", condition="no_onward_transfer", to="th-dsi")
    assert granted.status_code == 303, granted.text
    pair.deliver()
    sent = _post(supervisor, f"{base}/steps/forward", to="th-dsi", note="For the case.")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"{base}?done=forward"
    _nothing_for_a_third(pair, request_id, ["export", "forward", "authorise"])


def test_extension_and_warning_of_a_preservation_as_forms(pair: Pair) -> None:
    request_id = executed_preservation(pair)
    base = f"/requests/{request_id}"
    officer, contact = browser(pair, "vn.officer"), browser(pair, "ru.contact")
    page = officer.get(base).text
    assert "extend" in steps_offered(page, request_id)
    assert "warn" not in steps_offered(page, request_id)
    assert officer.get(f"{base}/steps/warn").status_code == 409
    assert "ru-gpo (Russia)" in page  # named by the directory (its name there is its id)
    before = read(pair, "vn.officer", request_id)["preservation_expiry"]
    for wrong in ("0", "3651", "ten", "-5", "٣"):
        refused = _post(officer, f"{base}/steps/extend", days=wrong)
        assert refused.status_code == 422, wrong
        assert 'href="#field-days"' in refused.text
    extend = f"{base}/steps/extend"
    check = officer.submit(extend, extend, days="30")
    assert check.status_code == 200
    assert "Check your answers" in check.text
    assert '<input type="hidden" name="days" value="30">' in check.text
    change = officer.submit(
        f"{base}/steps/extend", f"{base}/steps/extend", days="30", answer="change"
    )
    assert 'value="30"' in change.text
    assert "Check your answers" not in change.text
    assert read(pair, "vn.officer", request_id)["preservation_expiry"] == before  # nothing sent
    asked = _post(officer, f"{base}/steps/extend", days="30")
    assert asked.status_code == 303, asked.text
    pair.deliver()
    assert read(pair, "vn.officer", request_id)["preservation_expiry"] != before

    assert contact.get(f"{base}/steps/extend").status_code == 409
    empty = _post(contact, f"{base}/steps/warn", text="  ")
    assert empty.status_code == 422
    warned = _post(contact, f"{base}/steps/warn", text="The provider deletes logs after 7 days.")
    assert warned.status_code == 303, warned.text
    pair.deliver()
    assert "The provider deletes logs after 7 days." in officer.get(base).text
    _nothing_for_a_third(pair, request_id, ["extend", "warn"])


def test_prosecution_reports_as_forms(pair: Pair) -> None:
    request_id = refused_for_nationality(pair)
    base = f"/requests/{request_id}"
    ru = browser(pair, "ru.supervisor")
    assert steps_offered(ru.get(base).text, request_id).count("prosecution_submission") == 1
    assert ru.get(f"{base}/steps/prosecution_outcome").status_code == 409  # submission first
    vn = browser(pair, "vn.supervisor")
    assert vn.get(f"{base}/steps/prosecution_submission").status_code == 409
    blank = _post(ru, f"{base}/steps/prosecution_submission", submitted_to="", submitted_at="")
    assert blank.status_code == 422
    assert 'href="#field-submitted_to"' in blank.text
    for day in ("2026-02-30", "2999-01-01"):
        bad = _post(
            ru, f"{base}/steps/prosecution_submission", submitted_to="Moscow", submitted_at=day
        )
        assert bad.status_code == 422, day
        assert 'href="#field-submitted_at"' in bad.text
    done = _post(
        ru,
        f"{base}/steps/prosecution_submission",
        submitted_to="Prosecutor's Office, Moscow",
        submitted_at="",
    )
    assert done.status_code == 303, done.text
    assert ru.get(f"{base}/steps/prosecution_submission").status_code == 409  # once
    outcome = _post(
        ru, f"{base}/steps/prosecution_outcome", outcome="Indicted; trial in June.", decided_at=""
    )
    assert outcome.status_code == 303, outcome.text
    pair.deliver()
    with pair.net.nodes["vn-mps"].db.session() as session:
        record = session.get(DomesticProsecution, ("vn-mps", request_id))
        assert record is not None
        assert record.outcome == "Indicted; trial in June."
    assert re.search(r"Prosecutor(&#39;|')s Office, Moscow", vn.get(base).text)
    _nothing_for_a_third(pair, request_id, ["prosecution_submission", "prosecution_outcome"])
