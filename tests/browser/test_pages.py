"""The web interface in a real browser (Debian's chromium through Playwright): sign-in with the
keyboard alone, every main page without a console error or a CSP violation, each under
300 KB with its assets, axe-core finding no serious or critical violation, a request taken
through its steps by clicking, the right-to-left layout, every main page in ru, vi, ar and zh
with no untranslated message; and screenshots of the main pages
into docs/screenshots/ when WEB_SCREENSHOTS is set (`make screenshots`; not LIAISON_*, which
the suite's `env` fixture clears).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
from tests.conftest import PASSWORD, Factory, system_ctx
from tests.unit.requests.test_request_kinds import COMPLETE, RequestKind

from liaison.accounts.models import User
from liaison.core.permissions import Role
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.schemas import RequestCreate
from liaison.web import templating

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_PAGE_BYTES = 300_000


@dataclass
class Watch:
    """What a browser tab complained about, and how much it fetched."""

    errors: list[str] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)

    def console(self, message: ConsoleMessage) -> None:
        # A CSP violation is reported on the console as an error, like any script error.
        if message.type == "error":
            self.errors.append(message.text)

    def response(self, response: Response) -> None:
        try:
            self.fetched[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - a redirect has no body to measure
            self.fetched[response.url] = 0


@dataclass
class World:
    base: str
    request_id: str


@pytest.fixture
def world(node: Node, factory: Factory, live: str) -> World:
    factory.authority("vn-mps", "VN")
    factory.authority("de-bfj", "DE")
    officer = factory.user("vn.officer", "vn-mps", Role.officer)
    factory.user("vn.supervisor", "vn-mps", Role.supervisor)
    with node.db.session() as session:
        request = requests.create_draft(
            session=session,
            user=session.get_one(User, officer.id),
            draft=RequestCreate(
                kind="preservation",
                to="de-bfj",
                language="en",
                reference="VN-2026-0042",
                content=COMPLETE[RequestKind.PRESERVATION],
            ),
            ctx=system_ctx(),
            clock=node.clock,
        )
        session.commit()
        request_id = request.id
    return World(live, request_id)


def _tab(context: BrowserContext) -> tuple[Page, Watch]:
    page, watch = context.new_page(), Watch()
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("response", watch.response)
    return page, watch


def _sign_in_with_the_keyboard(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.keyboard.press("Tab")  # the skip link first
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.focus("#field-username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def _axe(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol, not as a script of the page: its CSP stays on.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return [str(v) for v in found]


def _pages(world: World) -> dict[str, str]:
    request = f"/requests/{world.request_id}"
    return {
        "dashboard": "/",
        "outgoing": "/requests/outgoing",
        "incoming": "/requests/incoming",
        "search": "/requests/outgoing?q=phishing",
        "request": request,
        "step": f"{request}/steps/submit",
        "notifications": "/notifications",
        "account": "/account",
        "two-factor": "/account/two-factor",
        "settings": "/settings",
    }


def test_main_pages_have_no_error_no_csp_violation_and_no_serious_axe_finding(
    world: World, context: BrowserContext
) -> None:
    page, watch = _tab(context)
    _sign_in_with_the_keyboard(page, world.base, "vn.officer")
    problems = {}
    for name, path in _pages(world).items():
        watch.fetched.clear()
        page.goto(world.base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "en"
        size = sum(watch.fetched.values())
        assert size < MAX_PAGE_BYTES, (name, size, watch.fetched)
        found = _axe(page)
        if found:
            problems[name] = found
        if os.environ.get("WEB_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"en-{name}.png"), full_page=True)
    assert not problems, json.dumps(problems, indent=1)
    assert not watch.errors, watch.errors


def test_a_draft_taken_to_approval_by_clicking(world: World, chromium: Browser) -> None:
    officer_context = chromium.new_context()
    supervisor_context = chromium.new_context()
    try:
        officer, officer_watch = _tab(officer_context)
        _sign_in_with_the_keyboard(officer, world.base, "vn.officer")
        officer.get_by_role("link", name="Outgoing").first.click()
        officer.get_by_role("link", name="VN-2026-0042").click()
        officer.get_by_role("link", name="Submit for approval").click()
        officer.get_by_role("button", name="Submit for approval").click()
        officer.wait_for_url(f"{world.base}/requests/{world.request_id}?done=submit")
        assert officer.get_by_role("status").first.is_visible()
        assert officer.locator(".actions a.button").count() == 0  # four eyes: nothing for them
        supervisor, supervisor_watch = _tab(supervisor_context)
        _sign_in_with_the_keyboard(supervisor, world.base, "vn.supervisor")
        assert supervisor.get_by_role("link", name="VN-2026-0042").first.is_visible()
        supervisor.get_by_role("link", name="VN-2026-0042").first.click()
        supervisor.get_by_role("link", name="Return to the drafter").click()
        supervisor.get_by_role("button", name="Return to the drafter").click()
        # No reason: the error summary, its link to the field, the field marked.
        summary = supervisor.locator(".error-summary")
        assert summary.is_visible()
        summary.get_by_role("link").click()
        assert supervisor.evaluate("document.activeElement.id") == "field-reason"
        supervisor.keyboard.type("Add the provider's address, please.")
        supervisor.get_by_role("button", name="Return to the drafter").click()
        supervisor.wait_for_url(f"{world.base}/requests/{world.request_id}?done=return")
        assert "Add the provider's address, please." in supervisor.content()
        if os.environ.get("WEB_SCREENSHOTS"):
            supervisor.screenshot(path=str(SHOTS / "en-request-timeline.png"), full_page=True)
        assert not officer_watch.errors, officer_watch.errors
        # The form sent back with its problems answers 422, which the console reports once.
        expected = "Failed to load resource: the server responded with a status of 422"
        assert [e for e in supervisor_watch.errors if not e.startswith(expected)] == []
        assert len(supervisor_watch.errors) == 1, supervisor_watch.errors
    finally:
        officer_context.close()
        supervisor_context.close()


def test_arabic_mirrors_the_layout(world: World, context: BrowserContext) -> None:
    page, watch = _tab(context)
    _sign_in_with_the_keyboard(page, world.base, "vn.officer")
    page.goto(f"{world.base}/language?set=ar&next=/requests/outgoing")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    # Logical properties: the brand sits at the right edge, the identity at the left.
    brand = page.locator(".brand").bounding_box()
    identity = page.locator(".identity").bounding_box()
    assert brand is not None
    assert identity is not None
    assert brand["x"] > identity["x"]
    assert not watch.errors, watch.errors


# What a reader of each language sees on the outgoing list's heading, in their own words.
HEADINGS = {
    "ru": "Исходящие",
    "vi": "Yêu cầu đi",
    "ar": "الطلبات الصادرة",
    "zh": "发出的请求",
}


@pytest.mark.parametrize("lang", ["ru", "vi", "ar", "zh"])
def test_every_main_page_in_the_readers_language(
    world: World, context: BrowserContext, lang: str
) -> None:
    page, watch = _tab(context)
    _sign_in_with_the_keyboard(page, world.base, "vn.officer")
    page.goto(f"{world.base}/language?set={lang}&next=/")
    templating.MISSING.clear()
    for name, path in _pages(world).items():
        page.goto(world.base + path)
        page.wait_for_load_state("networkidle")
        html = page.locator("html")
        assert html.get_attribute("lang") == lang, name
        assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr"), name
        if os.environ.get("WEB_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=True)
    # Every message a page looked up had its translation (the server runs in this process).
    assert {msgid for found, msgid in templating.MISSING if found == lang} == set()
    page.goto(f"{world.base}/requests/outgoing")
    assert HEADINGS[lang] in page.locator("h1").inner_text()
    assert not watch.errors, watch.errors
