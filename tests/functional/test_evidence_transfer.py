"""Evidence packages between two node stacks: sealed, announced, pushed in chunks, resumed,
verified on arrival, and recorded in both chains of custody."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison.core.clock import FakeClock
from liaison.evidence.models import EvidenceItem
from liaison.evidence.store import LocalBlobStore, StoreError
from liaison.evidence.transfer import incoming, wire
from liaison.evidence.transfer.models import PackageTransfer
from liaison.evidence.transfer.outgoing import package_path
from liaison.evidence.transfer.pushing import MAX_REFUSALS
from liaison.evidence.transfer.tasks import Transfers
from liaison.federation.transport import TransportError
from liaison.keyring import service as keyring
from liaison.requests.contents import RequestKind
from tests.federation_net import endpoint_of, extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft, step
from tests.request_net import Pair, request_pair

CHUNK = 64 << 10
FILES = {"disk.img": os.urandom(300_000), "chat.txt": "Сообщения / tin nhắn".encode() * 100}


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("xfer"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        for node in pair.net.nodes.values():
            node.settings = node.settings.model_copy(update={"transfer_chunk_bytes": CHUNK})
        yield pair


class Client(wire.HttpPackageClient):
    """The chunk protocol into the in-process applications; can break after N chunks."""

    def __init__(self, pair: Pair, *, break_after: int | None = None) -> None:
        routes = {endpoint_of(pair.net.nodes, a): c for a, c in pair.clients.items()}
        node = next(iter(pair.net.nodes.values()))
        super().__init__(node.settings, client_for=lambda endpoint: routes[endpoint])
        self.break_after, self.chunks = break_after, 0

    def send(self, **kwargs: Any) -> wire.Ack:
        if self.break_after is not None and self.chunks >= self.break_after:
            raise TransportError("connection reset (test)")
        self.chunks += 1
        return super().send(**kwargs)


def run(pair: Pair, client: wire.PackageClient, clock: FakeClock, rounds: int = 20) -> None:
    """Workers of both nodes until nothing moves (envelopes and packages)."""
    for _ in range(rounds):
        pair.deliver()
        moved = [Transfers(node, client).step() for node in pair.net.nodes.values()]
        clock.advance(timedelta(seconds=301))  # past any backoff
        if not any(moved):
            pair.deliver()
            return


def executing_request(pair: Pair) -> str:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, request_id)
    pair.deliver()
    for action in ("acknowledge", "start"):
        step(pair, "ru.supervisor", request_id, action)
    pair.deliver()
    return request_id


def upload(pair: Pair, request_id: str, name: str, data: bytes) -> str:
    response = pair.api(
        "ru.supervisor",
        "POST",
        f"/requests/{request_id}/evidence",
        data={
            "acquired_by": "Capt. Ivanov",
            "acquired_at": "2026-11-20T09:00:00+03:00",
            "acquisition_method": "provider disclosure",
            "acquisition_tool": "export 2.1",
            "description": f"{name} from the provider",
            "source": "provider X",
        },
        files={"file": (name, data, "application/octet-stream")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def transfers_of(pair: Pair, authority: str) -> list[PackageTransfer]:
    with pair.net.nodes[authority].db.session() as session:
        return list(session.scalars(select(PackageTransfer)))


def items_of(pair: Pair, authority: str, request_id: str) -> list[EvidenceItem]:
    with pair.net.nodes[authority].db.session() as session:
        return list(
            session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.holder == authority, EvidenceItem.request_id == request_id)
                .order_by(EvidenceItem.name)
            )
        )


def custody_of(pair: Pair, user: str, item_id: str) -> list[str]:
    response = pair.api(user, "GET", f"/evidence/{item_id}/custody")
    assert response.status_code == 200, response.text
    return [event["event"] for event in response.json()]


@pytest.fixture
def sent(pair: Pair, clock: FakeClock) -> tuple[str, dict[str, str]]:
    request_id = executing_request(pair)
    ids = {name: upload(pair, request_id, name, data) for name, data in FILES.items()}
    return request_id, ids


def test_package_travels_verified_with_custody_on_both_sides(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:
    request_id, ids = sent
    response = pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "sealing"
    run(pair, Client(pair), clock)

    (out,) = transfers_of(pair, "ru-gpo")
    (arrived,) = transfers_of(pair, "vn-mps")
    assert (out.status, arrived.status) == ("confirmed", "verified")
    assert arrived.bytes_transferred == arrived.size == out.size
    assert all(check["ok"] is not False for check in arrived.report)
    assert {"signature", "announced items"} <= {check["check"] for check in arrived.report}
    # the requesting side now holds the items, byte for byte
    received = items_of(pair, "vn-mps", request_id)
    assert {i.name: i.digest for i in received} == {
        name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in FILES.items()
    }
    assert received[0].acquired_by == "Capt. Ivanov"
    for item in received:
        content = pair.api("vn.officer", "GET", f"/evidence/{item.id}/content")
        assert content.content == FILES[item.name]
        # the sender's chain, signed inside the package, first; then what the receiver did
        events = pair.api("vn.officer", "GET", f"/evidence/{item.id}/custody").json()
        assert [(e["event"], e["detail"].get("recorded_by")) for e in events][:7] == [
            ("acquired", "ru-gpo"),
            ("ingested", "ru-gpo"),
            ("sealed", "ru-gpo"),
            ("received", None),
            ("opened", None),
            ("verified", None),
            ("ingested", None),
        ]
        assert events[0]["actor"] == "Capt. Ivanov"
        assert events[1]["actor"] == "Ru.Supervisor (ru.supervisor, ru-gpo)"
        # the acquisition as the acquirer wrote it, offset included, and its details
        shown = pair.api("vn.officer", "GET", f"/evidence/{item.id}").json()
        assert shown["acquired_at"] == "2026-11-20T09:00:00+03:00"
        assert (shown["acquisition_method"], shown["acquisition_tool"], shown["source"]) == (
            "provider disclosure",
            "export 2.1",
            "provider X",
        )
        assert shown["description"] == f"{item.name} from the provider"
    assert custody_of(pair, "ru.supervisor", ids["disk.img"]) == [
        "acquired",
        "ingested",
        "sealed",
        "sent",
        "verified",
    ]
    # both sides list the package with the receiver's checks
    listed = pair.api("vn.officer", "GET", f"/requests/{request_id}/packages").json()
    assert [(t["direction"], t["status"]) for t in listed] == [("in", "verified")]
    # no working file is left behind on either node; both keep the package in their store
    for node in pair.net.nodes.values():
        assert not list((Path(node.settings.data_dir) / "packages").rglob("*.age"))
    assert out.kept_at is not None
    assert arrived.kept_at is not None
    assert set(arrived.item_ids) == {i.id for i in received}
    assert arrived.sealed_at is not None
    assert arrived.received_at is not None


def test_interrupted_transfer_resumes_from_the_last_stored_chunk(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:
    request_id, _ = sent
    pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    broken = Client(pair, break_after=3)
    run(pair, broken, clock, rounds=3)
    (arrived,) = transfers_of(pair, "vn-mps")
    assert arrived.status == "expected"
    assert arrived.offset == 3 * CHUNK
    # the receiver died after writing a chunk but before committing it: junk past the offset
    part = incoming.part_path(pair.net.nodes["vn-mps"], arrived.package_digest or "")
    with part.open("ab") as handle:
        handle.write(b"\x00" * 1000)
    resumed = Client(pair)
    run(pair, resumed, clock)
    (arrived,) = transfers_of(pair, "vn-mps")
    assert arrived.status == "verified"
    # nothing was sent twice: the resume started at chunk 4
    assert arrived.bytes_transferred == arrived.size
    assert resumed.chunks == -(-arrived.size // CHUNK) - 3


def _announced(pair: Pair, request_id: str, clock: FakeClock) -> PackageTransfer:
    pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    run(pair, Client(pair, break_after=0), clock, rounds=2)
    (arrived,) = transfers_of(pair, "vn-mps")
    return arrived


def _token(pair: Pair, authority: str, package: str, *, to: str = "vn-mps") -> str:
    node = pair.net.nodes[authority]
    with node.db.session() as session:
        key = keyring.active_key(session=session, authority_id=authority, purpose="signing")
        assert key is not None
        private = keyring.private_raw(kek=node.kek, key=key)
    return wire.make_token(
        package=package,
        sender=authority,
        recipient=to,
        private_raw=private,
        key_id=key.id,
        now=node.clock.now().timestamp(),
    )


def _patch(pair: Pair, package: str, token: str, offset: int, data: bytes, **headers: str) -> Any:
    return pair.clients["vn-mps"].patch(
        f"/federation/v1/packages/{package.removeprefix('sha256:')}",
        content=data,
        headers={
            "Authorization": f"Liaison-Transfer {token}",
            "Upload-Offset": str(offset),
            "Content-Digest": wire.content_digest(data),
            **headers,
        },
    )


def test_bad_chunks_are_refused_and_nothing_is_written(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:
    arrived = _announced(pair, sent[0], clock)
    package = arrived.package_digest or ""
    token = _token(pair, "ru-gpo", package)
    chunk = os.urandom(1000)
    # wrong digest
    bad = _patch(pair, package, token, 0, chunk, **{"Content-Digest": wire.content_digest(b"x")})
    assert bad.status_code == 422, bad.text
    assert "Content-Digest" in bad.json()["detail"]
    # wrong offset
    assert _patch(pair, package, token, 5, chunk).status_code == 409
    # a token of the receiving authority itself, or naming another recipient
    assert _patch(
        pair, package, _token(pair, "vn-mps", package, to="ru-gpo"), 0, chunk
    ).status_code in (403, 404)
    assert (
        _patch(pair, package, _token(pair, "ru-gpo", package, to="ru-gpo"), 0, chunk).status_code
        == 403
    )
    # no token, a forged token, an unannounced package
    assert pair.clients["vn-mps"].patch(f"/federation/v1/packages/{'a' * 64}").status_code == 401
    assert _patch(pair, package, token[:-4] + "AAAA", 0, chunk).status_code == 403
    other = "sha256:" + "b" * 64
    assert _patch(pair, other, _token(pair, "ru-gpo", other), 0, chunk).status_code == 404
    # past the announced length
    assert _patch(pair, package, token, 0, os.urandom(arrived.size + 1)).status_code == 422
    (arrived,) = transfers_of(pair, "vn-mps")
    assert (arrived.offset, arrived.bytes_transferred) == (0, 0)
    part = incoming.part_path(pair.net.nodes["vn-mps"], package)
    assert not part.exists() or part.stat().st_size == 0


def test_a_package_that_does_not_match_its_announcement_fails_verification(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:
    request_id, _ = sent
    pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    node = pair.net.nodes["ru-gpo"]
    with node.db.session() as session:
        row = session.scalars(select(PackageTransfer)).one()
        row.items = [{**row.items[0], "digest": "sha256:" + "0" * 64}, *row.items[1:]]
    run(pair, Client(pair), clock)
    (out,) = transfers_of(pair, "ru-gpo")
    (arrived,) = transfers_of(pair, "vn-mps")
    assert (out.status, arrived.status) == ("failed", "failed")
    failed = [c for c in arrived.report if c["ok"] is False]
    assert [c["check"] for c in failed] == ["announced items"]
    assert items_of(pair, "vn-mps", request_id) == []


def test_only_the_request_parties_users_see_or_send_packages(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:
    request_id, _ = sent
    # the requesting side's officer holds no item on its copy yet: nothing to send
    nothing = pair.api("vn.officer", "POST", f"/requests/{request_id}/packages", json={})
    assert nothing.status_code == 422
    unknown = pair.api(
        "ru.supervisor", "POST", f"/requests/{request_id}/packages", json={"items": ["nope"]}
    )
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["detail"]
    # users who do not see the request (an unassigned officer; a 24/7 contact, for an MLA
    # request) can neither send its evidence nor list its packages: 404, as for no request
    for user in ("ru.officer", "ru.contact"):
        path = f"/requests/{request_id}/packages"
        assert pair.api(user, "POST", path, json={}).status_code == 404
        assert pair.api(user, "GET", path).status_code == 404
    assert transfers_of(pair, "ru-gpo") == []


def test_a_request_not_yet_sent_cannot_carry_evidence(pair: Pair) -> None:
    request_id = draft(pair, RequestKind.MLA, subtype="stored_data")
    response = pair.api("vn.officer", "POST", f"/requests/{request_id}/packages", json={})
    assert response.status_code == 422
    assert "not been sent" in response.json()["detail"]


def test_a_full_disk_at_the_receiver_is_retried_not_blamed_on_the_package(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:

    request_id, _ = sent
    pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    real_put = LocalBlobStore.put

    def full(self: LocalBlobStore, **kwargs: Any) -> bool:
        if "data0" in str(self.root):  # vn-mps, the receiver
            raise StoreError("cannot store blob: the disk holding the evidence store is full")
        return real_put(self, **kwargs)

    monkeypatch.setattr(LocalBlobStore, "put", full)
    with pytest.raises(StoreError):
        run(pair, Client(pair), clock)
    (arrived,) = transfers_of(pair, "vn-mps")
    assert arrived.status == "received"
    assert items_of(pair, "vn-mps", request_id) == []
    monkeypatch.setattr(LocalBlobStore, "put", real_put)
    clock.advance(timedelta(seconds=60))  # the failed step's lease runs out
    run(pair, Client(pair), clock)
    (arrived,) = transfers_of(pair, "vn-mps")
    assert arrived.status == "verified"
    assert len(items_of(pair, "vn-mps", request_id)) == len(FILES)


def test_a_package_corrupted_on_the_senders_disk_fails_after_a_few_tries(
    pair: Pair, clock: FakeClock, sent: tuple[str, dict[str, str]]
) -> None:

    request_id, _ = sent
    pair.api("ru.supervisor", "POST", f"/requests/{request_id}/packages", json={})
    sender = pair.net.nodes["ru-gpo"]
    sealer = Client(pair, break_after=0)
    run(pair, sealer, clock, rounds=2)  # sealed and announced, nothing pushed
    (out,) = transfers_of(pair, "ru-gpo")
    path = package_path(sender.settings.data_dir, out.package_digest or "")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    run(pair, Client(pair), clock, rounds=3 * MAX_REFUSALS)
    (out,) = transfers_of(pair, "ru-gpo")
    (arrived,) = transfers_of(pair, "vn-mps")
    assert out.status == "failed"
    assert "does not match" in (out.last_error or "")
    # the receiver never took the bad bytes for the package
    assert (arrived.status, arrived.offset) == ("expected", 0)
    assert items_of(pair, "vn-mps", request_id) == []
