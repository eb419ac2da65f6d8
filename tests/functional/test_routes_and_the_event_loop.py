"""Routes never run the synchronous database layer on the event loop.

Every route that touches the database is a plain function (FastAPI runs it on a worker thread)
or, when it must stream a body, an `async def` that hands each piece of database work to a
thread. The suite-wide guard in conftest fails any statement executed on a thread with a
running event loop (the formal document routes were `async def` reading the database in line:
test_request_conditions.py fetches them under that guard); this module checks the routes."""

from __future__ import annotations

import inspect

from fastapi.testclient import TestClient

from liaison.api.deps import get_session
from tests.routes import RouteInfo, api_routes

# Async because they stream a request body; each runs its database work in a thread.
STREAMING = {
    ("POST", "/federation/v1/inbox"),
    ("POST", "/federation/v1/inbox/batch"),
    ("PATCH", "/api/v1/uploads/{upload_id}"),
    ("PATCH", "/federation/v1/packages/{package}"),
}


def _depends_on_session(route: RouteInfo) -> bool:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is get_session:
            return True
        stack.extend(dependant.dependencies)
    return False


def test_only_body_streaming_routes_are_async(client: TestClient) -> None:
    asynchronous = {
        (route.method, route.path)
        for route in api_routes(client.app)  # type: ignore[arg-type]
        if inspect.iscoroutinefunction(route.endpoint)
    }
    assert asynchronous == STREAMING


def test_a_session_in_an_async_route_is_used_only_from_threads(client: TestClient) -> None:
    """The upload PATCH is the one async route holding a request session: it works on it only
    inside run_in_threadpool (exercised by the upload tests under the guard)."""
    holding = {
        (route.method, route.path)
        for route in api_routes(client.app)  # type: ignore[arg-type]
        if inspect.iscoroutinefunction(route.endpoint) and _depends_on_session(route)
    }
    assert holding == {("PATCH", "/api/v1/uploads/{upload_id}")}
