"""Sign-in, tokens, TOTP, throttling and tenancy through the HTTP API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.accounts import signin
from liaison.accounts.models import User
from liaison.audit.models import AuditEntry, RefusalCount
from liaison.checkpoints import verify as audit_log
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.node import Node
from tests.conftest import PASSWORD, Factory, system_ctx


def audit_count(node: Node, action: str) -> int:
    with node.db.session() as session:
        return int(session.scalar(select(func.count()).where(AuditEntry.action == action)) or 0)


def audit_details(node: Node, action: str) -> list[dict[str, object]]:
    with node.db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
        return [{k: v for k, v in e.detail.items() if k != "address"} for e in entries]


@pytest.fixture
def two_authorities(factory: Factory) -> None:
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.user("vn.admin", "vn-mps", Role.admin)
    factory.user("ru.admin", "ru-gpo", Role.admin)
    factory.user("vn.officer", "vn-mps", Role.officer)


def test_health_is_public(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_login_whoami_logout(client: TestClient, factory: Factory, two_authorities: None) -> None:
    headers = factory.token(client, "vn.officer")
    me = client.get("/api/v1/whoami", headers=headers)
    assert me.status_code == 200
    assert me.json()["authority_id"] == "vn-mps"
    assert "authority:user:manage" not in me.json()["permissions"]
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/whoami", headers=headers).status_code == 401


def test_no_token_or_garbage_token(client: TestClient) -> None:
    assert client.get("/api/v1/whoami").status_code == 401
    response = client.get("/api/v1/whoami", headers={"Authorization": "Bearer lsn_nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "the token is not valid; sign in again"


def test_wrong_password_is_401_and_audited(
    client: TestClient, node: Node, two_authorities: None
) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"username": "vn.officer", "password": "wrong-password!"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username, password or code"
    # unknown user answers exactly the same
    unknown = client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "wrong-password!"}
    )
    assert unknown.json() == response.json()
    assert audit_count(node, "auth:login:failed") == 2


def _login(client: TestClient, username: str, password: str, **extra: str) -> Any:
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, **extra}
    )


def test_failing_on_purpose_cannot_lock_the_holder_out(
    client: TestClient, node: Node, two_authorities: None
) -> None:
    """5 wrong passwords once locked the account for everybody, the holder of the right one
    included. Now the account, under attack, admits its holder from an address they signed
    in from before, and refuses a password alone from anywhere else (without checking it)."""
    holder = TestClient(client.app, client=("192.0.2.10", 40000))
    attacker = TestClient(client.app, client=("198.51.100.7", 40000))
    assert _login(holder, "vn.officer", PASSWORD).status_code == 200
    for _ in range(node.settings.login_max_failures_account):
        assert _login(attacker, "vn.officer", "wrong-password!").status_code == 401
    refused = _login(attacker, "vn.officer", PASSWORD)
    assert refused.status_code == 429
    assert "account" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    assert _login(holder, "vn.officer", PASSWORD).status_code == 200
    # A throttled attempt is counted, not logged entry by entry.
    assert audit_count(node, "auth:login:throttled") == 0
    with node.db.session() as session:
        counted = session.scalar(
            select(RefusalCount.count).where(RefusalCount.reason == "throttled_account")
        )
    assert counted == 1


def test_under_attack_the_second_factor_still_lets_the_holder_in(
    client: TestClient, factory: Factory, node: Node, clock: FakeClock, two_authorities: None
) -> None:
    with node.db.session() as session:
        user = session.scalar(select(User).where(User.username == "vn.officer"))
        assert user is not None
        uri = signin.enroll_totp(
            session=session, kek=node.kek, user=user, ctx=system_ctx(), clock=clock
        )
        session.commit()
    totp = pyotp.parse_uri(uri)
    travelling = TestClient(client.app, client=("203.0.113.9", 40000))
    for _ in range(node.settings.login_max_failures_account):
        _login(client, "vn.officer", "wrong-password!", totp="000000")
    assert _login(travelling, "vn.officer", PASSWORD).status_code == 429
    signed = _login(travelling, "vn.officer", PASSWORD, totp=totp.at(clock.now()))
    assert signed.status_code == 200, signed.text
    # The second factor is checked, not just present.
    clock.advance(timedelta(seconds=30))
    assert _login(travelling, "vn.officer", PASSWORD, totp="123456").status_code == 401


def test_throttle_window_passes(
    client: TestClient, node: Node, clock: FakeClock, two_authorities: None
) -> None:
    for _ in range(node.settings.login_max_failures_account):
        client.post(
            "/api/v1/auth/login", json={"username": "vn.officer", "password": "wrong-password!"}
        )
    clock.advance(timedelta(seconds=node.settings.login_window_seconds + 1))
    response = client.post(
        "/api/v1/auth/login", json={"username": "vn.officer", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_spraying_across_accounts_is_throttled_by_address(
    client: TestClient, node: Node, two_authorities: None
) -> None:
    for i in range(node.settings.login_max_failures_address):
        _login(client, f"spray{i}", "wrong-password!")
    response = _login(client, "vn.admin", PASSWORD)
    assert response.status_code == 429
    assert "address" in response.json()["detail"]
    # Another address is not held back by the sprayer.
    elsewhere = TestClient(client.app, client=("192.0.2.44", 40000))
    assert _login(elsewhere, "vn.admin", PASSWORD).status_code == 200


def test_totp_required_by_authority(
    client: TestClient, factory: Factory, node: Node, clock: FakeClock
) -> None:

    factory.authority("de-bka", "DE", require_totp=True)
    factory.user("de.officer", "de-bka")
    # Not enrolled yet: refused even with the right password.
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "de.officer", "password": PASSWORD}
        ).status_code
        == 401
    )
    with node.db.session() as session:
        user = session.scalar(select(User).where(User.username == "de.officer"))
        assert user is not None
        uri = signin.enroll_totp(
            session=session, kek=node.kek, user=user, ctx=system_ctx(), clock=clock
        )
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    no_code = client.post(
        "/api/v1/auth/login", json={"username": "de.officer", "password": PASSWORD}
    )
    assert no_code.status_code == 401
    code = totp.at(clock.now())
    wrong = "000000" if code != "000000" else "111111"
    assert (
        client.post(
            "/api/v1/auth/login",
            json={"username": "de.officer", "password": PASSWORD, "totp": wrong},
        ).status_code
        == 401
    )
    ok = client.post(
        "/api/v1/auth/login", json={"username": "de.officer", "password": PASSWORD, "totp": code}
    )
    assert ok.status_code == 200
    # the same code cannot be used twice
    replay = client.post(
        "/api/v1/auth/login", json={"username": "de.officer", "password": PASSWORD, "totp": code}
    )
    assert replay.status_code == 401


def test_api_token_revoke_and_expiry(
    client: TestClient, factory: Factory, node: Node, clock: FakeClock, two_authorities: None
) -> None:
    session_headers = factory.token(client, "vn.officer")
    created = client.post(
        "/api/v1/tokens", json={"name": "script", "expires_in_days": 1}, headers=session_headers
    )
    assert created.status_code == 201
    api_headers = {"Authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/whoami", headers=api_headers).status_code == 200
    listed = client.get("/api/v1/tokens", headers=session_headers).json()
    assert all("token" not in t for t in listed)
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=session_headers)
    assert revoked.status_code == 200
    rejected = client.get("/api/v1/whoami", headers=api_headers)
    assert rejected.status_code == 401
    # The same answer for an unknown, revoked or expired token: only the audit entry says which.
    assert rejected.json()["detail"] == "the token is not valid; sign in again"
    assert audit_count(node, "auth:token:revoked") == 1
    assert audit_count(node, "auth:token:rejected") == 1
    # session tokens expire
    clock.advance(timedelta(minutes=node.settings.session_minutes + 1))
    expired = client.get("/api/v1/whoami", headers=session_headers)
    assert expired.status_code == 401
    assert expired.json()["detail"] == "the token is not valid; sign in again"
    assert audit_details(node, "auth:token:rejected") == [
        {"reason": "revoked"},
        {"reason": "expired"},
    ]


def test_cannot_revoke_someone_elses_token(
    client: TestClient, factory: Factory, two_authorities: None
) -> None:
    vn = factory.token(client, "vn.officer")
    ru = factory.token(client, "ru.admin")
    token = client.post("/api/v1/tokens", json={"name": "mine"}, headers=vn).json()
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers=ru).status_code == 404


def test_admin_manages_users_of_own_authority(
    client: TestClient, factory: Factory, two_authorities: None
) -> None:
    headers = factory.token(client, "vn.admin")
    body = {
        "username": "vn.new",
        "display_name": "Nguyễn Văn A",
        "password": "a-long-passphrase-1",
        "roles": ["officer"],
    }
    created = client.post("/api/v1/authorities/vn-mps/users", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["display_name"] == "Nguyễn Văn A"
    duplicate = client.post("/api/v1/authorities/vn-mps/users", json=body, headers=headers)
    assert duplicate.status_code == 409
    user_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/authorities/vn-mps/users/{user_id}",
        json={"roles": ["supervisor"]},
        headers=headers,
    )
    assert patched.json()["roles"] == ["supervisor"]
    usernames = [
        u["username"]
        for u in client.get("/api/v1/authorities/vn-mps/users", headers=headers).json()
    ]
    assert "vn.new" in usernames
    assert "ru.admin" not in usernames


def _user_id(node: Node, username: str) -> str:
    with node.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.id


def test_disabling_a_user_ends_their_tokens_for_good(
    client: TestClient, factory: Factory, node: Node, two_authorities: None
) -> None:
    admin = factory.token(client, "vn.admin")
    session_token = factory.token(client, "vn.officer")
    api_token = client.post("/api/v1/tokens", json={"name": "script"}, headers=session_token)
    api_headers = {"Authorization": f"Bearer {api_token.json()['token']}"}
    officer = f"/api/v1/authorities/vn-mps/users/{_user_id(node, 'vn.officer')}"
    assert client.patch(officer, json={"disabled": True}, headers=admin).status_code == 200
    assert client.patch(officer, json={"disabled": False}, headers=admin).status_code == 200
    # Re-enabled, the user signs in again; the tokens of before stay dead.
    for headers in (session_token, api_headers):
        assert client.get("/api/v1/whoami", headers=headers).status_code == 401
    assert (
        client.get("/api/v1/whoami", headers=factory.token(client, "vn.officer")).status_code == 200
    )
    assert audit_details(node, "authority:user:updated")[0] == {
        "disabled": True,
        "revoked_credentials": 2,
    }


def test_an_admin_cannot_grant_itself_roles_nor_leave_the_authority_without_admin(
    client: TestClient, factory: Factory, node: Node, two_authorities: None
) -> None:
    admin = factory.token(client, "vn.admin")
    me = f"/api/v1/authorities/vn-mps/users/{_user_id(node, 'vn.admin')}"
    granted = client.patch(me, json={"roles": ["admin", "supervisor"]}, headers=admin)
    assert granted.status_code == 403
    assert "your own roles" in granted.json()["detail"]
    assert (
        "request:request:read"
        not in client.get("/api/v1/whoami", headers=admin).json()["permissions"]
    )
    last = client.patch(me, json={"disabled": True}, headers=admin)
    assert last.status_code == 409
    assert "only enabled administrator" in last.json()["detail"]
    # With a second administrator, the first can be disabled (by the second).
    factory.user("vn.admin2", "vn-mps", Role.admin)
    second = factory.token(client, "vn.admin2")
    assert client.patch(me, json={"disabled": True}, headers=second).status_code == 200
    lone = f"/api/v1/authorities/vn-mps/users/{_user_id(node, 'vn.admin2')}"
    assert client.patch(lone, json={"disabled": True}, headers=second).status_code == 409


def test_admin_of_one_authority_cannot_read_or_change_another(
    client: TestClient, factory: Factory, node: Node, two_authorities: None
) -> None:
    ru_headers = factory.token(client, "ru.admin")
    with node.db.session() as session:
        vn_officer = session.scalar(select(User).where(User.username == "vn.officer"))
        assert vn_officer is not None
        target = vn_officer.id
    denied_before = audit_count(node, "authz:access:denied")
    attempts = [
        client.get("/api/v1/authorities/vn-mps/users", headers=ru_headers),
        client.get(f"/api/v1/authorities/vn-mps/users/{target}", headers=ru_headers),
        client.patch(
            f"/api/v1/authorities/vn-mps/users/{target}",
            json={"disabled": True},
            headers=ru_headers,
        ),
        client.post(
            "/api/v1/authorities/vn-mps/users",
            headers=ru_headers,
            json={
                "username": "ru.mole",
                "display_name": "x",
                "password": "a-long-passphrase-1",
                "roles": ["admin"],
            },
        ),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    # Asking for a VN user id under the RU authority finds nothing either.
    assert (
        client.get(f"/api/v1/authorities/ru-gpo/users/{target}", headers=ru_headers).status_code
        == 404
    )
    with node.db.session() as session:
        user = session.get(User, target)
        assert user is not None
        assert not user.disabled
        assert session.scalar(select(User).where(User.username == "ru.mole")) is None
    assert audit_count(node, "authz:access:denied") == denied_before + 4


def test_officer_cannot_manage_users(
    client: TestClient, factory: Factory, two_authorities: None
) -> None:
    headers = factory.token(client, "vn.officer")
    response = client.get("/api/v1/authorities/vn-mps/users", headers=headers)
    assert response.status_code == 403
    assert "authority:user:read" in response.json()["detail"]


def test_authorities_list_is_for_node_admins_only(
    client: TestClient, factory: Factory, two_authorities: None
) -> None:
    factory.user("node.op", "vn-mps", Role.officer, node_admin=True)
    assert (
        client.get("/api/v1/authorities", headers=factory.token(client, "vn.admin")).status_code
        == 403
    )
    response = client.get("/api/v1/authorities", headers=factory.token(client, "node.op"))
    assert response.status_code == 200
    assert {a["id"] for a in response.json()} == {"vn-mps", "ru-gpo"}
    one = client.get("/api/v1/authorities/ru-gpo", headers=factory.token(client, "node.op"))
    assert one.json()["state"] == "RU"
    assert (
        client.get(
            "/api/v1/authorities/xx-none", headers=factory.token(client, "node.op")
        ).status_code
        == 404
    )


SQLISH = ["'; DROP TABLE users; --", "x' OR '1'='1", "Robert'); DELETE FROM audit_entries;--"]


@pytest.mark.parametrize("evil", SQLISH)
def test_sql_looking_strings_are_data_or_refused(
    client: TestClient, factory: Factory, node: Node, two_authorities: None, evil: str
) -> None:
    headers = factory.token(client, "vn.admin")
    # In a free-text field it is stored verbatim.
    body = {
        "username": "vn.quoted",
        "display_name": evil,
        "password": "a-long-passphrase-1",
        "roles": ["officer"],
    }
    created = client.post("/api/v1/authorities/vn-mps/users", json=body, headers=headers)
    assert created.status_code == 201
    assert created.json()["display_name"] == evil
    # In structured fields it is refused with a 4xx.
    assert (
        client.post(
            "/api/v1/authorities/vn-mps/users", headers=headers, json={**body, "username": evil}
        ).status_code
        == 422
    )
    assert (
        client.post("/api/v1/auth/login", json={"username": evil, "password": evil}).status_code
        == 401
    )
    assert client.get(f"/api/v1/authorities/{evil}/users", headers=headers).status_code in (
        403,
        404,
    )
    with node.db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 4
        assert audit_log.check_chain(session=session).ok


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "empty"),
        ("short", "too short"),
        ("aaaaaaaaaaaaaaaa", "too few"),
        ("password1234", "too common"),
        ("vn.weakling-is-me", "username"),
    ],
)
def test_weak_passwords_refused_nothing_written(
    client: TestClient,
    factory: Factory,
    node: Node,
    two_authorities: None,
    password: str,
    message: str,
) -> None:
    headers = factory.token(client, "vn.admin")
    before = audit_count(node, "authority:user:created")
    response = client.post(
        "/api/v1/authorities/vn-mps/users",
        headers=headers,
        json={
            "username": "vn.weakling",
            "display_name": "W",
            "password": password,
            "roles": ["officer"],
        },
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert audit_count(node, "authority:user:created") == before


def test_malformed_bodies_are_422(
    client: TestClient, factory: Factory, two_authorities: None
) -> None:
    headers = factory.token(client, "vn.admin")
    assert (
        client.post(
            "/api/v1/authorities/vn-mps/users", headers=headers, json={"username": "x"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/authorities/vn-mps/users",
            headers=headers,
            json={
                "username": "vn.r",
                "display_name": "R",
                "password": "a-long-passphrase-1",
                "roles": ["emperor"],
            },
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
