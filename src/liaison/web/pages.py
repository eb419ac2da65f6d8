"""A page as a route sees it: who asks (signed in through the session cookie, or not yet), in
which language and time zone, with the request's database session; and the dependencies that
make one, each checking the same permission through the same step as the API.

    Reader = Annotated[Page, Depends(page_for(Permission.request_read))]
    Writer = Annotated[Page, Depends(form_for(Permission.request_execute))]  # + anti-forgery
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from liaison.accounts import tokens
from liaison.accounts.deps import Principal, principal_for, require
from liaison.accounts.models import User
from liaison.api.deps import NodeDep, SessionDep, anonymous_context
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import AuthenticationFailed, PermissionDenied
from liaison.core.permissions import Permission, Role
from liaison.i18n import LANGUAGES, NATIVE_NAMES, RTL, accepted_languages, best_language
from liaison.node import Node
from liaison.web import cookies
from liaison.web.formatting import Formats, valid_zone, zone_of_state
from liaison.web.names import AuthorityNames, pick
from liaison.web.templating import N_, Words


@dataclass(frozen=True)
class Badge:
    """A count in the header (unread notifications), linking to where they are; `href` +
    "/count" answers the same link again, for htmx to refresh it in place."""

    singular: str  # msgids with %(count)s
    plural: str
    count: int
    href: str


BadgeSource = Callable[[Session, User], Badge | None]


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation, shown to those who hold its permission."""

    key: str
    href: str
    label: str  # msgid
    permission: Permission


@dataclass(frozen=True)
class Section:
    """What a feature adds to the web interface (listed by the composition root)."""

    router: APIRouter
    templates: Path | None = None
    badge: BadgeSource | None = None
    nav: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class Shell:
    """The web interface of one application (app.state.web)."""

    env: Environment
    badges: tuple[BadgeSource, ...]
    nav: tuple[NavItem, ...]


ROLE_LABELS = {
    Role.officer: N_("Officer"),
    Role.supervisor: N_("Supervisor"),
    Role.contact_24_7: N_("24/7 contact point"),
    Role.custodian: N_("Evidence custodian"),
    Role.auditor: N_("Auditor"),
    Role.admin: N_("Administrator"),
}


class NotSignedIn(AuthenticationFailed):
    """No valid session cookie: the page sends the browser to the sign-in page."""


class FormExpired(PermissionDenied):
    """A form without this session's anti-forgery token (forged, or from an ended session)."""

    keep_changes = False


