"""The sealed package kept on both nodes: downloaded by those who see the request, checked
again years later against the directory as it stood at signing, gone with its items'
retention; the receiver's chain of custody as CASE/UCO; byte counts after a lost answer."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison.core.clock import FakeClock
from liaison.crypto import keys as keycrypto
from liaison.directory.document import RevokedKey
from liaison.evidence import retention
from liaison.evidence.models import EvidenceItem
from liaison.evidence.package import Verdict, VerifyReport, verify_package
from liaison.evidence.senders import NodeSenderKeys
from liaison.evidence.service import retention_until, store_for
from liaison.evidence.transfer.models import PackageTransfer
from liaison.federation.transport import TransportError
from liaison.keyring import service as keyring
from liaison.requests.models import Request
from tests.conftest import PASSWORD
from tests.federation_net import CTX, extra_databases
from tests.functional.test_evidence_transfer import (
    CHUNK,
    FILES,
    Client,
    executing_request,
    items_of,
    run,
    transfers_of,
    upload,
)
from tests.request_net import Pair, request_pair

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("kept"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        for node in pair.net.nodes.values():
            node.settings = node.settings.model_copy(update={"transfer_chunk_bytes": CHUNK})
        yield pair


def _sent(pair: Pair, clock: FakeClock, client: Client | None = None) -> str:
    request_id = executing_request(pair)
    for name, data in FILES.items():
        upload(pair, request_id, name, data)
    response = pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    assert response.status_code == 202, response.text
    run(pair, client or Client(pair), clock)
    return request_id


def _rows(pair: Pair) -> tuple[PackageTransfer, PackageTransfer]:
    (out,) = transfers_of(pair, "ru-gpo")
    (arrived,) = transfers_of(pair, "vn-mps")
    assert (out.status, arrived.status) == ("confirmed", "verified"), arrived.report
    return out, arrived


def _download(pair: Pair, user: str, request_id: str, transfer: str) -> Any:
    return pair.api(user, "GET", f"/requests/{request_id}/packages/{transfer}/package")


def _check(pair: Pair, data: bytes, tmp_path: Path) -> VerifyReport:
    """What a court's expert does with the downloaded package on the receiving side."""
    node = pair.net.nodes["vn-mps"]
    with node.db.session() as session:
        key = keyring.active_key(session=session, authority_id="vn-mps", purpose="encryption")
        assert key is not None
        identity = keycrypto.age_identity(keyring.private_raw(kek=node.kek, key=key))
    path = tmp_path / "kept.age"
    path.write_bytes(data)
    keys = NodeSenderKeys(node=node, expected="ru-gpo")
    return verify_package(package=path, identity=identity, sender_keys=keys)


def _signature(report: VerifyReport) -> str:
    (check,) = [c for c in report.checks if c.name == "signature"]
    return check.detail


def _login(pair: Pair, username: str) -> None:
    authority = "vn-mps" if username.startswith("vn.") else "ru-gpo"
    response = pair.clients[authority].post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    pair.tokens[username] = {"Authorization": f"Bearer {response.json()['token']}"}


def test_both_nodes_keep_the_package_and_only_those_who_see_the_request_download_it(
    pair: Pair, clock: FakeClock, tmp_path: Path
) -> None:
    request_id = _sent(pair, clock)
    out, arrived = _rows(pair)
    received = _download(pair, "vn.officer", request_id, arrived.id)
    assert received.status_code == 200, received.text
    assert "sha256:" + hashlib.sha256(received.content).hexdigest() == arrived.package_digest
    assert received.headers["content-length"] == str(arrived.size)
    sent = _download(pair, "ru.supervisor", request_id, out.id)
    assert sent.content == received.content  # as sent, as received: the same bytes
    report = _check(pair, received.content, tmp_path)
    assert report.verdict is Verdict.authentic, report.lines()
    # the download is a link of each item's chain of custody
    for item in items_of(pair, "vn-mps", request_id):
        events = pair.api("vn.officer", "GET", f"/evidence/{item.id}/custody").json()
        assert events[-1]["event"] == "downloaded"
        assert events[-1]["detail"]["package"] == arrived.package_digest
    # who may not see the request, or names another node's transfer, gets 404, as for nothing
    for user in ("ru.officer", "ru.contact"):
        assert _download(pair, user, request_id, out.id).status_code == 404
    assert _download(pair, "vn.officer", request_id, out.id).status_code == 404
    assert _download(pair, "ru.supervisor", request_id, arrived.id).status_code == 404
    other = executing_request(pair)
    assert _download(pair, "vn.officer", other, arrived.id).status_code == 404


