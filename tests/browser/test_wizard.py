"""The request wizard in Chromium, with the keyboard alone (Tab, Space, Enter, and the arrow
keys inside a group of radios): a preservation request drafted from the choice of its kind to
"check your answers", a problem on the way shown, followed from the error summary and
corrected, and the draft submitted for approval; no console error, no CSP violation."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import BrowserContext, Page
from tests.browser.test_pages import SHOTS, _axe, _tab
from tests.conftest import PASSWORD, Factory

from liaison.core.permissions import Role
from liaison.node import Node

MAX_TABS = 400


@pytest.fixture
def base(node: Node, factory: Factory, live: str) -> str:
    factory.authority("vn-mps", "VN")
    factory.authority("de-bfj", "DE")
    factory.user("vn.officer", "vn-mps", Role.officer)
    return live


def tab_to(page: Page, test: str) -> None:
    """Tab until the focused element passes `test` (a JavaScript expression of `e`)."""
    for _ in range(MAX_TABS):
        if page.evaluate(
            f"(() => {{ const e = document.activeElement; return !!e && ({test}); }})()"
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"no element reached by Tab: {test}")


def field(page: Page, name: str) -> None:
    tab_to(page, f"e.id === 'field-{name}'")


def button(page: Page, text: str) -> None:
    tab_to(page, f"e.tagName === 'BUTTON' && e.textContent.trim() === '{text}'")


def typed(page: Page, name: str, text: str) -> None:
    field(page, name)
    page.keyboard.type(text)


def shot(page: Page, name: str) -> None:
    """A screenshot of the wizard's page for docs/screenshots (`make screenshots`)."""
    if os.environ.get("WEB_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"en-wizard-{name}.png"), full_page=True)


def save(page: Page) -> None:
    button(page, "Save and continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_preservation_drafted_with_the_keyboard_alone(base: str, context: BrowserContext) -> None:
    page, watch = _tab(context)
    page.goto(f"{base}/sign-in")
    typed(page, "username", "vn.officer")
    typed(page, "password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    tab_to(page, "e.tagName === 'A' && e.getAttribute('href') === '/requests/new'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "e.name === 'kind'")
    # Arrow keys move the choice within the group of radios, as in every browser.
    while page.evaluate("document.activeElement.value") != "preservation":
        page.keyboard.press("ArrowDown")
    button(page, "Continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert _axe(page) == []
    shot(page, "recipient")
    tab_to(page, "e.name === 'to' && e.value === 'de-bfj'")
    page.keyboard.press("Space")
    assert "Accepts" in page.content()
    button(page, "Create the draft")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    typed(page, "content.case_reference", "VN-2026-0042")
    save(page)

    button(page, "Add an item")  # an offence
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "at least four years" in page.content()
    assert _axe(page) == []  # a repeatable group, radios with their articles, the explanation
    field(page, "content.offences.0.code-1")
    page.keyboard.press("Space")  # illegal access (art. 7)
    typed(page, "content.offences.0.domestic_provision", "Penal Code art. 289")
    field(page, "content.offences.0.max_penalty.unit-1")
    page.keyboard.press("ArrowDown")  # years
    typed(page, "content.offences.0.max_penalty.amount", "7")
    shot(page, "offences")
    save(page)

    assert _axe(page) == []  # a free text beside its translations
    typed(page, "content.facts.original", "A server at 203.0.113.7 was broken into.")
    save(page)
    typed(page, "content.data_to_preserve.original", "Logs of the server at 203.0.113.7.")
    typed(page, "content.relation_to_offence.original", "The intrusion went through it.")
    save(page)
    typed(page, "content.custodian", "Example Hosting GmbH")
    save(page)
    typed(page, "content.necessity.original", "Logs are deleted after 30 days.")
    field(page, "content.mla_intended-1")
    page.keyboard.press("Space")  # yes
    field(page, "content.period_days")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("30")
    # Checked in place first (htmx): the problems appear without leaving the page.
    here = page.url
    button(page, "Check this page")
    page.keyboard.press("Enter")
    page.locator("#wizard-problems .error-summary").wait_for()
    assert page.url == here
    save(page)

    # Under 60 days: the summary says so and links to the field, which says it too.
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert _axe(page) == []
    shot(page, "error")
    tab_to(page, "e.getAttribute('href') === '#field-content.period_days'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "field-content.period_days"
    assert page.locator("#field-content\\.period_days-error").is_visible()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("90")
    save(page)

    assert page.locator("#field-confidential").is_checked()  # the protective defaults
    assert page.locator("#field-no_onward_transfer").is_checked()
    save(page)

    assert page.url.endswith("/edit")
    assert page.locator("h1").inner_text() == "Check your answers"
    assert "Before you can submit" not in page.content()
    assert _axe(page) == []
    assert "VN-2026-0042" in page.content()
    shot(page, "check-your-answers")
    button(page, "Submit for approval")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "?done=submit" in page.url
    # The one form sent back with its problem answers 422, which the console reports once.
    expected = "Failed to load resource: the server responded with a status of 422"
    assert [e for e in watch.errors if not e.startswith(expected)] == [], watch.errors