def preferred_language(request: Request) -> str:
    chosen = request.cookies.get(cookies.LANG)
    if chosen in LANGUAGES:
        return str(chosen)
    return best_language(accepted_languages(request.headers.get("accept-language", "")))


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything else (another site, a scheme) is the dashboard."""
    if not target or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


@dataclass
class Page:
    request: Request
    session: Session
    node: Node
    principal: Principal | None
    lang: str
    form: FormData | None = None
    # Filled by routes for the layout: which item of the navigation is current.
    nav: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> User:
        if self.principal is None:
            raise NotSignedIn("sign in first")
        return self.principal.user

    @property
    def ctx(self) -> AuditContext:
        if self.principal is None:
            raise NotSignedIn("sign in first")
        return self.principal.ctx

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"

    @cached_property
    def zone(self) -> str:
        chosen = valid_zone(self.request.cookies.get(cookies.ZONE))
        if chosen:
            return chosen
        return zone_of_state(self.principal.user.authority.state if self.principal else None)

    @cached_property
    def words(self) -> Words:
        return Words(self.lang)

    @cached_property
    def fmt(self) -> Formats:
        return Formats(self.lang, self.zone)

    def _(self, message: str, **values: Any) -> str:
        text = self.words.gettext(message)
        return text % values if values else text

    @property
    def csrf(self) -> str:
        settings = self.node.settings
        if self.principal is not None:
            return cookies.form_token(settings, self.principal.token_id)
        return cookies.form_token(settings, f"pre:{self.extra.get('pre', '')}")

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def field(self, name: str, limit: int = 20_000) -> str:
        """A text field of the posted form, trimmed; too long is refused where it is checked."""
        value = self.form.get(name) if self.form is not None else None
        return value.strip()[: limit + 1] if isinstance(value, str) else ""

    def authority_name(self, names: dict[str, str], fallback: str) -> str:
        return pick(names, self.lang, fallback)

    @cached_property
    def authorities(self) -> AuthorityNames:
        """`page.authorities(id)`: an authority by name and State (the id if unknown)."""
        return AuthorityNames(self.session, self.fmt)

    @property
    def here(self) -> str:
        url = self.request.url
        return url.path + (f"?{url.query}" if url.query else "")

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        shell: Shell = self.request.app.state.web
        gettext, ngettext = self.words.markup()
        badges, navigation = [], []
        if self.principal is not None:
            held = self.principal.permissions
            navigation = [(n.key, n.href, n.label) for n in shell.nav if n.permission in held]
            for source in shell.badges:
                badge = source(self.session, self.principal.user)
                if badge is not None:
                    badges.append(badge)
        html = shell.env.get_template(template).render(
            page=self, _=gettext, gettext=gettext, ngettext=ngettext, fmt=self.fmt,
            badges=badges, navigation=navigation, role_labels=ROLE_LABELS,
            languages_menu=list(NATIVE_NAMES.items()), here=self.here, **context,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    def redirect(self, target: str) -> Response:
        """After a form: see the result at `target` (303, so a reload repeats nothing)."""
        if self.htmx:
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)


def _lang(request: Request) -> str:
    return preferred_language(request)


def web_context(request: Request) -> AuditContext:
    """Who is calling through a page, before anyone signed in."""
    base = anonymous_context(request)
    return AuditContext(
        actor=base.actor, channel=Channel.web, request_id=base.request_id, address=base.address
    )


def signed_in(request: Request, session: SessionDep, node: NodeDep) -> Principal:
    """The principal behind the session cookie (NotSignedIn without a valid one)."""
    secret = cookies.session_secret(request, node.settings)
    if secret is None:
        raise NotSignedIn("sign in first")
    try:
        return principal_for(
            session=session,
            secret=secret,
            ctx=web_context(request),
            clock=node.clock,
            kinds=frozenset({tokens.WEB}),
            idle=timedelta(minutes=node.settings.web_idle_minutes),
        )
    except AuthenticationFailed as exc:
        raise NotSignedIn(exc.message) from None


def visitor(request: Request, session: SessionDep, node: NodeDep) -> Page:
    """A page anyone may see (sign-in): signed in or not."""
    principal = None
    if cookies.session_secret(request, node.settings) is not None:
        try:
            principal = signed_in(request, session, node)
        except NotSignedIn:
            principal = None
    page = Page(request, session, node, principal, _lang(request))
    page.extra["pre"] = cookies.pre_value(request, node.settings) or ""
    return page


def page_for(permission: Permission) -> Callable[..., Page]:
    """Dependency: the page of a signed-in user who holds `permission`."""
    authorised = require(permission, principal=signed_in)

    def dependency(
        request: Request,
        session: SessionDep,
        node: NodeDep,
        principal: Principal = Depends(authorised),
    ) -> Page:
        return Page(request, session, node, principal, _lang(request))

    dependency.__name__ = f"page_{permission.name}"
    return dependency


async def read_form(request: Request) -> FormData:
    """The posted form (parsed off the event loop's database work: no statement here)."""
    return await request.form()


def form_for(permission: Permission) -> Callable[..., Page]:
    """Dependency: a posted form of a signed-in user who holds `permission`, carrying this
    session's anti-forgery token (FormExpired otherwise)."""
    authorised = require(permission, principal=signed_in)

    def dependency(
        request: Request,
        session: SessionDep,
        node: NodeDep,
        principal: Principal = Depends(authorised),
        form: FormData = Depends(read_form),
    ) -> Page:
        if not cookies.form_token_ok(node.settings, principal.token_id, form.get(cookies.FIELD)):
            raise FormExpired("this form has expired; go back, reload the page and try again")
        return Page(request, session, node, principal, _lang(request), form=form)

    dependency.__name__ = f"form_{permission.name}"
    return dependency


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or target == "/":
        return "/sign-in"
    return f"/sign-in?next={quote(target, safe='')}"
