"""The wizard's steps, cut from a kind's schema the same way for every kind: the case (what
every request names first), the offences, the facts, the kind's own questions a few to a page,
then the conditions. And what a new draft starts with: the authorities and legal basis it can
already name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liaison.requests import contents
from liaison.requests.wizard.render import resolve, widget_of
from liaison.web.templating import N_

# The fields every kind's schema opens with (contents.base.CaseContent).
CASE = (
    "legal_basis",
    "requesting_authority",
    "case_reference",
    "urgency_reason",
    "deadline_reason",
)
# Of the kind's own questions, this many to a page: a page an officer reads without scrolling.
PER_PAGE = 4
CONDITIONS = "conditions"
# Words a page adds to the group of a definition: the offence explains the four-year rule.
EXPLAINED = {
    "Offence": N_(
        "A serious crime is one the law punishes with at least four years of deprivation of "
        "liberty (art. 2). For the offences of articles 7 to 17 the Convention applies whatever "
        "the penalty. For “Serious crime (electronic evidence)” give the maximum penalty your "
        "law sets: at four years or more the offence is a serious crime; below four years the "
        "request goes ahead only if you say why (for example, a treaty covers the offence)."
    ),
}


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # msgid
    keys: tuple[str, ...]  # the contents' properties it asks (none: the conditions)


def shown(schema: Mapping[str, Any]) -> list[str]:
    """The properties a form asks (not those fixed by the sub-type, nor those derived)."""
    defs = schema.get("$defs", {})
    return [
        key
        for key, prop in schema.get("properties", {}).items()
        if widget_of(resolve(prop, defs)[0], defs)
    ]


def steps_of(schema: Mapping[str, Any]) -> list[Step]:
    keys = shown(schema)
    found = [Step("case", N_("The case"), tuple(k for k in keys if k in CASE))]
    if "offences" in keys:
        found.append(Step("offences", N_("Offences"), ("offences",)))
    if "facts" in keys:
        found.append(Step("facts", N_("Summary of facts"), ("facts",)))
    own = [k for k in keys if k not in CASE and k not in ("offences", "facts")]
    for number, start in enumerate(range(0, len(own), PER_PAGE), start=1):
        found.append(
            Step(
                f"details-{number}",
                N_("Details of the request"),
                tuple(own[start : start + PER_PAGE]),
            )
        )
    found.append(Step(CONDITIONS, N_("Conditions"), ()))
    return found


def step_named(schema: Mapping[str, Any], slug: str) -> Step | None:
    return next((s for s in steps_of(schema) if s.slug == slug), None)


def step_of_path(schema: Mapping[str, Any], path: str) -> str:
    """The step that asks about a problem's path ("content.offences.0.code" → offences)."""
    parts = path.split(".")
    if parts[0] == "content" and len(parts) > 1:
        for step in steps_of(schema):
            if parts[1] in step.keys:
                return step.slug
    if parts[0] in ("conditions", "urgent"):
        return CONDITIONS
    return steps_of(schema)[0].slug


def _is_authority(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> bool:
    schema, _ = resolve(prop, defs)
    return {"name", "state", "directory_id"} <= set(schema.get("properties", {}))


def prefilled(
    schema: Mapping[str, Any],
    *,
    kind: str,
    subtype: str | None,
    own: Mapping[str, str],
    recipient: Mapping[str, str],
) -> dict[str, Any]:
    """What a new draft already knows: the requesting authorities are the drafter's (its
    name, State and directory id), the requested ones the recipient's, and the legal basis the
    article the kind (its sub-type) rests on. The officer can change each."""
    defs = schema.get("$defs", {})
    content: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        if not _is_authority(prop, defs):
            continue
        if key.startswith("requesting") or key == "conducting_authority":
            content[key] = dict(own)
        elif key.startswith("requested"):
            content[key] = dict(recipient)
    bases = contents.legal_bases(kind, subtype if kind == "mla" else None)
    if "legal_basis" in schema.get("properties", {}) and bases:
        content["legal_basis"] = {"convention_article": bases[-1]}
    return content
