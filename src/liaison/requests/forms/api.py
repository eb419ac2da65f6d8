"""What a form needs, read only: the code lists (/codes/{name}) and, per kind of request, its
refusal and postponement grounds and the JSON Schema of its contents (/request-kinds/{kind}/...),
each in the user's language (`?lang=`, else Accept-Language). Paths apart from /requests/{id},
so that no name can be taken for a request id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from liaison.accounts.deps import Principal, require
from liaison.api.deps import LanguageDep
from liaison.core.errors import InvalidInput
from liaison.core.permissions import Permission
from liaison.requests.contents import RequestKind
from liaison.requests.forms import codes
from liaison.requests.forms.codes import CodeList
from liaison.requests.forms.schema import content_schema
from liaison.requests.schemas import CodeRead

router = APIRouter(tags=["forms"])
# Whoever works on requests reads their words; nothing here belongs to an authority.
Reader = Annotated[Principal, Depends(require(Permission.request_read))]


@router.get("/codes/{name}", response_model=list[CodeRead], response_model_exclude_none=True)
def code_list(name: CodeList, _principal: Reader, lang: LanguageDep) -> list[dict[str, Any]]:
    """One code list, each entry `{code, label, ...}` with its label in the user's language:
    request kinds (with their sub-kinds and the articles they rest on), offences (with their
    article), the coded values of the contents, States, languages and time zones (CLDR names,
    sorted by label). Permission: request:request:read."""
    return codes.code_list(name, lang)


@router.get(
    "/request-kinds/{kind}/grounds",
    response_model=list[CodeRead],
    response_model_exclude_none=True,
)
def grounds(kind: RequestKind, _principal: Reader, lang: LanguageDep) -> list[dict[str, Any]]:
    """The closed lists of grounds to refuse (`use: refuse`) and to postpone (`use: postpone`)
    a request of this kind, with their articles and whether the other side must be consulted
    first. Empty for spontaneous information. Permission: request:request:read."""
    return codes.grounds(kind, lang)


@router.get("/request-kinds/{kind}/schema", response_model=dict[str, Any])
def schema(
    kind: RequestKind,
    _principal: Reader,
    lang: LanguageDep,
    subtype: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z0-9_]{2,40}$",
            description="An MLA sub-type, or provisional_arrest for extradition: that variant",
        ),
    ] = None,
) -> dict[str, Any]:
    """The JSON Schema (2020-12) of this kind's contents, worded in the user's language: titles,
    descriptions, every coded value as `oneOf` `{const, title}`, `x-code-list` on States,
    languages and time zones, `x-required-to-submit` and `x-legal-bases`. With `subtype`, that
    variant's schema. Permission: request:request:read."""
    try:
        return content_schema(kind, lang=lang, subtype=subtype)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
