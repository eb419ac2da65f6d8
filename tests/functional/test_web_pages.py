"""The pages of the web interface between two node stacks: sign-in and its second factor, the
session's end, the dashboard, lists and search, the request page with exactly the steps its
reader may take, the steps themselves as forms, notifications; and, for every page, that an
officer of another authority on the same node sees nothing of the request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.requests.contents import RequestKind
from tests.federation_net import extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft
from tests.request_net import Pair, host_third, request_pair
from tests.web import Browser, token_of

SECRET = re.compile(r'<p class="secret" dir="ltr"><code>([A-Z2-7 ]+)</code></p>')


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("web"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        host_third(pair, clock, username="th.everything", roles=list(Role))
        yield pair


def browser(pair: Pair, username: str) -> Browser:
    authority = "ru-gpo" if username.startswith("ru.") else "vn-mps"
    b = Browser(pair.clients[authority].app)  # type: ignore[arg-type]
    signed = b.sign_in(username)
    assert signed.status_code == 303, signed.text
    return b


def steps_offered(html: str, request_id: str) -> list[str]:
    return re.findall(rf'href="/requests/{request_id}/steps/([a-z_]+)"', html)


def test_sign_in_shows_authority_and_role_and_sign_out_ends_the_session(pair: Pair) -> None:
    b = Browser(pair.clients["vn-mps"].app)  # type: ignore[arg-type]
    assert b.get("/").headers["location"] == "/sign-in"
    wrong = b.sign_in("vn.officer", password="not the password")
    assert wrong.status_code == 401
    assert "The username, password or code is not right" in wrong.text
    assert 'href="#field-username"' in wrong.text  # the error summary links to the field
    assert b.sign_in("vn.officer").status_code == 303
    home = b.get("/")
    assert home.status_code == 200
    assert 'class="identity-authority"' in home.text
    assert "Officer" in home.text
    out = b.submit("/", "/sign-out")
    assert out.status_code == 303
    assert b.get("/").headers["location"] == "/sign-in"


def test_forms_without_the_sessions_token_are_refused(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    refused = b.client.post("/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert b.get("/").status_code == 200  # still signed in: nothing was done


def test_pages_carry_a_strict_csp_and_no_inline_script_or_style(pair: Pair) -> None:
    b = browser(pair, "vn.officer")
    request_id = draft(pair, RequestKind.PRESERVATION)
    for path in ("/", "/requests/outgoing", f"/requests/{request_id}", "/notifications"):
        page = b.get(path)
        assert page.status_code == 200, path
        policy = page.headers["content-security-policy"]
        assert "unsafe-inline" not in policy, policy
        assert "script-src 'self'" in policy, policy
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
        assert not re.search(r"<style|\sstyle=", page.text), path


def test_idle_session_ends(pair: Pair, clock: FakeClock) -> None:
    b = browser(pair, "vn.officer")
    assert b.get("/").status_code == 200
    minutes = pair.net.nodes["vn-mps"].settings.web_idle_minutes
    clock.advance(timedelta(minutes=minutes + 1))
    ended = b.get("/requests/outgoing")
    assert ended.status_code == 303
    assert ended.headers["location"].startswith("/sign-in?next=")


def test_second_factor_enrolled_by_code_then_required_at_sign_in(
    pair: Pair, clock: FakeClock
) -> None:
    b = browser(pair, "vn.officer")
    form = b.get("/account/two-factor")
    assert 'src="data:image/svg+xml' in form.text  # the QR code, drawn here, not fetched
    found = SECRET.search(form.text)
    assert found
    secret = found.group(1).replace(" ", "")
    wrong = b.client.post(
        "/account/two-factor",
        data={
            "csrf_token": token_of(form.text),
            "pending": re.findall(r'name="pending" value="([^"]+)"', form.text)[0],
            "code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
        },
    )
    assert wrong.status_code == 422
    pending = re.findall(r'name="pending" value="([^"]+)"', form.text)[0]
    done = b.client.post(
        "/account/two-factor",
        data={"csrf_token": token_of(form.text), "pending": pending, "code": _code(pair, secret)},
    )
    assert done.status_code == 303, done.text
    other = Browser(pair.clients["vn-mps"].app)  # type: ignore[arg-type]
    assert other.sign_in("vn.officer").status_code == 401
    clock.advance(timedelta(seconds=30))  # a code is good once: the next one
    assert other.sign_in("vn.officer", code=_code(pair, secret)).status_code == 303


def _code(pair: Pair, secret: str) -> str:
    return pyotp.TOTP(secret).at(pair.net.nodes["vn-mps"].clock.now())


def test_lists_filter_search_and_sort(pair: Pair) -> None:
    preservation = draft(pair, RequestKind.PRESERVATION)
    mla = draft(pair, RequestKind.MLA, subtype="stored_data", reference="VN-2026-0099")
    b = browser(pair, "vn.officer")
    everything = b.get("/requests/outgoing")
    assert preservation in everything.text
    assert mla in everything.text
    assert "2 requests" in everything.text
    only = b.get("/requests/outgoing", params={"kind": "mla"})
    assert mla in only.text
    assert preservation not in only.text
    searched = b.get("/requests/outgoing", params={"q": "0099"})
    assert mla in searched.text
    assert preservation not in searched.text
    assert b.get("/requests/incoming").text.count("/requests/") < everything.text.count(
        "/requests/"
    )
    assert b.get("/requests/outgoing", params={"sort": "due"}).status_code == 200
    assert b.get("/requests/outgoing", params={"kind": "nonsense"}).status_code == 400
    assert b.get("/requests/outgoing", params={"page": "0"}).status_code == 400


def test_request_page_offers_exactly_the_readers_steps_and_takes_them(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    officer, supervisor = browser(pair, "vn.officer"), browser(pair, "vn.supervisor")
    page = f"/requests/{request_id}"
    assert steps_offered(officer.get(page).text, request_id) == ["submit"]
    submitted = officer.submit(f"{page}/steps/submit", f"{page}/steps/submit")
    assert submitted.status_code == 303, submitted.text
    # Four eyes: the drafter has nothing to do now; the supervisor may approve or return.
    assert steps_offered(officer.get(page).text, request_id) == []
    assert officer.get(f"{page}/steps/approve").status_code == 403
    assert sorted(steps_offered(supervisor.get(page).text, request_id)) == ["approve", "return"]
    no_reason = supervisor.submit(f"{page}/steps/return", f"{page}/steps/return", reason="")
    assert no_reason.status_code == 422
    assert 'href="#field-reason"' in no_reason.text
    approved = supervisor.submit(f"{page}/steps/approve", f"{page}/steps/approve")
    assert approved.status_code == 303, approved.text
    sent = officer.submit(f"{page}/steps/send", f"{page}/steps/send")
    assert sent.status_code == 303, sent.text
    pair.deliver()
    assert "receipt signed and verified" in officer.get(page).text
    contact = browser(pair, "ru.contact")
    arrived = contact.get(page)
    assert "signature verified" in arrived.text
    assert "acknowledge" in steps_offered(arrived.text, request_id)
    acked = contact.submit(f"{page}/steps/acknowledge", f"{page}/steps/acknowledge")
    assert acked.status_code == 303, acked.text
    assert pair.states(request_id)[1] == "acknowledged"
    # A step not open now is refused, and changes nothing.
    again = contact.submit(page, f"{page}/steps/acknowledge")
    assert again.status_code == 409
    assert pair.states(request_id)[1] == "acknowledged"


def test_new_arrival_is_notified_with_a_count_in_the_header(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    contact = browser(pair, "ru.contact")
    home = contact.get("/")
    assert "1 unread notification" in home.text
    assert request_id in home.text  # urgent and 24/7, and received
    listed = contact.get("/notifications")
    assert f'href="/requests/{request_id}"' in listed.text
    note = re.findall(r'action="/notifications/(\d+)/read"', listed.text)[0]
    read = contact.submit("/notifications", f"/notifications/{note}/read")
    assert read.status_code == 303
    assert "0 unread notifications" in contact.get("/notifications/count").text


def test_an_officer_of_another_authority_sees_nothing(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION, reference="VN-SECRET-7")
    approve_and_send(pair, request_id)
    pair.deliver()
    owner = browser(pair, "vn.officer")
    assert owner.get(f"/requests/{request_id}").status_code == 200
    third = browser(pair, "th.everything")
    page = f"/requests/{request_id}"
    for path in (page, f"{page}/steps/submit", f"{page}/steps/consult", f"{page}/document.pdf"):
        shown = third.get(path)
        assert shown.status_code == 404, path
        assert request_id not in shown.text
        assert "VN-SECRET" not in shown.text
    posted = third.submit("/", f"{page}/steps/consult", reason="hello")
    assert posted.status_code == 404
    for direction in ("incoming", "outgoing"):
        for query in ({}, {"q": "VN-SECRET-7"}, {"q": "secret"}, {"status": "sent"}):
            listed = third.get(f"/requests/{direction}", params=query)
            assert listed.status_code == 200
            assert "0 requests" in listed.text, (direction, query)
            assert request_id not in listed.text
    home = third.get("/")
    assert request_id not in home.text
    assert "VN-SECRET" not in home.text
    assert "None." in home.text  # no count per state
    assert "0 unread notifications" in third.get("/notifications/count").text
