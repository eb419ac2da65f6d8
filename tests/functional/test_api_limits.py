"""Bodies are limited while they stream and read only from someone signed in; validation errors
never echo what was sent; every answer carries the security headers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from liaison.node import Node
from tests.conftest import Factory

MIB = 1 << 20


class Stream:
    """A chunked body that counts how much of it the server pulled."""

    def __init__(self, chunks: int, size: int = 64 << 10) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * self.size


def test_an_anonymous_body_is_refused_before_it_is_read(client: TestClient) -> None:
    body = Stream(chunks=3200)  # 200 MiB if it were read
    response = client.post(
        "/api/v1/requests", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401
    assert body.pulled <= 1
    declared = client.post(
        "/api/v1/requests",
        content=b"{}",
        headers={"content-type": "application/json", "authorization": "Bearer lsn_forged"},
    )
    assert declared.status_code == 401
    assert declared.json()["detail"] == "the token is not valid; sign in again"


def test_a_body_over_the_limit_is_cut_off_at_the_limit(
    node: Node, factory: Factory, client: TestClient
) -> None:
    factory.authority("vn-mps", "VN")
    factory.user("vn.officer", "vn-mps")
    headers = {**factory.token(client, "vn.officer"), "content-type": "application/json"}
    limit = node.settings.api_max_body_bytes
    declared = client.post("/api/v1/requests", content=b" " * (limit + 1), headers=headers)
    assert declared.status_code == 413
    assert declared.json()["reason"] == "too_large"
    body = Stream(chunks=3200)
    streamed = client.post("/api/v1/requests", content=body, headers=headers)
    assert streamed.status_code == 413  # a chunked body, cut at the limit (memory: e2e test)
    assert streamed.json()["reason"] == "too_large"
    # Sign-in, which anyone may call, reads far less.
    login = client.post(
        "/api/v1/auth/login",
        content=b" " * (node.settings.api_login_max_body_bytes + 1),
        headers={"content-type": "application/json"},
    )
    assert login.status_code == 413


def test_validation_errors_say_where_but_never_echo_the_input(client: TestClient) -> None:
    secret = "hunter2-" * 50_000  # 400 kB
    response = client.post(
        "/api/v1/auth/login", json={"username": secret[:100], "password": 7, "x": secret[:9000]}
    )
    assert response.status_code in (413, 422)
    response = client.post("/api/v1/auth/login", json={"username": "vn.officer", "password": 7})
    assert response.status_code == 422
    assert "hunter2" not in response.text
    problems = response.json()["problems"]
    assert {"path": "password", "message": "Input should be a valid string"} in problems
    assert all(set(p) == {"path", "message"} for p in problems)
    long_value = client.post(
        "/api/v1/auth/login", json={"username": "u", "password": "p", "extra": "z" * 12_000}
    )
    assert long_value.status_code == 422
    assert len(long_value.content) < 2_000
    assert "zzzz" not in long_value.text


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for response in (
        client.get("/api/v1/health"),
        client.get("/api/v1/whoami"),
        client.post("/api/v1/auth/login", json={}),
        client.get("/api/v1/nowhere"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in client.get("/api/v1/health").headers  # dev


def test_the_root_is_the_web_interface(client: TestClient) -> None:
    # The dashboard, which first asks a visitor to sign in (it led to the API reference).
    root = client.get("/", follow_redirects=False)
    assert root.status_code == 303
    assert root.headers["location"] == "/sign-in"
    assert "Sign in to Liaison" in client.get("/").text


def test_the_api_reference_is_served_from_this_node(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for src in ("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js", "/static/api-docs.js"):
        assert src in page.text
        asset = client.get(src)
        assert asset.status_code == 200
        assert len(asset.content) > 100
    spec = client.get("/api/v1/openapi.json").json()
    answers = spec["paths"]["/api/v1/requests"]["post"]["responses"]
    for code in ("401", "403", "404", "409", "413", "422"):
        assert answers[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_evidence_attached_in_one_post_is_not_held_to_the_api_body_limit(
    node: Node, factory: Factory, client: TestClient
) -> None:
    """A file of evidence is larger than any form: its own limit applies (the largest item)."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    factory.user("vn.officer", "vn-mps")
    headers = factory.token(client, "vn.officer")
    draft = client.post(
        "/api/v1/requests", json={"kind": "mla", "to": "ru-gpo", "language": "en"}, headers=headers
    ).json()["id"]
    size = node.settings.api_max_body_bytes + MIB
    attached = client.post(
        f"/api/v1/requests/{draft}/evidence",
        files={"file": ("disk.img", b"\x00" * size)},
        data={"acquired_by": "Lt. Binh", "acquired_at": "2026-03-01T08:00:00+07:00"},
        headers=headers,
    )
    assert attached.status_code == 201, attached.text
    assert attached.json()["size"] == size
