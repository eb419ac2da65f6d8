"""The pages of requests: incoming and outgoing lists (filters, search, sorting by due time,
pages of 25) and the request page (contents, timeline, the steps the reader may take, the
preservation's hold, follow-ups and the formal documents). As thin as the API's routes: the
same services (requests.listing, requests.service), the same authorisation step (page_for)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from math import ceil
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from liaison.core.errors import Conflict
from liaison.core.permissions import Permission
from liaison.requests import follow_ups, listing, service, web_words
from liaison.requests.formal import issued
from liaison.requests.listing import Filters
from liaison.requests.offered import offered
from liaison.requests.table import Side, Status
from liaison.requests.timeline import timeline
from liaison.requests.web_actions import PAGED
from liaison.requests.web_contents import contents, ground_label
from liaison.web.pages import NavItem, Page, Section, page_for
from liaison.web.templating import N_

TEMPLATES = Path(__file__).parent / "templates"
PER_PAGE = 25
# Beyond this many pages a list asks for a narrower search instead (offsets grow costly).
MAX_PAGE = 400
router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page_for(Permission.request_read))]

KindName = Literal[
    "",
    "mla",
    "preservation",
    "disclosure",
    "extradition",
    "sentenced_person_transfer",
    "proceedings_transfer",
    "spontaneous",
]
# A state of the table (checked by pattern: the list of states is the table's).
STATUS_PATTERN = "^(" + "|".join(s.value for s in Status) + ")?$"
Urgency = Literal["", "yes", "no"]
Due = Literal["", "overdue", "today", "week", "none"]
Sorting = Literal["newest", "due"]
TITLES = {"incoming": N_("Incoming requests"), "outgoing": N_("Outgoing requests")}


def day_end(page: Page, now: datetime) -> datetime:
    """Midnight at the end of the reader's today, in their time zone."""
    zone = ZoneInfo(page.zone)
    local = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local, time(0), tzinfo=zone)


def _list(
    page: Page,
    direction: Literal["incoming", "outgoing"],
    *,
    q: str,
    kind: str,
    status: str,
    state: str,
    urgent: str,
    due: str,
    sort: str,
    number: int,
) -> Response:
    page.nav = direction
    now = page.node.clock.now()
    filters = Filters(
        direction=direction,
        kind=kind or None,
        status=status or None,
        state=state or None,
        urgent={"yes": True, "no": False}.get(urgent),
        due=due,  # type: ignore[arg-type]
        q=q,
        sort=sort,  # type: ignore[arg-type]
    )
    found = listing.find(
        session=page.session,
        user=page.user,
        filters=filters,
        now=now,
        day_end=day_end(page, now),
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )
    chosen = {
        "q": q,
        "kind": kind,
        "status": status,
        "state": state,
        "urgent": urgent,
        "due": due,
        "sort": sort,
    }
    base = {k: v for k, v in chosen.items() if v and not (k == "sort" and v == "newest")}

    def url(n: int) -> str:
        query = urlencode({**base, **({"page": n} if n > 1 else {})})
        return f"/requests/{direction}" + (f"?{query}" if query else "")

    return page.render(
        "requests/list.html",
        title=TITLES[direction],
        direction=direction,
        rows=found.items,
        total=found.total,
        number=number,
        pages=min(MAX_PAGE, ceil(found.total / PER_PAGE)),
        url=url,
        chosen=chosen,
        states=listing.known_states(page.session),
        now=now,
        words=web_words,
    )


def _list_route(direction: Literal["incoming", "outgoing"]) -> None:
    def endpoint(  # noqa: PLR0917 - FastAPI passes query parameters by name
        page: Reader,
        q: Annotated[str, Query(max_length=200)] = "",
        kind: KindName = "",
        status: Annotated[str, Query(pattern=STATUS_PATTERN)] = "",
        state: Annotated[str, Query(pattern="^([A-Z]{2})?$")] = "",
        urgent: Urgency = "",
        due: Due = "",
        sort: Sorting = "newest",
        number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        return _list(
            page,
            direction,
            q=q,
            kind=kind,
            status=status,
            state=state,
            urgent=urgent,
            due=due,
            sort=sort,
            number=number,
        )

    endpoint.__name__ = f"{direction}_requests"
    endpoint.__doc__ = (
        f"The {direction} requests the reader may see. Permission: request:request:read."
    )
    router.add_api_route(f"/requests/{direction}", endpoint, methods=["GET"])


_list_route("incoming")
_list_route("outgoing")


@router.get("/requests/{request_id}")
def request_page(
    request_id: str, page: Reader, done: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """One request: its contents, timeline and the steps the reader may take now.
    Permission: request:request:read."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    now = page.node.clock.now()
    page.nav = "outgoing" if request.side is Side.requesting else "incoming"
    linked = None
    if request.linked_request:
        linked = page.session.get(type(request), (request.holder, request.linked_request))
        if linked is not None and not service.can_see(page.session, page.user, linked):
            linked = None
    follows = []
    expiry = None
    if request.kind == "preservation":
        follows = [
            r
            for r in follow_ups.follow_ups(page.session, request)
            if service.can_see(page.session, page.user, r)
        ]
        expiry = follow_ups.effective_expiry(page.session, request)
    permissions = page.principal.permissions if page.principal else frozenset()
    mine_unsent = request.side is Side.requesting and request.sent_at is None
    return page.render(
        "requests/request.html",
        # The wizard reopens a draft for who may edit it (requests.wizard); a preview of the
        # formal document is there until the request is sent.
        can_edit=request.status == Status.draft
        and mine_unsent
        and Permission.request_draft in permissions,
        can_preview=mine_unsent
        and request.status in (Status.draft, Status.awaiting_approval, Status.approved),
        request=request,
        contents=contents(request.kind, request.content, page.lang),
        entries=timeline(session=page.session, request=request, user=page.user, now=now),
        offers=[
            o
            for o in offered(
                session=page.session, user=page.user, permissions=permissions, request=request
            )
            if o.step in PAGED
        ],
        done=web_words.DONE.get(done or ""),
        linked=linked,
        follows=follows,
        expiry=expiry,
        ground=ground_label(request.ground, page.lang),
        now=now,
        words=web_words,
    )


def _pdf(page: Page, request_id: str, *, role: str, name: str) -> Response:
    """A formal document as its author signed it (the same bytes as the API's)."""
    request = service.get_for(session=page.session, user=page.user, request_id=request_id)
    held = issued.held(session=page.session, request=request, role=role)
    if held is None:
        raise Conflict("no signed document of this kind is held for this request yet")
    return Response(
        held.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}-{request_id}.pdf"'},
    )


@router.get("/requests/{request_id}/document.pdf")
def document(request_id: str, page: Reader) -> Response:
    """The formal request as signed PDF/A. Permission: request:request:read."""
    return _pdf(page, request_id, role=issued.REQUEST, name="request")


@router.get("/requests/{request_id}/response.pdf")
def response_document(request_id: str, page: Reader) -> Response:
    """The signed response as PDF/A. Permission: request:request:read."""
    return _pdf(page, request_id, role=issued.RESPONSE, name="response")


section = Section(
    router=router,
    templates=TEMPLATES,
    nav=(
        NavItem("incoming", "/requests/incoming", N_("Incoming"), Permission.request_read),
        NavItem("outgoing", "/requests/outgoing", N_("Outgoing"), Permission.request_read),
    ),
)
