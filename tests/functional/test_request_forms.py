"""What a form needs from the API: code lists and content schemas in the user's language, a draft
checked on demand without storing it, and every refusal of a draft or a submission given field
by field (`problems: [{path, message}]`) in that language, beside the sentence."""

# Russian text is the subject of these tests, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.audit.models import AuditEntry
from liaison.i18n import translator
from liaison.node import Node
from liaison.requests.contents import check_submission
from liaison.requests.contents.messages import NO_TRANSLATION, UNKNOWN_RECIPIENT
from liaison.requests.models import Request
from tests.conftest import Factory
from tests.unit.requests.test_request_kinds import COMPLETE, RequestKind, text

PARTIAL = {
    "case_reference": "VN-2026-0042",
    "offences": [{"code": "art99", "domestic_provision": "Penal Code art. 290"}],
    "facts": text("Phishing site stole bank credentials."),
}


@pytest.fixture
def officer(factory: Factory, client: TestClient) -> dict[str, str]:
    """vn-mps and ru-gpo hosted on this node (so no directory is needed to reach ru-gpo)."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.user("vn.officer", "vn-mps")
    return factory.token(client, "vn.officer")


def _counts(node: Node) -> tuple[int, int]:
    with node.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Request)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def _draft(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(
        "/api/v1/requests", json={"to": "ru-gpo", "language": "en"} | body, headers=headers
    )


def test_a_draft_to_an_authority_no_request_can_reach_is_refused(
    client: TestClient, officer: dict[str, str], node: Node
) -> None:
    """Neither hosted here nor in the directory: refused when drafting (it was accepted, 201,
    and failed later with 401 when the worker could find no key for it)."""
    before = _counts(node)
    refused = _draft(
        client, officer | {"accept-language": "ru"}, kind="preservation", to="zz-nowhere"
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == UNKNOWN_RECIPIENT.format(authority="zz-nowhere")
    message = translator("ru", "validation")(UNKNOWN_RECIPIENT).format(authority="zz-nowhere")
    assert message.startswith("zz-nowhere не размещён на этом узле")
    assert refused.json()["problems"] == [{"path": "to", "message": message}]
    assert _counts(node)[0] == before[0]
    own = _draft(client, officer | {"accept-language": "de"}, kind="mla", to="vn-mps")
    assert own.status_code == 422
    assert own.json()["problems"][0]["path"] == "to"
    assert _draft(client, officer, kind="preservation").status_code == 201


def test_malformed_contents_are_refused_field_by_field(
    client: TestClient, officer: dict[str, str]
) -> None:
    content = dict(PARTIAL, facts={"original": "x", "original_language": "xx"})
    refused = client.post(
        "/api/v1/requests",
        params={"lang": "vi"},
        json={"kind": "mla", "to": "ru-gpo", "language": "en", "content": content},
        headers=officer,
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("invalid request content: ")
    problems = {p["path"]: p["message"] for p in refused.json()["problems"]}
    assert set(problems) >= {
        "content.offences.0.code",
        "content.offences.0.max_penalty",
        "content.facts.original_language",
    }
    assert all(m.startswith("Giá trị không hợp lệ: ") for m in problems.values())


def test_submission_problems_are_listed_at_their_fields_in_the_users_language(
    client: TestClient, officer: dict[str, str]
) -> None:
    content = {"case_reference": "VN-2026-0042", "facts": text("Phishing.")}
    request_id = _draft(client, officer, kind="preservation", content=content).json()["id"]
    refused = client.post(
        f"/api/v1/requests/{request_id}/submit",
        params={"lang": "de"},
        headers=officer | {"accept-language": "ru"},  # ?lang= decides
    )
    assert refused.status_code == 422
    expected = [
        {"path": f"content.{p.path}", "message": p.message}
        for p in check_submission("preservation", content, lang="de")
    ]
    assert refused.json()["problems"] == expected
    missing = {"path": "content.legal_basis", "message": "Fehlende Angabe: Rechtsgrundlage"}
    assert missing in expected
    # The sentence stays, for the CLI and the logs.
    assert refused.json()["detail"].startswith("the request cannot be submitted yet: ")
    assert "content.legal_basis: Fehlende Angabe: Rechtsgrundlage" in refused.json()["detail"]


def test_untranslated_free_texts_are_listed_at_their_fields(
    client: TestClient, officer: dict[str, str]
) -> None:
    content = dict(COMPLETE[RequestKind.PRESERVATION], facts=text("Lừa đảo trực tuyến.", "vi"))
    request_id = _draft(client, officer, kind="preservation", content=content).json()["id"]
    refused = client.post(
        f"/api/v1/requests/{request_id}/submit", headers=officer | {"accept-language": "vi"}
    )
    assert refused.status_code == 422
    message = translator("vi", "validation")(NO_TRANSLATION)
    assert refused.json()["problems"] == [{"path": "content.facts", "message": message}]
    assert "no translation into a language ru-gpo accepts for: facts" in refused.json()["detail"]


def _check(client: TestClient, headers: dict[str, str], lang: str, **body: Any) -> Any:
    response = client.post(
        "/api/v1/requests/validate",
        params={"lang": lang},
        json={"to": "ru-gpo", "language": "en"} | body,
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_draft_is_checked_on_demand_as_submission_would_and_nothing_is_stored(
    client: TestClient, officer: dict[str, str], node: Node
) -> None:
    before = _counts(node)
    checked = _check(client, officer, "ru", kind="mla", subtype="stored_data", content=PARTIAL)
    assert checked["submittable"] is False
    expected = [
        {"path": f"content.{p.path}", "message": p.message}
        for p in check_submission("mla", PARTIAL, lang="ru", subtype="stored_data")
    ]
    assert checked["problems"] == expected
    messages = {p["path"]: p["message"] for p in checked["problems"]}
    assert messages["content.legal_basis"] == "Не указано: правовое основание"
    assert messages["content.offences.0.code"].startswith("Недопустимое значение: ")
    assert _counts(node) == before  # no request, and not even an audit entry

    # What the check says is what submission says of the same draft.
    fixable = dict(PARTIAL, offences=[])
    draft = _draft(client, officer, kind="mla", subtype="stored_data", content=fixable)
    submitted = client.post(
        f"/api/v1/requests/{draft.json()['id']}/submit", params={"lang": "vi"}, headers=officer
    )
    again = _check(client, officer, "vi", kind="mla", subtype="stored_data", content=fixable)
    assert again["problems"] == submitted.json()["problems"]

    complete = _check(client, officer, "de", kind="preservation", content=COMPLETE["preservation"])
    assert complete == {"submittable": True, "problems": []}


def test_the_check_covers_the_recipient_the_kind_and_the_translations(
    client: TestClient, officer: dict[str, str]
) -> None:
    nowhere = _check(client, officer, "de", kind="preservation", to="zz-nowhere", content={})
    assert nowhere["problems"][0]["path"] == "to"
    assert "zz-nowhere" in nowhere["problems"][0]["message"]
    assert "content.legal_basis" in {p["path"] for p in nowhere["problems"]}

    kind = _check(client, officer, "ru", kind="mla_request", content={})
    assert kind["problems"] == [{"path": "kind", "message": "Неизвестный вид просьбы"}]
    subtype = _check(client, officer, "ru", kind="preservation", subtype="assets", content={})
    assert subtype["problems"][0] == {
        "path": "subtype",
        "message": "У просьбы этого вида нет такого подвида",
    }
    contradicted = _check(
        client, officer, "en", kind="mla", subtype="assets", content={"subtype": "other"}
    )
    assert contradicted["problems"][0] == {
        "path": "subtype",
        "message": "The sub-type contradicts the contents",
    }

    content = dict(COMPLETE[RequestKind.PRESERVATION], facts=text("Lừa đảo.", "vi"))
    gap = _check(client, officer, "en", kind="preservation", content=content)
    assert gap["problems"] == [{"path": "content.facts", "message": NO_TRANSLATION}]
    chosen = _check(
        client, officer, "en", kind="preservation", content=content, without_translation=True
    )
    assert chosen["submittable"] is True


def test_code_lists_grounds_and_schemas_in_the_users_language(
    client: TestClient, officer: dict[str, str]
) -> None:
    russian = officer | {"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}
    offences = client.get("/api/v1/codes/offences", headers=russian).json()
    assert offences[0] == {
        "code": "art7",
        "label": "Незаконный доступ",
        "article": "7",
        "description_required": False,
    }
    german = client.get("/api/v1/codes/offences", params={"lang": "de"}, headers=russian)
    assert german.json()[0]["label"] == "Rechtswidriger Zugang"
    assert client.get("/api/v1/codes/nope", headers=officer).status_code == 422
    zones = client.get("/api/v1/codes/time-zones", params={"lang": "vi"}, headers=officer).json()
    assert {"code": "Asia/Ho_Chi_Minh", "label": "Việt Nam (Ho Chi Minh)", "state": "VN"} in zones

    grounds = client.get(
        "/api/v1/request-kinds/extradition/grounds", params={"lang": "vi"}, headers=officer
    ).json()
    national = next(g for g in grounds if g["code"] == "national_of_requested_state")
    assert national["use"] == "refuse"
    assert national["consult_first"] is True
    assert national["article"] == "37"
    assert national["label"] != "The person sought is a national of the requested State"
    assert client.get("/api/v1/request-kinds/spontaneous/grounds", headers=officer).json() == []
    mla = client.get("/api/v1/request-kinds/mla/grounds", headers=officer).json()
    assert {g["use"] for g in mla} == {"refuse", "postpone"}

    schema = client.get(
        "/api/v1/request-kinds/mla/schema",
        params={"subtype": "stored_data"},
        headers=officer | {"accept-language": "de"},
    )
    assert schema.status_code == 200
    assert schema.json()["title"] == (
        "Rechtshilfeersuchen — Gespeicherte elektronische Daten (Art. 44)"
    )
    assert schema.json()["properties"]["subtype"]["const"] == "stored_data"
    unknown = client.get(
        "/api/v1/request-kinds/mla/schema", params={"subtype": "nope"}, headers=officer
    )
    assert unknown.status_code == 422
    assert client.get("/api/v1/request-kinds/mla_x/schema", headers=officer).status_code == 422


def test_the_check_of_a_link_says_nothing_of_another_authoritys_preservation(
    client: TestClient, officer: dict[str, str], factory: Factory
) -> None:
    """A follow-up checked on demand against a preservation of another authority (hosted on the
    same node) is told what it would be told of an id that does not exist, at `linked_request`;
    its own preservation to the same recipient is a valid link."""
    factory.authority("kz-gp", "KZ")
    factory.user("kz.officer", "kz-gp")
    kz = factory.token(client, "kz.officer")
    foreign = _draft(client, kz, kind="preservation").json()["id"]
    own = _draft(client, officer, kind="preservation").json()["id"]
    unknown = "0" * 8 + foreign[8:]

    def link_problems(target: str) -> list[dict[str, str]]:
        checked = _check(client, officer, "en", kind="disclosure", linked_request=target)
        return [p for p in checked["problems"] if p["path"] == "linked_request"]

    seen, unseen = link_problems(foreign), link_problems(unknown)
    assert len(seen) == 1
    assert seen[0]["message"].replace(foreign, "ID") == unseen[0]["message"].replace(unknown, "ID")
    assert link_problems(own) == []
    # Nor can the other authority link to ours.
    theirs = _check(client, kz, "en", kind="disclosure", linked_request=own)
    assert "linked_request" in {p["path"] for p in theirs["problems"]}


def test_a_problem_with_the_requests_own_fields_is_at_their_path(
    client: TestClient, officer: dict[str, str]
) -> None:
    """Urgency and the wished deadline live on the request (not in its contents): what they
    require is placed at `urgent` and at the reasons in the contents."""
    content = dict(COMPLETE[RequestKind.EXTRADITION])
    arrest_check = {"kind": "extradition", "subtype": "provisional_arrest", "content": content}
    arrest = _check(client, officer, "en", **arrest_check)
    assert "urgent" in {p["path"] for p in arrest["problems"]}
    assert not any(p["path"].startswith("content.urgent") for p in arrest["problems"])
    deadline = "2026-12-20T00:00:00Z"
    urgent = _check(client, officer, "en", **arrest_check, urgent=True, wished_deadline=deadline)
    assert {p["path"] for p in urgent["problems"]} >= {
        "content.urgency_reason",
        "content.deadline_reason",
    }
    assert "urgent" not in {p["path"] for p in urgent["problems"]}
