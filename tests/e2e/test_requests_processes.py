"""A preservation request and its follow-up MLA request between two nodes running as real
processes (server + worker each), driven through their HTTP APIs: the two copies agree at
every step."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from liaison.demo import DEMO_PASSWORD
from liaison.requests.contents import RequestKind
from tests.e2e.test_federation_processes import Pair, pair  # noqa: F401 - the fixture
from tests.unit.requests.test_request_kinds import COMPLETE

pytestmark = pytest.mark.slow


class Api:
    def __init__(self, url: str, username: str) -> None:
        self.client = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
        token = self.client.post(
            "/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        token.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {token.json()['token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json()


def status(api: Api, request_id: str) -> str | None:
    response = api.client.get(f"/requests/{request_id}")
    return str(response.json()["status"]) if response.status_code == 200 else None


def both(vn: Api, ru: Api, request_id: str, expected: str, timeout: float = 60.0) -> None:
    """Wait until both copies reach `expected` (delivery is asynchronous), then check equality."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = (status(vn, request_id), status(ru, request_id))
        if states == (expected, expected):
            return
        time.sleep(0.1)
    pytest.fail(f"copies did not both reach {expected}: {states}")


def send_request(officer: Api, supervisor: Api, to: str, kind: RequestKind, **extra: Any) -> str:
    """Draft (complete contents), submit, approve (four eyes), send: the request's id."""
    body = {"kind": kind.value, "to": to, "language": "en", "content": COMPLETE[kind], **extra}
    if kind is RequestKind.MLA:
        body.setdefault("subtype", "stored_data")
    request_id = str(officer.call("POST", "/requests", json=body)["id"])
    officer.call("POST", f"/requests/{request_id}/submit")
    supervisor.call("POST", f"/requests/{request_id}/approve")
    officer.call("POST", f"/requests/{request_id}/send")
    return request_id


def test_preservation_and_mla_between_two_processes(pair: Pair) -> None:  # noqa: F811 - fixture
    vn_url, ru_url = f"http://127.0.0.1:{pair.a.port}", f"http://127.0.0.1:{pair.b.port}"
    vn, vn_chief = Api(vn_url, "vn.officer"), Api(vn_url, "vn.supervisor")
    ru_contact, ru_chief = Api(ru_url, "ru.contact"), Api(ru_url, "ru.supervisor")
    try:
        pres = send_request(vn, vn_chief, pair.recipient, RequestKind.PRESERVATION)
        both(vn, ru_contact, pres, "received")
        for action, expected in [
            ("acknowledge", "acknowledged"),
            ("start", "in_execution"),
            ("respond", "executed"),
        ]:
            ru_contact.call("POST", f"/requests/{pres}/actions/{action}", json={})
            both(vn, ru_contact, pres, expected)
        assert (
            vn.call("GET", f"/requests/{pres}")["preservation_expiry"]
            == ru_contact.call("GET", f"/requests/{pres}")["preservation_expiry"]
        )

        mla = send_request(vn, vn_chief, pair.recipient, RequestKind.MLA, linked_request=pres)
        both(vn, ru_chief, mla, "received")
        for action, expected in [
            ("acknowledge", "acknowledged"),
            ("start", "in_execution"),
            ("respond", "executed"),
        ]:
            ru_chief.call(
                "POST",
                f"/requests/{mla}/actions/{action}",
                json={"response": {"summary": "done"}} if action == "respond" else {},
            )
            both(vn, ru_chief, mla, expected)
        vn.call("POST", f"/requests/{mla}/actions/close", json={})
        both(vn, ru_chief, mla, "closed")
        vn_events = [e["action"] for e in vn.call("GET", f"/requests/{mla}/events")]
        ru_events = [e["action"] for e in ru_chief.call("GET", f"/requests/{mla}/events")]
        assert vn_events[3:] == ru_events == ["receive", "acknowledge", "start", "respond", "close"]
    finally:
        for api in (vn, vn_chief, ru_contact, ru_chief):
            api.client.close()
