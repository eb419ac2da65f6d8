"""Every route, for every kind of caller, with the outcome of each cell written down.

The list of routes comes from the application itself: a route added without a row here fails
the suite. Callers: nobody (no token), a user of another node (its token means nothing here), a
user of another authority on the same node who holds every role (so that a refusal is never
for want of a permission but for tenancy or visibility), each role of the owning authority, and
the node's administrator. Where a caller may not see a resource, the answer is 404 (as if it
did not exist), never 403, so a refusal reveals nothing.

Outcomes: a status (401, 403, 404, 400...) must be exactly that; `ok` means authorisation let
the call through: a 2xx, or a domain answer about the call itself (409, 410, 412, 422...).

The pages of the web interface (WEB_MATRIX) are called the way a browser calls them: the
caller's session as a cookie, each form with that session's anti-forgery token. `in` means
sent to the sign-in page (303 to /sign-in); `ok` there never is.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liaison.accounts import service as accounts
from liaison.accounts import tokens
from liaison.accounts.models import User
from liaison.accounts.schemas import UserCreate
from liaison.app import create_app
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityCreate
from liaison.checkpoints import service as checkpoints
from liaison.core.clock import FakeClock
from liaison.core.permissions import AuthorityRole, Role
from liaison.crypto import keys as keycrypto
from liaison.evidence.schemas import Acquisition
from liaison.evidence.service import ingest_item, store_content
from liaison.evidence.transfer.models import PackageTransfer
from liaison.evidence.uploads import service as uploads
from liaison.federation import delivery, messages
from liaison.node import Node
from liaison.notifications import service as notifications
from liaison.requests import service as requests
from liaison.requests.schemas import RequestCreate
from liaison.transparency import publish
from liaison.web import cookies as web_cookies
from tests.conftest import PASSWORD
from tests.federation_net import CTX, build_net, empty, extra_databases
from tests.routes import api_routes

CALLERS = ("anon", "other", "third", "off", "sup", "247", "cus", "aud", "adm", "ops")
ROLES = {
    "off": [Role.officer],
    "sup": [Role.supervisor],
    "247": [Role.contact_24_7],
    "cus": [Role.custodian],
    "aud": [Role.auditor],
    "adm": [Role.admin],
    "ops": [Role.auditor],  # and the node administrator flag
}
ALL_ROLES = list(Role)

# Columns: anon other third off sup 247 cus aud adm ops (see CALLERS). Destructive rows last.
MATRIX = """
GET    /api/v1/docs                                  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/health                                ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
POST   /api/v1/auth/login                            401 401 401 401 401 401 401 401 401 401
GET    /api/v1/whoami                                401 401 ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/tokens                                401 401 ok  ok  ok  ok  ok  ok  ok  ok
POST   /api/v1/tokens                                401 401 ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/authorities/{authority_id}/users      401 401 403 403 ok  403 403 ok  ok  ok
POST   /api/v1/authorities/{authority_id}/users      401 401 403 403 403 403 403 403 ok  403
GET    /api/v1/authorities/{authority_id}/users/{user_id}  401 401 403 403 ok  403 403 ok  ok  ok
PATCH  /api/v1/authorities/{authority_id}/users/{user_id}  401 401 403 403 403 403 403 403 ok  403
GET    /api/v1/authorities                           401 401 403 403 403 403 403 403 403 ok
GET    /api/v1/authorities/{authority_id}            401 401 403 403 403 403 403 403 403 ok
GET    /api/v1/directory                             401 401 ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/directory/authorities                 401 401 ok  ok  ok  ok  ok  ok  ok  ok
POST   /api/v1/notes                                 401 401 ok  ok  ok  ok  403 403 403 403
POST   /api/v1/pings                                 401 401 ok  ok  ok  ok  403 403 403 403
GET    /api/v1/threads                               401 401 ok  ok  ok  ok  403 403 403 403
GET    /api/v1/threads/{thread}                      401 401 404 ok  ok  ok  403 403 403 403
GET    /api/v1/outbox                                401 401 ok  ok  ok  ok  403 403 403 403
POST   /api/v1/requests                              401 401 ok  ok  ok  ok  403 403 403 403
GET    /api/v1/requests                              401 401 ok  ok  ok  ok  ok  403 403 403
POST   /api/v1/requests/validate                     401 401 ok  ok  ok  ok  403 403 403 403
GET    /api/v1/codes/{name}                          401 401 ok  ok  ok  ok  ok  403 403 403
GET    /api/v1/request-kinds/{kind}/grounds          401 401 ok  ok  ok  ok  ok  403 403 403
GET    /api/v1/request-kinds/{kind}/schema           401 401 ok  ok  ok  ok  ok  403 403 403
GET    /api/v1/requests/{request_id}                 401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/requests/{request_id}/events          401 401 404 ok  ok  404 404 403 403 403
PATCH  /api/v1/requests/{request_id}                 401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/submit          401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/approve         401 401 404 403 ok  403 403 403 403 403
POST   /api/v1/requests/{request_id}/return          401 401 404 403 ok  403 403 403 403 403
POST   /api/v1/requests/{request_id}/send            401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/actions/{action}      401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/consultations   401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/assignments     401 401 404 403 ok  403 403 403 403 403
GET    /api/v1/deadline-policies                     401 401 ok  403 ok  403 403 403 403 403
PUT    /api/v1/deadline-policies/{kind}              401 401 ok  403 ok  403 403 403 403 403
POST   /api/v1/requests/{request_id}/export          401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/forward         401 401 404 403 ok  403 403 403 403 403
POST   /api/v1/requests/{request_id}/authorisations  401 401 404 403 ok  403 403 403 403 403
GET    /api/v1/requests/{request_id}/document.pdf    401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/requests/{request_id}/response.pdf    401 401 404 ok  ok  404 404 403 403 403
POST   /api/v1/requests/{request_id}/evidence        401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/requests/{request_id}/evidence        401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/evidence/{item_id}                    401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/evidence/{item_id}/content            401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/evidence/{item_id}/custody            401 401 404 ok  ok  404 404 403 403 403
GET    /api/v1/evidence/{item_id}/custody/case       401 401 404 ok  ok  404 404 403 403 403
POST   /api/v1/evidence/{item_id}/export             401 401 404 ok  ok  404 404 403 403 403
POST   /api/v1/requests/{request_id}/packages        401 401 404 ok  ok  404 404 403 403 403
POST   /api/v1/requests/{request_id}/preservation/extension  401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/preservation/warning    401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/prosecution/submission  401 401 404 ok  ok  404 403 403 403 403
POST   /api/v1/requests/{request_id}/prosecution/outcome     401 401 404 ok  ok  404 403 403 403 403
GET    /api/v1/requests/{request_id}/packages        401 401 404 ok  ok  404 404 403 403 403
GET /api/v1/requests/{request_id}/packages/{transfer}/package 401 401 404 ok ok 404 404 403 403 403
OPTIONS /api/v1/uploads                              401 401 ok  ok  ok  ok  ok  403 403 403
POST   /api/v1/uploads                               401 401 404 ok  ok  404 404 403 403 403
HEAD   /api/v1/uploads/{upload_id}                   401 401 404 ok  404 404 404 403 403 403
PATCH  /api/v1/uploads/{upload_id}                   401 401 404 ok  404 404 404 403 403 403
GET    /api/v1/notifications                         401 401 ok  ok  ok  ok  ok  ok  ok  ok
POST   /api/v1/notifications/{notification_id}/read  401 401 404 ok  404 404 404 404 404 404
POST   /federation/v1/inbox                          400 400 400 400 400 400 400 400 400 400
POST   /federation/v1/inbox/batch                    400 400 400 400 400 400 400 400 400 400
HEAD   /federation/v1/packages/{package}             401 401 401 401 401 401 401 401 401 401
PATCH  /federation/v1/packages/{package}             401 401 401 401 401 401 401 401 401 401
GET    /federation/v1/authorities/{authority_id}/certificate.pem  ok ok ok ok ok ok ok ok ok ok
GET    /federation/v1/witness/{origin}               ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
DELETE /api/v1/uploads/{upload_id}                   401 401 404 ok  404 404 404 403 403 403
DELETE /api/v1/tokens/{token_id}                     401 401 404 ok  404 404 404 404 404 404
POST   /api/v1/auth/logout                           401 401 ok  ok  ok  ok  ok  ok  ok  ok
"""

WEB_MATRIX = """
GET    /sign-in                                      ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
POST   /sign-in                                      401 401 401 401 401 401 401 401 401 401
GET    /language                                     ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
GET    /                                             in  in  ok  ok  ok  ok  ok  ok  ok  ok
GET    /account                                      in  in  ok  ok  ok  ok  ok  ok  ok  ok
GET    /account/two-factor                           in  in  ok  ok  ok  ok  ok  ok  ok  ok
POST   /account/two-factor                           in  in  ok  ok  ok  ok  ok  ok  ok  ok
GET    /settings                                     in  in  ok  ok  ok  ok  ok  ok  ok  ok
POST   /settings                                     in  in  ok  ok  ok  ok  ok  ok  ok  ok
GET    /requests/incoming                            in  in  ok  ok  ok  ok  ok  403 403 403
GET    /requests/outgoing                            in  in  ok  ok  ok  ok  ok  403 403 403
GET    /requests/{request_id}                        in  in  404 ok  ok  404 404 403 403 403
GET    /requests/{request_id}/document.pdf           in  in  404 ok  ok  404 404 403 403 403
GET    /requests/{request_id}/response.pdf           in  in  404 ok  ok  404 404 403 403 403
GET    /requests/{request_id}/steps/{step}           in  in  404 ok  ok  404 404 403 403 403
GET    /requests/new                                 in  in  ok  ok  ok  ok  403 403 403 403
GET    /requests/new/recipient                       in  in  ok  ok  ok  ok  403 403 403 403
GET    /requests/{request_id}/edit                   in  in  404 ok  ok  404 403 403 403 403
GET    /requests/{request_id}/edit/{slug}            in  in  404 ok  ok  404 403 403 403 403
GET    /requests/{request_id}/preview.pdf            in  in  404 ok  ok  404 404 403 403 403
GET    /notifications                                in  in  ok  ok  ok  ok  ok  ok  ok  ok
GET    /notifications/count                          in  in  ok  ok  ok  ok  ok  ok  ok  ok
POST   /notifications/{notification_id}/read         in  in  404 ok  404 404 404 404 404 404
POST   /requests/{request_id}/steps/{step}           in  in  404 ok  ok  404 404 403 403 403
POST   /requests/new                                 in  in  ok  ok  ok  ok  403 403 403 403
POST   /requests/{request_id}/edit/{slug}/check      in  in  404 ok  ok  404 403 403 403 403
POST   /requests/{request_id}/edit/{slug}            in  in  404 ok  ok  404 403 403 403 403
POST   /requests/{request_id}/submission             in  in  404 ok  ok  404 403 403 403 403
POST   /sign-out                                     in  in  ok  ok  ok  ok  ok  ok  ok  ok
"""


def _rows(matrix: str = MATRIX) -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in matrix.strip().splitlines():
        method, path, *cells = line.split()
        assert len(cells) == len(CALLERS), line
        rows.append((method, path, dict(zip(CALLERS, cells, strict=True))))
    return rows


@dataclass
class World:
    client: TestClient
    node: Node
    ids: dict[str, str]
    users: dict[str, User]
    foreign_token: str
    made: dict[str, int] = field(default_factory=dict)

    def token(self, caller: str) -> str | None:
        """A fresh token per call: logging out, or revoking, must not spoil the next cell."""
        if caller == "anon":
            return None
        if caller == "other":
            return self.foreign_token
        with self.node.db.session() as session:
            user = session.get_one(User, self.users[caller].id)
            _record, secret = tokens.issue(
                session=session,
                user=user,
                name="matrix",
                kind=tokens.SESSION,
                lifetime=timedelta(hours=1),
                ctx=CTX,
                clock=self.node.clock,
            )
            session.commit()
        return secret

    def session_cookie(self, caller: str) -> tuple[str, str] | None:
        """A fresh browser session (its cookie and its token id), as signing in makes one."""
        if caller == "anon":
            return None
        if caller == "other":
            return self.foreign_token, ""
        with self.node.db.session() as session:
            user = session.get_one(User, self.users[caller].id)
            record, secret = tokens.issue(
                session=session,
                user=user,
                name="matrix",
                kind=tokens.WEB,
                lifetime=timedelta(hours=1),
                ctx=CTX,
                clock=self.node.clock,
            )
            session.commit()
        return secret, record.id

    def serial(self, what: str) -> int:
        self.made[what] = self.made.get(what, 0) + 1
        return self.made[what]


def _user(node: Node, clock: FakeClock, authority: str, name: str, roles: list[Role]) -> User:
    with node.db.session() as session:
        user = accounts.create(
            session=session,
            authority_id=authority,
            data=UserCreate(username=name, display_name=name, password=PASSWORD, roles=roles),
            ctx=CTX,
            clock=clock,
        )
        session.commit()
        return user


@pytest.fixture(scope="module")
def node_urls(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with extra_databases(database_url, tmp_path_factory.mktemp("matrix"), 2) as urls:
        yield urls


@pytest.fixture
def world(node_urls: list[str], tmp_path: Path, clock: FakeClock) -> Iterator[World]:
    net = build_net(node_urls, tmp_path, ["vn-mps", "ru-gpo"], clock)
    vn, ru = net.nodes["vn-mps"], net.nodes["ru-gpo"]
    try:
        with vn.db.session() as session:
            authorities.create(
                session=session,
                kek=vn.kek,
                data=AuthorityCreate(
                    id="th-dsi",
                    state="TH",
                    names={"en": "DSI"},
                    roles=[AuthorityRole.central_authority],
                    accepted_languages=["en"],
                ),
                ctx=CTX,
                clock=clock,
            )
            session.commit()
        users = {c: _user(vn, clock, "vn-mps", f"vn.{c}", roles) for c, roles in ROLES.items()}
        with vn.db.session() as session:
            session.get_one(User, users["ops"].id).is_node_admin = True
            session.commit()
        users["third"] = _user(vn, clock, "th-dsi", "th.everything", ALL_ROLES)
        victim = _user(vn, clock, "vn-mps", "vn.victim", [Role.officer])
        foreign = _user(ru, clock, "ru-gpo", "ru.officer", [Role.officer])
        with ru.db.session() as session:
            _record, foreign_token = tokens.issue(
                session=session,
                user=session.get_one(User, foreign.id),
                name="elsewhere",
                kind=tokens.SESSION,
                lifetime=timedelta(hours=1),
                ctx=CTX,
                clock=clock,
            )
            session.commit()
        officer = users["off"]
        with vn.db.session() as session:
            officer = session.get_one(User, officer.id)
            request = requests.create_draft(
                session=session,
                user=officer,
                draft=RequestCreate(kind="mla", to="ru-gpo", language="en", reference="M-1"),
                ctx=CTX,
                clock=clock,
            )
            item = ingest_item(
                session=session,
                node=vn,
                user=officer,
                request_id=request.id,
                source=io.BytesIO(b"evidence"),
                name="log.txt",
                description="",
                source_label="",
                acquisition=Acquisition(by="Lt. Binh", at="2026-03-01T08:00:00+07:00"),
                ctx=CTX,
            )
            transfer = _kept_package(session, vn, request.id, item.id, clock)
            upload = uploads.create(
                session=session,
                node=vn,
                user=officer,
                length=4,
                metadata={
                    "request_id": request.id,
                    "filename": "u.bin",
                    "acquired_by": "Lt. Binh",
                    "acquired_at": "2026-03-01T08:00:00+07:00",
                },
                ctx=CTX,
            )
            note = messages.send_note(
                session=session,
                sender="vn-mps",
                recipient="ru-gpo",
                text="hello",
                ctx=CTX,
                clock=clock,
            )
            notice = notifications.notify(
                session=session,
                user_id=officer.id,
                category="reminder",
                subject="s",
                body="b",
                target=f"request:vn-mps:{request.id}",
                dedupe="matrix",
                clock=clock,
            )
            assert notice is not None
            token_record, _secret = tokens.issue(
                session=session,
                user=officer,
                name="to revoke",
                kind=tokens.API,
                lifetime=None,
                ctx=CTX,
                clock=clock,
            )
            session.commit()
            ids = {
                "authority_id": "vn-mps",
                "user_id": victim.id,
                "request_id": request.id,
                "item_id": item.id,
                "upload_id": upload.id,
                "thread": note.thread,
                "notification_id": str(notice.id),
                "token_id": token_record.id,
                "kind": "mla",
                "name": "offences",
                "action": "acknowledge",
                "step": "submit",
                "slug": "case",
                "package": "0" * 64,
                "transfer": transfer,
                "origin": ru.settings.node_name,
            }
        # ru's audit log, witnessed by vn: what vn's public witness route serves.
        with ru.db.session() as session:
            checkpoints.checkpoint(
                session=session, kek=ru.kek, origin=ru.settings.node_name, clock=clock
            )
            publish.publish(session=session, origin=ru.settings.node_name, clock=clock)
            session.commit()
        assert delivery.deliver_once(ru, net.transport).delivered == 1
        with TestClient(create_app(node=vn)) as client:
            yield World(client, vn, ids, users, foreign_token)
    finally:
        for node in net.nodes.values():
            empty(node)


def _kept_package(
    session: Session, node: Node, request_id: str, item_id: str, clock: FakeClock
) -> str:
    """A package the request's holder sent and kept (its bytes need not be a real package:
    the route serves them as stored)."""
    stored = store_content(node=node, source=io.BytesIO(b"sealed package bytes"))
    row = PackageTransfer(
        id="transfer-1",
        direction="out",
        holder="vn-mps",
        peer="ru-gpo",
        request_id=request_id,
        status="confirmed",
        package_digest=stored.digest,
        size=stored.size,
        next_attempt_at=clock.now(),
        created_by="user:x",
        created_at=clock.now(),
        kept_at=clock.now(),
        item_ids=[item_id],
    )
    session.add(row)
    return row.id


Call = dict[str, Any]


def _upload_metadata(world: World) -> str:
    pairs = {
        "request_id": world.ids["request_id"],
        "filename": "new.bin",
        "acquired_by": "Lt. Binh",
        "acquired_at": "2026-03-01T08:00:00+07:00",
    }
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


TUS = {"Tus-Resumable": "1.0.0"}
# What each route is sent: a valid call, so that a refusal is about who calls, not what.
BODIES: dict[tuple[str, str], Callable[[World], Call]] = {
    ("POST", "/api/v1/auth/login"): lambda w: {
        "json": {"username": f"nobody{w.serial('login')}", "password": "not-the-password"}
    },
    ("POST", "/api/v1/tokens"): lambda w: {"json": {"name": "script"}},
    ("POST", "/api/v1/authorities/{authority_id}/users"): lambda w: {
        "json": {
            "username": f"vn.new{w.serial('user')}",
            "display_name": "New",
            "password": "a-long-passphrase-1",
            "roles": ["officer"],
        }
    },
    ("PATCH", "/api/v1/authorities/{authority_id}/users/{user_id}"): lambda w: {
        "json": {"display_name": "Victim"}
    },
    ("POST", "/api/v1/notes"): lambda w: {"json": {"to": "ru-gpo", "text": "hello"}},
    ("POST", "/api/v1/pings"): lambda w: {"json": {"to": "ru-gpo"}},
    ("POST", "/api/v1/requests"): lambda w: {
        "json": {"kind": "mla", "to": "ru-gpo", "language": "en"}
    },
    ("POST", "/api/v1/requests/validate"): lambda w: {
        "json": {"kind": "mla", "to": "ru-gpo", "language": "en", "content": {}}
    },
    ("PATCH", "/api/v1/requests/{request_id}"): lambda w: {"json": {"reference": "M-2"}},
    ("POST", "/api/v1/requests/{request_id}/return"): lambda w: {"json": {"reason": "fix it"}},
    ("POST", "/api/v1/requests/{request_id}/actions/{action}"): lambda w: {"json": {}},
    ("POST", "/api/v1/requests/{request_id}/consultations"): lambda w: {"json": {"text": "?"}},
    ("POST", "/api/v1/requests/{request_id}/assignments"): lambda w: {
        "json": {"user_id": w.ids["user_id"]}
    },
    ("PUT", "/api/v1/deadline-policies/{kind}"): lambda w: {"json": {"response_days": 20}},
    ("POST", "/api/v1/requests/{request_id}/export"): lambda w: {"json": {}},
    ("POST", "/api/v1/requests/{request_id}/forward"): lambda w: {"json": {"to": "ru-gpo"}},
    ("POST", "/api/v1/requests/{request_id}/authorisations"): lambda w: {
        "json": {"condition": "speciality", "value": "VN-2"}
    },
    ("POST", "/api/v1/requests/{request_id}/evidence"): lambda w: {
        "files": {"file": ("e.txt", b"evidence")},
        "data": {"acquired_by": "Lt. Binh", "acquired_at": "2026-03-01T08:00:00+07:00"},
    },
    ("POST", "/api/v1/evidence/{item_id}/export"): lambda w: {"json": {}},
    ("POST", "/api/v1/requests/{request_id}/packages"): lambda w: {"json": {}},
    ("POST", "/api/v1/requests/{request_id}/preservation/extension"): lambda w: {
        "json": {"days": 30}
    },
    ("POST", "/api/v1/requests/{request_id}/prosecution/submission"): lambda w: {
        "json": {"submitted_to": "Supreme People's Procuracy"}
    },
    ("POST", "/api/v1/requests/{request_id}/prosecution/outcome"): lambda w: {
        "json": {"outcome": "Indicted"}
    },
    ("POST", "/api/v1/requests/{request_id}/preservation/warning"): lambda w: {
        "json": {"text": "The provider deletes logs after 7 days."}
    },
    ("OPTIONS", "/api/v1/uploads"): lambda w: {"headers": TUS},
    ("POST", "/api/v1/uploads"): lambda w: {
        "headers": {**TUS, "Upload-Length": "4", "Upload-Metadata": _upload_metadata(w)}
    },
    ("HEAD", "/api/v1/uploads/{upload_id}"): lambda w: {"headers": TUS},
    ("PATCH", "/api/v1/uploads/{upload_id}"): lambda w: {
        "content": b"ab",
        "headers": {
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    },
    ("DELETE", "/api/v1/uploads/{upload_id}"): lambda w: {"headers": TUS},
    ("POST", "/federation/v1/inbox"): lambda w: {"content": b"not an envelope"},
    ("POST", "/federation/v1/inbox/batch"): lambda w: {"content": b"[]"},
    ("HEAD", "/federation/v1/packages/{package}"): lambda w: {},
    ("PATCH", "/federation/v1/packages/{package}"): lambda w: {
        "content": b"x",
        "headers": {"Upload-Offset": "0"},
    },
}


def _matches(expected: str, status: int) -> bool:
    if expected == "ok":
        return status < 400 or status not in (400, 401, 403, 404, 405, 500)
    return status == int(expected)


def test_every_route_has_its_row(client: TestClient) -> None:
    """A route without a row (a new route nobody wrote the outcomes of) fails here."""
    routes = {(r.method, r.path) for r in api_routes(client.app)}  # type: ignore[arg-type]
    written = [*_rows(), *_rows(WEB_MATRIX)]
    assert routes == {(method, path) for method, path, _ in written}


def test_each_caller_gets_exactly_the_outcome_written_down(world: World) -> None:
    wrong = []
    for method, template, expected in _rows():
        path = template.format(**world.ids)
        for caller in CALLERS:
            call = BODIES.get((method, template), lambda w: {})(world)
            headers = dict(call.pop("headers", {}))
            token = world.token(caller)
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            response = world.client.request(method, path, headers=headers, **call)
            if not _matches(expected[caller], response.status_code):
                wrong.append(
                    f"{method} {template} as {caller}: {response.status_code}, "
                    f"expected {expected[caller]} ({response.text[:120]})"
                )
    assert not wrong, "\n" + "\n".join(wrong)


PRE = "matrix-pre-value"
# What each page is sent, given the caller's user id and session token id ("" for none).
WEB_BODIES: dict[tuple[str, str], Callable[[World, str, str], Call]] = {
    ("POST", "/sign-in"): lambda w, _u, _t: {
        "cookies": {web_cookies.PRE: PRE},
        "data": {
            web_cookies.FIELD: web_cookies.form_token(w.node.settings, f"pre:{PRE}"),
            "username": f"nobody{w.serial('web-login')}",
            "password": "not-the-password",
        },
    },
    ("GET", "/language"): lambda w, _u, _t: {"params": {"set": "en"}},
    ("POST", "/account/two-factor"): lambda w, user, token: {
        "data": {
            "pending": base64.urlsafe_b64encode(
                keycrypto.wrap(
                    w.node.kek, f"totp-pending:{user}:{token}", b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
                )
            ).decode(),
            "code": "000000",
        }
    },
    ("POST", "/settings"): lambda w, _u, _t: {"data": {"lang": "en", "zone": "UTC"}},
    ("POST", "/requests/{request_id}/steps/{step}"): lambda w, _u, _t: {"data": {}},
}


def _sent_to_sign_in(response: Any) -> bool:
    where = response.headers.get("location", "")
    return response.status_code == 303 and (
        where == "/sign-in" or where.startswith("/sign-in?next=")
    )


def test_each_caller_of_a_page_gets_exactly_the_outcome_written_down(world: World) -> None:
    wrong = []
    settings = world.node.settings
    for method, template, expected in _rows(WEB_MATRIX):
        path = template.format(**world.ids)
        for caller in CALLERS:
            session = world.session_cookie(caller)
            secret, token_id = session or ("", "")
            user_id = world.users[caller].id if caller in world.users else ""
            call = WEB_BODIES.get((method, template), lambda w, _u, _t: {})(
                world, user_id, token_id
            )
            cookies = dict(call.pop("cookies", {}))
            if session is not None:
                cookies[web_cookies.session_name(settings)] = secret
            if method == "POST" and template != "/sign-in":
                call["data"] = {
                    **call.get("data", {}),
                    web_cookies.FIELD: web_cookies.form_token(settings, token_id),
                }
            world.client.cookies.clear()
            header = "; ".join(f"{k}={v}" for k, v in cookies.items())
            response = world.client.request(
                method,
                path,
                headers={"Cookie": header} if header else {},
                follow_redirects=False,
                **call,
            )
            cell = expected[caller]
            if cell == "in":
                good = _sent_to_sign_in(response)
            else:
                good = _matches(cell, response.status_code) and not _sent_to_sign_in(response)
            if not good:
                wrong.append(
                    f"{method} {template} as {caller}: {response.status_code} "
                    f"{response.headers.get('location', '')}, expected {cell}"
                )
    assert not wrong, "\n" + "\n".join(wrong)