def test_years_later_the_kept_package_verifies_against_the_directory_of_its_signing(
    pair: Pair, clock: FakeClock, tmp_path: Path
) -> None:
    request_id = _sent(pair, clock)
    _out, arrived = _rows(pair)
    vn = pair.net.nodes["vn-mps"]
    with vn.db.session() as session:  # executed, its evidence to be kept ten years
        request = session.get_one(Request, ("vn-mps", request_id))
        request.response = {"conditions": {"retention_days": 3650}}
        request.executed_at = clock.now()
        for item in session.scalars(select(EvidenceItem).where(EvidenceItem.holder == "vn-mps")):
            item.retention_until = retention_until(request, clock.now())
        session.commit()
    # the sender's keys rotate and the directory moves on; years pass
    ru = pair.net.nodes["ru-gpo"]
    with ru.db.session() as session:
        keyring.rotate(session=session, kek=ru.kek, authority_id="ru-gpo", ctx=CTX, clock=clock)
        session.commit()
    pair.net.publish()
    clock.advance(timedelta(days=5 * 365))
    pair.net.publish()
    with vn.db.session() as session:
        assert retention.apply_retention(session=session, node=vn, now=clock.now()) == []
        session.commit()
    _login(pair, "vn.officer")
    kept = _download(pair, "vn.officer", request_id, arrived.id)
    assert kept.status_code == 200, kept.text
    report = _check(pair, kept.content, tmp_path)
    assert report.verdict is Verdict.authentic, report.lines()
    assert "directory version 1:" in _signature(report)
    # the retention of its items ends: the package goes with them, and says so
    clock.advance(timedelta(days=5 * 365 + 10))
    with vn.db.session() as session:
        deleted = retention.apply_retention(session=session, node=vn, now=clock.now())
        session.commit()
    assert len(deleted) == len(FILES)
    (row,) = transfers_of(pair, "vn-mps")
    assert row.package_deleted_at is not None
    assert not store_for(vn).exists(arrived.package_digest or "")
    _login(pair, "vn.officer")
    gone = _download(pair, "vn.officer", request_id, arrived.id)
    assert gone.status_code == 410
    assert "retention" in gone.json()["detail"]


def test_a_key_revoked_from_before_the_signing_time_fails_the_kept_package(
    pair: Pair, clock: FakeClock, tmp_path: Path
) -> None:
    request_id = _sent(pair, clock)
    _out, arrived = _rows(pair)
    kept = _download(pair, "vn.officer", request_id, arrived.id).content
    assert _check(pair, kept, tmp_path).verdict is Verdict.authentic
    assert arrived.sealed_at is not None
    assert arrived.signing_key is not None
    # compromised after it signed: what it signed before still stands
    later = RevokedKey(
        kid=arrived.signing_key,
        revoked_at=arrived.sealed_at + timedelta(seconds=1),
        reason="key compromised",
    )
    pair.net.publish(revoked=[later])
    assert _check(pair, kept, tmp_path).verdict is Verdict.authentic
    # then found compromised from a time before the package was signed
    revoked = RevokedKey(
        kid=arrived.signing_key,
        revoked_at=arrived.sealed_at - timedelta(hours=1),
        reason="key compromised",
    )
    pair.net.publish(revoked=[revoked])
    report = _check(pair, kept, tmp_path)
    assert report.verdict is Verdict.failed
    assert "revoked" in _signature(report)


class LosingClient(Client):
    """Delivers one chunk whose answer is then lost: the receiver has it, and the sender
    learns so only from the receiver's offset when it resumes."""

    def __init__(self, pair: Pair, *, lose: int) -> None:
        super().__init__(pair)
        self.lose = lose

    def send(self, **kwargs: Any) -> Any:
        ack = super().send(**kwargs)
        if self.chunks == self.lose:
            raise TransportError("connection reset after the chunk was stored (test)")
        return ack


def test_both_nodes_count_the_same_bytes_after_a_lost_answer(pair: Pair, clock: FakeClock) -> None:
    _sent(pair, clock, LosingClient(pair, lose=2))
    out, arrived = _rows(pair)
    # the resume began after the chunk the receiver stored: nothing crossed twice, and the
    # sender, which never heard of that chunk, reports the receiver's count
    assert arrived.bytes_transferred == arrived.size
    assert out.bytes_transferred == arrived.bytes_transferred


def test_the_receivers_case_export_validates_and_begins_with_the_senders_acquisition(
    pair: Pair, clock: FakeClock, tmp_path: Path
) -> None:
    request_id = _sent(pair, clock)
    item = items_of(pair, "vn-mps", request_id)[0]
    response = pair.api("vn.officer", "GET", f"/evidence/{item.id}/custody/case")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    path = tmp_path / "custody.jsonld"
    path.write_bytes(response.content)
    graph = json.loads(response.content)["@graph"]
    names = {node["@id"]: node.get("uco-core:name") for node in graph}
    actions = [n for n in graph if n["@type"] == "case-investigation:InvestigativeAction"]
    first = actions[0]
    assert first["uco-core:name"] == "acquired"
    assert names[first["uco-core:createdBy"]["@id"]] == "ru-gpo"
    assert names[first["uco-action:performer"]["@id"]] == "Capt. Ivanov"
    assert first["uco-action:startTime"]["@value"] == "2026-11-20T09:00:00+03:00"
    assert [a["uco-core:name"] for a in actions][:4] == [
        "acquired",
        "ingested",
        "sealed",
        "received",
    ]
    validate = BIN / "case_validate"
    if not validate.exists():
        pytest.skip("case_validate is not installed")
    checked = subprocess.run(
        [str(validate), "--allow-info", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert "Conforms: True" in checked.stdout
