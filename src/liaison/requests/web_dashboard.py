"""The dashboard: what needs the reader now (urgent and 24/7 items, due today, overdue, drafts
awaiting their approval, requests sent back to them, recent arrivals and receipts) and how
many requests they see in each state. Every list is requests.listing's, scoped like the API's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from liaison.core.permissions import Permission
from liaison.requests import listing, web_words
from liaison.requests.web import TEMPLATES, day_end
from liaison.web.pages import NavItem, Page, Section, page_for
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
# Everyone who signs in lands here; the lists need request:request:read, and are left out for
# those without it (custodians, auditors).
Anyone = Annotated[Page, Depends(page_for(Permission.own_profile_read))]
SHOWN = 10


@router.get("/")
def dashboard(page: Anyone) -> Response:
    """What needs you now. Permission: self:profile:read (the lists: request:request:read)."""
    page.nav = "dashboard"
    permissions = page.principal.permissions if page.principal else frozenset()
    work = counts = None
    if Permission.request_read in permissions:
        now = page.node.clock.now()
        work = listing.work(
            session=page.session, user=page.user, now=now, day_end=day_end(page, now), limit=SHOWN
        )
        counts = {
            direction: listing.counts_by_status(
                session=page.session, user=page.user, direction=direction
            )
            for direction in ("incoming", "outgoing")
        }
    return page.render(
        "requests/dashboard.html",
        work=work,
        counts=counts,
        now=page.node.clock.now(),
        words=web_words,
    )


section = Section(
    router=router,
    templates=TEMPLATES,
    nav=(NavItem("dashboard", "/", N_("Dashboard"), Permission.own_profile_read),),
)
