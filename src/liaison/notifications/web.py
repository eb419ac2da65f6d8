"""Notifications in the page: the list (newest first, each linking to its request), marking one
read, and the count in every page's header (refreshed in place by htmx). Only the reader's own
notifications, through the same service as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.core.permissions import Permission
from liaison.notifications import service
from liaison.notifications.models import MAX_ID, Notification
from liaison.web.pages import Badge, Page, Section, form_for, page_for
from liaison.web.templating import N_, N_plural

TEMPLATES = Path(__file__).parent / "templates"
router = APIRouter(include_in_schema=False)
Me = Annotated[Page, Depends(page_for(Permission.own_profile_read))]
MyForm = Annotated[Page, Depends(form_for(Permission.own_profile_read))]
CATEGORIES = {
    "reminder": N_("Reminder"),
    "overdue": N_("Overdue"),
    "escalation": N_("Escalation to supervisors"),
    "expiry_warning": N_("The preservation ends soon"),
    "warning": N_("Warning from the requested authority"),
    "new_request": N_("New request"),
}
SINGULAR, PLURAL = N_plural("%(count)s unread notification", "%(count)s unread notifications")


def badge(session: Session, user: User) -> Badge:
    count = service.unread_count(session=session, user_id=user.id)
    return Badge(SINGULAR, PLURAL, count, "/notifications")


def link(user: User, note: Notification) -> str | None:
    """The page a notification is about: a request of the reader's own authority."""
    kind, _, rest = note.target.partition(":")
    holder, _, request_id = rest.partition(":")
    if kind == "request" and holder == user.authority_id and request_id:
        return f"/requests/{request_id}"
    return None


@router.get("/notifications")
def notifications(page: Me) -> Response:
    """Your notifications, newest first. Permission: self:profile:read."""
    page.nav = "/notifications"
    notes = service.for_user(session=page.session, user_id=page.user.id)
    return page.render(
        "notifications/list.html",
        notes=[(n, link(page.user, n)) for n in notes],
        categories=CATEGORIES,
    )


@router.get("/notifications/count")
def count(page: Me) -> Response:
    """The header's count, alone (htmx puts it in place). Permission: self:profile:read."""
    return page.render("web/badge.html", badge=badge(page.session, page.user))


@router.post("/notifications/{notification_id}/read")
def read(notification_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], page: MyForm) -> Response:
    """Mark one as read. Permission: self:profile:read."""
    service.mark_read(
        session=page.session,
        user_id=page.user.id,
        notification_id=notification_id,
        clock=page.node.clock,
    )
    return page.redirect("/notifications")


section = Section(router=router, templates=TEMPLATES, badge=badge)
