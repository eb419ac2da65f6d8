"""A preservation request and its follow-up MLA request between two real node stacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liaison.core.clock import FakeClock
from liaison.requests.contents import RequestKind
from tests.federation_net import extra_databases
from tests.request_net import Pair, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("req"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def draft(pair: Pair, kind: RequestKind, **extra: Any) -> str:
    body = {
        "kind": kind.value,
        "to": "ru-gpo",
        "language": "en",
        "reference": "VN-2026-0042",
        "content": COMPLETE[kind],
        **extra,
    }
    response = pair.api("vn.officer", "POST", "/requests", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def approve_and_send(pair: Pair, request_id: str) -> None:
    for user, path in [
        ("vn.officer", "submit"),
        ("vn.supervisor", "approve"),
        ("vn.officer", "send"),
    ]:
        response = pair.api(user, "POST", f"/requests/{request_id}/{path}")
        assert response.status_code == 200, (path, response.text)


def step(pair: Pair, user: str, request_id: str, action: str, **body: Any) -> Any:
    response = pair.api(user, "POST", f"/requests/{request_id}/actions/{action}", json=body)
    assert response.status_code == 200, (action, response.text)
    return response.json()


def test_preservation_then_mla_states_equal_at_every_step(pair: Pair, clock: FakeClock) -> None:
    pres = draft(pair, RequestKind.PRESERVATION, preservation_days=90)
    approve_and_send(pair, pres)
    assert pair.states(pres) == ("sent", None)
    pair.deliver()
    assert pair.states(pres) == ("received", "received")

    # the 24/7 contact of the requested side sees it without being assigned
    seen = pair.api("ru.contact", "GET", f"/requests/{pres}")
    assert seen.status_code == 200
    assert seen.json()["approved_by"] == "Vn.Supervisor"
    for action, expected in [
        ("acknowledge", "acknowledged"),
        ("start", "in_execution"),
        ("respond", "executed"),
    ]:
        step(
            pair,
            "ru.contact",
            pres,
            action,
            response={"preserved": True} if action == "respond" else None,
        )
        pair.deliver()
        assert pair.states(pres) == (expected, expected)
    vn_copy, ru_copy = pair.copies(pres)
    assert vn_copy is not None
    assert ru_copy is not None
    assert ru_copy.preservation_days == 90
    assert ru_copy.preservation_expiry == vn_copy.preservation_expiry
    assert vn_copy.response == {"preserved": True}

    mla = draft(pair, RequestKind.MLA, subtype="stored_data", linked_request=pres)
    approve_and_send(pair, mla)
    pair.deliver()
    assert pair.states(mla) == ("received", "received")
    for action, expected in [
        ("acknowledge", "acknowledged"),
        ("start", "in_execution"),
        ("respond", "executed"),
    ]:
        step(pair, "ru.supervisor", mla, action)
        pair.deliver()
        assert pair.states(mla) == (expected, expected)
    # the requesting side closes: a proposal, applied when the requested node confirms
    step(pair, "vn.officer", mla, "close")
    assert pair.states(mla) == ("executed", "executed")
    pair.deliver()
    assert pair.states(mla) == ("closed", "closed")
    events_vn = [
        e["action"] for e in pair.api("vn.officer", "GET", f"/requests/{mla}/events").json()
    ]
    assert events_vn == [
        "submit",
        "approve",
        "send",
        "receive",
        "acknowledge",
        "start",
        "respond",
        "close",
    ]


def test_four_eyes(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    assert pair.api("vn.officer", "POST", f"/requests/{request_id}/approve").status_code == 403
    assert pair.api("vn.officer", "POST", f"/requests/{request_id}/submit").status_code == 200
    # the drafter, even promoted to supervisor, cannot approve their own draft
    supervisor_own = pair.api(
        "vn.supervisor",
        "POST",
        "/requests",
        json={
            "kind": "preservation",
            "to": "ru-gpo",
            "language": "en",
            "content": COMPLETE[RequestKind.PRESERVATION],
        },
    )
    own_id = supervisor_own.json()["id"]
    assert pair.api("vn.supervisor", "POST", f"/requests/{own_id}/submit").status_code == 200
    refused = pair.api("vn.supervisor", "POST", f"/requests/{own_id}/approve")
    assert refused.status_code == 403
    assert "four-eyes" in refused.json()["detail"]
    # sending before approval is refused
    assert pair.api("vn.officer", "POST", f"/requests/{request_id}/send").status_code == 409
    assert pair.api("vn.supervisor", "POST", f"/requests/{request_id}/approve").status_code == 200


def test_incomplete_request_lists_every_missing_item(pair: Pair) -> None:
    response = pair.api(
        "vn.officer",
        "POST",
        "/requests",
        json={"kind": "preservation", "to": "ru-gpo", "language": "en", "content": {}},
    )
    request_id = response.json()["id"]
    refused = pair.api(
        "vn.officer", "POST", f"/requests/{request_id}/submit", headers={"accept-language": "ru"}
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    problems = {p["path"]: p["message"] for p in refused.json()["problems"]}
    for field in ("data_to_preserve", "custodian", "necessity", "offences"):
        assert field in detail
        # At the field's path in the request, in the user's language, for a form to show.
        assert problems[f"content.{field}"].startswith("Не указано: ")  # noqa: RUF001
    assert pair.states(request_id) == ("draft", None)


def test_third_party_cannot_read_or_act(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    # ru users cannot see vn's draft (their node does not even have it)
    assert pair.api("ru.supervisor", "GET", f"/requests/{request_id}").status_code == 404
    approve_and_send(pair, request_id)
    pair.deliver()
    # an officer of the requested authority who is not assigned does not see an MLA request
    mla = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, mla)
    pair.deliver()
    assert pair.api("ru.officer", "GET", f"/requests/{mla}").status_code == 404
    assert (
        pair.api("ru.officer", "POST", f"/requests/{mla}/actions/acknowledge", json={}).status_code
        == 404
    )


def test_refusal_needs_ground_reason_and_consultation_when_required(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    pair.deliver()
    path = f"/requests/{request_id}/actions/refuse"
    assert pair.api("ru.supervisor", "POST", path, json={"reason": "no"}).status_code == 422
    bad = pair.api(
        "ru.supervisor", "POST", path, json={"ground": "bank_secrecy", "reason": "secret"}
    )
    assert bad.status_code == 422
    blocked = pair.api(
        "ru.supervisor", "POST", path, json={"ground": "essential_interests", "reason": "x"}
    )
    assert blocked.status_code == 422
    assert "consult" in blocked.json()["detail"]
    consulted = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/consultations",
        json={"text": "Can you narrow the data period?"},
    )
    assert consulted.status_code == 201
    done = pair.api(
        "ru.supervisor",
        "POST",
        path,
        json={"ground": "essential_interests", "reason": "Essential interests."},
    )
    assert done.status_code == 200, done.text
    pair.deliver()
    assert pair.states(request_id) == ("refused", "refused")
    vn = pair.api("vn.officer", "GET", f"/requests/{request_id}").json()
    assert vn["ground"] == "essential_interests"
    actions = [
        e["action"] for e in pair.api("vn.officer", "GET", f"/requests/{request_id}/events").json()
    ]
    assert "consult" in actions


def test_requesting_side_action_refused_by_the_table_changes_nothing(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    step(pair, "ru.contact", request_id, "acknowledge")
    step(pair, "ru.contact", request_id, "start")
    step(pair, "ru.contact", request_id, "respond")
    # vn withdraws before hearing about the execution: its table still allows it locally...
    step(pair, "vn.officer", request_id, "withdraw", reason="No longer needed.")
    pair.deliver()
    # ...the requested node refuses it (executed cannot be withdrawn), and both agree on executed
    assert pair.states(request_id) == ("executed", "executed")
