"""The ASGI application: JSON API at /api/v1, federation endpoints at /federation/v1, this node's
own static assets at /static, and the web interface's pages everywhere else (liaison.web)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from liaison import __version__, composition
from liaison.accounts.authfirst import AuthenticateFirst
from liaison.api import errors, reference
from liaison.api.bodies import BodyLimit
from liaison.api.deps import NodeDep, SessionDep
from liaison.api.headers import SecurityHeaders
from liaison.config import Settings, get_settings
from liaison.node import Node
from liaison.web import shell

STATIC = Path(__file__).parent / "static"


def create_app(node: Node | None = None, settings: Settings | None = None) -> FastAPI:
    composition.assemble()
    node = node or Node.from_settings(settings or get_settings())
    app = FastAPI(
        title="Liaison",
        version=__version__,
        summary="Cross-border cooperation against cybercrime (UN Convention against Cybercrime)",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.node = node
    errors.install(app)
    reference.install(app)
    # Innermost first: each added middleware wraps those before it.
    for middleware in composition.middlewares():
        app.add_middleware(middleware)
    app.add_middleware(AuthenticateFirst)  # a body is read only from someone signed in
    app.add_middleware(BodyLimit)  # ... and only up to its limit
    app.add_middleware(SecurityHeaders)  # on every answer, the refusals above included
    if node.settings.trusted_proxies:
        # Outermost: the client's address is settled before anything records or throttles it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=node.settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    api = APIRouter(prefix="/api/v1")

    @api.get("/health", tags=["node"])
    def health(session: SessionDep, node: NodeDep) -> dict[str, Any]:
        """Liveness and database reachability. Public: carries no data."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "node": node.settings.node_name}

    for router in composition.api_routers():
        api.include_router(router)
    app.include_router(api)
    for router in composition.peer_routers():
        app.include_router(router)
    shell.install(app, composition.web_sections())
    return app
