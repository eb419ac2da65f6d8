"""The cookies of the web interface and the anti-forgery token of its forms.

- the session: a random token (accounts.tokens, kind "web"), stored by the node only as its
  digest; HttpOnly, SameSite=Strict, Secure outside development (where its name carries the
  __Host- prefix, so the browser keeps it only as such);
- before sign-in, a random value the sign-in form is bound to (login forgery);
- the reader's language and time zone: preferences, nothing secret (still HttpOnly and Strict).

The anti-forgery token of a form is an HMAC under the node's secret key of the session's
token id (or of the pre-sign-in value): no storage, the same for every form of one session,
worthless to anyone who does not hold the cookie it is bound to.
"""

from __future__ import annotations

from fastapi import Request, Response

from liaison.accounts import tokens
from liaison.config import Env, Settings
from liaison.crypto.tokens import keyed_digest, new_nonce, same_secret

LANG = "liaison-lang"
ZONE = "liaison-tz"
PRE = "liaison-pre"
FIELD = "csrf_token"
# Preferences outlive sessions; a year, like any site's language choice.
PREFERENCE_SECONDS = 365 * 24 * 3600


def secure(settings: Settings) -> bool:
    return settings.env is not Env.dev


def session_name(settings: Settings) -> str:
    return tokens.web_cookie_name(secure=secure(settings))


def pre_name(settings: Settings) -> str:
    return f"__Host-{PRE}" if secure(settings) else PRE


def _set(
    response: Response, settings: Settings, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=secure(settings),
        httponly=True,
        samesite="strict",
    )


def set_session(response: Response, settings: Settings, secret: str) -> None:
    # No max-age: the browser forgets it when closed; the node ends it earlier (idle, lifetime).
    _set(response, settings, session_name(settings), secret, None)


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        session_name(settings), path="/", secure=secure(settings), httponly=True, samesite="strict"
    )


def session_secret(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(session_name(settings)) or None


def set_preference(response: Response, settings: Settings, name: str, value: str) -> None:
    _set(response, settings, name, value, PREFERENCE_SECONDS)


def pre_value(request: Request, settings: Settings) -> str | None:
    value = request.cookies.get(pre_name(settings))
    return value if value and len(value) <= 100 else None


def new_pre() -> str:
    return new_nonce()


def set_pre(response: Response, settings: Settings, value: str) -> None:
    # An hour to fill in the sign-in form; after that it is reloaded with a new one.
    _set(response, settings, pre_name(settings), value, 3600)


def form_token(settings: Settings, binding: str) -> str:
    """The anti-forgery token of the forms of one session (binding: its token id), or of a
    browser before sign-in (binding: "pre:" and its pre-sign-in value)."""
    return keyed_digest(settings.secret_key.get_secret_value().encode(), f"csrf|{binding}")


def form_token_ok(settings: Settings, binding: str, sent: object) -> bool:
    return isinstance(sent, str) and same_secret(form_token(settings, binding), sent)
