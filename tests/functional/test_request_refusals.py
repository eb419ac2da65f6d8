"""Every refusal and postponement ground, the consult-first rule, and bad input at the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from liaison.accounts.models import User
from liaison.audit.context import AuditContext, Channel
from liaison.core.clock import FakeClock
from liaison.core.errors import InvalidInput
from liaison.core.ids import new_id_str
from liaison.requests.contents import RequestKind, postponement_grounds, refusal_grounds
from liaison.requests.lifecycle import consultations, workflow
from liaison.requests.models import Request
from liaison.requests.table import Action, Status
from tests.federation_net import extra_databases
from tests.request_net import Pair, request_pair
from tests.unit.requests.test_request_kinds import COMPLETE

CASES = [(kind, ground) for kind in RequestKind for ground in refusal_grounds(kind)]
POSTPONE = [(kind, ground) for kind in RequestKind for ground in postponement_grounds(kind)]


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("refusal"), 2) as urls:
        yield urls


@pytest.fixture(scope="module")
def pair(node_urls: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    # One pair for the module: each test works in a transaction it rolls back, or is refused
    # before anything is stored, so they cannot see each other.
    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    with request_pair(node_urls, tmp_path_factory.mktemp("pair"), clock) as pair:
        yield pair


def received(pair: Pair, kind: RequestKind) -> tuple[Any, Request, User]:
    """A copy as the requested node holds it after arrival, and its supervisor."""
    ru = pair.net.nodes["ru-gpo"]
    session = ru.db.sessionmaker()
    now = datetime(2026, 3, 1, tzinfo=UTC)
    request = Request(
        holder="ru-gpo",
        id=new_id_str(),
        kind=kind.value,
        requesting="vn-mps",
        requested="ru-gpo",
        status=Status.in_execution,
        seq=3,
        version=1,
        reference="VN-1",
        language="en",
        content=COMPLETE[kind],
        conditions={},
        created_at=now,
        updated_at=now,
        response={},
    )
    session.add(request)
    session.flush()
    user = session.scalar(select(User).where(User.username == "ru.supervisor"))
    assert user is not None
    return session, request, user


CTX = AuditContext(actor="test", channel=Channel.api, authority_id="ru-gpo")


@pytest.mark.parametrize(("kind", "ground"), CASES, ids=[f"{k.value}-{g.code}" for k, g in CASES])
def test_each_refusal_ground(pair: Pair, kind: RequestKind, ground: Any) -> None:
    session, request, user = received(pair, kind)
    try:
        if ground.consult_first:
            with pytest.raises(InvalidInput, match="consult"):
                workflow.act(
                    session=session,
                    request=request,
                    user=user,
                    action=Action.refuse,
                    ctx=CTX,
                    kek=pair.net.nodes["ru-gpo"].kek,
                    ground=ground.code,
                    reason="Reasons given.",
                )
            assert request.status == Status.in_execution
            consultations.consult(
                session=session, request=request, user=user, text="We intend to refuse.", ctx=CTX
            )
        with pytest.raises(InvalidInput, match="reason"):
            workflow.act(
                session=session,
                request=request,
                user=user,
                action=Action.refuse,
                ctx=CTX,
                kek=pair.net.nodes["ru-gpo"].kek,
                ground=ground.code,
                reason="",
            )
        workflow.act(
            session=session,
            request=request,
            user=user,
            action=Action.refuse,
            ctx=CTX,
            kek=pair.net.nodes["ru-gpo"].kek,
            ground=ground.code,
            reason="Reasons given.",
        )
        assert request.status == Status.refused
        assert request.ground == ground.code
    finally:
        session.rollback()
        session.close()


def test_grounds_of_another_kind_and_never_valid_grounds_are_refused(pair: Pair) -> None:
    session, request, user = received(pair, RequestKind.MLA)
    try:
        for ground in ("persecution_race", "bank_secrecy", "solely_fiscal", ""):
            with pytest.raises(InvalidInput):
                workflow.act(
                    session=session,
                    request=request,
                    user=user,
                    action=Action.refuse,
                    ctx=CTX,
                    kek=pair.net.nodes["ru-gpo"].kek,
                    ground=ground or None,
                    reason="x",
                )
        assert request.status == Status.in_execution
    finally:
        session.rollback()
        session.close()


@pytest.mark.parametrize(
    ("kind", "ground"), POSTPONE, ids=[f"{k.value}-{g.code}" for k, g in POSTPONE]
)
def test_each_postponement_ground(pair: Pair, kind: RequestKind, ground: Any) -> None:
    session, request, user = received(pair, kind)
    try:
        workflow.act(
            session=session,
            request=request,
            user=user,
            action=Action.postpone,
            ctx=CTX,
            kek=pair.net.nodes["ru-gpo"].kek,
            ground=ground.code,
            reason="An investigation is under way.",
        )
        assert request.status == Status.postponed
        workflow.act(session=session, request=request, user=user, action=Action.resume, ctx=CTX)
        assert request.status == Status.in_execution
    finally:
        session.rollback()
        session.close()


BAD = [
    (
        {
            "offences": [
                {
                    "code": "art99",
                    "domestic_provision": "x",
                    "max_penalty": {"unit": "years", "amount": 5},
                }
            ]
        },
        "offences",
    ),
    ({"facts": {"original": "x", "original_language": "klingon", "translations": {}}}, "language"),
    (
        {"facts": {"original": "x" * 200_000, "original_language": "en", "translations": {}}},
        "facts",
    ),
    (
        {
            "identifiers": [
                {
                    "kind": "ip_address",
                    "value": "not-an-ip",
                    "timestamp": "2026-01-01T00:00:00+00:00",
                    "timezone": "UTC",
                }
            ]
        },
        "identifiers",
    ),
]


@pytest.mark.parametrize(("override", "where"), BAD)
def test_bad_content_is_refused_and_nothing_stored(
    pair: Pair, override: dict[str, Any], where: str
) -> None:
    content = {**COMPLETE[RequestKind.PRESERVATION], **override}
    response = pair.api(
        "vn.officer",
        "POST",
        "/requests",
        json={"kind": "preservation", "to": "ru-gpo", "language": "en", "content": content},
    )
    assert response.status_code == 422, response.text
    assert where in str(response.json()["detail"])
    with pair.net.nodes["vn-mps"].db.session() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "preservation", "to": "ru-gpo", "language": "en", "preservation_days": 30},
        {"kind": "preservation", "to": "ru-gpo", "language": "xx-klingon"},
        {"kind": "teleportation", "to": "ru-gpo", "language": "en"},
        {"kind": "mla", "to": "ru-gpo", "language": "en", "wished_deadline": "2026-04-01T00:00:00"},
        {"kind": "mla", "to": "vn-mps", "language": "en"},
        {
            "kind": "mla",
            "to": "ru-gpo",
            "language": "en",
            "content": {
                "data_period": {
                    "start": "2026-02-01T00:00:00+00:00",
                    "end": "2026-01-01T00:00:00+00:00",
                }
            },
        },
    ],
)
def test_bad_requests_are_refused_and_nothing_stored(pair: Pair, body: dict[str, Any]) -> None:
    response = pair.api("vn.officer", "POST", "/requests", json=body)
    assert response.status_code == 422, response.text
    with pair.net.nodes["vn-mps"].db.session() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 0
