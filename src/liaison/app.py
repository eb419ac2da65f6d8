"""The ASGI application: JSON API at /api/v1 (federation endpoints join at /federation/v1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from liaison import __version__, composition
from liaison.api import errors
from liaison.api.deps import NodeDep, SessionDep
from liaison.config import Settings, get_settings
from liaison.evidence.uploads.api import TusMiddleware
from liaison.node import Node


def create_app(node: Node | None = None, settings: Settings | None = None) -> FastAPI:
    composition.assemble()
    node = node or Node.from_settings(settings or get_settings())
    app = FastAPI(
        title="Liaison",
        version=__version__,
        summary="Cross-border cooperation against cybercrime (UN Convention against Cybercrime)",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.node = node
    errors.install(app)
    app.add_middleware(TusMiddleware)  # tus headers on every answer under /api/v1/uploads

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
    return app
