"""Sign-in, sign-out, one's account, the second factor, language and time zone."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from liaison.accounts import signin, tokens, totp
from liaison.core.errors import AuthenticationFailed, InvalidInput, RateLimited
from liaison.core.permissions import Permission, Role
from liaison.crypto import keys as keycrypto
from liaison.crypto.keys import KeyUnwrapError
from liaison.i18n import LANGUAGES
from liaison.web import cookies
from liaison.web.formatting import own_zones, valid_zone, zones_for
from liaison.web.forms import Problems
from liaison.web.pages import (
    ROLE_LABELS,
    FormExpired,
    Page,
    form_for,
    page_for,
    read_form,
    safe_next,
    visitor,
    web_context,
)
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
Visitor = Annotated[Page, Depends(visitor)]
Profile = Annotated[Page, Depends(page_for(Permission.own_profile_read))]
ProfileForm = Annotated[Page, Depends(form_for(Permission.own_profile_read))]
Credentials = Annotated[Page, Depends(page_for(Permission.own_token_manage))]
CredentialsForm = Annotated[Page, Depends(form_for(Permission.own_token_manage))]

DONE = {
    "two_factor": N_("Your second factor is set up. You will need a code from your app "
                     "every time you sign in."),
    "settings": N_("Your settings are saved."),
}  # fmt: skip


@router.get("/sign-in")
def sign_in_form(page: Visitor, next: str | None = Query(None, max_length=2000)) -> Response:
    """The sign-in page. Public."""
    if page.principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_page(page, next=safe_next(next), problems=Problems(), username="")


def _sign_in_page(
    page: Page, *, next: str, problems: Problems, username: str, status: int = 200
) -> Response:
    settings = page.node.settings
    known = cookies.pre_value(page.request, settings)
    page.extra["pre"] = known or cookies.new_pre()
    response = page.render(
        "web/sign_in.html",
        status=status,
        next=next,
        problems=problems,
        username=username,
        signed_out=page.request.query_params.get("signed_out") == "1",
    )
    if known is None:
        cookies.set_pre(response, settings, page.extra["pre"])
    return response


@router.post("/sign-in")
def sign_in(page: Visitor, form: Annotated[FormData, Depends(read_form)]) -> Response:
    """Exchange username, password (and the code of a second factor) for a session. Public;
    the form is bound to this browser (login forgery)."""
    page.form = form
    settings = page.node.settings
    pre = cookies.pre_value(page.request, settings)
    if pre is None or not cookies.form_token_ok(settings, f"pre:{pre}", form.get(cookies.FIELD)):
        raise FormExpired("this form has expired; reload the page")
    target = safe_next(page.field("next", 2000))
    username, password, code = page.field("username", 64), page.field("password", 1024), ""
    code = page.field("code", 16).replace(" ", "")
    problems = Problems()
    if not username:
        problems.add("username", page._(N_("Enter your username")))
    if not password:
        problems.add("password", page._(N_("Enter your password")))
    if code and not (code.isascii() and code.isdigit() and len(code) == 6):
        problems.add("code", page._(N_("The code is the 6 digits your app shows")))
    if problems:
        return _sign_in_page(page, next=target, problems=problems, username=username, status=422)
    try:
        signed = signin.sign_in(
            session=page.session,
            settings=settings,
            kek=page.node.kek,
            username=username,
            password=password,
            totp=code or None,
            ctx=web_context(page.request),
            clock=page.node.clock,
            kind=tokens.WEB,
        )
    except RateLimited:
        problems.add("username", page._(N_("Too many failed sign-ins. Wait a few minutes, "
                                           "then try again.")))  # fmt: skip
        return _sign_in_page(page, next=target, problems=problems, username=username, status=429)
    except AuthenticationFailed:
        # The same words whatever was wrong, as the API says: nothing tells a guesser which.
        problems.add("username", page._(N_("The username, password or code is not right")))
        return _sign_in_page(page, next=target, problems=problems, username=username, status=401)
    response = RedirectResponse(target, status_code=303)
    cookies.set_session(response, settings, signed.token)
    return response


@router.post("/sign-out")
def sign_out(page: CredentialsForm) -> Response:
    """End this session. Permission: self:token:manage."""
    tokens.revoke(
        session=page.session,
        user=page.user,
        token_id=page.principal.token_id if page.principal else "",
        ctx=page.ctx,
        clock=page.node.clock,
    )
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    cookies.clear_session(response, page.node.settings)
    return response


@router.get("/account")
def account(page: Profile, done: str | None = Query(None, max_length=32)) -> Response:
    """Who you are: your authority, roles, second factor. Permission: self:profile:read."""
    page.nav = "account"
    return page.render(
        "web/account.html",
        roles=[page._(ROLE_LABELS[Role(r)]) for r in page.user.roles],
        two_factor=page.user.totp_secret_enc is not None,
        required=page.user.authority.require_totp,
        done=DONE.get(done or ""),
    )


def _pending_key(page: Page) -> str:
    # Bound to the user and to this session: a secret shown in one session is confirmed there.
    return f"totp-pending:{page.user.id}:{page.principal.token_id if page.principal else ''}"


def _two_factor_page(page: Page, secret: str, problems: Problems, status: int = 200) -> Response:
    uri = totp.provisioning_uri(secret=secret, username=page.user.username)
    wrapped = keycrypto.wrap(page.node.kek, _pending_key(page), secret.encode())
    page.nav = "account"
    return page.render(
        "web/two_factor.html",
        status=status,
        qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        pending=base64.urlsafe_b64encode(wrapped).decode(),
        problems=problems,
        replacing=page.user.totp_secret_enc is not None,
    )


@router.get("/account/two-factor")
def two_factor_form(page: Credentials) -> Response:
    """A new second factor to set up: QR code, key, and the code to confirm it.
    Permission: self:token:manage."""
    return _two_factor_page(page, totp.new_secret(), Problems())


@router.post("/account/two-factor")
def two_factor(page: CredentialsForm) -> Response:
    """Confirm the new second factor with a code from it. Permission: self:token:manage."""
    try:
        wrapped = base64.urlsafe_b64decode(page.field("pending", 400).encode())
        secret = keycrypto.unwrap(page.node.kek, _pending_key(page), wrapped).decode()
    except (binascii.Error, ValueError, KeyUnwrapError):
        raise FormExpired("this form has expired; start again") from None
    code = page.field("code", 16).replace(" ", "")
    problems = Problems()
    if not code:
        problems.add("code", page._(N_("Enter the code your app shows")))
    elif not (code.isascii() and code.isdigit() and len(code) == 6):
        problems.add("code", page._(N_("The code is the 6 digits your app shows")))
    else:
        try:
            totp.confirm(
                session=page.session,
                kek=page.node.kek,
                user=page.user,
                secret=secret,
                code=code,
                ctx=page.ctx,
                clock=page.node.clock,
            )
        except InvalidInput:
            problems.add("code", page._(N_("That code does not match. Type the code your app "
                                           "shows now.")))  # fmt: skip
    if problems:
        return _two_factor_page(page, secret, problems, status=422)
    return page.redirect("/account?done=two_factor")


@router.get("/settings")
def settings_form(page: Profile) -> Response:
    """Language and time zone. Permission: self:profile:read."""
    return _settings_page(page, Problems())


def _settings_page(page: Page, problems: Problems, status: int = 200) -> Response:
    page.nav = "account"
    state = page.user.authority.state
    own = set(own_zones(state))
    # The State's own zones by their names in the reader's language; the others as IANA
    # writes them, which is how people look them up.
    return page.render(
        "web/settings.html",
        status=status,
        problems=problems,
        zones=[(z, page.fmt.zone_name(z) if z in own else z) for z in zones_for(state)],
    )


@router.post("/settings")
def settings(page: ProfileForm) -> Response:
    """Save language and time zone (cookies of this browser). Permission: self:profile:read."""
    lang, zone = page.field("lang", 8), valid_zone(page.field("zone", 64))
    problems = Problems()
    if lang not in LANGUAGES:
        problems.add("lang", page._(N_("Choose a language from the list")))
    if zone is None:
        problems.add("zone", page._(N_("Choose a time zone from the list")))
    if problems or zone is None:
        return _settings_page(page, problems, status=422)
    response = RedirectResponse("/account?done=settings", status_code=303)
    cookies.set_preference(response, page.node.settings, cookies.LANG, lang)
    cookies.set_preference(response, page.node.settings, cookies.ZONE, zone)
    return response


@router.get("/language")
def language(
    page: Visitor,
    choose: Annotated[str, Query(alias="set", pattern="^[a-z]{2}$")],
    next: str | None = Query(None, max_length=2000),
) -> Response:
    """Switch the interface's language (a link in every page's header). Public."""
    if choose not in LANGUAGES:
        raise InvalidInput("no such language")
    response = RedirectResponse(safe_next(next), status_code=303)
    cookies.set_preference(response, page.node.settings, cookies.LANG, choose)
    return response
