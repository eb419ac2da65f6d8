"""Formal documents signed by their author only: the requesting node signs the request when it
sends it and the requested node receives those very bytes; the requested node signs each
decision and the requesting node receives it; each serves what it holds, at any later state."""

# Russian text is the subject of some checks, so Cyrillic letters are meant, not confusables.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from liaison.accounts.models import User
from liaison.audit.models import AuditEntry
from liaison.authorities.models import Authority
from liaison.core.clock import FakeClock
from liaison.core.errors import InvalidInput
from liaison.crypto.hashing import sha256_digest
from liaison.documents import validate_pdf
from liaison.federation.models import OutboxEnvelope
from liaison.requests.contents import RequestKind
from liaison.requests.formal import issued
from liaison.requests.formal.document import build
from liaison.requests.formal.models import RequestDocument
from liaison.requests.formal.parties import SessionParties
from liaison.requests.lifecycle import workflow
from liaison.requests.models import Request
from tests.federation_net import CTX, extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft, step
from tests.request_net import Pair, request_pair

PYHANKO = Path(".venv/bin/pyhanko")


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("docs"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def certificate(pair: Pair, authority: str, tmp_path: Path) -> Path:
    response = pair.clients[authority].get(
        f"/federation/v1/authorities/{authority}/certificate.pem"
    )
    assert response.status_code == 200
    path = tmp_path / f"{authority}.pem"
    path.write_bytes(response.content)
    return path


def pyhanko_validates(pdf: bytes, trust: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    command = [str(PYHANKO), "sign", "validate", "--trust-replace", "--trust", str(trust)]
    return subprocess.run(
        [*command, str(path)], capture_output=True, text=True, check=False, timeout=120
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def sent_document(pair: Pair, request_id: str) -> bytes:
    """The signed PDF the sender put in its transmit envelope."""
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope).where(
                OutboxEnvelope.thread == request_id, OutboxEnvelope.kind == "request.transmit"
            )
        ).one()
        found = issued.decode(row.body[issued.FIELD])
    assert found is not None
    return found


def test_the_receiver_holds_the_senders_signed_original(pair: Pair, tmp_path: Path) -> None:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    signed = sent_document(pair, request_id)
    pair.deliver()
    assert pair.states(request_id) == ("received", "received")
    at_sender = pair.api("vn.officer", "GET", f"/requests/{request_id}/document.pdf")
    at_receiver = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/document.pdf")
    assert at_sender.status_code == at_receiver.status_code == 200
    # The receiver serves the bytes the sender signed, not a document of its own making.
    assert at_receiver.content == signed
    assert at_sender.content == signed
    vn, ru = certificate(pair, "vn-mps", tmp_path), certificate(pair, "ru-gpo", tmp_path)
    ok = pyhanko_validates(at_receiver.content, vn, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "TRUSTED" in ok.stdout
    # ... and it is not signed by the receiver.
    refused = pyhanko_validates(at_receiver.content, ru, tmp_path)
    assert refused.returncode != 0, refused.stdout
    with pair.net.nodes["ru-gpo"].db.session() as session:
        kept = session.scalars(select(RequestDocument)).one()
        assert (kept.holder, kept.author, kept.role) == ("ru-gpo", "vn-mps", "request")
    # On both nodes the audit entry of the act records the digest of the very bytes kept.
    for node in pair.net.nodes.values():
        with node.db.session() as session:
            recorded = [
                entry.detail.get("document")
                for entry in session.scalars(
                    select(AuditEntry).where(AuditEntry.target == f"request:{request_id}")
                )
            ]
        assert sha256_digest(signed) in recorded


def _replace_sent_document(pair: Pair, request_id: str, pdf: bytes) -> None:
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope).where(OutboxEnvelope.thread == request_id)
        ).one()
        assert row.wire is None  # not sealed yet: the sender's signature will cover the change
        row.body = {**row.body, issued.FIELD: issued.encode(pdf)}


def _refused(pair: Pair, request_id: str) -> None:
    pair.deliver()
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope).where(OutboxEnvelope.thread == request_id)
        ).one()
        # Final: the sender stops retrying an envelope whose document cannot verify.
        assert (row.status, row.receipt_reason) == ("rejected", "invalid_document")
    assert pair.states(request_id) == ("sent", None)


