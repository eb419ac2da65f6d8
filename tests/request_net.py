"""Two nodes with request users on each, driven through their HTTP APIs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from liaison.accounts import service as accounts
from liaison.accounts.schemas import UserCreate
from liaison.app import create_app
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityCreate
from liaison.core.clock import Clock, FakeClock
from liaison.core.permissions import AuthorityRole, Role
from liaison.federation import delivery as worker
from liaison.requests.models import Request
from tests.conftest import PASSWORD
from tests.federation_net import CTX, Net, build_net, empty

USERS = {
    "vn-mps": [
        ("vn.officer", Role.officer),
        ("vn.supervisor", Role.supervisor),
        ("vn.contact", Role.contact_24_7),
    ],
    "ru-gpo": [
        ("ru.officer", Role.officer),
        ("ru.supervisor", Role.supervisor),
        ("ru.contact", Role.contact_24_7),
    ],
}


@dataclass
class Pair:
    net: Net
    clients: dict[str, TestClient]
    tokens: dict[str, dict[str, str]]

    def api(self, username: str, method: str, path: str, **kwargs: Any) -> Any:
        authority = "vn-mps" if username.startswith("vn.") else "ru-gpo"
        headers = {**self.tokens[username], **kwargs.pop("headers", {})}
        return self.clients[authority].request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def deliver(self, rounds: int = 10) -> None:
        """Run both workers until nothing moves."""
        for _ in range(rounds):
            moved = sum(
                worker.deliver_once(node, self.net.transport).delivered
                for node in self.net.nodes.values()
            )
            if not moved:
                return

    def copies(self, request_id: str) -> tuple[Request | None, Request | None]:
        found = []
        for authority, node in self.net.nodes.items():
            with node.db.session() as session:
                found.append(session.get(Request, (authority, request_id)))
        return found[0], found[1]

    def states(self, request_id: str) -> tuple[str | None, str | None]:
        vn, ru = self.copies(request_id)
        return (vn.status if vn else None, ru.status if ru else None)


@contextmanager
def request_pair(urls: list[str], tmp: Path, clock: FakeClock) -> Iterator[Pair]:
    net = build_net(urls, tmp, ["vn-mps", "ru-gpo"], clock)
    try:
        for authority, node in net.nodes.items():
            with node.db.session() as session:
                for username, role in USERS[authority]:
                    accounts.create(
                        session=session,
                        authority_id=authority,
                        data=UserCreate(
                            username=username,
                            display_name=username.title(),
                            password=PASSWORD,
                            roles=[role],
                        ),
                        ctx=CTX,
                        clock=clock,
                    )
        with ExitStack() as stack:
            clients = {
                a: stack.enter_context(TestClient(create_app(node=n))) for a, n in net.nodes.items()
            }
            tokens = {}
            for authority, users in USERS.items():
                for username, _ in users:
                    response = clients[authority].post(
                        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
                    )
                    tokens[username] = {"Authorization": f"Bearer {response.json()['token']}"}
            yield Pair(net=net, clients=clients, tokens=tokens)
    finally:
        for node in net.nodes.values():
            empty(node)


THIRD_ID = "th-dsi"
THIRD_NAME = "Department of Special Investigation"


def host_third(pair: Pair, clock: Clock, *, username: str, roles: list[Role]) -> None:
    """A third authority on the vn node, in the directory, with one user: what it does not see
    of the two parties' requests is kept from it by tenancy, not by want of a permission."""
    node = pair.net.nodes["vn-mps"]
    with node.db.session() as session:
        authorities.create(
            session=session,
            kek=node.kek,
            data=AuthorityCreate(
                id=THIRD_ID,
                state="TH",
                names={"en": THIRD_NAME},
                roles=[AuthorityRole.central_authority],
                accepted_languages=["en"],
            ),
            ctx=CTX,
            clock=clock,
        )
        accounts.create(
            session=session,
            authority_id=THIRD_ID,
            data=UserCreate(
                username=username,
                display_name=username.title(),
                password=PASSWORD,
                roles=roles,
            ),
            ctx=CTX,
            clock=clock,
        )
        session.commit()
    pair.net.hosted["vn-mps"] = {THIRD_ID}
    pair.net.publish()
