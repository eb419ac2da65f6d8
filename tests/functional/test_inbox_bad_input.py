"""Bad input at /federation/v1/inbox: a 4xx with a reason, nothing stored but the audit entry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.app import create_app
from liaison.audit.models import AuditEntry, RefusalCount
from liaison.checkpoints import verify as audit_log
from liaison.core.clock import FakeClock
from liaison.crypto import jose, keys
from liaison.crypto.hashing import canonical_json
from liaison.crypto.keys import b64u, b64u_decode
from liaison.directory import document
from liaison.directory import service as directory
from liaison.federation import envelope as env
from liaison.federation import receipts
from liaison.federation.models import InboxEnvelope, Message
from liaison.keyring import service as keyring
from liaison.node import Node
from tests.federation_net import CTX, Net, build_net, empty, extra_databases


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("inbox"), 2) as urls:
        yield urls


@pytest.fixture
def net(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Net]:
    net = build_net(node_urls, tmp_path, ["vn-mps", "ru-gpo"], clock)
    yield net
    for node in net.nodes.values():
        empty(node)


@pytest.fixture
def ru_client(net: Net) -> Iterator[TestClient]:
    with TestClient(create_app(node=net.nodes["ru-gpo"])) as client:
        yield client


def sealed(
    net: Net,
    *,
    kind: str = "note",
    body: dict[str, Any] | None = None,
    to: str = "ru-gpo",
    signer_raw: bytes | None = None,
    signer_kid: str | None = None,
) -> env.SealedEnvelope:
    vn = net.nodes["vn-mps"]
    with vn.db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="signing")
        assert key is not None
        peer = directory.peer_encryption_key(
            session=session, authority_id="ru-gpo", at=vn.clock.now()
        )
        return env.seal(
            kind=kind,
            sender="vn-mps",
            recipient=to,
            body=body or {"text": "hello"},
            sender_key_id=signer_kid or key.id,
            sender_private_raw=signer_raw or keyring.private_raw(kek=vn.kek, key=key),
            recipient_key_id=peer.kid,
            recipient_public_raw=peer.public_raw,
            now=vn.clock.now(),
        )


def stored(node: Node) -> tuple[int, int, int]:
    """Inbox rows, messages, and refusals recorded: an audit entry for a peer whose signature
    verified, a counter for anything before that."""
    with node.db.session() as session:
        audited = session.scalar(
            select(func.count()).where(AuditEntry.action == "federation:envelope:rejected")
        )
        counted = session.scalar(select(func.sum(RefusalCount.count)))
        return (
            int(session.scalar(select(func.count()).select_from(InboxEnvelope)) or 0),
            int(session.scalar(select(func.count()).select_from(Message)) or 0),
            int(audited or 0) + int(counted or 0),
        )


def test_anonymous_junk_is_counted_not_logged_entry_by_entry(
    net: Net, ru_client: TestClient
) -> None:
    ru = net.nodes["ru-gpo"]
    with ru.db.session() as session:
        entries_before = session.scalar(select(func.count()).select_from(AuditEntry))
    for index in range(50):
        assert post(ru_client, f"junk {index}").status_code == 400
    assert post(ru_client, sealed(net, signer_raw=keys.generate("signing").private_raw).wire)
    with ru.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == entries_before
        counts = {(c.channel, c.reason): c.count for c in session.scalars(select(RefusalCount))}
    assert counts == {("federation", "malformed"): 50, ("federation", "bad_signature"): 1}


def post(client: TestClient, wire: str | bytes) -> Any:
    return client.post(
        "/federation/v1/inbox", content=wire, headers={"content-type": "application/jose"}
    )


def expect_rejected(
    net: Net, client: TestClient, wire: str | bytes, status: int, reason: str
) -> None:
    ru = net.nodes["ru-gpo"]
    inbox_before, messages_before, rejected_before = stored(ru)
    response = post(client, wire)
    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason
    assert stored(ru) == (inbox_before, messages_before, rejected_before + 1)
    receipt = response.json()["receipt"]
    _, kid = receipts.receipt_signer(receipt)
    with ru.db.session() as session:
        key = keyring.public_raw_by_id(session=session, key_id=kid)
    assert key is not None
    assert jose.verify(receipt, public_raw=key, typ=env.RECEIPT_TYP, key_id=None)


def test_good_envelope_is_accepted(net: Net, ru_client: TestClient) -> None:
    response = post(ru_client, sealed(net).wire)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert stored(net.nodes["ru-gpo"])[:2] == (1, 1)


@pytest.mark.parametrize("garbage", [b"{not json", b"", b"a.b.c", "é".encode(), b"\x00\xff" * 10])
def test_malformed(net: Net, ru_client: TestClient, garbage: bytes) -> None:
    expect_rejected(net, ru_client, garbage, 400, "malformed")


def test_body_over_the_size_limit(net: Net, ru_client: TestClient) -> None:
    limit = net.nodes["ru-gpo"].settings.federation_max_envelope_bytes
    response = post(ru_client, b"a" * (limit + 1))
    assert response.status_code == 413
    assert response.json()["reason"] == "too_large"


def test_wrong_signature(net: Net, ru_client: TestClient) -> None:
    wire = sealed(net).wire
    head, payload, signature = wire.split(".")
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    expect_rejected(net, ru_client, f"{head}.{payload}.{flipped}", 401, "bad_signature")


def test_signed_by_a_key_not_in_the_directory(net: Net, ru_client: TestClient) -> None:

    stranger = keys.generate("signing")
    wire = sealed(net, signer_raw=stranger.private_raw, signer_kid="not-a-listed-key").wire
    expect_rejected(net, ru_client, wire, 401, "unknown_key")


def test_valid_signature_by_a_revoked_key(
    net: Net, ru_client: TestClient, clock: FakeClock
) -> None:
    with net.nodes["vn-mps"].db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="signing")
        assert key is not None
        kid = key.id
    clock.advance(timedelta(seconds=1))
    net.publish(
        revoked=[document.RevokedKey(kid=kid, revoked_at=clock.now(), reason="key compromise")]
    )
    clock.advance(timedelta(seconds=1))
    expect_rejected(net, ru_client, sealed(net).wire, 401, "revoked_key")


def test_replay_of_an_old_envelope(net: Net, ru_client: TestClient, clock: FakeClock) -> None:
    wire = sealed(net).wire
    clock.advance(timedelta(hours=1))
    expect_rejected(net, ru_client, wire, 400, "stale")


def test_replay_of_an_accepted_envelope_gets_the_same_receipt(
    net: Net, ru_client: TestClient
) -> None:
    wire = sealed(net).wire
    first = post(ru_client, wire).json()["receipt"]
    assert post(ru_client, wire).json()["receipt"] == first
    assert stored(net.nodes["ru-gpo"])[:2] == (1, 1)


def test_envelope_for_an_authority_not_hosted_here(net: Net) -> None:
    # A genuine envelope for ru-gpo, delivered to the node that hosts only vn-mps.
    with TestClient(create_app(node=net.nodes["vn-mps"])) as vn_client:
        inbox_before, messages_before, rejected_before = stored(net.nodes["vn-mps"])
        response = post(vn_client, sealed(net).wire)
    assert response.status_code == 404
    assert response.json()["reason"] == "not_hosted"
    assert stored(net.nodes["vn-mps"]) == (inbox_before, messages_before, rejected_before + 1)


def test_unknown_kind(net: Net, ru_client: TestClient) -> None:
    expect_rejected(
        net, ru_client, sealed(net, kind="extradition.surrender").wire, 400, "unknown_kind"
    )


def test_invalid_body_for_the_kind(net: Net, ru_client: TestClient) -> None:
    expect_rejected(net, ru_client, sealed(net, body={"text": ""}).wire, 400, "malformed")


def test_ciphertext_altered_by_one_bit(net: Net, ru_client: TestClient) -> None:
    good = sealed(net)
    # In transit: the signature covers the ciphertext.
    # Flip one bit of the JWE ciphertext itself (decoded, then re-encoded, so the envelope
    # stays well-formed and only the signature can tell).
    head, _, signature = good.wire.split(".")
    fields = good.envelope.model_dump(mode="json", by_alias=True)
    parts = fields["body"].split(".")
    ciphertext = bytearray(b64u_decode(parts[3]))
    ciphertext[len(ciphertext) // 2] ^= 0x01
    parts[3] = b64u(bytes(ciphertext))
    in_transit = {**fields, "body": ".".join(parts)}
    payload = b64u(json.dumps(in_transit, separators=(",", ":")).encode())
    expect_rejected(net, ru_client, f"{head}.{payload}.{signature}", 401, "bad_signature")
    # Altered before signing (the sender's own mistake or a forged body): decryption fails.
    vn = net.nodes["vn-mps"]
    fields["body"] = ".".join(parts)
    with vn.db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="signing")
        assert key is not None
        resigned = jose.sign(
            canonical_json(fields),
            private_raw=keyring.private_raw(kek=vn.kek, key=key),
            key_id=key.id,
            typ=env.ENVELOPE_TYP,
        )
    expect_rejected(net, ru_client, resigned, 400, "decrypt_failed")


def test_malformed_batch(net: Net, ru_client: TestClient) -> None:
    response = ru_client.post("/federation/v1/inbox/batch", content=b'{"envelopes": "nope"}')
    assert response.status_code == 400
    assert response.json()["reason"] == "malformed"
    good = sealed(net).wire
    mixed = ru_client.post("/federation/v1/inbox/batch", json={"envelopes": [good, "garbage"]})
    assert mixed.status_code == 200
    statuses = [env.jose.jws_payload_unverified(r) for r in mixed.json()["receipts"]]
    assert b'"accepted"' in statuses[0]
    assert b'"rejected"' in statuses[1]


def test_audit_chain_intact_after_all_that(net: Net, ru_client: TestClient) -> None:

    post(ru_client, b"junk")
    post(ru_client, sealed(net).wire)
    with net.nodes["ru-gpo"].db.session() as session:
        assert audit_log.check_chain(session=session).ok
    assert CTX.actor == "test"
