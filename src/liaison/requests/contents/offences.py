"""Offences: the closed code list of the convention and the entry a request carries for each.

Domestic provisions map onto the codes; dual criminality turns on the conduct, not on the name
of the offence, so the code says what the conduct is and the provision says how it is charged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import Field, computed_field, model_validator

from liaison.requests.contents.common import FreeText, ShortText, Strict
from liaison.requests.contents.messages import N_

# Art. 2: a serious crime is punishable by deprivation of liberty of at least four years.
SERIOUS_CRIME_MONTHS = 48


class OffenceCode(StrEnum):
    ILLEGAL_ACCESS = "art7"
    ILLEGAL_INTERCEPTION = "art8"
    DATA_INTERFERENCE = "art9"
    SYSTEM_INTERFERENCE = "art10"
    MISUSE_OF_DEVICES = "art11"
    FORGERY = "art12"
    THEFT_OR_FRAUD = "art13"
    CHILD_SEXUAL_ABUSE_MATERIAL = "art14"
    GROOMING = "art15"
    INTIMATE_IMAGES = "art16"
    LAUNDERING = "art17"
    # Offences under other UN conventions committed through ICT (art. 4).
    OTHER_CONVENTION = "art4"
    # Any serious crime, for the sharing of electronic evidence (art. 35(1)(c)).
    SERIOUS_CRIME = "serious_crime"


# The convention's own titles (art. 7-17), shortened where a label must fit a form.
OFFENCE_LABELS: dict[OffenceCode, str] = {
    OffenceCode.ILLEGAL_ACCESS: N_("Illegal access"),
    OffenceCode.ILLEGAL_INTERCEPTION: N_("Illegal interception"),
    OffenceCode.DATA_INTERFERENCE: N_("Interference with electronic data"),
    OffenceCode.SYSTEM_INTERFERENCE: N_("Interference with an ICT system"),
    OffenceCode.MISUSE_OF_DEVICES: N_("Misuse of devices"),
    OffenceCode.FORGERY: N_("ICT-related forgery"),
    OffenceCode.THEFT_OR_FRAUD: N_("ICT-related theft or fraud"),
    OffenceCode.CHILD_SEXUAL_ABUSE_MATERIAL: N_(
        "Online child sexual abuse or exploitation material"
    ),
    OffenceCode.GROOMING: N_("Solicitation or grooming of a child"),
    OffenceCode.INTIMATE_IMAGES: N_("Non-consensual dissemination of intimate images"),
    OffenceCode.LAUNDERING: N_("Laundering of proceeds of crime"),
    OffenceCode.OTHER_CONVENTION: N_("Offence under another UN convention committed through ICT"),
    OffenceCode.SERIOUS_CRIME: N_("Serious crime (electronic evidence)"),
}

# Codes whose label alone does not say what the conduct is: the entry must describe it.
NEEDS_DESCRIPTION = frozenset({OffenceCode.OTHER_CONVENTION, OffenceCode.SERIOUS_CRIME})


class PenaltyUnit(StrEnum):
    MONTHS = "months"
    YEARS = "years"
    LIFE = "life"


class Penalty(Strict):
    """A maximum penalty of deprivation of liberty, as the law states it."""

    unit: PenaltyUnit
    amount: int | None = Field(default=None, ge=1, le=1200)

    @model_validator(mode="after")
    def _amount_matches_unit(self) -> Self:
        if self.unit is PenaltyUnit.LIFE and self.amount is not None:
            raise ValueError("life imprisonment takes no amount")
        if self.unit is not PenaltyUnit.LIFE and self.amount is None:
            raise ValueError(f"a penalty in {self.unit.value} needs an amount")
        return self

    def in_months(self) -> int | None:
        """None for life imprisonment, which exceeds every threshold."""
        if self.unit is PenaltyUnit.LIFE:
            return None
        assert self.amount is not None  # noqa: S101 -- guaranteed by _amount_matches_unit
        return self.amount * 12 if self.unit is PenaltyUnit.YEARS else self.amount


class Offence(Strict):
    """One offence of the request: code, domestic provision, maximum penalty.

    `serious_crime` is derived from the penalty and output for the record; on input it is
    dropped, never trusted, so a client cannot assert a flag the penalty does not support.
    """

    code: OffenceCode
    domestic_provision: ShortText = Field(
        description="The provision of your law under which the conduct is an offence"
    )
    max_penalty: Penalty
    # What the conduct is, for codes whose label does not say it (art. 4, serious crime).
    description: FreeText | None = Field(
        default=None,
        description="What the conduct is; required for an offence under another convention and "
        "for a serious crime",
    )
    # Why a serious-crime offence below four years can still go (e.g. a treaty covers it).
    below_threshold_reason: FreeText | None = Field(
        default=None,
        description="Why the request may still be made when the maximum penalty is under four "
        "years (for example, a treaty covers the offence)",
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_derived_flag(cls, data: Any) -> Any:
        if isinstance(data, dict) and "serious_crime" in data:
            return {key: value for key, value in data.items() if key != "serious_crime"}
        return data

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented computed_field form
    @property
    def serious_crime(self) -> bool:
        months = self.max_penalty.in_months()
        return months is None or months >= SERIOUS_CRIME_MONTHS


def offence_label(code: OffenceCode) -> str:
    """The English label (a catalog msgid): translate with the "validation" domain."""
    return OFFENCE_LABELS[code]


def offence_article(code: OffenceCode) -> str:
    """The convention article the code stands for ("7" for art7); a serious crime is any crime
    the convention covers for the sharing of electronic evidence, art. 35(1)(c)."""
    return "35" if code is OffenceCode.SERIOUS_CRIME else code.value.removeprefix("art")
