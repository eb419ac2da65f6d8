"""A NUL character (U+0000) in a text: PostgreSQL cannot store it. The answer is a 422 with a
sentence, never a server error (found by the OpenAPI fuzz: a sign-in with a NUL in the user
name was a 500 on PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Factory


def test_a_nul_in_a_sign_in_is_no_server_error(client: TestClient, factory: Factory) -> None:
    factory.authority()
    factory.user("vn.officer")
    for body in (
        {"username": "vn.\u0000officer", "password": "not-the-password"},
        {"username": "someone", "password": "x\u0000y-long-enough"},
    ):
        answer = client.post("/api/v1/auth/login", json=body)
        # SQLite stores the text and the sign-in simply fails; PostgreSQL refuses it.
        assert answer.status_code in (401, 422), answer.text
        assert "detail" in answer.json()
    # The node still works: nothing was left half-written.
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "vn.officer", "password": "x"}
        ).status_code
        == 401
    )
