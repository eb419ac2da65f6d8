"""Conditions travel with the data; the formal document; the translation warning."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from liaison.audit.models import AuditEntry
from liaison.core.clock import FakeClock
from liaison.documents import Section
from liaison.i18n import translator
from liaison.requests.contents import OffenceCode, RequestKind, offence_label
from liaison.requests.formal import document as formal
from liaison.requests.formal.parties import SessionParties
from liaison.requests.models import Request
from tests.federation_net import extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft, step
from tests.request_net import Pair, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("cond"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def executed_mla(pair: Pair, conditions: dict[str, object]) -> str:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    pair.deliver()
    for action in ("acknowledge", "start"):
        step(pair, "ru.supervisor", request_id, action)
    step(
        pair,
        "ru.supervisor",
        request_id,
        "respond",
        response={"summary": "Subscriber data attached.", "conditions": conditions},
    )
    pair.deliver()
    return request_id


def test_speciality_and_onward_transfer_refused_until_authorised(pair: Pair) -> None:
    request_id = executed_mla(
        pair, {"speciality": True, "no_onward_transfer": True, "retention_days": 365}
    )
    same = pair.api(
        "vn.supervisor", "POST", f"/requests/{request_id}/export", json={"use": "same_proceeding"}
    )
    assert same.status_code == 200
    assert same.json()["response"]["summary"] == "Subscriber data attached."
    other = pair.api(
        "vn.supervisor",
        "POST",
        f"/requests/{request_id}/export",
        json={"use": "other_proceeding", "proceeding": "VN-2026-0099"},
    )
    assert other.status_code == 403
    assert "speciality" in other.json()["detail"]
    forward = pair.api(
        "vn.supervisor", "POST", f"/requests/{request_id}/forward", json={"to": "by-mia"}
    )
    assert forward.status_code == 403
    assert "no_onward_transfer" in forward.json()["detail"]
    # the requesting side cannot lift the requested side's conditions for itself
    own = pair.api(
        "vn.supervisor",
        "POST",
        f"/requests/{request_id}/authorisations",
        json={"condition": "speciality", "value": "VN-2026-0099"},
    )
    assert own.status_code == 202  # it is sent to the other side, where it binds ru's copy only
    pair.deliver()
    assert (
        pair.api(
            "vn.supervisor",
            "POST",
            f"/requests/{request_id}/export",
            json={"use": "other_proceeding", "proceeding": "VN-2026-0099"},
        ).status_code
        == 403
    )
    # the requested side authorises: now the export for that proceeding goes through
    granted = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/authorisations",
        json={"condition": "speciality", "value": "VN-2026-0099"},
    )
    assert granted.status_code == 202
    pair.deliver()
    allowed = pair.api(
        "vn.supervisor",
        "POST",
        f"/requests/{request_id}/export",
        json={"use": "other_proceeding", "proceeding": "VN-2026-0099"},
    )
    assert allowed.status_code == 200
    # ...and only for that proceeding
    assert (
        pair.api(
            "vn.supervisor",
            "POST",
            f"/requests/{request_id}/export",
            json={"use": "other_proceeding", "proceeding": "VN-2026-0100"},
        ).status_code
        == 403
    )


def test_refused_use_is_audited(pair: Pair) -> None:

    request_id = executed_mla(pair, {"no_onward_transfer": True})
    pair.api("vn.supervisor", "POST", f"/requests/{request_id}/forward", json={"to": "by-mia"})
    with pair.net.nodes["vn-mps"].db.session() as session:
        refused = session.scalar(
            select(func.count()).where(AuditEntry.action == "request:use:refused")
        )
    assert refused == 1


def test_submitting_without_translation_needs_an_explicit_choice(pair: Pair) -> None:
    content = dict(COMPLETE[RequestKind.PRESERVATION])
    content["necessity"] = {
        "original": "Nhật ký bị xoá sau 30 ngày.",
        "original_language": "vi",
        "translations": {},
    }
    response = pair.api(
        "vn.officer",
        "POST",
        "/requests",
        json={"kind": "preservation", "to": "ru-gpo", "language": "vi", "content": content},
    )
    request_id = response.json()["id"]
    refused = pair.api("vn.officer", "POST", f"/requests/{request_id}/submit")
    assert refused.status_code == 422
    assert "necessity" in refused.json()["detail"]
    chosen = pair.api(
        "vn.officer", "POST", f"/requests/{request_id}/submit", json={"without_translation": True}
    )
    assert chosen.status_code == 200
    events = pair.api("vn.officer", "GET", f"/requests/{request_id}/events").json()
    assert "without translation" in events[-1]["reason"]


def test_formal_document_is_signed_and_validates(pair: Pair, tmp_path: Path) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    response = pair.api("vn.officer", "GET", f"/requests/{request_id}/document.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "request.pdf"
    pdf.write_bytes(response.content)
    cert = pair.clients["vn-mps"].get("/federation/v1/authorities/vn-mps/certificate.pem")
    assert cert.status_code == 200
    (tmp_path / "vn.pem").write_bytes(cert.content)
    pyhanko = Path(".venv/bin/pyhanko")
    ok = subprocess.run(
        [str(pyhanko), "sign", "validate", "--trust", str(tmp_path / "vn.pem"), str(pdf)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # a third party cannot fetch it
    assert pair.api("ru.officer", "GET", f"/requests/{request_id}/document.pdf").status_code == 404


class RussianReader(SessionParties):
    """The directory of the node, but the requested authority reads Russian."""

    def language(self, authority_id: str, fallback: str) -> str:
        return "ru"


def test_formal_document_structured_fields_in_the_recipients_language(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    with pair.net.nodes["vn-mps"].db.session() as session:
        request = session.get(Request, ("vn-mps", request_id))
        assert request is not None
        doc = formal.build(request, RussianReader(session))
    offences = next(s for s in doc.sections if s.label == "Offences")
    code = OffenceCode("art13")
    expected = translator("ru", "validation")(offence_label(code))
    assert expected != offence_label(code)
    assert isinstance(offences, Section)
    assert isinstance(offences.value, list)
    assert offences.value[0].startswith(expected)
    assert doc.language == "ru"
    mla_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    with pair.net.nodes["vn-mps"].db.session() as session:
        mla = session.get(Request, ("vn-mps", mla_id))
        assert mla is not None
        mla_doc = formal.build(mla, RussianReader(session))
    categories = next(s for s in mla_doc.sections if s.label == "Categories of data")
    ru = translator("ru", "documents")
    assert isinstance(categories, Section)
    assert categories.value == [ru("Subscriber information"), ru("Traffic data")]
    assert categories.value != ["Subscriber information", "Traffic data"]
    sought = next(s for s in mla_doc.sections if s.label == "Assistance sought")
    assert isinstance(sought, Section)
    assert sought.value == [ru("Disclosure of stored electronic data")]


def test_response_document_is_signed_by_the_requested_authority(pair: Pair, tmp_path: Path) -> None:
    request_id = executed_mla(pair, {"speciality": True})
    response = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/response.pdf")
    assert response.status_code == 200, response.text
    # The requesting side holds the very document the requested authority signed.
    held = pair.api("vn.officer", "GET", f"/requests/{request_id}/response.pdf")
    assert held.status_code == 200
    assert held.content == response.content
    pdf = tmp_path / "response.pdf"
    pdf.write_bytes(response.content)
    cert = pair.clients["ru-gpo"].get("/federation/v1/authorities/ru-gpo/certificate.pem")
    (tmp_path / "ru.pem").write_bytes(cert.content)
    ok = subprocess.run(
        [".venv/bin/pyhanko", "sign", "validate", "--trust", str(tmp_path / "ru.pem"), str(pdf)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Subscriber data attached." in text
