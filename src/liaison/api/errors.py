"""Domain errors to HTTP: every failure is JSON `{"detail": sentence}` with the right status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from liaison.core.errors import LiaisonError, RateLimited


def install(app: FastAPI) -> None:
    @app.exception_handler(LiaisonError)
    async def _liaison_error(_request: Request, exc: LiaisonError) -> JSONResponse:
        headers: dict[str, str] = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)
