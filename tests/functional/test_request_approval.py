"""Four eyes the receiving State can verify: the approval is signed by the supervisor's own key,
certified by the requesting authority's key in the directory, and the receiver refuses
(`invalid_approval`) every approval it cannot trace to a second person."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison.accounts.models import User
from liaison.authorities.certificates import certificate_for
from liaison.authorities.models import Authority
from liaison.core.clock import FakeClock
from liaison.crypto import certificates, jose
from liaison.crypto import keys as keycrypto
from liaison.documents.sign import signer_certificate
from liaison.federation.models import OutboxEnvelope
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey
from liaison.node import Node
from liaison.requests.contents import RequestKind
from liaison.requests.lifecycle.approval import APPROVAL_TYP, approved_fields
from liaison.requests.models import Request
from tests.federation_net import extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft
from tests.request_net import Pair, request_pair


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("approval"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def _user(node: Node, username: str) -> User:
    with node.db.session() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _authority_signer(node: Node) -> tuple[bytes, bytes, str]:
    """vn-mps's signing key (private), its certificate and key id: what the node holds."""
    with node.db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="signing")
        assert key is not None
        raw = keyring.private_raw(kek=node.kek, key=key)
        authority = session.get_one(Authority, "vn-mps")
        return raw, certificate_for(authority=authority, key=key, private_raw=raw), key.id


def _personal(node: Node, user_id: str) -> tuple[bytes, str]:
    with node.db.session() as session:
        key = session.scalars(select(StoredKey).where(StoredKey.user_id == user_id)).one()
        return keyring.private_raw(kek=node.kek, key=key), key.id


def _certificate(
    node: Node,
    private_raw: bytes,
    *,
    issuer: tuple[bytes, bytes] | None = None,
    title: str = "supervisor",
    authority_id: str = "vn-mps",
    user_id: str = "someone",
    valid: tuple[int, int] = (-1, 30),
) -> str:
    issuer_raw, issuer_pem = issuer or _authority_signer(node)[:2]
    now = node.clock.now()
    public = keycrypto.signing_key(private_raw).public_key().public_bytes_raw()
    return certificates.issue_personal_certificate(
        issuer_private_raw=issuer_raw,
        issuer_certificate_pem=issuer_pem,
        person=certificates.Person(
            name="A. Nguyen",
            title=title,
            user_id=user_id,
            authority_id=authority_id,
            public_raw=public,
            not_before=now + timedelta(days=valid[0]),
            not_after=now + timedelta(days=valid[1]),
        ),
        country="VN",
        organization="MPS",
    ).decode()


def _sent(pair: Pair, mutate: Callable[[dict[str, Any], Node], None]) -> tuple[str, str | None]:
    """A request approved and sent, its transmission altered by the sending node before it
    leaves (as a node that skipped or faked four eyes would send it); the receipt's outcome."""
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    vn = pair.net.nodes["vn-mps"]
    transmit = select(OutboxEnvelope).where(
        OutboxEnvelope.thread == request_id, OutboxEnvelope.kind == "request.transmit"
    )
    with vn.db.session() as session:
        body = dict(session.scalars(transmit).one().body)
    mutate(body, vn)
    with vn.db.session() as session:
        session.scalars(transmit).one().body = body
        session.commit()
    pair.deliver()
    with vn.db.session() as session:
        row = session.scalars(
            select(OutboxEnvelope).where(OutboxEnvelope.thread == request_id)
        ).first()
        assert row is not None
        outcome = (row.status, row.receipt_reason)
    if outcome[0] == "rejected":
        assert pair.copies(request_id)[1] is None  # nothing stored on the requested node
    return outcome


