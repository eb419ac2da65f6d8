"""A browser as the functional tests see it: a TestClient of its own (its own cookies), signing
in through the sign-in form and sending forms with their anti-forgery token."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form with an anti-forgery token"
    return found.group(1)


class Browser:
    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, follow_redirects=False)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def sign_in(self, username: str, *, password: str = PASSWORD, code: str = "") -> httpx.Response:
        form = self.get("/sign-in")
        assert form.status_code == 200, form.text
        return self.client.post(
            "/sign-in",
            data={
                "csrf_token": token_of(form.text),
                "username": username,
                "password": password,
                "code": code,
                "next": "/",
            },
        )

    def submit(self, page: str, action: str, **fields: str) -> httpx.Response:
        """Load `page`, then post `fields` to `action` with the page's token (as a form does)."""
        shown = self.get(page)
        assert shown.status_code == 200, (page, shown.status_code, shown.text[:300])
        return self.client.post(action, data={"csrf_token": token_of(shown.text), **fields})
