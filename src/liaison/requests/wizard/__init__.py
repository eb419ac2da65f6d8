"""The request wizard: every kind and sub-type drafted through one form renderer driven by the
kind's JSON Schema and code lists (render.py), cut into steps (steps.py); new.py asks the kind
and the recipient and creates the draft, edit.py fills it in step by step, checks the answers,
previews the formal document and submits it for approval. See docs/web.md."""

from fastapi import APIRouter

from liaison.core.permissions import Permission
from liaison.requests.wizard import edit, new
from liaison.web.pages import NavItem, Section
from liaison.web.templating import N_

router = APIRouter(include_in_schema=False)
# /requests/new before /requests/{request_id}: "new" is no request's id.
router.include_router(new.router)
router.include_router(edit.router)

section = Section(
    router=router,
    nav=(NavItem("new", "/requests/new", N_("New request"), Permission.request_draft),),
)
