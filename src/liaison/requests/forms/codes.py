"""The code lists a form offers, each entry `{code, label, ...}` with its label in the user's
language.

No label is written here: a code reads the same on a form, in a check's message and in the
signed document. Kinds, sub-types and the coded values of the contents take the words of the
formal document ("documents" catalog, formal/labels.py), offences and grounds those of the
checks ("validation" catalog); States, languages and time zones are CLDR's (Babel).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

from liaison.core.codes import is_state, languages, states
from liaison.i18n import translator
from liaison.requests import contents
from liaison.requests.contents import OffenceCode, RequestKind
from liaison.requests.contents.common import (
    DataCategory,
    IdentifierKind,
    MlaSubtype,
    PersonRole,
    TransmissionChannel,
)
from liaison.requests.contents.extradition import AssuranceKind, DecisionKind, ExtraditionPurpose
from liaison.requests.contents.mla import AssetAction, AssistanceType, ProceedingStage
from liaison.requests.contents.offences import NEEDS_DESCRIPTION, PenaltyUnit
from liaison.requests.formal.labels import CODE_LABELS, kind_label

Code = dict[str, Any]


class CodeList(StrEnum):
    """The lists, by the name a form asks for (GET /api/v1/codes/{name})."""

    REQUEST_KINDS = "request-kinds"
    OFFENCES = "offences"
    MLA_SUBTYPES = "mla-subtypes"
    IDENTIFIER_KINDS = "identifier-kinds"
    DATA_CATEGORIES = "data-categories"
    ASSISTANCE_TYPES = "assistance-types"
    PERSON_ROLES = "person-roles"
    PROCEEDING_STAGES = "proceeding-stages"
    ASSET_ACTIONS = "asset-actions"
    TRANSMISSION_CHANNELS = "transmission-channels"
    EXTRADITION_PURPOSES = "extradition-purposes"
    DECISION_KINDS = "decision-kinds"
    ASSURANCE_KINDS = "assurance-kinds"
    PENALTY_UNITS = "penalty-units"
    STATES = "states"
    LANGUAGES = "languages"
    TIME_ZONES = "time-zones"


# The coded values of the contents, each list labelled as the formal document prints it.
ENUM_LISTS: dict[CodeList, type[StrEnum]] = {
    CodeList.MLA_SUBTYPES: MlaSubtype,
    CodeList.IDENTIFIER_KINDS: IdentifierKind,
    CodeList.DATA_CATEGORIES: DataCategory,
    CodeList.ASSISTANCE_TYPES: AssistanceType,
    CodeList.PERSON_ROLES: PersonRole,
    CodeList.PROCEEDING_STAGES: ProceedingStage,
    CodeList.ASSET_ACTIONS: AssetAction,
    CodeList.TRANSMISSION_CHANNELS: TransmissionChannel,
    CodeList.EXTRADITION_PURPOSES: ExtraditionPurpose,
    CodeList.DECISION_KINDS: DecisionKind,
    CodeList.ASSURANCE_KINDS: AssuranceKind,
    CodeList.PENALTY_UNITS: PenaltyUnit,
}
# Where CLDR places no zone in a State (Etc/GMT+5, UTC), the IANA name is its label.
_NO_STATE = frozenset({"ZZ", "001"})
# Not time zones but artefacts of the system's database.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


def code_list(name: CodeList | str, lang: str) -> list[Code]:
    """One list in `lang`. Raises ValueError for an unknown name."""
    name = CodeList(name)
    if name is CodeList.REQUEST_KINDS:
        return request_kinds(lang)
    if name is CodeList.OFFENCES:
        return offences(lang)
    if name in ENUM_LISTS:
        tr = translator(lang, "documents")
        labels = CODE_LABELS[ENUM_LISTS[name]]
        return [{"code": code, "label": tr(label)} for code, label in labels.items()]
    return list(_cldr(name, lang))


def request_kinds(lang: str) -> list[Code]:
    """Each kind with the articles it can rest on and its sub-kinds (MLA sub-types, provisional
    arrest), which name their own articles."""
    tr = translator(lang, "documents")
    found = []
    for kind in RequestKind:
        entry: Code = {
            "code": kind.value,
            "label": tr(kind_label(kind)),
            "articles": contents.legal_bases(kind),
        }
        subtypes = [
            {
                "code": subtype,
                "label": tr(kind_label(kind, subtype)),
                "articles": contents.legal_bases(kind, subtype),
            }
            for subtype in contents.subtypes(kind)
        ]
        if subtypes:
            entry["subtypes"] = subtypes
        found.append(entry)
    return found


def offences(lang: str) -> list[Code]:
    """The closed list, with the article defining each and whether its label alone says what
    the conduct is (if not, the entry needs a description)."""
    tr = translator(lang, "validation")
    return [
        {
            "code": code.value,
            "label": tr(contents.offence_label(code)),
            "article": contents.offence_article(code),
            "description_required": code in NEEDS_DESCRIPTION,
        }
        for code in OffenceCode
    ]


def grounds(kind: RequestKind | str, lang: str) -> list[Code]:
    """The closed lists to refuse (`use: refuse`) and postpone (`use: postpone`) a `kind`
    request, with the articles and whether the other side must be consulted first. Raises
    ValueError for an unknown kind."""
    tr = translator(lang, "validation")
    found = []
    for use, closed in (
        ("refuse", contents.refusal_grounds(kind)),
        ("postpone", contents.postponement_grounds(kind)),
    ):
        found += [
            {
                "code": g.code.value,
                "label": tr(g.label),
                "article": g.article,
                "consult_first": g.consult_first,
                "use": use,
            }
            for g in closed
        ]
    return found


@lru_cache(maxsize=64)
def _cldr(name: CodeList, lang: str) -> tuple[Code, ...]:
    """States, languages and time zones in `lang`, sorted by label as a reader looks them up."""
    locale, english = Locale.parse(lang), Locale("en")

    # The codes the contents accept (core.codes, from CLDR's English names), each named in
    # `lang` where CLDR has the name, in English where it has not (or "names" it by its code,
    # as French and Spanish do for Fon or Tiv).
    def named(names: Any, code: str, fallback: Any) -> str:
        found = names.get(code)
        return str(found) if found and found != code else str(fallback[code])

    if name is CodeList.STATES:
        found = [
            {"code": code, "label": named(locale.territories, code, english.territories)}
            for code in states()
        ]
    elif name is CodeList.LANGUAGES:
        found = [
            {"code": code, "label": named(locale.languages, code, english.languages)}
            for code in languages()
        ]
    else:
        found = _zones(locale)
    return tuple(sorted(found, key=lambda entry: _sort_key(entry["label"])))


def _zones(locale: Locale) -> list[Code]:
    """IANA zones under their CLDR names (aliases such as Asia/Saigon left out, so that no
    place is offered twice), each with the State it lies in: "Việt Nam (Ho Chi Minh)"."""
    aliases: Mapping[str, str] = get_global("zone_aliases")
    territories: Mapping[str, str] = get_global("zone_territories")
    found = []
    for zone in available_timezones() - _NOT_ZONES:
        if aliases.get(zone, zone) != zone:
            continue
        state = territories.get(zone)
        if state is None or state in _NO_STATE or not is_state(state):
            found.append({"code": zone, "label": zone})
            continue
        city = get_timezone_location(zone, locale=locale, return_city=True)
        country = locale.territories.get(state, state)
        found.append({"code": zone, "label": f"{country} ({city})", "state": state})
    return found


def _sort_key(label: str) -> str:
    """Accents aside ("Áo" beside "Ai Cập"), case aside."""
    bare = unicodedata.normalize("NFKD", label)
    return "".join(c for c in bare if not unicodedata.combining(c)).casefold()
