"""Conditions that travel with a request and its results (art. 36, 40): the receiver stores
them, and every later export or forwarding checks them.

Each side sets conditions on what it gives: the requesting authority on its request (at
drafting), the requested authority on its results (when responding, `response.conditions`).
A copy is therefore bound by the conditions the *other* side set. A written authorisation from
that side lifts one condition for one use, and travels as a `request.authorisation` envelope.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liaison.core.errors import PermissionDenied


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The fact and substance of the request stay confidential (art. 40).
    confidential: bool = True
    # Do not tell the account holder or user (preservation, art. 42).
    no_user_notice: bool = False
    # Use only in the proceeding named in the request, unless the sender consents (speciality).
    speciality: bool = True
    # No transfer to a third State or body without the sender's prior authorisation (art. 36).
    no_onward_transfer: bool = True
    # Personal data and evidence are deleted this many days after the request closes.
    retention_days: int | None = Field(default=None, ge=1, le=36500)


class Use(StrEnum):
    # Export for use in the proceeding the request was made for.
    same_proceeding = "same_proceeding"
    # Export for use in another proceeding: speciality.
    other_proceeding = "other_proceeding"
    # Give to another authority or State: onward transfer.
    forward = "forward"


class ConditionRefused(PermissionDenied):
    """A use the conditions forbid; the message names the condition."""

    def __init__(self, condition: str, message: str) -> None:
        super().__init__(message)
        self.condition = condition


def binding(
    *, holder_is_requesting: bool, conditions: dict[str, Any], response: dict[str, Any]
) -> Conditions:
    """The conditions this copy must respect: those the other side set."""
    raw = response.get("conditions") if holder_is_requesting else conditions
    return Conditions.model_validate(raw or {}) if raw is not None else Conditions()


def _authorised(authorisations: list[dict[str, Any]], condition: str, key: str, value: str) -> bool:
    return any(a.get("condition") == condition and a.get(key) == value for a in authorisations)


def check_use(
    *,
    bound: Conditions,
    authorisations: list[dict[str, Any]],
    use: Use,
    to: str | None = None,
    proceeding: str | None = None,
) -> None:
    """Raise ConditionRefused naming the condition, unless the use is allowed or authorised."""
    if use is Use.forward:
        if not to:
            raise ConditionRefused("no_onward_transfer", "forwarding needs a recipient authority")
        if bound.no_onward_transfer and not _authorised(
            authorisations, "no_onward_transfer", "to", to
        ):
            raise ConditionRefused(
                "no_onward_transfer",
                "refused by the condition no_onward_transfer: "
                f"the sender has not authorised transfer to {to}",
            )
    if use is Use.other_proceeding:
        if not proceeding:
            raise ConditionRefused(
                "speciality", "use in another proceeding needs that proceeding's reference"
            )
        if bound.speciality and not _authorised(
            authorisations, "speciality", "proceeding", proceeding
        ):
            raise ConditionRefused(
                "speciality",
                "refused by the condition speciality: "
                f"the sender has not consented to use in {proceeding}",
            )
