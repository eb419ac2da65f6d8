"""A follow-up names a preservation of the same two authorities, checked when drafting and again
on arrival: nobody can link (or re-link) another pair's preservation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from liaison.core.clock import FakeClock
from liaison.federation.models import OutboxEnvelope
from liaison.requests.contents import RequestKind
from liaison.requests.follow_ups import held_by
from liaison.requests.models import Request
from tests.federation_net import extra_databases
from tests.functional.test_requests_flow import approve_and_send, draft
from tests.request_net import Pair, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("links"), 2) as urls:
        yield urls


@pytest.fixture
def pair(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[Pair]:
    with request_pair(node_urls, tmp_path, clock) as pair:
        yield pair


def _preservation_from_ru(pair: Pair) -> str:
    """A preservation ru-gpo asks of vn-mps: both nodes hold a copy under one id, but the pair
    of authorities is the reverse of vn-mps's requests to ru-gpo."""
    body = {
        "kind": "preservation",
        "to": "vn-mps",
        "language": "en",
        "content": COMPLETE[RequestKind.PRESERVATION],
    }
    request_id = str(pair.api("ru.officer", "POST", "/requests", json=body).json()["id"])
    for user, path in [
        ("ru.officer", "submit"),
        ("ru.supervisor", "approve"),
        ("ru.officer", "send"),
    ]:
        assert pair.api(user, "POST", f"/requests/{request_id}/{path}").status_code == 200
    pair.deliver()
    return request_id


def _refused(pair: Pair, **body: object) -> str:
    response = pair.api(
        "vn.officer",
        "POST",
        "/requests",
        json={"to": "ru-gpo", "language": "en", "content": {}, **body},
    )
    assert response.status_code == 422, response.text
    return str(response.json()["detail"])


def test_a_draft_links_only_a_preservation_of_the_same_two_authorities(pair: Pair) -> None:
    own = draft(pair, RequestKind.PRESERVATION)
    reverse = _preservation_from_ru(pair)
    unknown = "0190f0c2-0000-7000-8000-0000000000ff"
    # Unknown, and another pair's: the same sentence, so nothing about the other pair leaks.
    for target in (unknown, reverse):
        detail = _refused(pair, kind="mla", linked_request=target)
        assert detail == (f"linked_request: no preservation request {target} from vn-mps to ru-gpo")
    mla = draft(pair, RequestKind.MLA, subtype="stored_data")
    assert "no preservation request" in _refused(pair, kind="disclosure", linked_request=mla)
    assert "does not follow up" in _refused(pair, kind="extradition", linked_request=own)
    linked = draft(pair, RequestKind.MLA, subtype="stored_data", linked_request=own)
    assert pair.api("vn.officer", "GET", f"/requests/{linked}").json()["linked_request"] == own


def test_the_requested_node_refuses_a_link_to_another_pairs_preservation(pair: Pair) -> None:
    """As a node that skipped the drafting check would send it: refused on arrival with the
    reason invalid_link, nothing stored, and the preservation untouched."""
    reverse = _preservation_from_ru(pair)
    mla = draft(pair, RequestKind.MLA, subtype="stored_data")
    with pair.net.nodes["vn-mps"].db.session() as session:
        row = session.get(Request, ("vn-mps", mla))
        assert row is not None
        row.linked_request = reverse
        session.commit()
    approve_and_send(pair, mla)  # the approval signs the link too
    pair.deliver()
    ru = pair.net.nodes["ru-gpo"]
    with ru.db.session() as session:
        assert session.get(Request, ("ru-gpo", mla)) is None
        preservation = session.get(Request, ("ru-gpo", reverse))
        assert preservation is not None
        assert preservation.linked_request is None
    with pair.net.nodes["vn-mps"].db.session() as session:
        sent = session.scalars(
            select(OutboxEnvelope).where(
                OutboxEnvelope.thread == mla, OutboxEnvelope.kind == "request.transmit"
            )
        ).one()
        assert (sent.status, sent.receipt_reason) == ("rejected", "invalid_link")


def test_several_follow_ups_of_one_preservation_hold_it_together(pair: Pair) -> None:
    """A disclosure linked to a preservation no longer displaces the MLA that holds it."""
    own = draft(pair, RequestKind.PRESERVATION)
    approve_and_send(pair, own)
    mla = draft(pair, RequestKind.MLA, subtype="stored_data", linked_request=own)
    approve_and_send(pair, mla)
    disclosure = draft(pair, RequestKind.DISCLOSURE, linked_request=own)
    approve_and_send(pair, disclosure)
    pair.deliver()
    for authority, node in pair.net.nodes.items():
        with node.db.session() as session:
            preservation = session.get(Request, (authority, own))
            assert preservation is not None
            assert preservation.linked_request is None  # nothing written on it
            follow_ups = session.scalars(
                select(Request.id).where(Request.holder == authority, Request.linked_request == own)
            ).all()
            assert sorted(follow_ups) == sorted([mla, disclosure])
            # The MLA, sent and undecided, holds the preservation on both copies.
            assert held_by(session, preservation) == [mla]


def test_the_outbox_shows_a_request_envelope_only_to_who_may_see_the_request(pair: Pair) -> None:
    """A 24/7 contact who gets 404 on an MLA request saw its envelopes in the outbox."""
    mla = draft(pair, RequestKind.MLA, subtype="stored_data")
    approve_and_send(pair, mla)
    note = pair.api("vn.contact", "POST", "/notes", json={"to": "ru-gpo", "text": "on duty"})
    assert note.status_code == 201
    pair.deliver()
    assert pair.api("vn.contact", "GET", f"/requests/{mla}").status_code == 404

    def threads(user: str) -> set[str]:
        listed = pair.api(user, "GET", "/outbox")
        assert listed.status_code == 200
        return {row["thread"] for row in listed.json()}

    assert threads("vn.contact") == {note.json()["thread"]}
    assert threads("vn.supervisor") == {note.json()["thread"], mla}
    assert mla in threads("vn.officer")  # the drafter, assigned to it