def test_a_tampered_document_in_a_transmit_envelope_is_refused(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    signed = bytearray(sent_document(pair, request_id))
    # One changed byte of the rendered page content, inside the signed range.
    at = signed.index(b"stream", len(signed) // 4) + 40
    signed[at] ^= 0x01
    _replace_sent_document(pair, request_id, bytes(signed))
    _refused(pair, request_id)


def test_a_document_signed_by_another_authority_is_refused(pair: Pair) -> None:
    """The receiver's own key, say: exactly the look-alike this protects against."""
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    vn = pair.net.nodes["vn-mps"]
    with vn.db.session() as session:
        request = session.get(Request, ("vn-mps", request_id))
        assert request is not None
        doc = build(request, SessionParties(session))
    ru = pair.net.nodes["ru-gpo"]
    with ru.db.session() as session:
        # The same document, with the same reason, signed by ru-gpo on its own node.
        signer = issued.authority_signer(session=session, kek=ru.kek, author="ru-gpo")
        forged = issued.sign_document(
            doc=doc,
            signer=signer,
            reason=f"x ({issued.request_marker(request_id, doc.version)})",
        )
    _replace_sent_document(pair, request_id, forged)
    _refused(pair, request_id)


def test_a_transmit_envelope_without_its_document_is_refused(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope).where(OutboxEnvelope.thread == request_id)
        ).one()
        row.body = {k: v for k, v in row.body.items() if k != issued.FIELD}
    _refused(pair, request_id)


def test_response_document_is_held_by_both_and_served_after_closing(
    pair: Pair, tmp_path: Path
) -> None:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    pair.deliver()
    for action in ("acknowledge", "start"):
        step(pair, "ru.supervisor", request_id, action)
    step(pair, "ru.supervisor", request_id, "respond", response={"summary": "Data attached."})
    pair.deliver()
    step(pair, "vn.supervisor", request_id, "close")
    pair.deliver()
    assert pair.states(request_id) == ("closed", "closed")
    at_requesting = pair.api("vn.officer", "GET", f"/requests/{request_id}/response.pdf")
    at_requested = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/response.pdf")
    assert at_requesting.status_code == at_requested.status_code == 200, at_requesting.text
    assert at_requesting.content == at_requested.content
    ru, vn = certificate(pair, "ru-gpo", tmp_path), certificate(pair, "vn-mps", tmp_path)
    ok = pyhanko_validates(at_requesting.content, ru, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert pyhanko_validates(at_requesting.content, vn, tmp_path).returncode != 0
    text = pdf_text(at_requesting.content, tmp_path)
    assert "Data attached." in text
    assert "Ru.Supervisor" in text  # the official who decided signs the block
    # The request document is still served too, signed by its author.
    document = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/document.pdf")
    assert document.status_code == 200
    assert pyhanko_validates(document.content, vn, tmp_path).returncode == 0


def test_a_decision_with_a_tampered_document_is_refused(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    pair.deliver()
    for action in ("acknowledge", "start"):
        step(pair, "ru.supervisor", request_id, action)
    step(
        pair,
        "ru.supervisor",
        request_id,
        "postpone",
        ground="interferes_with_proceedings",
        reason="Our own investigation would be compromised.",
    )
    with pair.net.nodes["ru-gpo"].db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope)
            .where(OutboxEnvelope.thread == request_id, OutboxEnvelope.kind == "request.state")
            .order_by(OutboxEnvelope.id.desc())
        ).first()
        assert row is not None
        assert row.body["to"] == "postponed"
        pdf = bytearray(base64.urlsafe_b64decode(row.body[issued.FIELD] + "=="))
        pdf[len(pdf) // 2] ^= 0x01
        row.body = {**row.body, issued.FIELD: issued.encode(bytes(pdf))}
    pair.deliver()
    assert pair.states(request_id) == ("in_execution", "postponed")
    refused = pair.api("vn.officer", "GET", f"/requests/{request_id}/response.pdf")
    assert refused.status_code == 409


def test_before_a_document_exists_the_answer_says_why(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    none = pair.api("vn.officer", "GET", f"/requests/{request_id}/document.pdf")
    assert none.status_code == 409
    assert "signed by the requesting authority when the request is sent" in none.json()["detail"]
    preview = pair.api("vn.officer", "GET", f"/requests/{request_id}/document.pdf?preview=true")
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF")
    assert not validate_pdf(pdf=preview.content, trust_pem=b"").valid
    no_response = pair.api("vn.officer", "GET", f"/requests/{request_id}/response.pdf")
    assert no_response.status_code == 409
    assert "has not decided on it yet" in no_response.json()["detail"]
    approve_and_send(pair, request_id)
    # Once sent there is nothing to preview: the signed document is the answer.
    sent = pair.api("vn.officer", "GET", f"/requests/{request_id}/document.pdf?preview=true")
    assert sent.content == sent_document(pair, request_id)


def test_a_document_too_large_for_an_envelope_is_refused_before_sending(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    for user, path in [("vn.officer", "submit"), ("vn.supervisor", "approve")]:
        assert pair.api(user, "POST", f"/requests/{request_id}/{path}").status_code == 200
    vn = pair.net.nodes["vn-mps"]
    with vn.db.session() as session:
        request = session.get(Request, ("vn-mps", request_id))
        officer = session.scalar(select(User).where(User.username == "vn.officer"))
        assert request is not None
        assert officer is not None
        with pytest.raises(InvalidInput, match="federation_max_envelope_bytes"):
            workflow.send(
                session=session,
                request=request,
                user=officer,
                ctx=CTX,
                kek=vn.kek,
                max_envelope_bytes=20_000,
                clock=vn.clock,
            )
        session.rollback()
    assert pair.states(request_id) == ("approved", None)


def test_authorities_are_named_as_the_directory_names_them_in_the_documents_language(
    pair: Pair, tmp_path: Path
) -> None:
    names = {
        "vn-mps": {
            "en": "Ministry of Public Security",
            "ru": "Министерство общественной безопасности",
        },
        "ru-gpo": {
            "en": "Prosecutor General's Office",
            "ru": "Генеральная прокуратура Российской Федерации",
        },
    }
    for authority, node in pair.net.nodes.items():
        with node.db.session() as session:
            row = session.get(Authority, authority)
            assert row is not None
            row.names = names[authority]
            row.accepted_languages = ["ru", "en"] if authority == "ru-gpo" else ["en"]
    pair.net.publish()
    # The node's own row now knows only the English name; the directory has the Russian one.
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.get(Authority, "vn-mps")
        assert row is not None
        row.names = {"en": "Ministry of Public Security"}
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    document = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/document.pdf")
    text = pdf_text(document.content, tmp_path)
    assert "Министерство общественной безопасности" in text
    assert "Генеральная прокуратура Российской Федерации" in text
    assert "Запрос об оперативном обеспечении сохранности" in text
    assert "VN-2026-0042" in text
