"""Errors on the pages of the web interface: a page in the reader's language, never JSON.

The JSON API keeps its own answers (liaison.api.errors): these handlers take over only for
paths of the web interface and hand everything else back. An error page says what happened in
plain words and what to do next, and nothing more: it carries no header with the user's name or
counts, and a "not found" does not repeat what was asked for, so it tells nobody whether a
request of another authority exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison.api.bodies import is_web
from liaison.core.errors import AuthenticationFailed, LiaisonError, RateLimited
from liaison.web import cookies
from liaison.web.pages import FormExpired, Shell, preferred_language, sign_in_url
from liaison.web.templating import N_, Words

Handler = Callable[[Request, Any], Response | Awaitable[Response]]

# status: (title, what to do) msgids.
MESSAGES = {
    400: (N_("The address is not valid"), N_("Check the address, or go back and try again.")),
    403: (
        N_("You cannot do this"),
        N_("Your role does not allow it. Ask a supervisor of your authority if you need to."),
    ),
    404: (
        N_("Page not found"),
        N_(
            "If you typed the address, check it. If you followed a link, what it pointed to is "
            "not there, or not yours to see."
        ),
    ),
    405: (N_("The address is not valid"), N_("Check the address, or go back and try again.")),
    409: (
        N_("This cannot be done now"),
        N_("The request is not in a state that allows it. Go back to see what it allows."),
    ),
    413: (N_("The form is too large"), N_("Shorten what you typed and send it again.")),
    422: (N_("Something you entered is not valid"), N_("Go back, correct it and try again.")),
    429: (N_("Too many attempts"), N_("Wait a few minutes, then try again.")),
    500: (N_("Sorry, something went wrong"), N_("Try again later.")),
}
EXPIRED = (
    N_("This form has expired"),
    N_("Go back, reload the page and send the form again."),
)
# Statuses whose sentence from the service helps the reader (it says which rule refused).
EXPLAINED = frozenset({409, 422})


def error_page(
    request: Request,
    status: int,
    *,
    detail: str | None = None,
    expired: bool = False,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    shell: Shell = request.app.state.web
    lang = preferred_language(request)
    words = Words(lang)
    gettext, ngettext = words.markup()
    fallback = MESSAGES[400 if status < 500 else 500]
    title, advice = EXPIRED if expired else MESSAGES.get(status, fallback)
    html = shell.env.get_template("web/error.html").render(
        lang=lang,
        direction="rtl" if lang == "ar" else "ltr",
        title=gettext(title),
        advice=gettext(advice),
        detail=detail if status in EXPLAINED else None,
        status=status,
        _=gettext,
        ngettext=ngettext,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _to_sign_in(request: Request) -> Response:
    settings = request.app.state.node.settings
    target = sign_in_url(request)
    if request.headers.get("hx-request") == "true":
        response: Response = Response(status_code=401, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    cookies.clear_session(response, settings)
    return response


async def _answer(handler: Handler, request: Request, exc: Exception) -> Response:
    answer = handler(request, exc)
    return await answer if isawaitable(answer) else answer


def install(app: FastAPI) -> None:
    """Take over the error answers of web paths; the API's handlers keep the rest."""
    api_error: Handler = app.exception_handlers[LiaisonError]
    api_invalid: Handler = app.exception_handlers[RequestValidationError]
    api_http: Handler = app.exception_handlers.get(StarletteHTTPException, http_exception_handler)

    @app.exception_handler(LiaisonError)
    async def liaison_error(request: Request, exc: LiaisonError) -> Response:
        if not is_web(request.url.path):
            return await _answer(api_error, request, exc)
        if isinstance(exc, AuthenticationFailed) and not isinstance(exc, RateLimited):
            return _to_sign_in(request)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_page(
            request,
            exc.status_code,
            detail=exc.message,
            expired=isinstance(exc, FormExpired),
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not is_web(request.url.path):
            return await _answer(api_invalid, request, exc)
        return error_page(request, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_web(request.url.path):
            return await _answer(api_http, request, exc)
        return error_page(request, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Only reached for what nothing else handled; the server log has the traceback.
        if not is_web(request.url.path):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return error_page(request, 500)
