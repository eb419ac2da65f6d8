"""Errors to HTTP, in one shape: `{"detail": sentence, "problems": [{path, message}]?}`.

Domain errors (LiaisonError) keep their sentence and status. Validation errors list each
problem with where it is, but never the value that was sent: an input echoed back lets a caller
make the server answer with whatever it sent (a 20 MB field, 20 MB of error), and may copy a
secret into a log. Every message is cut to a bounded length for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError

from liaison.core.errors import LiaisonError, RateLimited

# Bounds, not expectations: a sentence listing a whole form's problems stays well under them.
MAX_DETAIL = 4000
MAX_MESSAGE = 500


class ProblemItem(BaseModel):
    path: str
    message: str


class Problem(BaseModel):
    """What every error answer holds: a sentence, and where each problem is when there are
    several (a form puts each message beside its field)."""

    detail: str
    problems: list[ProblemItem] | None = None
    reason: str | None = None


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validation_problems(errors: Sequence[Any]) -> list[dict[str, str]]:
    """pydantic's errors as {path, message}, without the `input` and `ctx` they carry.

    A path into the body is relative to it ("content.facts", as the services name the fields
    they refuse), so one path names one field of what a form sent; a parameter keeps where it
    came from ("query.limit"), and the body as a whole is "body"."""
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if len(loc) > 1 and loc[0] == "body":
            loc = loc[1:]
        path = ".".join(loc)
        found.append({"path": _cut(path), "message": _cut(str(error.get("msg", "invalid")))})
    return found


def install(app: FastAPI) -> None:
    @app.exception_handler(LiaisonError)
    async def _liaison_error(_request: Request, exc: LiaisonError) -> JSONResponse:
        headers: dict[str, str] = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body: dict[str, Any] = {"detail": _cut(exc.message, MAX_DETAIL)}
        problems = getattr(exc, "problems", None)
        if problems:
            body["problems"] = [
                {"path": _cut(p.path), "message": _cut(p.message)} for p in problems
            ]
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL cannot store U+0000 in text (SQLite can): a NUL in any field is refused
        # when it reaches the database, and the request's transaction is rolled back with it.
        if "NUL" not in str(exc.orig):
            raise exc
        return JSONResponse(
            {"detail": "text must not contain NUL characters (U+0000)"}, status_code=422
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(exc.errors())
        listed = "; ".join(f"{p['path']}: {p['message']}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return JSONResponse(
            {"detail": _cut(f"invalid input: {listed}{more}", MAX_DETAIL), "problems": problems},
            status_code=422,
        )
