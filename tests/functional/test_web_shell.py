"""The shell of the web interface on one node: language from Accept-Language then from the
reader's choice, right-to-left for Arabic, where sign-in may send a browser back to, cookies'
attributes, error pages in HTML for pages and JSON for the API, and bad input answered 4xx."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.core.permissions import Role
from tests.conftest import Factory
from tests.web import Browser, token_of


def _lang(html: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', html)
    assert found
    return found.group(1), found.group(2)


def test_language_from_accept_language_then_from_the_choice(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "fr;q=0.5, vi-VN, en;q=0.1"})
    assert _lang(page.text) == ("vi", "ltr")
    refused = client.get("/sign-in", headers={"Accept-Language": "xx, ru;q=0"})
    assert _lang(refused.text) == ("en", "ltr")
    chosen = client.get("/language", params={"set": "ar", "next": "/sign-in"})
    assert _lang(chosen.text) == ("ar", "rtl")  # followed to /sign-in, with the cookie set
    again = client.get("/sign-in", headers={"Accept-Language": "vi"})
    assert _lang(again.text) == ("ar", "rtl")  # the choice wins over the header
    assert client.get("/language", params={"set": "xx"}).status_code == 422


def test_sign_in_sends_back_only_to_a_local_page(client: TestClient, factory: Factory) -> None:
    factory.authority()
    factory.user("vn.officer", "vn-mps", Role.officer)
    for target, expected in [
        ("/requests/outgoing?q=a", "/requests/outgoing?q=a"),
        ("https://elsewhere.example/", "/"),
        ("//elsewhere.example/", "/"),
        ("/\\elsewhere.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        b = Browser(client.app)  # type: ignore[arg-type]
        form = b.get("/sign-in")
        response = b.client.post(
            "/sign-in",
            data={
                "csrf_token": token_of(form.text),
                "username": "vn.officer",
                "password": "correct-horse-battery-staple",
                "next": target,
            },
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == expected, target


def test_session_cookie_is_http_only_and_strict(client: TestClient, factory: Factory) -> None:
    factory.authority()
    factory.user("vn.officer", "vn-mps", Role.officer)
    b = Browser(client.app)  # type: ignore[arg-type]
    signed = b.sign_in("vn.officer")
    cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("liaison-"))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes
    assert signed.headers["cache-control"] == "no-store"


def test_a_sign_in_form_without_its_browser_binding_is_refused(client: TestClient) -> None:
    form = client.get("/sign-in")
    client.cookies.clear()  # the token, but not the cookie it is bound to
    response = client.post(
        "/sign-in",
        data={"csrf_token": token_of(form.text), "username": "a", "password": "b"},
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text


def test_errors_are_pages_for_pages_and_json_for_the_api(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    assert "/no/such/page" not in page.text  # what was asked for is not repeated
    api = client.get("/api/v1/no/such/route")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")


def test_signed_in_bad_query_values_are_a_400_page(client: TestClient, factory: Factory) -> None:
    factory.authority()
    factory.user("vn.officer", "vn-mps", Role.officer)
    b = Browser(client.app)  # type: ignore[arg-type]
    b.sign_in("vn.officer")
    for query in ({"state": "vietnam"}, {"due": "soon"}, {"q": "x" * 201}, {"page": "401"}):
        response = b.get("/requests/outgoing", params=query)
        assert response.status_code == 400, query
        assert "The address is not valid" in response.text
        assert "vietnam" not in response.text