def _payload(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    payload = json.loads(jose.jws_payload_unverified(body["approval"]))
    return {**payload, **changes}


def test_the_received_approval_names_the_supervisor_as_certified(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    sent, received = pair.copies(request_id)
    assert sent is not None
    assert received is not None
    supervisor = _user(pair.net.nodes["vn-mps"], "vn.supervisor")
    assert (received.approved_by, received.approver_id) == (
        supervisor.display_name,
        supervisor.id,
    )
    assert received.approval_certificate == sent.approval_certificate
    pem = (received.approval_certificate or "").encode()
    person = certificates.read_person(pem)
    assert (person.title, person.authority_id) == ("supervisor", "vn-mps")
    # Signed by a key of the person, certified by the authority's key, not the authority key.
    _raw, _pem, authority_kid = _authority_signer(pair.net.nodes["vn-mps"])
    assert jose.jws_header(received.approval or "")["kid"] != authority_kid
    with pair.net.nodes["vn-mps"].db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="signing")
        assert key is not None
        issuer = keycrypto.b64u_decode(key.public_key)
    assert certificates.issued_by(certificate_pem=pem, issuer_public_raw=issuer)


def test_an_approval_signed_with_the_authority_key_is_refused(pair: Pair) -> None:
    """What every approval was before: the node's own word, not a second person's."""

    def authority_signed(body: dict[str, Any], vn: Node) -> None:
        raw, _pem, kid = _authority_signer(vn)
        body["approval"] = jose.sign_json(
            _payload(body), private_raw=raw, key_id=kid, typ=APPROVAL_TYP
        )

    assert _sent(pair, authority_signed) == ("rejected", "invalid_approval")


def _forge(
    *, certificate: Callable[[Node, bytes], str], payload: Callable[[dict[str, Any], Node], Any]
) -> Callable[[dict[str, Any], Node], None]:
    def mutate(body: dict[str, Any], vn: Node) -> None:
        private = keycrypto.generate("personal").private_raw
        body["approval_certificate"] = certificate(vn, private)
        body["approval"] = jose.sign_json(
            payload(body, vn), private_raw=private, key_id="forged", typ=APPROVAL_TYP
        )

    return mutate


def _officer(vn: Node) -> str:
    return _user(vn, "vn.officer").id


CASES = {
    # A certificate the node made up, issued by the person's own key.
    "self-issued": _forge(
        certificate=lambda vn, key: _certificate(
            vn,
            key,
            issuer=(
                key,
                certificates.self_issued_certificate(
                    private_raw=key,
                    common_name="A. Nguyen",
                    country="VN",
                    organization="vn-mps",
                    not_before=vn.clock.now() - timedelta(days=1),
                    not_after=vn.clock.now() + timedelta(days=30),
                    issues_people=True,
                ),
            ),
            user_id="someone",
        ),
        payload=lambda body, vn: _payload(body, approver="someone"),
    ),
    "not a supervisor": _forge(
        certificate=lambda vn, key: _certificate(vn, key, title="officer", user_id="someone"),
        payload=lambda body, vn: _payload(body, approver="someone"),
    ),
    "another authority": _forge(
        certificate=lambda vn, key: _certificate(vn, key, authority_id="th-dsi"),
        payload=lambda body, vn: _payload(body, approver="someone"),
    ),
    "expired": _forge(
        certificate=lambda vn, key: _certificate(vn, key, valid=(-60, -1)),
        payload=lambda body, vn: _payload(body, approver="someone"),
    ),
    "approver is the drafter": _forge(
        certificate=lambda vn, key: _certificate(vn, key, user_id=_officer(vn)),
        payload=lambda body, vn: _payload(body, approver=_officer(vn)),
    ),
    "another approver than certified": _forge(
        certificate=lambda vn, key: _certificate(vn, key, user_id="someone"),
        payload=lambda body, vn: _payload(body, approver="someone-else"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_forged_approval_is_refused(pair: Pair, case: str) -> None:
    assert _sent(pair, CASES[case]) == ("rejected", "invalid_approval")


def test_a_proper_certificate_passes_the_approval_but_not_the_document(pair: Pair) -> None:
    """The control for the cases above: their certificate, issued by the authority's key to a
    supervisor who neither drafted nor submitted, passes the approval check; the envelope is
    then refused only because the signed request document names another supervisor (the one
    who really approved it): the document and the approval must be the same person's."""
    mutate = _forge(
        certificate=lambda vn, key: _certificate(vn, key, user_id="someone"),
        payload=lambda body, vn: _payload(body, approver="someone"),
    )
    assert _sent(pair, mutate) == ("rejected", "invalid_document")


def test_the_real_supervisor_key_cannot_approve_their_own_submission(pair: Pair) -> None:
    def submitted_by_approver(body: dict[str, Any], vn: Node) -> None:
        supervisor = _user(vn, "vn.supervisor").id
        private, kid = _personal(vn, supervisor)
        body["approval"] = jose.sign_json(
            _payload(body, submitter=supervisor), private_raw=private, key_id=kid, typ=APPROVAL_TYP
        )

    assert _sent(pair, submitted_by_approver) == ("rejected", "invalid_approval")


def test_a_field_changed_after_approval_is_refused(pair: Pair) -> None:
    def changed(body: dict[str, Any], vn: Node) -> None:
        body["request"] = {**body["request"], "reference": "VN-2026-9999"}

    assert _sent(pair, changed) == ("rejected", "invalid_approval")


def test_the_personal_key_is_made_once_and_kept(pair: Pair) -> None:
    for _ in range(2):
        approve_and_send(pair, draft(pair, RequestKind.PRESERVATION))
    vn = pair.net.nodes["vn-mps"]
    supervisor = _user(vn, "vn.supervisor").id
    with vn.db.session() as session:
        keys = list(session.scalars(select(StoredKey).where(StoredKey.user_id == supervisor)))
        assert len(keys) == 1
        assert keys[0].purpose == "personal"
        # Not an authority key: not published in the directory, not listed with them.
        assert keys[0] not in keyring.keys_of(session=session, authority_id="vn-mps")
        approvals = session.scalars(select(Request.approval_certificate)).all()
    assert len(set(approvals)) == 1


def test_approved_fields_are_what_the_receiver_recomputes(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    sent, received = pair.copies(request_id)
    assert sent is not None
    assert received is not None
    assert approved_fields(sent) == approved_fields(received)


def test_the_request_document_is_signed_by_the_approving_supervisor(
    pair: Pair, tmp_path: Path
) -> None:
    """The PAdES signature names the supervisor, and validates with the authority's certificate
    as the only trust root (pyHanko's own command, as a counterpart would run it)."""
    request_id = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, request_id)
    pair.deliver()
    pdf = pair.api("ru.supervisor", "GET", f"/requests/{request_id}/document.pdf")
    assert pdf.status_code == 200
    signer = signer_certificate(pdf.content)
    assert signer is not None
    supervisor = _user(pair.net.nodes["vn-mps"], "vn.supervisor")
    person = certificates.read_person(signer)
    assert (person.user_id, person.name, person.title) == (
        supervisor.id,
        supervisor.display_name,
        "supervisor",
    )
    trust = tmp_path / "vn-mps.pem"
    trust.write_bytes(
        pair.clients["vn-mps"].get("/federation/v1/authorities/vn-mps/certificate.pem").content
    )
    (tmp_path / "request.pdf").write_bytes(pdf.content)
    command = [".venv/bin/pyhanko", "sign", "validate", "--pretty-print", "--trust", str(trust)]
    checked = subprocess.run(
        [*command, str(tmp_path / "request.pdf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert supervisor.display_name in checked.stdout
    # Another authority's certificate as the trust root: not its document.
    trust.write_bytes(
        pair.clients["ru-gpo"].get("/federation/v1/authorities/ru-gpo/certificate.pem").content
    )
    refused = subprocess.run(
        [*command, str(tmp_path / "request.pdf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert refused.returncode != 0
