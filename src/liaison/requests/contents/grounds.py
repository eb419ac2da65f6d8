"""Closed lists of refusal and postponement grounds, per request kind.

Grounds the convention forbids as the sole reason (fiscal matters in art. 37 and 40, bank
secrecy in art. 40) are deliberately absent: a refusal must cite a listed ground, so a forbidden
one cannot be chosen. `consult_first` marks grounds on which the requested State must consult
the requesting State before refusing (art. 37; art. 40 for non-conformity, essential interests,
domestic law and legal system, and for postponement). See docs/request-kinds.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liaison.core.errors import InvalidInput
from liaison.requests.contents.common import RequestKind
from liaison.requests.contents.messages import N_

_MLA = frozenset({RequestKind.MLA})
_EXPEDITED = frozenset({RequestKind.MLA, RequestKind.PRESERVATION, RequestKind.DISCLOSURE})
_EXTRADITION = frozenset({RequestKind.EXTRADITION})
_TRANSFERS = frozenset({RequestKind.SENTENCED_PERSON_TRANSFER, RequestKind.PROCEEDINGS_TRANSFER})


class GroundCode(StrEnum):
    NON_CONFORMING = "non_conforming_request"
    ESSENTIAL_INTERESTS = "essential_interests"
    DOMESTIC_LAW_BARS = "domestic_law_bars"
    CONTRARY_TO_LEGAL_SYSTEM = "contrary_to_legal_system"
    PERSECUTION = "persecution"
    PERSECUTION_SEX = "persecution_sex"
    PERSECUTION_RACE = "persecution_race"
    PERSECUTION_RELIGION = "persecution_religion"
    PERSECUTION_NATIONALITY = "persecution_nationality"
    PERSECUTION_ETHNIC_ORIGIN = "persecution_ethnic_origin"
    PERSECUTION_POLITICAL_OPINION = "persecution_political_opinion"
    PERSECUTION_LANGUAGE = "persecution_language"
    NATIONAL_OF_REQUESTED_STATE = "national_of_requested_state"
    NO_DUAL_CRIMINALITY = "no_dual_criminality"
    EXTRADITION_CONDITIONS_UNMET = "extradition_conditions_unmet"
    NO_CONSENT = "no_consent_of_sentenced_person"
    TRANSFER_NOT_ACCEPTED = "transfer_not_accepted"
    INTERFERES_WITH_PROCEEDINGS = "interferes_with_proceedings"


@dataclass(frozen=True, slots=True)
class Ground:
    code: GroundCode
    label: str  # catalog msgid, domain "validation"
    article: str
    kinds: frozenset[RequestKind]
    consult_first: bool
    postponement: bool = False
    # Aut dedere aut judicare (art. 37): refusing a national obliges the requested State to
    # submit the case for prosecution without undue delay; the service tracks it.
    requires_prosecution: bool = False


def _persecution(code: GroundCode, label: str, article: str = "37") -> Ground:
    # Art. 37 (from UNTOC 16(16)): consult before refusing extradition on any ground, so that
    # the requesting State can answer the allegation.
    return Ground(code, label, article, _EXTRADITION, consult_first=True)


GROUNDS: dict[GroundCode, Ground] = {
    ground.code: ground
    for ground in (
        Ground(GroundCode.NON_CONFORMING, N_("The request does not conform to the convention"),
               "40", _MLA, consult_first=True),
        # Shared with art. 42-43, which impose no consultation: the stricter art. 40 rule is
        # kept for all three, since one consultation message costs less than a wrong refusal.
        Ground(GroundCode.ESSENTIAL_INTERESTS,
               N_("Prejudice to sovereignty, security, ordre public or other essential interests"),
               "40, 42, 43", _EXPEDITED | _TRANSFERS, consult_first=True),
        Ground(GroundCode.DOMESTIC_LAW_BARS,
               N_("Domestic law prohibits the action for a similar domestic offence"),
               "40", _MLA | _TRANSFERS, consult_first=True),
        Ground(GroundCode.CONTRARY_TO_LEGAL_SYSTEM,
               N_("Contrary to the legal system of the requested State"),
               "40", _MLA, consult_first=True),
        # Not among the art. 40 grounds that require consultation; consulting could itself
        # expose the person at risk. [R]
        Ground(GroundCode.PERSECUTION,
               N_("Request made to prosecute or punish a person on account of sex, race, "
                  "language, religion, nationality, ethnic origin or political opinion"),
               "40", _EXPEDITED, consult_first=False),
        _persecution(GroundCode.PERSECUTION_SEX, N_("Persecution on account of sex")),
        _persecution(GroundCode.PERSECUTION_RACE, N_("Persecution on account of race")),
        _persecution(GroundCode.PERSECUTION_RELIGION, N_("Persecution on account of religion")),
        _persecution(GroundCode.PERSECUTION_NATIONALITY,
                     N_("Persecution on account of nationality")),
        _persecution(GroundCode.PERSECUTION_ETHNIC_ORIGIN,
                     N_("Persecution on account of ethnic origin")),
        _persecution(GroundCode.PERSECUTION_POLITICAL_OPINION,
                     N_("Persecution on account of political opinion")),
        _persecution(GroundCode.PERSECUTION_LANGUAGE, N_("Persecution on account of language")),
        Ground(GroundCode.NATIONAL_OF_REQUESTED_STATE,
               N_("The person sought is a national of the requested State"),
               "37", _EXTRADITION, consult_first=True, requires_prosecution=True),
        Ground(GroundCode.NO_DUAL_CRIMINALITY,
               N_("The conduct is not punishable under the law of both States"),
               "37", _EXTRADITION, consult_first=True),
        Ground(GroundCode.EXTRADITION_CONDITIONS_UNMET,
               N_("Conditions of the domestic law or applicable treaty are not met"),
               "37", _EXTRADITION, consult_first=True),
        # Art. 38-39 leave transfers to agreements and to each State's discretion; no
        # consultation duty is written there.
        Ground(GroundCode.NO_CONSENT, N_("The sentenced person does not consent"),
               "38", frozenset({RequestKind.SENTENCED_PERSON_TRANSFER}), consult_first=False),
        Ground(GroundCode.TRANSFER_NOT_ACCEPTED,
               N_("The requested State does not accept the transfer"),
               "38, 39", _TRANSFERS, consult_first=False),
        Ground(GroundCode.INTERFERES_WITH_PROCEEDINGS,
               N_("Execution would interfere with an ongoing investigation, prosecution or "
                  "judicial proceeding"),
               "40", _MLA | frozenset({RequestKind.DISCLOSURE}), consult_first=True,
               postponement=True),
    )
}  # fmt: skip


def ground(code: str) -> Ground:
    try:
        return GROUNDS[GroundCode(code)]
    except ValueError:
        raise InvalidInput(f"{code!r} is not a ground in the closed list") from None


def refusal_grounds(kind: RequestKind | str) -> tuple[Ground, ...]:
    """Empty for spontaneous information: it is not a request, so nothing is refused."""
    kind = RequestKind(kind)
    return tuple(g for g in GROUNDS.values() if kind in g.kinds and not g.postponement)


def postponement_grounds(kind: RequestKind | str) -> tuple[Ground, ...]:
    kind = RequestKind(kind)
    return tuple(g for g in GROUNDS.values() if kind in g.kinds and g.postponement)
