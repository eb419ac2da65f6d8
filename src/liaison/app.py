"""The ASGI application: JSON API at /api/v1 (federation endpoints join at /federation/v1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from liaison import __version__
from liaison.accounts.api import router as accounts_router
from liaison.api import errors
from liaison.api.deps import NodeDep, SessionDep
from liaison.authorities.api import router as authorities_router
from liaison.config import Settings, get_settings
from liaison.directory.api import router as directory_router
from liaison.evidence.api import router as evidence_router
from liaison.evidence.transfer.api import peer_router as package_peer_router
from liaison.evidence.transfer.api import router as package_router
from liaison.evidence.uploads.api import TusMiddleware
from liaison.evidence.uploads.api import router as uploads_router
from liaison.federation.api import router as federation_router
from liaison.federation.messages_api import router as messages_router
from liaison.node import Node
from liaison.notifications.api import router as notifications_router
from liaison.requests.api import router as requests_router
from liaison.requests.api_deadlines import router as deadline_router
from liaison.requests.api_use import router as request_use_router


def create_app(node: Node | None = None, settings: Settings | None = None) -> FastAPI:
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

    api.include_router(accounts_router)
    api.include_router(authorities_router)
    api.include_router(directory_router)
    api.include_router(messages_router)
    api.include_router(requests_router)
    api.include_router(deadline_router)
    api.include_router(request_use_router)
    api.include_router(evidence_router)
    api.include_router(package_router)
    api.include_router(uploads_router)
    api.include_router(notifications_router)
    app.include_router(api)
    app.include_router(federation_router)
    app.include_router(package_peer_router)
    return app
