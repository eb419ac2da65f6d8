"""One entry point per operation, whatever the kind: model, parse, check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from liaison.core.errors import Problem
from liaison.i18n import translator
from liaison.requests.contents import (
    disclosure,
    extradition,
    mla,
    preservation,
    spontaneous,
    transfers,
)
from liaison.requests.contents.base import CaseContent, request_findings
from liaison.requests.contents.common import MlaSubtype, RequestKind
from liaison.requests.contents.messages import DOMAIN, INVALID_VALUE, MISSING
from liaison.requests.contents.rules import Finding

Rules = Callable[[Any], Iterator[Finding]]

# The extradition sub-kind, as the request service names it beside the content.
PROVISIONAL_ARREST = "provisional_arrest"

_KINDS: dict[RequestKind, tuple[type[CaseContent], Rules]] = {
    RequestKind.MLA: (mla.MlaContent, mla.findings),
    RequestKind.PRESERVATION: (preservation.PreservationContent, preservation.findings),
    RequestKind.DISCLOSURE: (disclosure.DisclosureContent, disclosure.findings),
    RequestKind.EXTRADITION: (extradition.ExtraditionContent, extradition.findings),
    RequestKind.SENTENCED_PERSON_TRANSFER: (
        transfers.SentencedPersonTransferContent,
        transfers.sentenced_person_findings,
    ),
    RequestKind.PROCEEDINGS_TRANSFER: (
        transfers.ProceedingsTransferContent,
        transfers.proceedings_findings,
    ),
    RequestKind.SPONTANEOUS: (spontaneous.SpontaneousContent, spontaneous.findings),
}

# The convention articles a request of each kind can rest on (its legal basis).
_ARTICLES: dict[RequestKind, frozenset[int]] = {
    RequestKind.MLA: mla.ANY_MLA_ARTICLE,
    RequestKind.PRESERVATION: preservation.ARTICLES,
    RequestKind.DISCLOSURE: disclosure.ARTICLES,
    RequestKind.EXTRADITION: extradition.ARTICLES,
    RequestKind.SENTENCED_PERSON_TRANSFER: transfers.SENTENCED_PERSON_ARTICLES,
    RequestKind.PROCEEDINGS_TRANSFER: transfers.PROCEEDINGS_ARTICLES,
    RequestKind.SPONTANEOUS: spontaneous.ARTICLES,
}


def content_model(kind: RequestKind | str) -> type[CaseContent]:
    """Raises ValueError for an unknown kind."""
    return _KINDS[RequestKind(kind)][0]


def subtypes(kind: RequestKind | str) -> tuple[str, ...]:
    """The sub-kinds a request of `kind` can name beside its content (none for most kinds)."""
    kind = RequestKind(kind)
    if kind is RequestKind.MLA:
        return tuple(MlaSubtype)
    if kind is RequestKind.EXTRADITION:
        return (PROVISIONAL_ARREST,)
    return ()


def legal_bases(kind: RequestKind | str, subtype: str | None = None) -> list[int]:
    """The convention articles a `kind` request (of `subtype`) can rest on, in order."""
    kind = RequestKind(kind)
    if kind is RequestKind.MLA and subtype is not None:
        return sorted(mla.ARTICLES[MlaSubtype(subtype)])
    return sorted(_ARTICLES[kind])


def required_to_submit(kind: RequestKind | str, subtype: str | None = None) -> list[str]:
    """The top-level fields an empty draft lacks before it can be submitted: what a form marks
    as required (more can be, depending on what is filled in: `check_submission` says)."""
    kind = RequestKind(kind)
    model, rules = _KINDS[kind]
    content = model.model_validate(with_subtype(kind, {}, subtype))
    return [f.path for f in rules(content) if f.message == MISSING and "." not in f.path]


def parse_content(
    kind: RequestKind | str, data: Mapping[str, Any], *, subtype: str | None = None
) -> CaseContent:
    """Format validation only: raises pydantic.ValidationError; a draft may be incomplete.

    `subtype` is the sub-kind kept beside the content (an MLA sub-type, or "provisional_arrest"
    for extradition); it is written into the content so the checks see it. Raises ValueError
    for an unknown kind or a subtype the kind does not have or that contradicts the content.
    """
    return content_model(kind).model_validate(with_subtype(kind, data, subtype))


def with_subtype(
    kind: RequestKind | str, data: Mapping[str, Any], subtype: str | None
) -> dict[str, Any]:
    """The content with its sub-kind written in; ValueError if the kind has no such sub-kind
    or the content says otherwise."""
    kind = RequestKind(kind)
    merged = dict(data)
    if subtype is None:
        return merged
    value: str | bool
    if kind is RequestKind.MLA:
        field, value = "subtype", MlaSubtype(subtype).value
    elif kind is RequestKind.EXTRADITION and subtype == PROVISIONAL_ARREST:
        field, value = "provisional_arrest", True
    else:
        raise ValueError(f"a {kind} request has no subtype {subtype!r}")
    if merged.get(field, value) != value:
        raise ValueError(f"the subtype {subtype!r} contradicts the content's {field!r}")
    merged[field] = value
    return merged


def check_submission(
    kind: RequestKind | str,
    content: CaseContent | Mapping[str, Any],
    *,
    lang: str,
    subtype: str | None = None,
    urgent: bool = False,
    wished_deadline: datetime | None = None,
) -> list[Problem]:
    """Every missing or invalid item at once, translated into `lang`; empty means submittable.
    `urgent` and `wished_deadline` are the request's own facts, which require reasons in the
    contents.

    Given raw data (a stored draft), format errors are reported too: the fields in error are
    set aside and the rest is checked for completeness, so one pass lists everything to fix.
    """
    kind = RequestKind(kind)
    model, rules = _KINDS[kind]
    findings: list[Finding] = []
    set_aside: set[str] = set()
    if isinstance(content, Mapping):
        content, set_aside, findings = _parse_leniently(model, with_subtype(kind, content, subtype))
    elif not isinstance(content, model):
        raise TypeError(f"{type(content).__name__} is not the content of a {kind} request")
    findings += [
        f
        for f in (
            *rules(content),
            *request_findings(content, urgent=urgent, wished_deadline=wished_deadline),
        )
        if f.path.split(".", 1)[0] not in set_aside
    ]
    return translated(findings, lang=lang)


def format_problems(error: ValidationError, *, lang: str) -> list[Problem]:
    """The format errors of a content that did not parse, as check_submission reports them."""
    return translated(_format_findings(error), lang=lang)


def translated(findings: Iterable[Finding], *, lang: str) -> list[Problem]:
    """Findings as problems in `lang` (catalog domain "validation"), each once, in order."""
    _ = translator(lang, DOMAIN)
    problems: list[Problem] = []
    for finding in findings:
        params: dict[str, str] = {}
        if finding.item is not None:
            params["item"] = _(finding.item)
        if finding.detail is not None:
            params["detail"] = finding.detail
        message = _(finding.message)
        problem = Problem(
            path=finding.path, message=message.format(**params) if params else message
        )
        if problem not in problems:
            problems.append(problem)
    return problems


def _parse_leniently(
    model: type[CaseContent], data: Mapping[str, Any]
) -> tuple[CaseContent, set[str], list[Finding]]:
    try:
        return model.model_validate(data), set(), []
    except ValidationError as error:
        errors = error.errors()
        findings = _format_findings(error)
    set_aside = {str(e["loc"][0]) for e in errors if e["loc"]}
    remainder = {key: value for key, value in data.items() if key not in set_aside}
    # Every top-level field is optional or defaulted, so what remains parses; if a
    # model-level rule still fails, there is nothing sound to check completeness on.
    try:
        return model.model_validate(remainder), set_aside, findings
    except ValidationError:
        return model(), set(model.model_fields), findings


def _format_findings(error: ValidationError) -> list[Finding]:
    """An empty path is the content as a whole (a rule across several fields)."""
    return [
        Finding(
            path=".".join(map(str, e["loc"])),
            message=INVALID_VALUE,
            # pydantic's English text: the template around it is translated.
            detail=e["msg"],
        )
        for e in error.errors()
    ]
