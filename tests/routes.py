"""Every route of an application, flattened (FastAPI keeps included routers as nested objects)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    endpoint: Callable[..., Any]
    dependant: Dependant


def api_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """(method, path) of every API route, with its endpoint and dependency tree."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        route: APIRoute = context.original_route
        for method in sorted(context.methods or ()):
            yield RouteInfo(method, str(context.path), route.endpoint, context.dependant)
