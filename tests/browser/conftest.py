"""A node served over HTTP on a free loopback port, and Debian's chromium driven by Playwright.

The browser is the system's (/usr/bin/chromium, Debian package chromium, which `make test`
installs); Playwright never downloads one here. Without it these tests skip, saying so.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from liaison.app import create_app
from liaison.node import Node

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(node: Node) -> Iterator[str]:
    """The node's application at http://127.0.0.1:<port>, served by uvicorn on its thread."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(node=node), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def serving() -> Callable[[Node], AbstractContextManager[str]]:
    """`with serving(node) as base:` for a test that serves nodes of its own."""
    return serve


@pytest.fixture
def live(node: Node) -> Iterator[str]:
    """The node's application on a loopback port, for the length of one test."""
    with serve(node) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """One browser per test, started after the test's data is written: Playwright's sync API
    runs an event loop on this thread, and the suite refuses database work beside one."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.skip("no /usr/bin/chromium: install the Debian package chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """One browser profile (cookies, storage) for a test, at a laptop's size."""
    made = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        yield made
    finally:
        made.close()
